/** One entry of a batch answer's `Failed` list, as SNS PublishBatch and SQS SendMessageBatch give it. */
export interface BatchResultErrorEntry {
  readonly Id?: string | undefined;
  readonly Code?: string | undefined;
  readonly Message?: string | undefined;
  readonly SenderFault?: boolean | undefined;
}

/**
 * An entry a batch call did not accept although the call itself succeeded (HTTP 200 with the entry
 * in `Failed`). `senderFault` says the request's content is to blame (SNS/SQS `SenderFault: true`):
 * the same entry is refused again, so it is never resent.
 * Sources: https://docs.aws.amazon.com/sns/latest/api/API_BatchResultErrorEntry.html,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_BatchResultErrorEntry.html
 *
 * @example
 * new BatchEntryError({ Id: '0', Code: 'InvalidMessageContents', Message: 'bad char', SenderFault: true });
 */
export class BatchEntryError extends Error {
  /** The entry's Id within its call. */
  readonly id: string;
  /** The service's code (`InternalError`, `InvalidMessageContents`, ...), when it gave one. */
  readonly code: string | undefined;
  readonly senderFault: boolean;

  constructor(entry: BatchResultErrorEntry, options?: { cause?: unknown }) {
    super(`${entry.Code ?? 'UnknownError'}: ${entry.Message ?? 'entry not accepted'}`, options);
    this.name = 'BatchEntryError';
    this.id = entry.Id ?? '';
    this.code = entry.Code;
    this.senderFault = entry.SenderFault === true;
  }
}
