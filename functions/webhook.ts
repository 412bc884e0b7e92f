import { createHash } from 'node:crypto';
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
// The file, not the lib/errors index: the webhook bundle needs no catalog for this.
import { normalizeBodyText } from '../lib/errors/normalizeBodyText';
import { acceptOperationRequest, OperationQueueError } from '../lib/operations';
import {
  admitKnoxCallback,
  apiError,
  countKnoxEventFailures,
  KnoxEventQueueError,
  KnoxEventTooLargeError,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  OperationRequestHeader,
  packKnoxEvents,
  parseKnoxNotification,
  parseOperationRequest,
  readKnoxTraceId,
  verifyKnoxCallback,
  verifyOperationRequest,
} from '../lib/webhooks';
import {
  type HttpApiRoute,
  httpApiRouter,
  jsonRequestBody,
  knoxEnvelopeErrors,
  rawBody,
  respond,
  respondError,
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

type Result = APIGatewayProxyStructuredResultV2;

const idemConfig = idempotencyConfig('key', 24 * 3600, 'bodyHash');
// A signed request can only be replayed inside the signature window; an hour covers it with room.
const replayConfig = idempotencyConfig('key', 3600);

interface AcceptPayload {
  readonly body: string;
  readonly bodyHash: string;
  /** The client's Idempotency-Key, or one derived from the signed request when none was sent. */
  readonly idempotencyKey: string;
  readonly keyDerived: boolean;
}

/**
 * Two records in front of `accept`, created once per execution environment (on the first request
 * that gets this far, so loading the handler needs no state table): the outer one per signed
 * request (replays, whatever Idempotency-Key a replayer puts next to a v1 signature, get the first
 * copy's answer), the inner one per Idempotency-Key (a client's retry with a fresh signature).
 */
const idempotentAccept = /* @__PURE__ */ once(() => {
  const acceptKeyed = makeIdempotent(
    async function acceptKeyed(payload: AcceptPayload & { key: string }) {
      return accept(payload).catch((error: unknown) => {
        if (error instanceof OperationQueueError)
          throw new PartialQueueError(partialAnswer(error, payload), { cause: error });
        throw error;
      });
    },
    { persistenceStore: idempotencyStore('operations-key'), config: idemConfig },
  );
  return makeIdempotent(
    async function acceptSigned(payload: AcceptPayload & { key: string }) {
      return acceptKeyed({ ...payload, key: `operations#${payload.idempotencyKey}` });
    },
    { persistenceStore: idempotencyStore('operations-signed'), config: replayConfig },
  );
});

/**
 * Queues a validated request. Everything it needs comes in `payload`: the idempotent wrappers are
 * created once per environment, so they must not close over one invocation's event.
 */
async function accept(payload: AcceptPayload): Promise<Result> {
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
    metrics.addMetric('OperationsAccepted', MetricUnit.Count, 1);
    logger.info('operation request queued', { ...accepted, keyDerived: payload.keyDerived });
    return respond(202, { result: 'ACCEPTED', ...accepted });
  } catch (error) {
    if (error instanceof OperationQueueError && !error.retryable) {
      // SQS refused the content: the same request can never be queued. Nothing to undo: a
      // refused batch queues nothing, and validation at the edge should have stopped it anyway.
      logger.error('operation request refused by SQS', { error, operationId: error.operationId });
      const queued = error.chunks - error.notQueued.length;
      const code = (error.cause as { code?: string } | undefined)?.code ?? 'invalid content';
      return apiErrorResult(
        'VALIDATION_FAILED',
        `Amazon SQS refused the request's content (${code}); it can never be queued as sent.${queued > 0 ? ` ${queued} of ${error.chunks} chunks of operation ${error.operationId} were queued and will run.` : ' Nothing was queued.'}`,
      );
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

/** `POST /operations`: authenticates, validates and queues an operation request (once per key). */
async function operations(event: APIGatewayProxyEventV2): Promise<Result> {
  const body = rawBody(event);
  // Comma-separated while the secret is rotated: a request signed with any of them is accepted.
  const secrets = (await webhookSecret('operationsHmac')).split(',');
  const auth = verifyOperationRequest({ headers: event.headers, body, secret: secrets });
  if (!auth.ok) {
    metrics.addMetric('RequestsRejected', MetricUnit.Count, 1);
    logger.warn('operation request rejected', { reason: auth.reason });
    return respondError(apiError(auth.apiError, `Request authentication failed: ${auth.reason}.`));
  }
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return respondError(apiError('INVALID_JSON', 'The body is not valid JSON.'));
  }
  const parsed = parseOperationRequest(json);
  if (!parsed.ok) return respondError(apiError(parsed.apiError, parsed.issues.join('; ')));

  const sentKey = event.headers[OperationRequestHeader.idempotencyKey];
  if (sentKey !== undefined && !/^[\x21-\x7E]{1,200}$/.test(sentKey))
    return apiErrorResult(
      'VALIDATION_FAILED',
      `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters.`,
    );
  // Without a key, the signed request itself is the key: its retries (the same signed bytes)
  // and a 503's advice (resend with this key) both land on the same operation id.
  const idempotencyKey = sentKey ?? `sig-${auth.requestDigest.slice(0, 40)}`;
  const payload = { body: text, bodyHash: hash(text), idempotencyKey, keyDerived: sentKey === undefined };
  try {
    return await idempotentAccept()({ ...payload, key: `operations#signed#${auth.requestDigest}` });
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      return apiErrorResult('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was used with a different body.');
    }
    if (error instanceof IdempotencyAlreadyInProgressError) {
      return respond(
        409,
        apiError('REQUEST_IN_PROGRESS', 'This request is still being queued; retry in a few seconds.').body,
        { 'retry-after': '2' },
      );
    }
    if (error instanceof PartialQueueError) {
      metrics.addMetric('OperationsPartlyQueued', MetricUnit.Count, 1);
      logger.error('operation request partly queued', { error: error.cause });
      return error.response;
    }
    // Anything else (the state table down, ...): what was queued is unknown, so the answer names
    // the one retry that cannot run a device twice.
    logger.error('operation request failed', { error });
    return respond(
      503,
      {
        ...apiError(
          'QUEUE_PARTIAL',
          `The request failed before it was answered; some chunks may have been queued. Retry later with the same body and ${retryAdvice(payload)}: chunks already queued are not run twice.`,
        ).body,
        idempotencyKey,
      },
      { 'retry-after': '5' },
    );
  }
}

function retryAdvice(payload: AcceptPayload): string {
  return payload.keyDerived
    ? `the header "Idempotency-Key: ${payload.idempotencyKey}" (signed with v2=)`
    : 'the same Idempotency-Key';
}

/**
 * The 503 for a request SQS took only part of: it says which operation the queued chunks belong
 * to and the one retry that cannot run a device twice (the same key and body: the same operation
 * id, so chunks already queued are no-ops at the workers and only the rest run).
 */
function partialAnswer(error: OperationQueueError, payload: AcceptPayload): Result {
  const queued = error.chunks - error.notQueued.length;
  const retry = `resend the same body with ${retryAdvice(payload)}`;
  const reason =
    queued === 0
      ? `Nothing was queued. Retry later: ${retry}.`
      : `${queued} of ${error.chunks} chunks of operation ${error.operationId} were queued and will run; ${error.notQueued.length} were not. To queue the rest, ${retry}: chunks already queued are not run twice. A request with a new key or another body would run the queued devices again.`;
  return respond(
    503,
    {
      ...apiError('QUEUE_PARTIAL', reason).body,
      operationId: error.operationId,
      idempotencyKey: payload.idempotencyKey,
    },
    {
      'retry-after': '5',
    },
  );
}

function apiErrorResult(name: Parameters<typeof apiError>[0], reason: string): Result {
  return respondError(apiError(name, reason));
}

/** `POST /knox/notifications`: verifies, admits and queues a Knox callback's events. */
async function notifications(event: APIGatewayProxyEventV2, context: Context): Promise<Result> {
  const body = rawBody(event);
  // Knox's trace id on every later log line of this invocation (the logger resets keys per call).
  const traceId = readKnoxTraceId(event.headers);
  if (traceId !== undefined) logger.appendKeys({ knoxTraceId: traceId });
  const certificatePem = await webhookSecret('knoxValidationCert');
  const verified = await verifyKnoxCallback({ headers: event.headers, body, certificatePem });
  if (!verified.ok) {
    metrics.addMetric('CallbacksRejected', MetricUnit.Count, 1);
    logger.warn('Knox callback rejected', { reason: verified.reason });
    const name = verified.reason === 'missing-signature' ? 'SIGNATURE_MISSING' : 'SIGNATURE_INVALID';
    return respondError(apiError(name, `Knox callback signature rejected: ${verified.reason}.`));
  }
  let json: unknown;
  try {
    // Knox's text as it arrives: a gateway's BOM must not turn a signed event into a 400.
    json = JSON.parse(normalizeBodyText(verified.payload));
  } catch {
    return respondError(apiError('INVALID_JSON', 'The notification is not valid JSON.'));
  }
  const parsed = parseKnoxNotification(json, { nonce: verified.nonce, traceId: verified.traceId });
  if (!parsed.ok) return respondError(apiError('VALIDATION_FAILED', parsed.issues.join('; ')));

  const now = Date.now();
  const admission = await admitKnoxCallback({
    ...(verified.nonce === undefined ? {} : { nonce: verified.nonce }),
    events: parsed.events,
    nonces: nonceStore(),
    now,
  });
  // Refused work is still answered 200: Knox's redelivery policy is not published, and a 2xx is
  // the one answer every retrying sender takes as final. A 4xx could make Knox deliver the replay
  // again and again (or count it against the subscription); the replayer gains nothing either way.
  if (!admission.ok) {
    metrics.addMetric('CallbacksReplayed', MetricUnit.Count, 1);
    logger.warn('Knox callback refused: nonce already seen', { reason: admission.reason });
    return respond(200, { result: 'SUCCESS', events: 0, failures: 0, duplicate: true });
  }
  for (const { event: knoxEvent, reason } of admission.ignored) {
    metrics.addMetric('CallbackEventsOutsideWindow', MetricUnit.Count, 1);
    logger.warn('Knox event outside the callback window, not processed', {
      reason,
      eventId: knoxEvent.eventId,
      eventType: knoxEvent.eventType,
      occurredAt: knoxEvent.occurredAt,
    });
  }

  // Verified and admitted: the events go to the Knox events queue and the knoxEvents function
  // turns them into alerts (functions/knox-events.ts). Processing 1,000 events here took longer
  // than the webhook's 10 s timeout; queueing them takes one or two SendMessageBatch calls.
  const recordOf = new Map(parsed.events.map((knoxEvent, index) => [knoxEvent, parsed.records[index]]));
  const records = admission.events.flatMap((knoxEvent) => recordOf.get(knoxEvent) ?? []);
  let messages = 0;
  if (records.length > 0) {
    let bodies: string[];
    try {
      bodies = packKnoxEvents(
        {
          requestId: event.requestContext?.requestId ?? context.awsRequestId,
          receivedAt: now,
          ...(verified.nonce === undefined ? {} : { nonce: verified.nonce }),
          ...(verified.traceId === undefined ? {} : { traceId: verified.traceId }),
        },
        records,
      );
    } catch (error) {
      if (!(error instanceof KnoxEventTooLargeError)) throw error;
      // The same event can never fit a queue message: a clear 4xx, not a 503 Knox would retry forever.
      metrics.addMetric('CallbacksRefusedTooLarge', MetricUnit.Count, 1);
      logger.error('Knox callback refused: an event is too large to queue', { error });
      return respondError(apiError('PAYLOAD_TOO_LARGE', `${error.message}; nothing was queued.`));
    }
    try {
      await knoxEventQueue().send(bodies);
    } catch (error) {
      // Nothing is lost: the nonce is not remembered, so Knox's redelivery of the whole callback
      // is admitted and queued again; the consumer processes each event once (by its dedupe key).
      const queued = error instanceof KnoxEventQueueError ? error.queued : 0;
      metrics.addMetric('CallbacksNotQueued', MetricUnit.Count, 1);
      logger.error('Knox callback not queued; asking Knox to redeliver it', {
        error,
        messages: bodies.length,
        queued,
      });
      return respond(
        503,
        apiError(
          'QUEUE_PARTIAL',
          `${queued} of ${bodies.length} messages of this callback's ${records.length} events were queued. Redeliver the callback: events already queued are not processed twice.`,
        ).body,
        { 'retry-after': '5' },
      );
    }
    messages = bodies.length;
  }
  // Only now: a callback that could not be queued must stay deliverable with its nonce.
  await admission.remember();
  const failures = countKnoxEventFailures(admission.events);
  const outsideWindow = admission.ignored.length;
  metrics.addMetric('KnoxEventsQueued', MetricUnit.Count, records.length);
  logger.info('Knox notification queued', { events: records.length, messages, failures, outsideWindow });
  return respond(200, {
    result: 'SUCCESS',
    events: admission.events.length,
    failures,
    ...(outsideWindow === 0 ? {} : { outsideWindow }),
  });
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The HTTP API's routes (serverless.yml `httpApi` events); each checks its body before it runs. */
const routes: readonly HttpApiRoute[] = [
  { method: 'POST', path: '/operations', handler: middy(operations).use(jsonRequestBody()) },
  { method: 'POST', path: '/knox/notifications', handler: middy(notifications).use(jsonRequestBody()) },
];

/** Counts the request and ties idempotency records and SDK calls to this invocation's deadline. */
const webhookInvocation: MiddlewareObj<APIGatewayProxyEventV2, Result> = {
  before: async function webhookInvocationBefore({ context }) {
    metrics.addMetric('HttpRequests', MetricUnit.Count, 1);
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
