export {
  DEFAULT_TOLERANCE_SECONDS,
  KnoxCallbackFailure,
  OperationAuthFailure,
  OperationRequestHeader,
} from './constants';
export { hasValidLuhnCheckDigit, isDeviceUid } from './deviceUid';
export {
  ApiErrorCode,
  type ApiErrorName,
  apiError,
  type KnoxErrorBody,
  type KnoxErrorResponse,
  knoxErrorEnvelope,
} from './knoxErrorEnvelope';
export {
  KnoxEventType,
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
  KnoxCallbackHeader,
  type SignKnoxCallbackOptions,
  signKnoxCallback,
  type VerifyKnoxCallbackInput,
  type VerifyKnoxCallbackResult,
  verifyKnoxCallback,
} from './verifyKnoxCallback';
export {
  type SignOperationRequestInput,
  signOperationRequest,
  type VerifyOperationRequestInput,
  type VerifyOperationRequestResult,
  verifyOperationRequest,
} from './verifyOperationRequest';
