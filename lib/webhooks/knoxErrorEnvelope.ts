/**
 * Our own API error codes for the webhook endpoints, in Knox Guard's format: seven digits whose
 * first three are the HTTP status, so a client that already decodes Knox Guard errors decodes
 * ours the same way.
 */
export const ApiErrorCode = {
  INVALID_JSON: '4000001',
  VALIDATION_FAILED: '4000002',
  UNKNOWN_OPERATION: '4000003',
  SIGNATURE_INVALID: '4010001',
  TIMESTAMP_OUT_OF_WINDOW: '4010002',
  SIGNATURE_MISSING: '4010003',
  NOT_FOUND: '4040000',
  METHOD_NOT_ALLOWED: '4050000',
  IDEMPOTENCY_CONFLICT: '4090000',
  REQUEST_IN_PROGRESS: '4090001',
  PAYLOAD_TOO_LARGE: '4130000',
  UNSUPPORTED_MEDIA_TYPE: '4150000',
  QUEUE_PARTIAL: '5030001',
} as const;
export type ApiErrorName = keyof typeof ApiErrorCode;

/** The Knox-style error body: `{ result: "FAIL", error: { code, message, reason } }`. */
export interface KnoxErrorBody {
  readonly result: 'FAIL';
  readonly error: { readonly code: string; readonly message: string; readonly reason: string };
}

/** An HTTP answer as plain data; the handler maps it onto its framework's response type. */
export interface KnoxErrorResponse {
  readonly statusCode: number;
  readonly headers: { readonly 'content-type': 'application/json' };
  readonly body: KnoxErrorBody;
}

/**
 * Builds a Knox-style error answer for our own 4xx responses: the HTTP status, and the body
 * Knox Guard itself uses (`message` the symbolic name, `reason` the human detail). The reason is
 * sent as given: callers pass text that never contains a full device id or a secret.
 *
 * @example
 * knoxErrorEnvelope(401, '4010001', 'SIGNATURE_INVALID', 'x-sentinel-signature does not match.');
 * // { statusCode: 401, headers: {...}, body: { result: 'FAIL', error: { code: '4010001', ... } } }
 */
export function knoxErrorEnvelope(
  status: number,
  code: string | number,
  message: string,
  reason: string,
): KnoxErrorResponse {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json' },
    body: { result: 'FAIL', error: { code: String(code), message, reason } },
  };
}

/**
 * The error answer for one of our `ApiErrorCode`s, its HTTP status taken from the code's first
 * three digits.
 *
 * @example
 * apiError('PAYLOAD_TOO_LARGE', 'The body is 2 MiB; the limit is 1 MiB.').statusCode; // 413
 */
export function apiError(name: ApiErrorName, reason: string): KnoxErrorResponse {
  const code = ApiErrorCode[name];
  return knoxErrorEnvelope(Number(code.slice(0, 3)), code, name, reason);
}
