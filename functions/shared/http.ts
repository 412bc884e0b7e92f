import type { MiddlewareObj } from '@middy/core';
import httpRouterHandler, { type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  checkJsonBody,
  type KnoxErrorResponse,
  knoxErrorEnvelope,
  MAX_WEBHOOK_BODY_BYTES,
  unmatchedRoute,
} from '../../lib/webhooks';
import { logger } from './observability';

/** Maps a Knox-style error (lib/webhooks) or a JSON body onto an API Gateway v2 result. */
export function respond(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function respondError(error: KnoxErrorResponse): APIGatewayProxyStructuredResultV2 {
  return respond(error.statusCode, error.body);
}

/** The body exactly as the client sent it (API Gateway base64-encodes binary-looking bodies). */
export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** The body's length in bytes as the client sent it, without decoding it. */
function rawBodyBytes(event: APIGatewayProxyEventV2): number {
  if (!event.body) return 0;
  return Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/**
 * middy middleware for a route that takes a JSON body: answers `413 PAYLOAD_TOO_LARGE` and
 * `415 UNSUPPORTED_MEDIA_TYPE` (lib/webhooks checkJsonBody) before the route's handler runs, so no
 * signature or JSON work is spent on them. Attach it to each route's own middy stack: the router
 * answers 404/405 first, and an early answer there still passes the outer stack's `after`
 * (logger, metrics). Needs lower-case header names (@middy/http-header-normalizer on the outer stack).
 */
export function jsonRequestBody(
  options: { readonly maxBytes?: number } = {},
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BODY_BYTES;
  return {
    before: async function jsonRequestBodyBefore(request) {
      const refused = checkJsonBody(
        { bytes: rawBodyBytes(request.event), contentType: request.event.headers?.['content-type'] },
        maxBytes,
      );
      return refused === undefined ? undefined : respondError(refused);
    },
  };
}

type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A route of the HTTP API: method, static path and its handler (typically a middy stack). */
export type HttpApiRoute = Route<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * Routes HTTP API (payload 2.0) events with @middy/http-router: a path no route has is
 * `404 NOT_FOUND`, a method its path does not take `405 METHOD_NOT_ALLOWED` with `allow`, both in
 * the Knox-style envelope (lib/webhooks unmatchedRoute). An event without a method or path (no
 * HTTP API sends one; a hand-made test event may) is answered the same way from its `rawPath`:
 * the router would throw, and the error middleware would turn bad input into a 503.
 *
 * @example
 * middy().use(knoxEnvelopeErrors()).handler(httpApiRouter([{ method: 'POST', path: '/operations', handler }]));
 */
export function httpApiRouter(routes: readonly HttpApiRoute[]): HttpApiHandler {
  const unmatched = ({ method, path }: { method: string; path: string }) => {
    const { error, allow } = unmatchedRoute(routes, { method, path });
    return respond(error.statusCode, error.body, allow === undefined ? {} : { allow });
  };
  // A plain (event, context) function; 7.9.2's index.d.ts types it as a MiddyfiedHandler ("TODO v8").
  const route = httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    routes: [...routes],
    notFoundResponse: unmatched,
  }) as unknown as HttpApiHandler;
  return async function httpApiRoute(event, context) {
    const method = event.requestContext?.http?.method;
    const path = event.requestContext?.http?.path;
    if (!method || !path) return unmatched({ method: method ?? '', path: path ?? event.rawPath ?? '' });
    return route(event, context);
  };
}

/**
 * middy middleware: whatever escapes the handler becomes a 503 in the Knox-style envelope (the
 * client retries) instead of API Gateway's bare 500, and is logged. `POST /operations` answers
 * its own failures with the retry that cannot run a device twice (functions/webhook.ts).
 * Bad input never reaches here: the handler answers it with a 4xx itself.
 */
export function knoxEnvelopeErrors(): MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
> {
  return {
    onError: async function knoxEnvelopeErrorsOnError(request) {
      logger.error('request failed', { error: request.error, route: request.event?.routeKey });
      request.response = respond(
        503,
        knoxErrorEnvelope(
          503,
          '5030000',
          'SERVICE_UNAVAILABLE',
          'The request could not be processed; retry it later.',
        ).body,
        { 'retry-after': '5' },
      );
    },
  };
}
