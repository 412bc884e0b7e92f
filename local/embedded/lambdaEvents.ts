import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Real Lambda event and context shapes for invoking the packaged handlers locally and in e2e
 * tests, field for field as AWS delivers them (the parts handlers and Powertools read included).
 */

/**
 * A Lambda context whose remaining time counts down from `timeoutMs` like the real one. Lambda's
 * retries of an asynchronous invocation keep its request id: pass `awsRequestId` to model them.
 *
 * @example
 * await handler(event, lambdaContext('operationWorker', 120_000));
 */
export function lambdaContext(
  functionName: string,
  timeoutMs: number,
  region = 'us-east-1',
  awsRequestId: string = randomUUID(),
): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `knox-guard-sentinel-local-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:knox-guard-sentinel-local-${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: `/aws/lambda/knox-guard-sentinel-local-${functionName}`,
    logStreamName: `2026/11/25/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The payload EventBridge Scheduler delivers to a Lambda target: the schedule's Input as is,
 * with `<aws.scheduler.scheduled-time>` substituted.
 *
 * @example
 * schedulerInput('overdue-lock', new Date('2026-11-25T07:00:00Z'));
 */
export function schedulerInput(job: string, scheduledTime: Date): { job: string; scheduledTime: string } {
  return { job, scheduledTime: scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/**
 * The invocation record Lambda sends to an asynchronous function's on-failure destination once it
 * gives up (here after `attempts` attempts that all threw `error`), field for field as AWS
 * documents it: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 * For an SQS destination this JSON is the message body. `errorType`/`errorMessage`/`trace` are
 * what the Node.js runtime reports for an error a handler throws.
 *
 * @example
 * const record = asyncFailureRecord({ functionArn, requestId, payload: event, error, attempts: 3 });
 */
export function asyncFailureRecord(input: {
  functionArn: string;
  requestId: string;
  payload: unknown;
  error: unknown;
  attempts: number;
  condition?: 'RetriesExhausted' | 'EventAgeExceeded';
  now?: Date;
}): Record<string, unknown> {
  const error = input.error instanceof Error ? input.error : new Error(String(input.error));
  return {
    version: '1.0',
    timestamp: (input.now ?? new Date()).toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: `${input.functionArn}:$LATEST`,
      condition: input.condition ?? 'RetriesExhausted',
      approximateInvokeCount: input.attempts,
    },
    requestPayload: input.payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    },
  };
}

/**
 * An SQS event source batch for messages received from a queue.
 *
 * @example
 * const event = sqsEvent(queueArn, received.Messages);
 */
export function sqsEvent(
  queueArn: string,
  messages: readonly {
    MessageId?: string;
    ReceiptHandle?: string;
    Body?: string;
    Attributes?: Record<string, string>;
    MD5OfBody?: string;
  }[],
): SQSEvent {
  const region = queueArn.split(':')[3] ?? 'us-east-1';
  return {
    Records: messages.map(
      (message): SQSRecord => ({
        messageId: message.MessageId ?? randomUUID(),
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: {
          ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: message.Attributes?.SenderId ?? 'AIDAEXAMPLE',
          ApproximateFirstReceiveTimestamp:
            message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: message.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: region,
      }),
    ),
  };
}

/**
 * An API Gateway HTTP API (payload 2.0) request event, as `POST /operations` receives it.
 *
 * @example
 * httpApiEvent('POST', '/operations', { 'content-type': 'application/json' }, body);
 */
export function httpApiEvent(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
  options: { base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const now = new Date();
  const lowered = Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]),
  );
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'knox-guard-sentinel-local',
      ...lowered,
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'knox-guard-sentinel-local',
      },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body === undefined ? undefined : options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}
