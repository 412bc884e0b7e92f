import { admitKnoxCallback } from './admitKnoxCallback';
import { type KnoxEventQueue, KnoxEventQueueError } from './KnoxEventQueue';
import { apiError } from './knoxErrorEnvelope';
import { countKnoxEventFailures } from './knoxEventObservation';
import { KnoxEventTooLargeError, packKnoxEvents } from './knoxEventsMessage';
import type { NonceStore } from './NonceStore';
import { parseKnoxNotification } from './parseKnoxNotification';
import { readJsonBody } from './readJsonBody';
import { verifyKnoxCallback } from './verifyKnoxCallback';
import type { WebhookAnswer, WebhookLogger, WebhookMetric } from './WebhookAnswer';

/** One `POST /knox/notifications` request, as the route's body checks let it through. */
export interface KnoxCallbackRequest {
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body exactly as received (base64 decoded). */
  readonly body: Uint8Array;
  /** The HTTP API's request id: the correlation id from the access log line to the consumer's. */
  readonly requestId: string;
}

export interface ReceiveKnoxCallbackDeps {
  /** The Samsung Knox validation certificate (PEM); fetched per request, its source caches it. */
  readonly certificatePem: () => Promise<string>;
  readonly nonces: NonceStore;
  readonly queue: KnoxEventQueue;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly log: WebhookLogger;
  readonly count: WebhookMetric;
}

/**
 * `POST /knox/notifications` after the route's body checks: verifies the signature (401), reads
 * the JSON (400 `INVALID_JSON`, `readJsonBody`: a leading BOM removed, nesting bounded), parses
 * the notification (400), admits it (a seen nonce or events outside the callback window are
 * answered 200 and not queued: Knox's redelivery policy is not published, and a 2xx is the one
 * answer every retrying sender takes as final), queues the admitted events' signed records for
 * the knoxEvents function (413 when one can never fit a queue message, 503 with `retry-after`
 * when SQS did not take them all: nothing is lost, the nonce is not remembered, so Knox's
 * redelivery is admitted again), and only then remembers the nonce. Rejects only when the nonce
 * store or the certificate source does (the handler answers 503).
 *
 * @example
 * const answer = await receiveKnoxCallback({ headers, body, requestId }, deps);
 * // { statusCode: 200, body: { result: 'SUCCESS', events: 1, failures: 0 } }
 */
export async function receiveKnoxCallback(
  request: KnoxCallbackRequest,
  deps: ReceiveKnoxCallbackDeps,
): Promise<WebhookAnswer> {
  const { log, count } = deps;
  const verified = await verifyKnoxCallback({
    headers: request.headers,
    body: request.body,
    certificatePem: await deps.certificatePem(),
  });
  if (!verified.ok) {
    count('CallbacksRejected', 1);
    log.warn('Knox callback rejected', { reason: verified.reason });
    const name = verified.reason === 'missing-signature' ? 'SIGNATURE_MISSING' : 'SIGNATURE_INVALID';
    return apiError(name, `Knox callback signature rejected: ${verified.reason}.`);
  }
  // Knox's text as it arrives: a gateway's BOM must not turn a signed event into a 400, and a
  // body nested too deep to ever queue is a 400, not a 503 Knox would retry.
  const read = readJsonBody(verified.payload);
  if (!read.ok) return read.error;
  const parsed = parseKnoxNotification(read.json, { nonce: verified.nonce, traceId: verified.traceId });
  if (!parsed.ok) return apiError('VALIDATION_FAILED', parsed.issues.join('; '));

  const now = deps.now();
  const admission = await admitKnoxCallback({
    ...(verified.nonce === undefined ? {} : { nonce: verified.nonce }),
    events: parsed.events,
    nonces: deps.nonces,
    now,
  });
  if (!admission.ok) {
    count('CallbacksReplayed', 1);
    log.warn('Knox callback refused: nonce already seen', { reason: admission.reason });
    return { statusCode: 200, body: { result: 'SUCCESS', events: 0, failures: 0, duplicate: true } };
  }
  for (const { event, reason } of admission.ignored) {
    count('CallbackEventsOutsideWindow', 1);
    log.warn('Knox event outside the callback window, not processed', {
      reason,
      eventId: event.eventId,
      eventType: event.eventType,
      occurredAt: event.occurredAt,
    });
  }

  // Queued, not processed here: processing 1,000 events took longer than the webhook's 10 s
  // timeout; queueing them takes one or two SendMessageBatch calls (docs/knox-callbacks.md).
  const recordOf = new Map(parsed.events.map((event, index) => [event, parsed.records[index]]));
  const records = admission.events.flatMap((event) => recordOf.get(event) ?? []);
  let messages = 0;
  if (records.length > 0) {
    let bodies: string[];
    try {
      bodies = packKnoxEvents(
        {
          requestId: request.requestId,
          receivedAt: now,
          ...(verified.nonce === undefined ? {} : { nonce: verified.nonce }),
          ...(verified.traceId === undefined ? {} : { traceId: verified.traceId }),
        },
        records,
      );
    } catch (error) {
      if (!(error instanceof KnoxEventTooLargeError)) throw error;
      // The same event can never fit a queue message: a clear 4xx, not a 503 Knox would retry forever.
      count('CallbacksRefusedTooLarge', 1);
      log.error('Knox callback refused: an event is too large to queue', { error });
      return apiError('PAYLOAD_TOO_LARGE', `${error.message}; nothing was queued.`);
    }
    try {
      await deps.queue.send(bodies);
    } catch (error) {
      // Nothing is lost: the nonce is not remembered, so Knox's redelivery of the whole callback
      // is admitted and queued again; the consumer processes each event once (by its dedupe key).
      const queued = error instanceof KnoxEventQueueError ? error.queued : 0;
      count('CallbacksNotQueued', 1);
      log.error('Knox callback not queued; asking Knox to redeliver it', {
        error,
        messages: bodies.length,
        queued,
      });
      return {
        statusCode: 503,
        body: apiError(
          'QUEUE_PARTIAL',
          `${queued} of ${bodies.length} messages of this callback's ${records.length} events were queued. Redeliver the callback: events already queued are not processed twice.`,
        ).body,
        headers: { 'retry-after': '5' },
      };
    }
    messages = bodies.length;
  }
  // Only now: a callback that could not be queued must stay deliverable with its nonce.
  await admission.remember();
  const failures = countKnoxEventFailures(admission.events);
  const outsideWindow = admission.ignored.length;
  count('KnoxEventsQueued', records.length);
  log.info('Knox notification queued', { events: records.length, messages, failures, outsideWindow });
  return {
    statusCode: 200,
    body: {
      result: 'SUCCESS',
      events: admission.events.length,
      failures,
      ...(outsideWindow === 0 ? {} : { outsideWindow }),
    },
  };
}
