import { serviceFailure } from '../errors';
import { backoffCeiling } from '../retry';
import type { ChunkMessage } from './chunkMessage';
import { type ChunkOutcome, retryableDevices } from './executeChunk';
import type { RunObservation } from './ports';

/** Attempts per chunk (first delivery included) before the retryable rest is dead-lettered. */
export const DEFAULT_MAX_CHUNK_ATTEMPTS = 4;

export interface FollowUp {
  readonly message: ChunkMessage;
  /** SQS delay before the next attempt: 30 s, 60 s, 120 s, ... capped at 15 minutes (the SQS maximum). */
  readonly delaySeconds: number;
}

/**
 * Decides what happens to a chunk's devices that failed with a retryable error: a follow-up
 * message with just those devices and the next attempt number, or `exhausted` once the attempts
 * are used up (the worker then lets SQS redeliver until the message lands in the DLQ). A
 * `replayed` delivery (the first receive of a message whose outcome was already stored: a DLQ
 * redrive) of an exhausted chunk gets one more attempt at once instead.
 *
 * @example
 * const next = planFollowUp(message, outcome);
 * if (next.kind === 'retry') await queue.send([next.followUp.message], { delaySeconds: next.followUp.delaySeconds });
 */
export function planFollowUp(
  message: ChunkMessage,
  outcome: ChunkOutcome,
  maxAttempts = DEFAULT_MAX_CHUNK_ATTEMPTS,
  delivery: { readonly replayed?: boolean } = {},
): { kind: 'done' } | { kind: 'retry'; followUp: FollowUp } | { kind: 'exhausted'; devices: string[] } {
  const devices = retryableDevices(message, outcome);
  if (devices.length === 0) return { kind: 'done' };
  // NOT_FINISHED devices were submitted in a transaction Knox may still complete: the next attempt
  // polls it (and only it) instead of submitting again, which would operate them twice.
  const { transactionId: _previous, ...base } = message;
  const next = (attempt: number): ChunkMessage => ({
    ...base,
    attempt,
    deviceUids: devices,
    ...(outcome.unfinishedTransactionId === undefined
      ? {}
      : { transactionId: outcome.unfinishedTransactionId }),
  });
  // A redriven last attempt finds its own stored outcome (Knox refused the devices): replaying
  // it would dead-letter them again without asking Knox. The next attempt number is a new
  // idempotency key, so Knox is asked once more, now.
  if (delivery.replayed && message.attempt + 1 >= maxAttempts) {
    return {
      kind: 'retry',
      followUp: { message: next(message.attempt + 1), delaySeconds: 0 },
    };
  }
  if (message.attempt + 1 >= maxAttempts) return { kind: 'exhausted', devices };
  // The same exponential schedule as every retry (lib/retry), without jitter: attempts are already
  // spread by when their chunks failed. 900 s is SQS's longest DelaySeconds.
  const delaySeconds = backoffCeiling(message.attempt + 1, 30, 900);
  return {
    kind: 'retry',
    followUp: { message: next(message.attempt + 1), delaySeconds },
  };
}

/**
 * The alert for a chunk whose retryable devices are still failing after its last attempt: one
 * KNOX_UNAVAILABLE failure (critical, alerted at once) per such device, naming the codes they
 * last failed with. Sent before the worker lets the message go to the DLQ, so the admins learn
 * that work is waiting for a redrive instead of finding it in the DLQ.
 *
 * @example
 * const next = planFollowUp(message, outcome);
 * if (next.kind === 'exhausted') await alerts.process(exhaustedObservation(message, outcome, next.devices));
 */
export function exhaustedObservation(
  message: ChunkMessage,
  outcome: ChunkOutcome,
  devices: readonly string[],
): RunObservation {
  const counts = new Map<string, number>();
  for (const failure of outcome.errors) {
    if (failure.retryable) counts.set(failure.codeName, (counts.get(failure.codeName) ?? 0) + failure.count);
  }
  const codes = [...counts].map(([code, count]) => `${code} x${count}`).join(', ');
  // NOT_FINISHED devices were submitted once and never again: Knox may have operated them.
  const unfinished =
    outcome.unfinishedTransactionId === undefined
      ? ''
      : ` NOT_FINISHED devices were submitted once in Knox transaction ${outcome.unfinishedTransactionId}, which had not reported them; they were not submitted again (check them in the Knox console; a DLQ redrive polls the transaction again).`;
  const error = serviceFailure(
    'KNOX_UNAVAILABLE',
    `${devices.length} device(s) of chunk ${message.chunk} still failing (${codes}) after ${message.attempt + 1} attempts; the chunk goes to the operations DLQ.${unfinished}`,
  );
  return {
    stage: message.stage,
    job: message.job,
    runId: message.runId,
    operation: message.operation,
    contribution: `${message.chunk}.${message.attempt}.exhausted`,
    // Other chunks of a fanned-out run may be exhausted later: this count is a lower bound
    // ("10,000+ devices"), as for the run's other firing alerts (observationOf).
    inProgress: message.total !== 1,
    successes: 0,
    failures: devices.map((deviceId) => ({ deviceId, error })),
  };
}
