export { findPlaceholder } from './findPlaceholder';
export {
  isUnsetParam,
  type JobParams,
  type JobParamValue,
  type ResolvedJobParams,
  referencedJobParams,
  resolveJobParams,
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
  PlaceholderValueError,
  planJobSchedules,
  ScheduleState,
} from './planJobSchedules';
export {
  loadServiceConfig,
  type ServiceConfig,
  ServiceConfigError,
  serviceEnvDefaults,
} from './serviceConfig';
