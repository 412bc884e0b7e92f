import type { SQSRecord } from 'aws-lambda';
import { logger } from './observability';

/**
 * Wraps one SQS handler's per-record function so that a record it fails on is logged, by its
 * `messageId`, receive count and error, before Powertools' BatchProcessor reports it as a batch
 * item failure (partial batch response). Nothing else logs it: without this line a record that
 * heads for the DLQ after maxReceiveCount leaves no trace of why. Every SQS handler in
 * `functions/` uses it, so each failed record is logged the same way.
 *
 * @param what the record's name in the log message (`chunk`, `Knox events message`, ...):
 *   logged as `<what> failed; SQS will redeliver it`.
 * @param process the handler's per-record work; whatever it throws is logged and rethrown.
 * @param cleanup runs after a failure is logged, before the rethrow (e.g. removing a per-record
 *   logger key).
 * @example
 * processPartialResponse(event, loggedRecordFailures('chunk', (record) => processChunk(record, context)), processor, { context });
 */
export function loggedRecordFailures(
  what: string,
  process: (record: SQSRecord) => Promise<void>,
  cleanup?: () => void,
): (record: SQSRecord) => Promise<void> {
  return async function processLoggedRecord(record: SQSRecord): Promise<void> {
    try {
      await process(record);
    } catch (error) {
      logger.error(`${what} failed; SQS will redeliver it`, {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: error as Error,
      });
      cleanup?.();
      throw error;
    }
  };
}
