export { findPlaceholder } from './findPlaceholder';
export {
  assertJobParamsDefined,
  isUnsetParam,
  type JobParams,
  type JobParamValue,
  type ResolvedJobParams,
  referencedJobParams,
  resolveJobParams,
  UndefinedParamError,
} from './jobParams';
export {
  type DeviceJobOperation,
  type JobConfig,
  JobOperation,
  type JobsConfig,
  JobsConfigError,
  type JobTargets,
  resolveJobsConfig,
} from './jobsConfig';
export { loadJobsConfig } from './loadJobsConfig';
export {
  type JobSchedulePlan,
  type JobSchedulePlanInput,
  OPERATION_REQUIRES,
  PlaceholderValueError,
  planJobSchedules,
  ScheduleState,
  StageParamError,
} from './planJobSchedules';
export {
  loadServiceConfig,
  type ServiceConfig,
  ServiceConfigError,
  serviceEnvDefaults,
} from './serviceConfig';
