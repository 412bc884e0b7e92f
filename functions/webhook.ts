import {
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { acceptOperationRequest, OperationQueueError } from '../lib/operations';
import {
  apiError,
  contentRefusedAnswer,
  type OperationRequestPayload,
  parseOperationRequest,
  queuePartialAnswer,
  readKnoxTraceId,
  readOperationRequest,
  receiveKnoxCallback,
  requestInProgressAnswer,
  requestUnansweredAnswer,
  type WebhookAnswer,
} from '../lib/webhooks';
import {
  type HttpApiRoute,
  httpApiRouter,
  jsonRequestBody,
  knoxEnvelopeErrors,
  rawBody,
  respond,
} from './shared/http';
import { HTTP_API_CORRELATION_PATH, logger, metrics } from './shared/observability';
import { once } from './shared/once';
import {
  chunkQueue,
  idempotencyConfig,
  idempotencyStore,
  jobsConfig,
  knoxEventQueue,
  nonceStore,
  registerInvocation,
  runTracker,
  serviceConfig,
  webhookSecret,
} from './shared/runtime';

// The webhook: two routes of the HTTP API, each a lib/webhooks function behind the body checks
// (docs/webhooks.md, "Routes"). What stays here is wiring and the Powertools idempotency adapter.

type Result = APIGatewayProxyStructuredResultV2;

const answer = (result: WebhookAnswer): Result => respond(result.statusCode, result.body, result.headers);
const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);

const idemConfig = idempotencyConfig('key', 24 * 3600, 'bodyHash');
// A signed request can only be replayed inside the signature window; an hour covers it with room.
const replayConfig = idempotencyConfig('key', 3600);

type KeyedPayload = OperationRequestPayload & { key: string };

/**
 * Two records in front of `accept`, created once per execution environment (on the first request
 * that gets this far, so loading the handler needs no state table): the outer one per signed
 * request (replays, whatever Idempotency-Key a replayer puts next to a v1 signature, get the first
 * copy's answer), the inner one per Idempotency-Key (a client's retry with a fresh signature).
 */
const idempotentAccept = /* @__PURE__ */ once(() => {
  const acceptKeyed = makeIdempotent(
    async function acceptKeyed(payload: KeyedPayload) {
      return accept(payload).catch((error: unknown) => {
        if (error instanceof OperationQueueError)
          throw new PartialQueueError(answer(queuePartialAnswer(error, payload)), { cause: error });
        throw error;
      });
    },
    { persistenceStore: idempotencyStore('operations-key'), config: idemConfig },
  );
  return makeIdempotent(
    async function acceptSigned(payload: KeyedPayload) {
      return acceptKeyed({ ...payload, key: `operations#${payload.idempotencyKey}` });
    },
    { persistenceStore: idempotencyStore('operations-signed'), config: replayConfig },
  );
});

/**
 * Queues a validated request. Everything it needs comes in `payload`: the idempotent wrappers are
 * created once per environment, so they must not close over one invocation's event.
 */
async function accept(payload: OperationRequestPayload): Promise<Result> {
  const request = parseOperationRequest(JSON.parse(payload.body));
  if (!request.ok) throw new Error('validated request failed to re-parse'); // unreachable: same text
  try {
    const accepted = await acceptOperationRequest(request.value, {
      queue: chunkQueue(),
      stage: serviceConfig().STAGE,
      chunkSize: jobsConfig().defaults.chunkSize,
      // The body is part of the operation id: one key reused for another body after its record
      // expired must not map onto chunk ids the workers have already run.
      idempotencyKey: `${payload.idempotencyKey}\n${payload.bodyHash}`,
      tracker: runTracker(),
    });
    count('OperationsAccepted', 1);
    logger.info('operation request queued', { ...accepted, keyDerived: payload.keyDerived });
    return respond(202, { result: 'ACCEPTED', ...accepted });
  } catch (error) {
    if (error instanceof OperationQueueError && !error.retryable) {
      // SQS refused the content: the same request can never be queued (a 400, not a 503 to retry).
      logger.error('operation request refused by SQS', { error, operationId: error.operationId });
      return answer(contentRefusedAnswer(error, (error.cause as { code?: string } | undefined)?.code));
    }
    throw error;
  }
}

