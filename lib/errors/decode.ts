import { lookupKnoxCode } from './catalog';
import { SyntheticCode } from './constants';
import { classifyHttpStatus } from './httpStatuses';
import { KnoxGuardError, type KnoxGuardFailure } from './KnoxGuardError';
import { normalizeBodyText } from './normalizeBodyText';
import { parseRetryAfter } from './parseRetryAfter';
import { syntheticFailure } from './serviceCodes';

/** Header bags as fetch, undici and Lambda events hand them over. */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** A Knox Guard HTTP response as plain data: what `decode` needs and nothing more. */
export interface KnoxHttpResponse {
  readonly status: number;
  readonly headers?: HeadersLike;
  /** The body text exactly as received (may be empty, HTML, truncated JSON, ...). */
  readonly body?: string;
}

export type DecodeResult =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | {
      readonly ok: false;
      /** The classified failure as plain data (what logs, queues and alerts carry). */
      readonly failure: KnoxGuardFailure;
      /** The same failure as a throwable error, built on first access (stack traces are costly). */
      readonly error: KnoxGuardError;
    };

export interface DecodeOptions {
  /** Milliseconds since the epoch; used to turn a `Retry-After` date into seconds. */
  readonly now?: () => number;
}

const REASON_MAX = 500;
const NOT_JSON = Symbol('not-json');

/**
 * Turns any Knox Guard HTTP response into success or a classified `KnoxGuardError`. Never throws:
 * unknown codes fall back on the HTTP status (or the code's first three digits), codes may be
 * numbers or strings (or one-element arrays of either, as the token service sends them),
 * `result: FAIL` or a top-level error code on HTTP 200 is a failure, and empty, HTML, plain-text
 * or truncated bodies become a failure whose reason says what arrived.
 *
 * @example
 * const result = decode({ status: 400, body: '{"result":"FAIL","error":{"code":4001809,"message":"LICENSE_IS_LACK","reason":"No licence"}}' });
 * if (!result.ok) console.log(result.error.codeName, result.error.remediation);
 */
export function decode(response: KnoxHttpResponse, options: DecodeOptions = {}): DecodeResult {
  const status = Number.isInteger(response.status) ? response.status : 0;
  // Once, before any parse: a BOM or NUL padding must not turn a success into a failure.
  const text = typeof response.body === 'string' ? normalizeBodyText(response.body) : '';
  const parsed = parseJson(text);
  const isSuccessStatus = status >= 200 && status <= 299;
  const retryAfter = parseRetryAfter(readHeader(response.headers, 'retry-after'), options.now ?? Date.now);

  if (parsed === NOT_JSON) {
    const reason = describeNonJson(text, readHeader(response.headers, 'content-type'));
    return failed(malformedOrStatus(status, isSuccessStatus, reason, retryAfter));
  }
  const envelope = readEnvelope(parsed, !isSuccessStatus);
  if (isSuccessStatus && envelope === undefined) return { ok: true, status, body: parsed };
  const fallbackReason = parsed === undefined ? 'Empty response body.' : undefined;
  return failed(classifyEnvelope(envelope ?? {}, status, { retryAfter, fallbackReason }));
}

/** The error part of a Knox Guard body: `{error: {code, message, reason}}` or `{code, message, data}`. */
export interface ErrorEnvelope {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly reason?: unknown;
}

/**
 * Reads the error envelope out of a parsed body, or `undefined` when the body does not report a
 * failure. `failureStatus` says the HTTP status already was an error, so a bare `{code, message}`
 * (the token endpoint's shape) counts. A top-level `code` that is an error code (4xx/5xx prefix)
 * (or, without a code, a `message` that is a catalogued code name) is a failure whatever the
 * status: Knox Cloud Authentication has been seen answering
 * `{"code":["4030000"],"message":["AUTHENTICATION_FAIL"],"data":["..."]}` (KBA-1242,
 * https://docs.samsungknox.com/dev/knox-cloud-authentication/kbas/kba-1242-authentication-fails-due-to-expired-access-token),
 * values wrapped in one-element arrays, which are unwrapped here and in `classifyEnvelope`.
 */
