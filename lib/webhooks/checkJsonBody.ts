import { apiError, type KnoxErrorResponse } from './knoxErrorEnvelope';

/** Larger bodies are refused with 413: 10,000 device ids fit in about 250 KB. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

// RFC 9110 §8.3.1: `type "/" subtype *( OWS ";" OWS parameter )`, parameter `token "=" ( token /
// quoted-string )`. The subtype is `json` or a structured-syntax suffix `+json` (RFC 6839 §3.1,
// application/problem+json); the whole header must be that one media type, so `application/json-seq`,
// `application/jsonx` and a list (`application/json, text/plain`) are not JSON bodies.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
// Each `;` starts one parameter or none, so a long run of `; ; ;` cannot backtrack exponentially.
const JSON_MEDIA_TYPE = new RegExp(
  `^application/(?:${TOKEN}\\+)?json(?:[ \\t]*;(?:[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))?)*[ \\t]*$`,
  'i',
);

/**
 * The body checks every webhook route shares, before any signature or JSON work:
 * `413 PAYLOAD_TOO_LARGE` over `maxBytes`, then `415 UNSUPPORTED_MEDIA_TYPE` unless the
 * content type is one JSON media type (`application/json` or `application/<x>+json`, any case,
 * optional parameters: docs/webhooks.md); `undefined` when the body may go on. Pure.
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
