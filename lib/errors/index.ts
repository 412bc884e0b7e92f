export {
  KNOX_CODES,
  type KnoxCodeEntry,
  type KnoxCodeName,
  knoxCode,
  TOKEN_SERVICE_CODES,
  tokenServiceCode,
} from './catalog';
export { Actor, Category, Scope, Severity, SyntheticCode } from './constants';
export { decode, failureFromEnvelope, type HeadersLike, malformedResponseError, readHeader } from './decode';
export { type DeviceResult, decodeBulk, decodeDeviceResult } from './decodeBulk';
export { classifyHttpStatus, HTTP_STATUSES } from './httpStatuses';
export { KnoxGuardError, type KnoxGuardFailure } from './KnoxGuardError';
export { renderRunbook } from './renderRunbook';
export { SERVICE_CODES, serviceFailure } from './serviceCodes';
export { transportError } from './transportError';
