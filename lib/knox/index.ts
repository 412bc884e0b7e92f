export {
  CHECK_OPERATIONS,
  type CheckOperation,
  checkTenant,
  renderCheckReport,
  type TenantCheckOptions,
} from './check';
export {
  CLIENT_DEFAULTS,
  DEVICE_OPERATIONS,
  type DeviceOperation,
  DeviceStatus,
  KNOX_BULK_LIMIT,
} from './constants';
export { renderKnoxContract } from './contract';
export { createKnoxClient } from './createKnoxClient';
export { KnoxCertificateError, KnoxRequestError } from './errors';
export type { HttpTransport } from './HttpTransport';
export { nodeHttpTransport } from './nodeHttpTransport';
export { observedTransport } from './observedTransport';
export { DEVICE_ADDRESS_FIELDS, matchesFieldType, operationRule } from './operationRules';
export { parseCertificate } from './parseCertificate';
export {
  ASYNC_ID_LIST_FIELD,
  KNOX_API_PREFIX,
  KNOX_REGIONS,
  type KnoxPaths,
  knoxPaths,
  type PathOperation,
  TRANSACTION_ID_HEADER,
} from './paths';
export type { Clock, KnoxClient, OperationParams } from './types';
export { validateOperation } from './validateOperation';
