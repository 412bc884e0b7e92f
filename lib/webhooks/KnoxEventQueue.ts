import { WebhookError } from './errors';

/** Where the webhook hands admitted Knox callback events (message bodies from `packKnoxEvents`). */
export interface KnoxEventQueue {
  /** Resolves once every body is on the queue; rejects with `KnoxEventQueueError` otherwise. */
  send(bodies: readonly string[]): Promise<void>;
}

/** Some Knox events messages were not accepted by SQS after every retry. */
export class KnoxEventQueueError extends WebhookError {
  /** Messages SQS accepted before it gave up (their events will be processed). */
  readonly queued: number;
  /** Messages not queued. */
  readonly notQueued: number;
  constructor(message: string, counts: { queued: number; notQueued: number }, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnoxEventQueueError';
    this.queued = counts.queued;
    this.notQueued = counts.notQueued;
  }
}
