import { describe, expect, it } from 'vitest';
import { awsErrorCode } from '../../../lib/aws';
import { isTransientAwsError } from '../../../lib/aws/isTransientAwsError';

const error = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });

describe('isTransientAwsError', () => {
  it.each([
    {
      case: 'SNS throttling at 400',
      value: error('Throttling', { $metadata: { httpStatusCode: 400 } }),
      expected: true,
    },
    {
      case: 'SQS throttling',
      value: error('RequestThrottled', { $metadata: { httpStatusCode: 400 } }),
      expected: true,
    },
    { case: 'a 500', value: error('InternalError', { $metadata: { httpStatusCode: 500 } }), expected: true },
    {
      case: 'a 503 of any name',
      value: error('Whatever', { $metadata: { httpStatusCode: 503 } }),
      expected: true,
    },
    { case: 'a 429', value: error('Whatever', { $metadata: { httpStatusCode: 429 } }), expected: true },
    { case: 'no answer (reset)', value: error('Error'), expected: true },
    {
      case: 'marked $retryable',
      value: error('X', { $retryable: {}, $metadata: { httpStatusCode: 400 } }),
      expected: true,
    },
    { case: 'a thrown non-object', value: 'boom', expected: true },
    {
      case: 'access denied',
      value: error('AuthorizationError', { $metadata: { httpStatusCode: 403 } }),
      expected: false,
    },
    {
      case: 'a malformed batch',
      value: error('AWS.SimpleQueueService.BatchEntryIdsNotDistinct', { $metadata: { httpStatusCode: 400 } }),
      expected: false,
    },
  ])('$case: $expected', ({ value, expected }) => {
    expect(isTransientAwsError(value)).toBe(expected);
  });
});

describe('awsErrorCode', () => {
  it("drops SQS's query-protocol prefix and answers undefined without a name", () => {
    expect(awsErrorCode(error('AWS.SimpleQueueService.EmptyBatchRequest'))).toBe('EmptyBatchRequest');
    expect(awsErrorCode(error('InvalidMessageContents'))).toBe('InvalidMessageContents');
    expect(awsErrorCode({})).toBeUndefined();
    expect(awsErrorCode(null)).toBeUndefined();
  });
});
