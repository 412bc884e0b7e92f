export { checkTenant } from './checkTenant';
export { describeShape } from './describeShape';
export { KnoxCheckSetupError } from './KnoxCheckSetupError';
export { type RecordedExchange, type RecordingTransport, recordingTransport } from './recordingTransport';
export { renderCheckReport } from './renderCheckReport';
export {
  CHECK_OPERATIONS,
  type CheckOperation,
  type CheckRow,
  CheckStatus,
  type TenantCheckDeps,
  type TenantCheckOptions,
  type TenantCheckReport,
  type TenantCheckSummary,
} from './types';