export function readEnvelope(parsed: unknown, failureStatus: boolean): ErrorEnvelope | undefined {
  if (!isRecord(parsed)) return failureStatus ? {} : undefined;
  const result = unwrap(parsed.result);
  const failFlag = typeof result === 'string' && result.toUpperCase() === 'FAIL';
  const error = parsed.error;
  if (isRecord(error) && (error.code !== undefined || error.message !== undefined || failFlag)) {
    return { code: error.code, message: error.message, reason: unwrap(error.reason) ?? unwrap(error.data) };
  }
  const successFlag = typeof result === 'string' && result.toUpperCase() === 'SUCCESS';
  const code = unwrap(parsed.code) ?? unwrap(parsed.errorCode);
  const message = unwrap(parsed.message);
  const namesFailure =
    code === undefined && typeof message === 'string' && isSymbolic(message) && !!lookupKnoxCode(message);
  if (failFlag || failureStatus || (!successFlag && (isErrorCode(normalizeCode(code)) || namesFailure))) {
    return {
      code,
      message: message ?? (typeof error === 'string' ? error : undefined),
      reason: unwrap(parsed.reason) ?? unwrap(parsed.data) ?? unwrap(parsed.errorMessage),
    };
  }
  return undefined;
}

export interface FailureExtras {
  readonly retryAfter?: number | undefined;
  readonly requestedId?: string | undefined;
  readonly fallbackReason?: string | undefined;
}

/**
 * Classifies one error envelope (top-level or per device in a bulk answer) into a
 * `KnoxGuardError`, looking the code up in the catalog first, then the symbolic name, then the
 * HTTP status the code or the response names.
 *
 * @example
 * failureFromEnvelope({ code: '4000310', message: 'DEVICE_STATE_INVALID', reason: "Current status is 'Enrolled'." }, 200).scope; // 'device'
 */
export function failureFromEnvelope(
  envelope: ErrorEnvelope,
  receivedStatus: number,
  extras: FailureExtras = {},
): KnoxGuardError {
  return new KnoxGuardError(classifyEnvelope(envelope, receivedStatus, extras));
}

/**
 * `failureFromEnvelope` as plain data, without building an `Error` (no stack trace): the hot path
 * for bulk answers and `decode`.
 *
 * @example
 * classifyEnvelope({ code: 4001809, message: 'LICENSE_IS_LACK' }, 400).severity; // 'critical'
 */
export function classifyEnvelope(
  envelope: ErrorEnvelope,
  receivedStatus: number,
  extras: FailureExtras = {},
): KnoxGuardFailure {
  const code = normalizeCode(unwrap(envelope.code));
  const message = unwrap(envelope.message);
  const givenName = typeof message === 'string' ? message.trim() : '';
  const entry =
    (code && lookupKnoxCode(code)) || (isSymbolic(givenName) ? lookupKnoxCode(givenName) : undefined);
  const reasonText =
    cleanText(unwrap(envelope.reason)) ?? cleanText(isSymbolic(givenName) ? undefined : givenName);

  if (entry) {
    return {
      ...entry,
      receivedStatus,
      reason: reasonText ?? extras.fallbackReason ?? entry.description,
      known: true,
      ...optional(extras),
    };
  }
  const httpStatus =
    statusFromCode(code) ?? (receivedStatus >= 200 && receivedStatus <= 299 ? 400 : receivedStatus);
  const byStatus = classifyHttpStatus(httpStatus);
  return {
    httpStatus,
    receivedStatus,
    code: code ?? `HTTP_${httpStatus}`,
    codeName: isSymbolic(givenName) ? givenName : byStatus.codeName,
    reason: reasonText ?? extras.fallbackReason ?? byStatus.description,
    description: byStatus.description,
    category: byStatus.category,
    severity: byStatus.severity,
    retryable: byStatus.retryable,
    actionable: byStatus.actionable,
    scope: byStatus.scope,
    actor: byStatus.actor,
    remediation: byStatus.remediation,
    known: false,
    ...optional(extras),
  };
}

