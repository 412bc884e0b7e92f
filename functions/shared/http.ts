import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type KnoxErrorResponse, knoxErrorEnvelope } from '../../lib/webhooks';
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
