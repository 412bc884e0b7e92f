import { maskDeviceId } from './mask';

/**
 * Ids shorter than this are not searched for: masking every `A1` or `42` in a reason would wreck
 * the text, and an id that short identifies no device.
 */
const MIN_KNOWN_ID_LENGTH = 4;

/**
 * Masks, with `maskDeviceId`, every occurrence inside `text` of an id the caller knows belongs to
 * the failure (its deviceUid, objectId, approveId, requested id). `maskText` finds IMEIs and
 * labelled serials; a bare serial (`Device R58M123ABCD cannot be locked`) cannot be told from a
 * word, so the ids a failure carries are masked by value. Matching ignores case; ids under 4
 * characters, empty or absent ones are skipped. Linear in `text` per id (indexOf, no regex built
 * from outside input). Call it before `maskText`, which may rewrite digits inside the id.
 *
 * @example
 * maskKnownIds('Device R58M123ABCD cannot be locked', ['R58M123ABCD']);
 * // 'Device R5*****ABCD cannot be locked'
 */
export function maskKnownIds(text: string, ids: Iterable<string | undefined>): string {
  let out = text;
  let lower = out.toLowerCase();
  for (const id of ids) {
    if (id === undefined || id.length < MIN_KNOWN_ID_LENGTH) continue;
    const needle = id.toLowerCase();
    // toLowerCase can change a string's length (e.g. 'İ'); then indexes no longer line up.
    if (needle.length !== id.length || lower.length !== out.length) continue;
    let at = lower.indexOf(needle);
    if (at < 0) continue;
    let masked = '';
    let from = 0;
    while (at >= 0) {
      masked += out.slice(from, at) + maskDeviceId(out.slice(at, at + id.length));
      from = at + id.length;
      at = lower.indexOf(needle, from);
    }
    out = masked + out.slice(from);
    lower = out.toLowerCase();
  }
  return out;
}
