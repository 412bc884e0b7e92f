export { checkedStageParams } from './checkStageParams';
export { ConfigError } from './errors';
export { assertJobParamsDefined, type JobParams, referencedJobParams } from './jobParams';
export {
  type JobConfig,
  type JobsConfig,
  JobsConfigError,
  type JobTargets,
  resolveJobsConfig,
} from './jobsConfig';
export { loadJobsConfig } from './loadJobsConfig';
export { parseJobsYaml } from './parseJobsYaml';
export { OPERATION_REQUIRES, planJobSchedules } from './planJobSchedules';
export {
  loadServiceConfig,
  type ServiceConfig,
  ServiceConfigError,
  serviceEnvDefaults,
} from './serviceConfig';
