import { apiError } from './knoxErrorEnvelope';
import type { OperationRequestPayload } from './readOperationRequest';
import type { WebhookAnswer } from './WebhookAnswer';

/** What SQS took of one operation request's chunks (lib/operations `OperationQueueError`). */
export interface QueuedChunks {
  readonly operationId: string;
  readonly chunks: number;
  readonly notQueued: readonly number[];
}

/**
 * The one retry of `POST /operations` that cannot run a device twice: the same body with the same
 * key, or, when the client sent none, with the derived key the answer names (signed with `v2=`).
 */
export function retryAdvice(payload: OperationRequestPayload): string {
  return payload.keyDerived
    ? `the header "Idempotency-Key: ${payload.idempotencyKey}" (signed with v2=)`
    : 'the same Idempotency-Key';
}

/**
 * `503 QUEUE_PARTIAL` for a request SQS took only part of: which operation the queued chunks
 * belong to and the retry that cannot run a device twice (the same key and body map onto the same
 * operation and chunk ids, so chunks already queued are no-ops at the workers).
 *
 * @example
 * queuePartialAnswer({ operationId: 'op-1', chunks: 3, notQueued: [2] }, payload).statusCode; // 503
 */
export function queuePartialAnswer(queue: QueuedChunks, payload: OperationRequestPayload): WebhookAnswer {
  const queued = queue.chunks - queue.notQueued.length;
  const retry = `resend the same body with ${retryAdvice(payload)}`;
  const reason =
    queued === 0
      ? `Nothing was queued. Retry later: ${retry}.`
      : `${queued} of ${queue.chunks} chunks of operation ${queue.operationId} were queued and will run; ${queue.notQueued.length} were not. To queue the rest, ${retry}: chunks already queued are not run twice. A request with a new key or another body would run the queued devices again.`;
  return {
    statusCode: 503,
    body: {
      ...apiError('QUEUE_PARTIAL', reason).body,
      operationId: queue.operationId,
      idempotencyKey: payload.idempotencyKey,
    },
    headers: { 'retry-after': '5' },
  };
}

/**
 * `400 VALIDATION_FAILED` when SQS refused the request's content: the same request can never be
 * queued. A refused batch queues nothing, so at most earlier chunks were queued (and will run).
 *
 * @param code SQS's error code (`InvalidMessageContents`, ...), when known.
 */
export function contentRefusedAnswer(queue: QueuedChunks, code: string | undefined): WebhookAnswer {
  const queued = queue.chunks - queue.notQueued.length;
  return apiError(
    'VALIDATION_FAILED',
    `Amazon SQS refused the request's content (${code ?? 'invalid content'}); it can never be queued as sent.${queued > 0 ? ` ${queued} of ${queue.chunks} chunks of operation ${queue.operationId} were queued and will run.` : ' Nothing was queued.'}`,
  );
}

/**
 * `503 QUEUE_PARTIAL` when the request failed before it was answered (the state table down, ...):
 * what was queued is unknown, so the answer names the one retry that cannot run a device twice.
 */
export function requestUnansweredAnswer(payload: OperationRequestPayload): WebhookAnswer {
  return {
    statusCode: 503,
    body: {
      ...apiError(
        'QUEUE_PARTIAL',
        `The request failed before it was answered; some chunks may have been queued. Retry later with the same body and ${retryAdvice(payload)}: chunks already queued are not run twice.`,
      ).body,
      idempotencyKey: payload.idempotencyKey,
    },
    headers: { 'retry-after': '5' },
  };
}

/** `409 REQUEST_IN_PROGRESS`: the same request is still being queued. */
export function requestInProgressAnswer(): WebhookAnswer {
  return {
    statusCode: 409,
    body: apiError('REQUEST_IN_PROGRESS', 'This request is still being queued; retry in a few seconds.').body,
    headers: { 'retry-after': '2' },
  };
}
