import { WebhookError } from './errors';
import {
  type KnoxEventRecord,
  type KnoxNotificationContext,
  type KnoxNotificationEvent,
  parseKnoxEventRecord,
} from './parseKnoxNotification';

/**
 * The largest SQS message body the webhook writes, in bytes: 256 KiB, SQS's long-standing
 * maximum message size and the maximum of a whole SendMessageBatch request ("The maximum allowed
 * individual message size and the maximum total payload size (the sum of the individual lengths
 * of all of the batched messages) are both 256 KiB (262,144 bytes)", API Reference,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html;
 * quotas: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
 * Queues created since SQS raised the limit accept more, but 256 KiB fits every queue and a
 * message that fills it still goes out alone in one SendMessageBatch call.
 */
export const MAX_KNOX_EVENTS_MESSAGE_BYTES = 262_144;

/** The version of the message shape below; the consumer refuses any other. */
export const KNOX_EVENTS_MESSAGE_VERSION = 1;

/**
 * One message on the Knox events queue: some events of one admitted callback, as Knox sent them
 * (the signed JSON objects), with what the callback's headers added. The consumer re-reads each
 * with `parseKnoxEventRecord`, so ids and dedupe keys are the webhook's.
 */
export interface KnoxEventsMessage {
  readonly v: typeof KNOX_EVENTS_MESSAGE_VERSION;
  /** The webhook invocation's API Gateway request id: the consumer logs it as the correlation id. */
  readonly requestId: string;
  /** When the webhook admitted the callback, epoch milliseconds. */
  readonly receivedAt: number;
  readonly nonce?: string;
  readonly traceId?: string;
  readonly events: readonly KnoxEventRecord[];
}

/** A Knox callback event too large for one SQS message even alone: it can never be queued. */
export class KnoxEventTooLargeError extends WebhookError {
  /** The event's index in the callback. */
  readonly index: number;
  /** The message it would need, in bytes. */
  readonly bytes: number;
  constructor(index: number, bytes: number, options?: { cause?: unknown }) {
    super(
      `event [${index}] needs a ${bytes}-byte queue message; the limit is ${MAX_KNOX_EVENTS_MESSAGE_BYTES}`,
      options,
    );
    this.name = 'KnoxEventTooLargeError';
    this.index = index;
    this.bytes = bytes;
  }
}

/** A queue message the consumer cannot read (not JSON, another version, a bad event list). */
export class KnoxEventsMessageError extends WebhookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnoxEventsMessageError';
  }
}

/**
 * Packs the admitted events of one callback into as few SQS message bodies as fit
 * `maxBytes` (UTF-8 bytes of the JSON text), in order, greedily: a 1,000-event callback of
 * single-device events (~400 bytes each) becomes two messages rather than 1,000. Pure.
 *
 * @throws KnoxEventTooLargeError when one event does not fit a message of its own (nothing is
 *   answered packed: the caller refuses the callback before queueing anything)
 * @example
 * const bodies = packKnoxEvents({ requestId, receivedAt: Date.now(), nonce }, records);
 * // bodies.length === 2 for 1,000 typical events
 */
export function packKnoxEvents(
  header: Omit<KnoxEventsMessage, 'v' | 'events'>,
  events: readonly KnoxEventRecord[],
  maxBytes: number = MAX_KNOX_EVENTS_MESSAGE_BYTES,
): string[] {
  const head: KnoxEventsMessage = {
    v: KNOX_EVENTS_MESSAGE_VERSION,
    requestId: header.requestId,
    receivedAt: header.receivedAt,
    ...(header.nonce === undefined ? {} : { nonce: header.nonce }),
    ...(header.traceId === undefined ? {} : { traceId: header.traceId }),
    events: [],
  };
  // `{...,"events":[` + entries joined by commas + `]}`: the size of a body is known entry by entry.
  const empty = JSON.stringify(head);
  const prefix = empty.slice(0, -2);
  const overhead = Buffer.byteLength(empty);
  const bodies: string[] = [];
  let current: string[] = [];
  let bytes = overhead;
  for (const event of events) {
    const text = JSON.stringify(event);
    const size = Buffer.byteLength(text);
    if (overhead + size > maxBytes) throw new KnoxEventTooLargeError(event.index, overhead + size);
    const added = size + (current.length === 0 ? 0 : 1);
    if (current.length > 0 && bytes + added > maxBytes) {
      bodies.push(`${prefix}${current.join(',')}]}`);
      current = [];
      bytes = overhead;
    }
    bytes += size + (current.length === 0 ? 0 : 1);
    current.push(text);
  }
  if (current.length > 0) bodies.push(`${prefix}${current.join(',')}]}`);
  return bodies;
}

/**
 * Reads one Knox events queue message back into events, named and keyed as the webhook read them.
 *
 * @throws KnoxEventsMessageError for a body that is not such a message: retrying cannot help, so
 *   it belongs in the DLQ (after the queue's maxReceiveCount)
 * @example
 * const { message, events } = readKnoxEventsMessage(record.body);
 */
export function readKnoxEventsMessage(body: string): {
  message: KnoxEventsMessage;
  events: KnoxNotificationEvent[];
} {
  let message: KnoxEventsMessage;
  try {
    message = JSON.parse(body) as KnoxEventsMessage;
  } catch (error) {
    throw new KnoxEventsMessageError('not JSON', { cause: error });
  }
  if (typeof message !== 'object' || message === null || message.v !== KNOX_EVENTS_MESSAGE_VERSION)
    throw new KnoxEventsMessageError(`not a version ${KNOX_EVENTS_MESSAGE_VERSION} Knox events message`);
  if (!Array.isArray(message.events) || message.events.length === 0)
    throw new KnoxEventsMessageError('no events');
  const context: KnoxNotificationContext = {
    ...(typeof message.nonce === 'string' ? { nonce: message.nonce } : {}),
    ...(typeof message.traceId === 'string' ? { traceId: message.traceId } : {}),
  };
  const events = message.events.map((entry, position) => {
    const valid =
      typeof entry === 'object' &&
      entry !== null &&
      Number.isSafeInteger(entry.index) &&
      Number.isSafeInteger(entry.total) &&
      entry.index >= 0 &&
      entry.index < entry.total &&
      typeof entry.record === 'object' &&
      entry.record !== null &&
      !Array.isArray(entry.record);
    if (!valid) throw new KnoxEventsMessageError(`events[${position}]: not a Knox event record`);
    return parseKnoxEventRecord(entry, context);
  });
  return { message, events };
}
