// Error names AWS services and the SDK give to failures that may pass by themselves: throttling,
// internal errors, timeouts. Sources: https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html and the
// SDK's error classification (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
const TRANSIENT_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'KMSThrottlingException',
  'InternalError',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);

/**
 * The code of an AWS error: its `name`, without the `AWS.SimpleQueueService.` prefix SQS's query
 * protocol puts on some codes (`AWS.SimpleQueueService.BatchEntryIdsNotDistinct`); `undefined`
 * for anything without a string `name`.
 *
 * @example
 * awsErrorCode(Object.assign(new Error('x'), { name: 'AWS.SimpleQueueService.EmptyBatchRequest' })); // 'EmptyBatchRequest'
 */
export function awsErrorCode(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name.replace(/^AWS\.SimpleQueueService\./, '') : undefined;
}

/**
 * Whether a failed AWS call may succeed when sent again unchanged: the SDK marked it `$retryable`,
 * its code is a throttling/internal/timeout code, it answered 429 or 5xx, or it never got an HTTP
 * answer at all (reset, DNS, abort: no `$metadata.httpStatusCode`). A 4xx with any other code
 * (AccessDenied, InvalidParameterValue, QueueDoesNotExist, ...) is not.
 *
 * @example
 * isTransientAwsError(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } })); // true
 * isTransientAwsError(Object.assign(new Error('no'), { name: 'AuthorizationError', $metadata: { httpStatusCode: 403 } })); // false
 */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const { $metadata, $retryable } = error as {
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if ($retryable || TRANSIENT_NAMES.has(awsErrorCode(error) ?? '')) return true;
  const status = $metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}
