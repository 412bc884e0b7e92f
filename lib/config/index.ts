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
export { loadServiceConfig, type ServiceConfig, ServiceConfigError } from './serviceConfig';
