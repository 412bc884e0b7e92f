export {
  KNOX_CODES,
  type KnoxCodeEntry,
  type KnoxCodeName,
  knoxCode,
  lookupKnoxCode,
  TOKEN_SERVICE_CODES,
  TOKEN_SERVICE_SOURCES,
  type TokenServiceCodeName,
  tokenServiceCode,
} from './catalog';
export { Actor, Category, Scope, Severity, SyntheticCode } from './constants';
export {
  classifyEnvelope,
  type DecodeOptions,
  type DecodeResult,
  decode,
  type ErrorEnvelope,
  failureFromEnvelope,
  type HeadersLike,
  type KnoxHttpResponse,
  malformedResponseError,
  readHeader,
} from './decode';
export { type BulkOutcome, type DeviceResult, decodeBulk, decodeDeviceResult } from './decodeBulk';
export { classifyHttpStatus, HTTP_STATUSES, type HttpStatusEntry } from './httpStatuses';
export { KnoxGuardError, type KnoxGuardFailure } from './KnoxGuardError';
export { normalizeBodyText } from './normalizeBodyText';
export { parseRetryAfter } from './parseRetryAfter';
export { renderRunbook } from './renderRunbook';
export {
  SERVICE_CODES,
  type ServiceCodeName,
  SYNTHETIC_CODES,
  serviceFailure,
  syntheticFailure,
} from './serviceCodes';
export { transportError } from './transportError';
