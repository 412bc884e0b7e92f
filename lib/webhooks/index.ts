export { alertKnoxEvent } from './alertKnoxEvent';
export { checkJsonBody, MAX_WEBHOOK_BODY_BYTES } from './checkJsonBody';
export { KNOX_CALLBACK_WINDOW } from './constants';
export { apiError, type KnoxErrorResponse, knoxErrorEnvelope } from './knoxErrorEnvelope';
export { knoxEventLogFields } from './knoxEventLogFields';
export { KNOX_EVENTS_MESSAGE_VERSION, readKnoxEventsMessage } from './knoxEventsMessage';
export {
  contentRefusedAnswer,
  queuePartialAnswer,
  requestInProgressAnswer,
  requestUnansweredAnswer,
} from './operationRequestAnswers';
export type { KnoxNotificationEvent } from './parseKnoxNotification';
export { parseOperationRequest } from './parseOperationRequest';
export { type OperationRequestPayload, readOperationRequest } from './readOperationRequest';
export { receiveKnoxCallback } from './receiveKnoxCallback';
export { knoxCallbackHeaders } from './signKnoxCallback';
export { unmatchedRoute } from './unmatchedRoute';
export { readKnoxTraceId } from './verifyKnoxCallback';
export { signOperationRequest } from './verifyOperationRequest';
export type { WebhookAnswer } from './WebhookAnswer';
