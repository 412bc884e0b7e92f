export { hasValidLuhnCheckDigit, isDeviceUid, parseDeviceId } from '../devices';
export {
  type AdmitKnoxCallbackInput,
  admitKnoxCallback,
  type KnoxCallbackAdmission,
} from './admitKnoxCallback';
export {
  DEFAULT_TOLERANCE_SECONDS,
  KNOX_CALLBACK_WINDOW,
  KnoxCallbackFailure,
  KnoxCallbackIgnored,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  OperationAuthFailure,
  OperationRequestHeader,
} from './constants';
export { createDynamoNonceStore, type DynamoNonceStoreOptions } from './createDynamoNonceStore';
export { createMemoryNonceStore } from './createMemoryNonceStore';
export {
  ApiErrorCode,
  type ApiErrorName,
  apiError,
  type KnoxErrorBody,
  type KnoxErrorResponse,
  knoxErrorEnvelope,
} from './knoxErrorEnvelope';
export type { NonceStore } from './NonceStore';
export {
  KnoxEventType,
  type KnoxNotificationContext,
  type KnoxNotificationDevice,
  type KnoxNotificationEvent,
  type ParseKnoxNotificationResult,
  parseKnoxNotification,
} from './parseKnoxNotification';
export {
  MAX_DEVICES_PER_REQUEST,
  MESSAGE_LIMITS,
  OPERATION_REQUEST_OPERATIONS,
  type OperationRequest,
  type ParseOperationRequestResult,
  parseOperationRequest,
  type RequestedOperation,
} from './parseOperationRequest';
export {
  type KnoxCallbackHeadersOptions,
  knoxCallbackHeaders,
  type SignKnoxCallbackOptions,
  signKnoxCallback,
} from './signKnoxCallback';
export {
  KnoxCallbackHeader,
  readKnoxTraceId,
  type VerifyKnoxCallbackInput,
  type VerifyKnoxCallbackResult,
  verifyKnoxCallback,
} from './verifyKnoxCallback';
export {
  type SignatureVersion,
  type SignOperationRequestInput,
  signOperationRequest,
  type VerifyOperationRequestInput,
  type VerifyOperationRequestResult,
  verifyOperationRequest,
} from './verifyOperationRequest';
