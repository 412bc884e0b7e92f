export type { DeviceResult } from '../errors';
export { chunkRanges, type IndexRange, shrinkRange } from './chunkRanges';
export { type BackoffOptions, computeBackoffDelay } from './computeBackoffDelay';
export {
  API_TOKEN_HEADER,
  CLIENT_DEFAULTS,
  DEVICE_OPERATIONS,
  type DeviceOperation,
  DeviceStatus,
  KNOX_JWT,
  MESSAGE_RULES,
} from './constants';
export { createKnoxClient } from './createKnoxClient';
export { KnoxCertificateError, KnoxClientError, KnoxRequestError } from './errors';
export { type HttpRequest, type HttpResponse, type HttpTransport, HttpTransportError } from './HttpTransport';
export { KnoxTokenProvider } from './KnoxTokenProvider';
export { type SignKnoxJwtOptions, signKnoxJwt } from './knoxJwt';
export { type NodeHttpTransportOptions, nodeHttpTransport } from './nodeHttpTransport';
export { type KnoxCertificateJson, type KnoxCredentials, parseCertificate } from './parseCertificate';
export { KNOX_PATHS, KNOX_REGIONS, type KnoxRegion } from './paths';
export { type RateLimitOptions, rateLimitedTransport } from './rateLimitedTransport';
export type {
  CallOptions,
  Clock,
  DeviceListFilter,
  DeviceListPage,
  DeviceListQuery,
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
