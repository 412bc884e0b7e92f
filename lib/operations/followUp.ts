import type { ChunkMessage } from './chunkMessage';
import { type ChunkOutcome, retryableDevices } from './executeChunk';

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
 * are used up (the worker then lets SQS redeliver until the message lands in the DLQ).
 *
 * @example
 * const next = planFollowUp(message, outcome);
 * if (next.kind === 'retry') await queue.send([next.followUp.message], { delaySeconds: next.followUp.delaySeconds });
 */
export function planFollowUp(
  message: ChunkMessage,
  outcome: ChunkOutcome,
  maxAttempts = DEFAULT_MAX_CHUNK_ATTEMPTS,
): { kind: 'done' } | { kind: 'retry'; followUp: FollowUp } | { kind: 'exhausted'; devices: string[] } {
  const devices = retryableDevices(outcome);
  if (devices.length === 0) return { kind: 'done' };
  if (message.attempt + 1 >= maxAttempts) return { kind: 'exhausted', devices };
  const delaySeconds = Math.min(900, 30 * 2 ** message.attempt);
  return {
    kind: 'retry',
    followUp: { message: { ...message, attempt: message.attempt + 1, deviceUids: devices }, delaySeconds },
  };
}
