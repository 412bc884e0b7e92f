// Keys whose values are credentials (the same family `redactForLog` refuses to print).
const SECRET_KEY =
  /token|secret|password|passwd|private|authorization|signature|apikey|api-key|jwt|credential|certificate|hmac|lockpin|pinnumber/i;
// Keys whose short one-word values are Knox Guard's enumerations (`result: "SUCCESS"`, a device
// `status`, an error's symbolic `message`): shown as they are, because which value a tenant sends
// is what a check is for. Any other string is replaced by its kind.
const LITERAL_KEYS = new Set(['result', 'status', 'uploadStatus', 'message', 'code', 'type', 'messageType']);
const ENUM_LIKE = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
/** A Knox or token-service code as a string (`"4030000"`, `"40122050"`): shown, it names the failure. */
const KNOX_CODE = /^\d{7,8}$/;
const STRING_KINDS: readonly [RegExp, string][] = [
  [/^\d{14,17}$/, 'imei'],
  [/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'uuid'],
  [/^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/, 'email'],
  [/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'date'],
  [/^\+?[\d\s().-]{7,20}$/, 'phone'],
  [/^\d+$/, 'digits'],
  [/^[\w-]+\.[\w-]+\.[\w-]+$/, 'jwt'],
];
/** Array entries merged into one element shape: enough to see optional keys, cheap on 10,000 results. */
const SAMPLED_ENTRIES = 50;
const MAX_DEPTH = 8;

/**
 * A one-line JSON type skeleton of a Knox answer, safe to print and store: keys as they came,
 * numbers as `number`, arrays summarised as `[N × <merged entry>]` (a key present in only some
 * entries is marked `key?`), and every string replaced by its kind (`imei`, `uuid`, `email`,
 * `phone`, `date`, `digits`, `jwt`, `string`, `""`), so device ids, IMEIs, serials, e-mail
 * addresses, phone numbers and tokens never appear. Values under credential keys are `secret`.
 * Only one-word values of enumeration keys (`result`, `status`, `message`, `code`, `type`, ...) and
 * Knox codes under `code` (`"4030000"`) are shown literally.
 *
 * @example
 * describeShape({ result: 'SUCCESS', deviceList: [{ deviceUid: '356938035643809', status: 'Locked' }] });
 * // '{result: "SUCCESS", deviceList: [1 × {deviceUid: imei, status: "Locked"}]}'
 */
export function describeShape(value: unknown): string {
  return shapeOf(value, '', 0);
}

function shapeOf(value: unknown, key: string, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return stringKind(value, key);
  if (typeof value === 'number' || typeof value === 'boolean') {
    return SECRET_KEY.test(key) ? 'secret' : typeof value;
  }
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) return arrayShape(value, key, depth);
  if (typeof value === 'object') return objectShape([value as Record<string, unknown>], depth);
  return typeof value;
}

function stringKind(value: string, key: string): string {
  if (SECRET_KEY.test(key)) return 'secret';
  if (value === '') return '""';
  if (LITERAL_KEYS.has(key) && (ENUM_LIKE.test(value) || (key === 'code' && KNOX_CODE.test(value))))
    return JSON.stringify(value);
  for (const [pattern, kind] of STRING_KINDS) if (pattern.test(value)) return kind;
  return 'string';
}

function arrayShape(list: readonly unknown[], key: string, depth: number): string {
  if (list.length === 0) return '[]';
  const sample = list.slice(0, SAMPLED_ENTRIES);
  const objects = sample.filter(
    (entry): entry is Record<string, unknown> =>
      typeof entry === 'object' && entry !== null && !Array.isArray(entry),
  );
  const kinds = new Set<string>();
  if (objects.length > 0) kinds.add(objectShape(objects, depth + 1));
  for (const entry of sample)
    if (!objects.includes(entry as Record<string, unknown>)) kinds.add(shapeOf(entry, key, depth + 1));
  return `[${list.length} × ${[...kinds].join(' | ')}]`;
}

/** One object shape for all of `objects`: keys in first-seen order, `key?` when some lack it. */
function objectShape(objects: readonly Record<string, unknown>[], depth: number): string {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const object of objects) {
    for (const key of Object.keys(object)) {
      if (!seen.has(key)) {
        seen.add(key);
        keys.push(key);
      }
    }
  }
  if (keys.length === 0) return '{}';
  const fields = keys.map((key) => {
    const present = objects.filter((object) => Object.hasOwn(object, key));
    const shapes = [...new Set(present.map((object) => shapeOf(object[key], key, depth + 1)))];
    const optional = present.length < objects.length ? '?' : '';
    return `${key}${optional}: ${shapes.join(' | ')}`;
  });
  return `{${fields.join(', ')}}`;
}
