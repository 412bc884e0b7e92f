import { apiError, type KnoxErrorResponse } from './knoxErrorEnvelope';

/** Larger bodies are refused with 413: 10,000 device ids fit in about 250 KB. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

// application/json and its structured-syntax suffixes (application/problem+json, ...), with parameters.
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * The body checks every webhook route shares, before any signature or JSON work:
 * `413 PAYLOAD_TOO_LARGE` over `maxBytes`, then `415 UNSUPPORTED_MEDIA_TYPE` unless the
 * content type is JSON; `undefined` when the body may go on. Pure.
 *
 * @param input `bytes`: the body's length in bytes as sent (after base64 decoding);
 *   `contentType`: the `content-type` header, if any.
 * @example
 * checkJsonBody({ bytes: 20, contentType: 'text/plain' })?.statusCode; // 415
 * checkJsonBody({ bytes: 20, contentType: 'application/json; charset=utf-8' }); // undefined
 */
export function checkJsonBody(
  input: { readonly bytes: number; readonly contentType: string | undefined },
  maxBytes: number = MAX_WEBHOOK_BODY_BYTES,
): KnoxErrorResponse | undefined {
  if (input.bytes > maxBytes)
    return apiError('PAYLOAD_TOO_LARGE', `The body is ${input.bytes} bytes; the limit is ${maxBytes}.`);
  const contentType = input.contentType ?? '';
  if (!JSON_MEDIA_TYPE.test(contentType))
    return apiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Send Content-Type: application/json (got "${contentType.slice(0, 60)}").`,
    );
  return undefined;
}
