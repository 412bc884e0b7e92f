import { retryDelayWithin } from '../retry';
import { BatchEntryError, type BatchResultErrorEntry } from './BatchEntryError';
import { isTransientAwsError } from './isTransientAwsError';

/** One entry of a batch call: its Id within the call and the caller's value. */
export interface BatchEntry<T> {
  readonly id: string;
  readonly value: T;
}

export interface ResendOptions<T> {
  /**
   * Makes one batch call (PublishBatch, SendMessageBatch) with these entries and answers its
   * `Failed` list (empty or `undefined`: every entry accepted). Throws when the whole call failed.
   */
  readonly send: (entries: readonly BatchEntry<T>[]) => Promise<readonly BatchResultErrorEntry[] | undefined>;
  /** Calls per entry, the first included (default 5). */
  readonly maxAttempts?: number | undefined;
  /** Epoch ms: no wait for a resend ends at or after `deadline - marginMs`. */
  readonly deadline?: number | undefined;
  /** Kept free before the deadline (default 0). */
  readonly marginMs?: number | undefined;
  /** Full-jitter backoff: the first resend waits below `baseDelayMs` (default 200). */
  readonly baseDelayMs?: number | undefined;
  /** The longest wait between two calls (default 5,000). */
  readonly maxDelayMs?: number | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** `Math.random` unless a test pins the jitter. */
  readonly random?: (() => number) | undefined;
  /** Epoch ms now (default `Date.now`). */
  readonly now?: (() => number) | undefined;
  /** The Id of the `index`-th value, the same in every call (default `String(index)`). */
  readonly entryId?: ((index: number) => string) | undefined;
  /** Whether a thrown call may succeed sent again unchanged (default `isTransientAwsError`). */
  readonly isTransient?: ((error: unknown) => boolean) | undefined;
}

export interface ResendResult<T> {
  /** Accepted, in the order given. */
  readonly sent: readonly T[];
  /**
   * Not accepted, and sending the same again cannot help: entries SNS/SQS refused as the sender's
   * fault, or every entry of a call that failed with a non-transient error (AccessDenied, ...).
   */
  readonly refused: readonly T[];
  /** Not accepted for a transient reason when the attempts or the time ran out. */
  readonly unsent: readonly T[];
  /** Batch calls made. */
  readonly attempts: number;
  /** What the first refusal was: a `BatchEntryError`, or the error the call threw. */
  readonly refusal: unknown;
  /** The last failure: a `BatchEntryError`, or the error a call threw; `undefined` if none. */
  readonly lastError: unknown;
}

/** Budgets of the batch resend when the caller sets none: 5 calls, full jitter 200 ms .. 5 s. */
export const BATCH_RESEND_DEFAULTS = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 } as const;

type Pending<T> = { readonly index: number; readonly id: string; readonly value: T };

/**
 * Sends a batch of at most one call's entries and re-sends **only the entries the answer lists as
 * failed**: SNS PublishBatch and SQS SendMessageBatch answer HTTP 200 with a per-entry `Failed`
 * list, which the AWS SDK's retries (whole calls only) never see
 * (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html).
 * Entries with `SenderFault: true` are never resent. Resends wait a full-jitter backoff
 * (`retryDelayWithin`), at most `maxAttempts` calls, and never past the deadline.
 *
 * A call that throws is the SDK client's to retry (its `maxAttempts` and retry mode): when the
 * SDK already made more than one attempt (`$metadata.attempts`), its entries are given up at
 * once. Only a transient failure the SDK did not retry (a client with `maxAttempts: 1`, or a
 * failure raised before its retry step) is resent here, within the same budget. Never throws
 * for a failed call: the caller turns what is left into its own error (`AlertPublishError`,
 * `ChunkQueueError`, `KnoxEventQueueError`).
 *
 * @example
 * const result = await resendFailedEntries(bodies, {
 *   send: async (entries) => (await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries.map(({ id, value }) => ({ Id: id, MessageBody: value })) }))).Failed,
 *   deadline: Date.now() + 5_000,
 * });
 * if (result.refused.length + result.unsent.length > 0) throw new Error('not queued', { cause: result.lastError });
 */
export async function resendFailedEntries<T>(
  values: readonly T[],
  options: ResendOptions<T>,
): Promise<ResendResult<T>> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? BATCH_RESEND_DEFAULTS.maxAttempts);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const isTransient = options.isTransient ?? isTransientAwsError;
  const entryId = options.entryId ?? String;
  const sent: Pending<T>[] = [];
  const refused: Pending<T>[] = [];
  let unsent: Pending<T>[] = [];
  let refusal: unknown;
  let lastError: unknown;
  let pending: Pending<T>[] = values.map((value, index) => ({ index, id: entryId(index), value }));
  let attempts = 0;
  while (pending.length > 0) {
    attempts += 1;
    // Each failed entry's reason: a BatchEntryError, or the error the whole call threw.
    let failed: Map<string, unknown>;
    try {
      const answer = await options.send(pending.map(({ id, value }) => ({ id, value })));
      failed = new Map((answer ?? []).map((entry) => [entry.Id ?? '', new BatchEntryError(entry)]));
    } catch (error) {
      lastError = error;
      if (!isTransient(error)) {
        refusal ??= error;
        refused.push(...pending);
        break;
      }
      if (retriedBySdk(error)) {
        unsent = pending;
        break;
      }
      failed = new Map(pending.map(({ id }) => [id, error]));
    }
    const next: Pending<T>[] = [];
    for (const entry of pending) {
      const failure = failed.get(entry.id);
      if (failure === undefined) {
        sent.push(entry);
        continue;
      }
      lastError = failure;
      if (failure instanceof BatchEntryError && failure.senderFault) {
        refusal ??= failure;
        refused.push(entry);
      } else next.push(entry);
    }
    pending = next;
    if (pending.length === 0) break;
    const wait =
      attempts >= maxAttempts
        ? undefined
        : retryDelayWithin(attempts, {
            baseDelayMs: options.baseDelayMs ?? BATCH_RESEND_DEFAULTS.baseDelayMs,
            maxDelayMs: options.maxDelayMs ?? BATCH_RESEND_DEFAULTS.maxDelayMs,
            random: options.random ?? Math.random,
            now: now(),
            deadline: options.deadline,
            marginMs: options.marginMs,
          });
    if (wait === undefined) {
      unsent = pending;
      break;
    }
    await sleep(wait);
  }
  const inOrder = (entries: Pending<T>[]) =>
    entries.sort((a, b) => a.index - b.index).map(({ value }) => value);
  return {
    sent: inOrder(sent),
    refused: inOrder(refused),
    unsent: inOrder(unsent),
    attempts,
    refusal,
    lastError,
  };
}

/** The SDK's retry step ran more than one attempt for this error and then gave up. */
function retriedBySdk(error: unknown): boolean {
  const attempts = (error as { $metadata?: { attempts?: unknown } } | null)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 1;
}
