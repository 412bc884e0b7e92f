import { maskText } from './mask';

// Keys whose values are credentials. Matched case-insensitively anywhere in the key, so
// `x-knox-apitoken`, `accessToken`, `clientIdentifierJwt` and `Private` are all caught.
const SECRET_KEY =
  /token|secret|password|passwd|private|authorization|signature|apikey|api-key|jwt|credential|certificate|hmac/i;

/**
 * A `JSON.stringify` replacer for log records: values under credential-like keys become
 * `[REDACTED]`, and every other string has IMEIs, phone numbers and e-mail addresses masked.
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
  return typeof value === 'string' ? maskText(value) : value;
}