function malformedOrStatus(
  status: number,
  isSuccessStatus: boolean,
  reason: string,
  retryAfter: number | undefined,
): KnoxGuardFailure {
  if (!isSuccessStatus) return classifyEnvelope({}, status, { retryAfter, fallbackReason: reason });
  return malformedFailure(status, reason, { retryAfter });
}

function failed(failure: KnoxGuardFailure): DecodeResult {
  let error: KnoxGuardError | undefined;
  return {
    ok: false,
    failure,
    get error() {
      error ??= new KnoxGuardError(failure);
      return error;
    },
  };
}

/**
 * The failure for an answer that claims success but cannot be read (non-JSON body on 2xx, a bulk
 * entry of the wrong shape). Retryable: it is almost always a proxy or a cut-off transfer.
 *
 * @example
 * malformedResponseError(200, 'Bulk result entry is not an object.').code; // 'MALFORMED_RESPONSE'
 */
export function malformedResponseError(
  status: number,
  reason: string,
  extras: FailureExtras = {},
): KnoxGuardError {
  return new KnoxGuardError(malformedFailure(status, reason, extras));
}

function malformedFailure(status: number, reason: string, extras: FailureExtras): KnoxGuardFailure {
  return { ...syntheticFailure(SyntheticCode.malformed, status, reason), ...optional(extras) };
}

function optional(extras: FailureExtras): { retryAfter?: number; requestedId?: string } {
  return {
    ...(extras.retryAfter === undefined ? {} : { retryAfter: extras.retryAfter }),
    ...(extras.requestedId === undefined ? {} : { requestedId: extras.requestedId }),
  };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeCode(code: unknown): string | undefined {
  if (typeof code === 'number' && Number.isSafeInteger(code) && code >= 0) return String(code);
  if (typeof code === 'string') {
    const trimmed = code.trim();
    if (/^\d{1,12}$/.test(trimmed)) return String(Number(trimmed));
  }
  return undefined;
}

/**
 * The value inside a one-element array (Knox Cloud Authentication wraps `code`, `message` and
 * `data` that way, KBA-1242); anything else unchanged.
 */
// The token service wraps values in arrays (KBA-1242 shows one element); with more than one, the
// first names the failure, so a list of codes at HTTP 200 is still a failure, never a success.
function unwrap(value: unknown): unknown {
  return Array.isArray(value) && value.length > 0 ? value[0] : value;
}

// A code that names a failure: seven or more digits whose first three are a 4xx/5xx status
// (`2000000` SUCCESS, seen inside success bodies, is not one).
function isErrorCode(code: string | undefined): boolean {
  return statusFromCode(code) !== undefined;
}

function statusFromCode(code: string | undefined): number | undefined {
  if (code === undefined || code.length < 7) return undefined;
  const prefix = Number(code.slice(0, 3));
  return prefix >= 400 && prefix <= 599 ? prefix : undefined;
}

function isSymbolic(name: string): boolean {
  return /^[A-Z][A-Z0-9_]{1,80}$/.test(name);
}

function cleanText(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).replace(/\s+/g, ' ').trim();
  if (text === '') return undefined;
  return text.length > REASON_MAX ? `${text.slice(0, REASON_MAX - 1)}…` : text;
}

function describeNonJson(text: string, contentType: string | undefined): string {
  const looksHtml = /^\s*</.test(text) || (contentType ?? '').includes('html');
  const stripped = cleanText(looksHtml ? text.replace(/<[^<>]*>/g, ' ') : text) ?? '';
  const kind = looksHtml
    ? 'an HTML page'
    : text.trimStart().startsWith('{')
      ? 'truncated or invalid JSON'
      : 'plain text';
  return `Non-JSON answer (${kind}): ${stripped.slice(0, 160)}`;
}

/** Reads one header case-insensitively from any header bag; the first value of a list wins. */
export function readHeader(headers: HeadersLike | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== lower) continue;
    const value = record[key];
    return typeof value === 'string' ? value : value?.[0];
  }
  return undefined;
}
