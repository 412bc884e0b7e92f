import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';
import { type BatchEntry, resendFailedEntries } from '../aws';
import { AlertPublishError } from './errors';
import type { AlertMessage, AlertPublisher } from './types';

export interface SnsAlertPublisherOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
  /** Injected so tests and Lambda time budgets control the backoff. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected `Math.random` for the full jitter. */
  readonly random?: () => number;
  /** Calls per entry, the first included (default 5). */
  readonly maxAttempts?: number;
  /** The first resend waits below this (default 200 ms). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** PublishBatch takes at most 10 entries per call. */
const BATCH_SIZE = 10;

/**
 * The SNS adapter of `AlertPublisher`: one `MessageStructure: 'json'` message per alert (`default`
 * and `email` get the e-mail body, `sms` the one-segment text, `Subject` the e-mail subject) with
 * String attributes `severity`, `code`, `category`, `stage`, `job` and `kind` for subscription
 * filter policies. Sends PublishBatch calls of 10 and re-sends the entries SNS reports as failed
 * (`resendFailedEntries`: never a `SenderFault` entry; whole-call throttling and 5xx are the SDK
 * client's retries), and throws an `AlertPublishError` naming what was and was not sent when
 * retries run out or SNS rejects an entry for good. With a `deadline` (epoch ms) each call is
 * aborted when it is reached and no retry wait ends past it.
 *
 * @example
 * const publisher = createSnsAlertPublisher({ client: new SNSClient({}), topicArn: process.env.ALERT_TOPIC_ARN! });
 * await publisher.publish(messages);
 */
export function createSnsAlertPublisher(options: SnsAlertPublisherOptions): AlertPublisher {
  return {
    async publish(messages, publishOptions = {}) {
      const { deadline } = publishOptions;
      const sent: string[] = [];
      const failedIds: string[] = [];
      let lastError: unknown;
      let attempts = 0;
      for (let start = 0; start < messages.length; start += BATCH_SIZE) {
        const chunk = messages.slice(start, start + BATCH_SIZE);
        // No call starts at or after the deadline: what is left is reported as not sent.
        if (deadline !== undefined && Date.now() >= deadline) {
          failedIds.push(...chunk.map((message) => message.id));
          continue;
        }
        const result = await resendFailedEntries(chunk, {
          send: async (entries) => {
            const left = deadline === undefined ? undefined : deadline - Date.now();
            const answer = await options.client.send(
              new PublishBatchCommand({
                TopicArn: options.topicArn,
                PublishBatchRequestEntries: entries.map(toEntry),
              }),
              left === undefined ? {} : { abortSignal: AbortSignal.timeout(Math.max(1, left)) },
            );
            return answer.Failed;
          },
          entryId,
          deadline,
          maxAttempts: options.maxAttempts,
          baseDelayMs: options.baseDelayMs,
          maxDelayMs: options.maxDelayMs,
          sleep: options.sleep,
          random: options.random,
        });
        attempts = Math.max(attempts, result.attempts);
        sent.push(...result.sent.map((message) => message.id));
        failedIds.push(...[...result.refused, ...result.unsent].map((message) => message.id));
        lastError = result.lastError ?? lastError;
      }
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
 * The PublishBatch entry Id of the `index`-th message of a batch, kept when it is resent: unique
 * within the call by construction, whatever the alert ids look like. SNS wants Ids of at most 80 characters from
 * `[A-Za-z0-9_-]`, distinct within one call (else the whole call fails with
 * BatchEntryIdsNotDistinct, https://docs.aws.amazon.com/sns/latest/api/API_PublishBatchRequestEntry.html);
 * alert ids derived from long job names could collide once cut to that length.
 */
function entryId(index: number): string {
  return `e${index}`;
}

function toEntry({ id, value: message }: BatchEntry<AlertMessage>): PublishBatchRequestEntry {
  const attributes = Object.entries(message.attributes).filter(([, value]) => value !== '');
  return {
    Id: id,
    Subject: message.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({ default: message.email, email: message.email, sms: message.sms }),
    MessageAttributes: Object.fromEntries(
      attributes.map(([name, value]) => [name, { DataType: 'String', StringValue: String(value) }]),
    ),
  };
}
