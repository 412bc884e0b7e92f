import { maskDeviceId, maskExcerpt } from './mask';
import { maskKnownIds } from './maskKnownIds';

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
  if (typeof value === 'string') return maskExcerpt(value, LOG_STRING_MAX_CHARS);
  return isRecord(value) ? withKnownIdsMasked(value) : value;
}

// Fields that name the device a record (a logged KnoxGuardError, a failure) is about.
const ID_KEYS = ['deviceUid', 'deviceId', 'requestedId', 'approveId'] as const;

/**
 * A record that names its device (`requestedId` of a logged KnoxGuardError, a `deviceUid`, ...):
 * those ids masked in their own fields and, with `maskKnownIds`, inside the record's other strings
 * (its `message`, `reason`, `stack`), where `maskText` cannot find a bare serial. Knox's
 * `objectId` is masked inside the texts too but kept in its own field (logged on purpose to find
 * the device in Knox). JSON.stringify then visits the copy's strings, which get `maskText`.
 */
function withKnownIdsMasked(record: Record<string, unknown>): Record<string, unknown> {
  const ids = [...ID_KEYS, 'objectId']
    .map((key) => record[key])
    .filter((id): id is string => typeof id === 'string' && id.length > 0);
  if (ids.length === 0) return record;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(record)) {
    if (typeof field !== 'string') copy[key] = field;
    else if ((ID_KEYS as readonly string[]).includes(key)) copy[key] = maskDeviceId(field);
    else if (key === 'objectId') copy[key] = field;
    else copy[key] = maskKnownIds(field, ids);
  }
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
