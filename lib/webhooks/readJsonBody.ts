import { apiError, type KnoxErrorResponse } from './knoxErrorEnvelope';

/**
 * The deepest nesting of arrays and objects a webhook body may have. Knox Guard's callbacks nest
 * about 4 levels (`{ payload: { deviceList: [ { error: {} } ] } }`, docs/knox-callbacks.md) and an
 * operation request 2 (`{ deviceUids: [] }`); 64 leaves room for any shape either may grow, and
 * keeps every later step (`JSON.stringify` when the events are queued, the content hash of an
 * event without an id) far from the call-stack limit that a body of 200,000 nested `[` reaches.
 */
export const MAX_JSON_DEPTH = 64;

const BYTE_ORDER_MARK = 0xfeff;

/** A webhook body read as JSON, or the 400 that refuses it. */
export type JsonBodyReading =
  | {
      readonly ok: true;
      /** The body as UTF-8 text without a leading byte order mark: what was parsed and is kept. */
      readonly text: string;
      readonly json: unknown;
    }
  | { readonly ok: false; readonly error: KnoxErrorResponse };

/**
 * Reads a webhook body (after its signature was verified over the raw bytes) as JSON, the one way
 * every route does: UTF-8 text, one leading byte order mark (U+FEFF) removed (some gateways and
 * Windows tools prefix one; `JSON.parse` refuses it, and it changes nothing the body says), then
 * the nesting depth checked without recursion, then parsed. Pure.
 *
 * @param maxDepth the deepest nesting of `[`/`{` allowed; `MAX_JSON_DEPTH` unless given.
 * @returns `{ ok: true, text, json }`, or `{ ok: false, error }` with `400 INVALID_JSON` in the
 *   Knox-style envelope for text that is not JSON or nests deeper than `maxDepth`: input that can
 *   never succeed, so never a 5xx the sender would retry.
 * @example
 * readJsonBody(Buffer.from('\uFEFF{"operation":"lock"}')); // { ok: true, text: '{"operation":"lock"}', json: {...} }
 * readJsonBody(Buffer.from(`${'['.repeat(65)}${']'.repeat(65)}`)).ok; // false (400 INVALID_JSON)
 */
export function readJsonBody(body: Uint8Array | string, maxDepth: number = MAX_JSON_DEPTH): JsonBodyReading {
  const decoded = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const text = decoded.charCodeAt(0) === BYTE_ORDER_MARK ? decoded.slice(1) : decoded;
  const depth = jsonNestingDepth(text, maxDepth);
  if (depth > maxDepth)
    return {
      ok: false,
      error: apiError('INVALID_JSON', `The body nests arrays or objects deeper than ${maxDepth} levels.`),
    };
  try {
    return { ok: true, text, json: JSON.parse(text) };
  } catch {
    return { ok: false, error: apiError('INVALID_JSON', 'The body is not valid JSON.') };
  }
}

/**
 * The deepest nesting of `[` and `{` outside string literals, counted in one pass without
 * recursion; stops counting once past `limit` (returns `limit + 1`). Not a validator: text that is
 * not JSON gets some number, and `JSON.parse` refuses it afterwards.
 *
 * @example
 * jsonNestingDepth('{"a":[1,"[[["]}', 64); // 2
 */
export function jsonNestingDepth(text: string, limit: number = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i += 1; // a backslash: the next character is escaped
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === 0x5d || code === 0x7d) depth -= 1;
  }
  return deepest;
}