/** Thrown through the idempotent wrappers so their records are removed and a retry runs again. */
class PartialQueueError extends Error {
  readonly response: Result;
  constructor(response: Result, options?: { cause?: unknown }) {
    super('operation request partly queued', options);
    this.name = 'PartialQueueError';
    this.response = response;
  }
}

/** `POST /operations`: lib/webhooks reads the request, the idempotent wrappers queue it once. */
async function operations(event: APIGatewayProxyEventV2): Promise<Result> {
  // Comma-separated while the secret is rotated: a request signed with any of them is accepted.
  const secrets = (await webhookSecret('operationsHmac')).split(',');
  const read = readOperationRequest({ headers: event.headers, body: rawBody(event) }, secrets, {
    log: logger,
    count,
  });
  if (!read.ok) return answer(read.answer);
  const { payload } = read;
  try {
    return await idempotentAccept()({ ...payload, key: `operations#signed#${read.requestDigest}` });
  } catch (error) {
    if (error instanceof IdempotencyValidationError)
      return answer(apiError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was used with a different body.'));
    if (error instanceof IdempotencyAlreadyInProgressError) return answer(requestInProgressAnswer());
    if (error instanceof PartialQueueError) {
      count('OperationsPartlyQueued', 1);
      logger.error('operation request partly queued', { error: error.cause });
      return error.response;
    }
    logger.error('operation request failed', { error });
    return answer(requestUnansweredAnswer(payload));
  }
}

/** `POST /knox/notifications`: lib/webhooks verifies, admits and queues the callback's events. */
async function notifications(event: APIGatewayProxyEventV2, context: Context): Promise<Result> {
  // Knox's trace id on every later log line of this invocation (the logger resets keys per call).
  const traceId = readKnoxTraceId(event.headers);
  if (traceId !== undefined) logger.appendKeys({ knoxTraceId: traceId });
  const result = await receiveKnoxCallback(
    {
      headers: event.headers,
      body: rawBody(event),
      requestId: event.requestContext?.requestId ?? context.awsRequestId,
    },
    {
      certificatePem: () => webhookSecret('knoxValidationCert'),
      nonces: nonceStore(),
      queue: knoxEventQueue(),
      now: Date.now,
      log: logger,
      count,
    },
  );
  return answer(result);
}

/** The HTTP API's routes (serverless.yml `httpApi` events); each checks its body before it runs. */
const routes: readonly HttpApiRoute[] = [
  { method: 'POST', path: '/operations', handler: middy(operations).use(jsonRequestBody()) },
  { method: 'POST', path: '/knox/notifications', handler: middy(notifications).use(jsonRequestBody()) },
];

/** Counts the request and ties idempotency records and SDK calls to this invocation's deadline. */
const webhookInvocation: MiddlewareObj<APIGatewayProxyEventV2, Result> = {
  before: async function webhookInvocationBefore({ context }) {
    count('HttpRequests', 1);
    registerInvocation(context);
    idemConfig.registerLambdaContext(context);
    replayConfig.registerLambdaContext(context);
  },
};

export const handler = middy<APIGatewayProxyEventV2, Result>()
  // The HTTP API's request id (also in the API access log) as every log line's correlation_id;
  // the logger's search function evaluates the path (functions/shared/observability.ts).
  .use(injectLambdaContext(logger, { resetKeys: true, correlationIdPath: HTTP_API_CORRELATION_PATH }))
  .use(logMetrics(metrics))
  .use(httpHeaderNormalizer())
  .use(knoxEnvelopeErrors())
  .use(webhookInvocation)
  .handler(httpApiRouter(routes));
