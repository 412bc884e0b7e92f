export { hasValidLuhnCheckDigit, isDeviceUid, parseDeviceId } from '../devices';
export {
  type AdmitKnoxCallbackInput,
  admitKnoxCallback,
  type KnoxCallbackAdmission,
} from './admitKnoxCallback';
export { alertKnoxEvent } from './alertKnoxEvent';
export { checkJsonBody, MAX_WEBHOOK_BODY_BYTES } from './checkJsonBody';
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
// The SQS adapter (./sqsKnoxEventQueue) is imported by its path, so that only the chunk that
// sends loads the SQS client.
export { type KnoxEventQueue, KnoxEventQueueError } from './KnoxEventQueue';
export {
  ApiErrorCode,
  type ApiErrorName,
  apiError,
  type KnoxErrorBody,
  type KnoxErrorResponse,
  knoxErrorEnvelope,
} from './knoxErrorEnvelope';
export { knoxEventLogFields } from './knoxEventLogFields';
export {
  countKnoxEventFailures,
  KNOX_CALLBACK_JOB,
  knoxEventObservation,
  knoxEventRunId,
} from './knoxEventObservation';
export {
  KNOX_EVENTS_MESSAGE_VERSION,
  type KnoxEventsMessage,
  KnoxEventsMessageError,
  KnoxEventTooLargeError,
  MAX_KNOX_EVENTS_MESSAGE_BYTES,
  packKnoxEvents,
  readKnoxEventsMessage,
} from './knoxEventsMessage';
export type { NonceStore } from './NonceStore';
export {
  contentRefusedAnswer,
  type QueuedChunks,
  queuePartialAnswer,
  requestInProgressAnswer,
  requestUnansweredAnswer,
  retryAdvice,
} from './operationRequestAnswers';
export {
  type KnoxEventRecord,
  KnoxEventType,
  type KnoxNotificationContext,
  type KnoxNotificationDevice,
  type KnoxNotificationEvent,
  type ParseKnoxNotificationResult,
  parseKnoxEventRecord,
  parseKnoxNotification,
} from './parseKnoxNotification';
export {
  MAX_DEVICES_PER_REQUEST,
  type OperationRequest,
  type ParseOperationRequestResult,
  parseOperationRequest,
} from './parseOperationRequest';
export {
  type OperationRequestPayload,
  type OperationRequestReading,
  readOperationRequest,
} from './readOperationRequest';
export {
  type KnoxCallbackRequest,
  type ReceiveKnoxCallbackDeps,
  receiveKnoxCallback,
} from './receiveKnoxCallback';
export {
  type KnoxCallbackHeadersOptions,
  knoxCallbackHeaders,
  type SignKnoxCallbackOptions,
  signKnoxCallback,
} from './signKnoxCallback';
export { type HttpRoute, type UnmatchedRouteAnswer, unmatchedRoute } from './unmatchedRoute';
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
export type { WebhookAnswer, WebhookLogger, WebhookMetric } from './WebhookAnswer';
