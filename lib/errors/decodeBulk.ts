import { classifyEnvelope, malformedResponseError, readEnvelope } from './decode';
import { KnoxGuardError, type KnoxGuardFailure } from './KnoxGuardError';

/** The outcome for one device inside a bulk (`...Async` / `/transaction`) answer. */
export type DeviceResult =
  | { readonly ok: true; readonly requestedId: string; readonly objectId?: string }
  | { readonly ok: false; readonly requestedId: string; readonly error: KnoxGuardError };

export interface BulkOutcome {
  /** Counts as Knox Guard reported them (absent counts are derived from the list). */
  readonly count: number;
  readonly success: number;
  readonly fail: number;
  readonly results: readonly DeviceResult[];
}

/**
 * Decodes the per-device results of a bulk answer (`{count, success, fail, resultList}`) with the
 * same catalog as whole responses. Entries of the wrong shape become MALFORMED_RESPONSE failures
 * for their device instead of throwing. With `requestedIds` (the ids sent, in order), an entry at
 * position i that names `requestedIds[i]` carries the caller's string rather than the parsed copy,
 * so 10,000 parsed id strings per chunk die young instead of being kept (and copied by the GC).
 *
 * @example
 * const outcome = decodeBulk(JSON.parse(body), ids);
 * const failed = outcome.results.filter((r) => !r.ok);
 */
export function decodeBulk(body: unknown, requestedIds?: readonly string[]): BulkOutcome {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const list: unknown[] = Array.isArray(record.resultList) ? record.resultList : [];
  // One pass, no intermediate arrays: a 10,000-device transaction answer is decoded per chunk.
  const results: DeviceResult[] = new Array(list.length);
  let failed = 0;
  for (let index = 0; index < list.length; index += 1) {
    const result = decodeDeviceResult(list[index], index, requestedIds?.[index]);
    if (!result.ok) failed += 1;
    results[index] = result;
  }
  return {
    count: countOr(record.count, results.length),
    success: countOr(record.success, results.length - failed),
    fail: countOr(record.fail, failed),
    results,
  };
}

/**
 * Decodes one per-device entry (`{result, requestedId, objectId?, error?}`); `expectedId`, when
 * the entry names it, is used as its `requestedId` (the caller's string). A failure is
 * classified as plain data at once; its `KnoxGuardError` (an `Error`, whose construction captures
 * a stack trace) is built when `error` is first read, then kept.
 *
 * @example
 * decodeDeviceResult({ result: 'SUCCESS', requestedId: '356938035643809' }).ok; // true
 */
export function decodeDeviceResult(item: unknown, index = 0, expectedId?: string): DeviceResult {
  const record = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : undefined;
  const named = idOf(record?.requestedId) ?? idOf(record?.deviceUid);
  const requestedId = named === undefined ? `#${index}` : named === expectedId ? expectedId : named;
  if (record === undefined) {
    return { ok: false, requestedId, error: malformed(requestedId, 'Bulk result entry is not an object.') };
  }
  const raw = record.result;
  // Knox sends upper case; only other spellings pay for toUpperCase.
  const result =
    raw === 'SUCCESS' || raw === 'FAIL' ? raw : typeof raw === 'string' ? raw.toUpperCase() : undefined;
  if (result === 'SUCCESS' && record.error === undefined) {
    const objectId = idOf(record.objectId);
    return objectId === undefined ? { ok: true, requestedId } : { ok: true, requestedId, objectId };
  }
  if (result !== 'FAIL' && record.error === undefined) {
    return { ok: false, requestedId, error: malformed(requestedId, 'Bulk result entry has no result.') };
  }
  const envelope = readEnvelope(record, true) ?? {};
  return lazyFailure(requestedId, classifyEnvelope(envelope, 200, { requestedId }));
}

/**
 * A failed `DeviceResult` whose `error` is built from `failure` on first read (an enumerable
 * getter, so spreading, `toEqual` and `JSON.stringify` see it like a plain property).
 */
export function lazyFailure(
  requestedId: string,
  failure: KnoxGuardFailure,
  options?: { cause?: unknown },
): DeviceResult {
  let error: KnoxGuardError | undefined;
  return {
    ok: false,
    requestedId,
    get error(): KnoxGuardError {
      error ??= new KnoxGuardError(failure, options);
      return error;
    },
  };
}

function malformed(requestedId: string, reason: string): KnoxGuardError {
  return malformedResponseError(200, reason, { requestedId });
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function countOr(value: unknown, fallback: number): number {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 ? number : fallback;
}
