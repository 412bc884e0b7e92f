// AWS batch calls: the one resender of per-entry failures (SNS PublishBatch, SQS SendMessageBatch)
// and the classification of AWS errors it and its callers share.
export { BatchEntryError } from './BatchEntryError';
export { awsErrorCode } from './isTransientAwsError';
export { type BatchEntry, type ResendResult, resendFailedEntries } from './resendFailedEntries';
