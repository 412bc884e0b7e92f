export {
  type DeviceJobOperation,
  type JobConfig,
  JobOperation,
  type JobsConfig,
  JobsConfigError,
  type JobTargets,
  loadJobsConfig,
} from './jobsConfig';
export { loadServiceConfig, type ServiceConfig, ServiceConfigError } from './serviceConfig';
