export type { DeviceResult } from '../errors';
// The tenant check (`npm run knox:check`); its Secrets Manager reader is imported from
// ./check/readCredentialsSecret directly, so no function bundle carries that SDK client.
export {
  CHECK_OPERATIONS,
  type CheckOperation,
  type CheckRow,
  CheckStatus,
  checkTenant,
  describeShape,
  KnoxCheckSetupError,
  type RecordedExchange,
  type RecordingTransport,
  recordingTransport,
  renderCheckReport,
  type TenantCheckDeps,
  type TenantCheckOptions,
  type TenantCheckReport,
  type TenantCheckSummary,
} from './check';
export { chunkRanges, type IndexRange, shrinkRange } from './chunkRanges';
export {
  API_TOKEN_HEADER,
  CLIENT_DEFAULTS,
  DEVICE_OPERATIONS,
  DEVICE_STATUSES,
  type DeviceOperation,
  DeviceStatus,
  KNOX_BULK_LIMIT,
  KNOX_JWT,
} from './constants';
export {
  contractPath,
  KNOX_CONTRACT,
  type KnoxContractRow,
  pathEntries,
  renderKnoxContract,
} from './contract';
export { createKnoxClient } from './createKnoxClient';
export { KnoxCertificateError, KnoxClientError, KnoxRequestError, KnoxUnverifiedApiError } from './errors';
export { type HttpRequest, type HttpResponse, type HttpTransport, HttpTransportError } from './HttpTransport';
export { KnoxTokenProvider } from './KnoxTokenProvider';
export { type SignKnoxJwtOptions, signKnoxJwt } from './knoxJwt';
export { type NodeHttpTransportOptions, nodeHttpTransport } from './nodeHttpTransport';
export { type KnoxAnswer, observedTransport } from './observedTransport';
export {
  DEVICE_ADDRESS_FIELDS,
  type DeviceAddressField,
  Evidence,
  MESSAGE_RULES,
  matchesFieldType,
  OPERATION_RULES,
  type OperationRule,
  operationRule,
} from './operationRules';
export { type KnoxCertificateJson, type KnoxCredentials, parseCertificate } from './parseCertificate';
export {
  ASYNC_ID_LIST_FIELD,
  KNOX_API_PREFIX,
  KNOX_PATHS,
  KNOX_REGIONS,
  KNOX_TEST_API_PREFIX,
  type KnoxPaths,
  type KnoxRegion,
  knoxPaths,
  type PathOperation,
  TRANSACTION_ID_HEADER,
} from './paths';
export { type RateLimitOptions, rateLimitedTransport } from './rateLimitedTransport';
export type {
  CallOptions,
  Clock,
  DeviceListFilter,
  DeviceListPage,
  DeviceListQuery,
  ExecuteOptions,
  KnoxClient,
  KnoxClientOptions,
  KnoxDevice,
  KnoxLicense,
  KnoxLogger,
  OperationOutcome,
  OperationParams,
  RegisterLicenseInput,
} from './types';
export { validateOperation } from './validateOperation';
