import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';
import { AlertPublishError } from './errors';
import type { AlertMessage, AlertPublisher } from './types';

export interface SnsAlertPublisherOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
  /** Injected so tests and Lambda time budgets control the backoff. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected `Math.random` for the full jitter. */
  readonly random?: () => number;
  /** Tries per entry, the first included (default 5). */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** PublishBatch takes at most 10 entries per call. */
const BATCH_SIZE = 10;

const RETRYABLE_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'KMSThrottlingException',
  'InternalError',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);

/**
 * The SNS adapter of `AlertPublisher`: one `MessageStructure: 'json'` message per alert (`default`
 * and `email` get the e-mail body, `sms` the one-segment text, `Subject` the e-mail subject) with
 * String attributes `severity`, `code`, `category`, `stage`, `job` and `kind` for subscription
 * filter policies. Sends PublishBatch calls of 10, retries the entries SNS reports as failed and
 * throttled or 5xx calls with full-jitter backoff, and throws an `AlertPublishError` naming what
 * was and was not sent when retries run out or SNS rejects an entry for good. With a `deadline`
 * (epoch ms) each call is aborted when it is reached and no retry wait ends past it.
 *
 * @example
 * const publisher = createSnsAlertPublisher({ client: new SNSClient({}), topicArn: process.env.ALERT_TOPIC_ARN! });
 * await publisher.publish(messages);
 */
export function createSnsAlertPublisher(options: SnsAlertPublisherOptions): AlertPublisher {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const baseDelayMs = options.baseDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 5_000;

  return {
    async publish(messages, publishOptions = {}) {
      const { deadline } = publishOptions;
      const sent: string[] = [];
      const rejected: string[] = [];
      let pending = [...messages];
      let lastError: unknown;
      let attempts = 0;
      for (let attempt = 1; pending.length > 0 && attempt <= maxAttempts; attempt += 1) {
        if (attempt > 1) {
          const wait = Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
          // No wait that ends past the deadline: what is pending is reported as not sent.
          if (deadline !== undefined && Date.now() + wait >= deadline) break;
          await sleep(wait);
        }
        if (deadline !== undefined && Date.now() >= deadline) break;
        attempts = attempt;
        const retry: AlertMessage[] = [];
        for (let start = 0; start < pending.length; start += BATCH_SIZE) {
          const chunk = pending.slice(start, start + BATCH_SIZE);
          const left = deadline === undefined ? undefined : deadline - Date.now();
          if (left !== undefined && left <= 0) {
            retry.push(...chunk);
            continue;
          }
          try {
            const answer = await options.client.send(
              new PublishBatchCommand({
                TopicArn: options.topicArn,
                PublishBatchRequestEntries: chunk.map(toEntry),
              }),
              left === undefined ? {} : { abortSignal: AbortSignal.timeout(left) },
            );
            const failed = new Map((answer.Failed ?? []).map((entry) => [entry.Id, entry]));
            for (const [index, message] of chunk.entries()) {
              const failure = failed.get(entryId(index));
              if (!failure) sent.push(message.id);
              else if (failure.SenderFault && !RETRYABLE_NAMES.has(failure.Code ?? '')) {
                rejected.push(message.id);
                lastError = new Error(`${failure.Code}: ${failure.Message}`);
              } else {
                retry.push(message);
                lastError = new Error(`${failure.Code}: ${failure.Message}`);
              }
            }
          } catch (error) {
            lastError = error;
            if (isRetryable(error)) retry.push(...chunk);
            else rejected.push(...chunk.map((message) => message.id));
          }
        }
        pending = retry;
      }
      const failedIds = [...rejected, ...pending.map((message) => message.id)];
      if (failedIds.length > 0) {
        throw new AlertPublishError(
          `SNS did not accept ${failedIds.length} of ${messages.length} alert(s) after ${attempts} attempt(s)`,
          failedIds,
          sent,
          { cause: lastError },
        );
      }
    },
  };
}

/**
 * The PublishBatch entry Id of the `index`-th entry of a call: unique within the call by
 * construction, whatever the alert ids look like. SNS wants Ids of at most 80 characters from
 * `[A-Za-z0-9_-]`, distinct within one call (else the whole call fails with
 * BatchEntryIdsNotDistinct, https://docs.aws.amazon.com/sns/latest/api/API_PublishBatchRequestEntry.html);
 * alert ids derived from long job names could collide once cut to that length.
 */
function entryId(index: number): string {
  return `e${index}`;
}

function toEntry(message: AlertMessage, index: number): PublishBatchRequestEntry {
  const attributes = Object.entries(message.attributes).filter(([, value]) => value !== '');
  return {
    Id: entryId(index),
    Subject: message.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({ default: message.email, email: message.email, sms: message.sms }),
    MessageAttributes: Object.fromEntries(
      attributes.map(([name, value]) => [name, { DataType: 'String', StringValue: String(value) }]),
    ),
  };
}

function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const { name, $metadata, $retryable } = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if ($retryable || RETRYABLE_NAMES.has(name ?? '')) return true;
  const status = $metadata?.httpStatusCode;
  // No HTTP status at all: the request never got an answer (reset, DNS, timeout), worth a retry.
  return status === undefined || status >= 500 || status === 429;
}
