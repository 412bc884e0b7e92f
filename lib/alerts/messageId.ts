import { createHash } from 'node:crypto';

/**
 * An SNS batch entry id from its parts: letters, digits, `-` and `_`, at most 80 characters.
 * Distinct parts give distinct ids, also past 80 characters (a 63-character job name): a long id
 * keeps its head and ends in a hash of the whole, so two reminders never share one.
 *
 * Source: https://docs.aws.amazon.com/sns/latest/api/API_PublishBatchRequestEntry.html
 *
 * @example
 * messageId('firing', 'overdue-lock', 'LICENSE_IS_LACK'); // 'firing-overdue-lock-LICENSE_IS_LACK'
 */
export function messageId(...parts: string[]): string {
  const joined = parts.join('-');
  const id = joined.replace(/[^A-Za-z0-9_-]/g, '_');
  if (id.length <= 80) return id;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, 16);
  return `${id.slice(0, 63)}-${hash}`;
}
