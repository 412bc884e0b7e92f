// AWS batch calls: the one resender of per-entry failures (SNS PublishBatch, SQS SendMessageBatch)
// and the classification of AWS errors it and its callers share.
export { BatchEntryError, type BatchResultErrorEntry } from './BatchEntryError';
export { awsErrorCode, isTransientAwsError } from './isTransientAwsError';
export {
  BATCH_RESEND_DEFAULTS,
  type BatchEntry,
  type ResendOptions,
  type ResendResult,
  resendFailedEntries,
} from './resendFailedEntries';
