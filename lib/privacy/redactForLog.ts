import { maskExcerpt } from './mask';

// Longer strings are cut: a stack trace fits, and a 1 MiB field in a bad request costs a bounded
// amount of masking and of log volume.
const LOG_STRING_MAX_CHARS = 16_384;

// Keys whose values are credentials. Matched case-insensitively anywhere in the key, so
// `x-knox-apitoken`, `accessToken`, `clientIdentifierJwt` and `Private` are all caught.
const SECRET_KEY =
  /token|secret|password|passwd|private|authorization|signature|apikey|api-key|jwt|credential|certificate|hmac/i;

/**
 * A `JSON.stringify` replacer for log records: values under credential-like keys become
 * `[REDACTED]`, and every other string has IMEIs, phone numbers and e-mail addresses masked (and is
 * cut to 16,384 characters, ending in `...`).
 * Passed to the Powertools Logger as `jsonReplacerFn`, so nothing a handler logs can leak them.
 *
 * @example
 * JSON.stringify({ accessToken: 'abc', reason: 'Device 356938035643809' }, redactForLog);
 * // '{"accessToken":"[REDACTED]","reason":"Device 35*********3809"}'
 */
export function redactForLog(key: string, value: unknown): unknown {
  if (
    key !== '' &&
    SECRET_KEY.test(key) &&
    value !== undefined &&
    value !== null &&
    typeof value !== 'boolean'
  ) {
    return '[REDACTED]';
  }
  return typeof value === 'string' ? maskExcerpt(value, LOG_STRING_MAX_CHARS) : value;
}
