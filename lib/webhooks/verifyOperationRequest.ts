import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type HeadersLike, readHeader } from '../errors';
import { DEFAULT_TOLERANCE_SECONDS, OperationAuthFailure, OperationRequestHeader } from './constants';
import type { ApiErrorName } from './knoxErrorEnvelope';

export interface VerifyOperationRequestInput {
  readonly headers: HeadersLike | undefined;
  /** The raw request body exactly as received (after base64-decoding, if API Gateway encoded it). */
  readonly body: string | Uint8Array;
  /** The shared secret; several during a rotation (the current one first). */
  readonly secret: string | readonly string[];
  /** Milliseconds since the epoch; `Date.now` by default. */
  readonly now?: () => number;
  /** The replay window in seconds, both directions; 300 by default. */
  readonly toleranceSeconds?: number;
}

export type VerifyOperationRequestResult =
  | {
      readonly ok: true;
      readonly timestamp: number;
      /** `v2` when a `v2=` signature matched (the Idempotency-Key header is then authentic). */
      readonly version: SignatureVersion;
      /**
       * SHA-256 (hex) of the timestamp and body: the same for every copy of one signed request,
       * whatever Idempotency-Key or extra signatures a replayer adds, so it keys replay protection.
       */
      readonly requestDigest: string;
    }
  | {
      readonly ok: false;
      readonly reason: OperationAuthFailure;
      /** The API error to answer with (`apiError(result.apiError, ...)`). */
      readonly apiError: ApiErrorName;
    };

// Bounds the work an attacker can cause with one request (each candidate costs a compare).
const MAX_SIGNATURES = 8;
const SIGNATURE = /^(v1|v2)=([0-9a-f]{64})$/i;

/** `v1`: HMAC over `${timestamp}.${body}`. `v2`: over `${timestamp}.${idempotencyKey}.${body}`. */
export type SignatureVersion = 'v1' | 'v2';

/**
 * Authenticates a `POST /operations` request: `x-sentinel-signature` must hold `v2=<hex>` or
 * `v1=<hex>` (several comma-separated allowed, so a client can sign with an old and a new secret
 * during a rotation) and `x-sentinel-timestamp` (unix seconds) must be within the replay window of
 * `now`, in both directions. `v2` is the HMAC-SHA256 of `${timestamp}.${idempotencyKey}.${body}`
 * (the key empty when no `Idempotency-Key` header is sent), so the key cannot be swapped; `v1`,
 * over `${timestamp}.${body}`, is still accepted for existing clients. Compares in constant time
 * and never throws.
 *
 * A valid signature can be replayed within the window: the caller keys its replay protection on
 * `requestDigest` (functions/webhook.ts answers a replay with the first operation id).
 *
 * @example
 * const result = verifyOperationRequest({ headers: event.headers, body: event.body ?? '', secret });
 * if (!result.ok) return apiError(result.apiError, 'The request signature could not be verified.');
 */
export function verifyOperationRequest(input: VerifyOperationRequestInput): VerifyOperationRequestResult {
  try {
    return verify(input);
  } catch {
    // Only reachable with inputs outside the types (e.g. a secret that is not a string).
    return fail(OperationAuthFailure.signatureMismatch);
  }
}

function verify(input: VerifyOperationRequestInput): VerifyOperationRequestResult {
  const secrets = (typeof input.secret === 'string' ? [input.secret] : [...(input.secret ?? [])]).filter(
    (secret) => typeof secret === 'string' && secret !== '',
  );
  if (secrets.length === 0) return fail(OperationAuthFailure.noSecret);

  const timestampText = readHeader(input.headers, OperationRequestHeader.timestamp)?.trim();
  if (timestampText === undefined || timestampText === '') return fail(OperationAuthFailure.missingTimestamp);
  if (!/^\d{1,12}$/.test(timestampText)) return fail(OperationAuthFailure.invalidTimestamp);
  const timestamp = Number(timestampText);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((input.now ?? Date.now)() / 1000);
  if (!(Math.abs(nowSeconds - timestamp) <= tolerance))
    return fail(OperationAuthFailure.timestampOutOfWindow);

  const header = readHeader(input.headers, OperationRequestHeader.signature);
  if (header === undefined || header.trim() === '') return fail(OperationAuthFailure.missingSignature);
  const candidates = header
    .split(',')
    .slice(0, MAX_SIGNATURES)
    .map((part) => SIGNATURE.exec(part.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({
      version: (match[1] ?? 'v1').toLowerCase() as SignatureVersion,
      mac: Buffer.from(match[2] ?? '', 'hex'),
    }));
  if (candidates.length === 0) return fail(OperationAuthFailure.malformedSignature);
  const key = readHeader(input.headers, OperationRequestHeader.idempotencyKey) ?? '';

  // Every candidate is compared against every secret, without an early exit, so timing says
  // nothing about which one matched.
  const matched = new Set<SignatureVersion>();
  for (const secret of secrets) {
    const expected = {
      v1: hmac(secret, timestampText, undefined, input.body),
      v2: hmac(secret, timestampText, key, input.body),
    };
    for (const { version, mac } of candidates) {
      const want = expected[version];
      if (mac.length === want.length && timingSafeEqual(mac, want)) matched.add(version);
    }
  }
  if (matched.size === 0) return fail(OperationAuthFailure.signatureMismatch);
  return {
    ok: true,
    timestamp,
    version: matched.has('v2') ? 'v2' : 'v1',
    requestDigest: createHash('sha256').update(`${timestampText}.`).update(input.body).digest('hex'),
  };
}

function hmac(secret: string, timestamp: string, key: string | undefined, body: string | Uint8Array): Buffer {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`);
  if (key !== undefined) mac.update(`${key}.`);
  return mac.update(body).digest();
}

function fail(reason: OperationAuthFailure): VerifyOperationRequestResult {
  const apiError: ApiErrorName =
    reason === OperationAuthFailure.timestampOutOfWindow
      ? 'TIMESTAMP_OUT_OF_WINDOW'
      : reason === OperationAuthFailure.missingSignature || reason === OperationAuthFailure.missingTimestamp
        ? 'SIGNATURE_MISSING'
        : 'SIGNATURE_INVALID';
  return { ok: false, reason, apiError };
}

export interface SignOperationRequestInput {
  readonly body: string | Uint8Array;
  readonly secret: string;
  /** Unix seconds; the current time by default. */
  readonly timestamp?: number;
  /** Sent as `Idempotency-Key` and, with `v2`, signed. */
  readonly idempotencyKey?: string;
  /**
   * `v2` by default when `idempotencyKey` is given (the key is signed), else `v1` (so a caller
   * that sets the header itself, as older clients do, still verifies).
   */
  readonly version?: SignatureVersion;
}

/**
 * Signs a `POST /operations` body the way `verifyOperationRequest` checks it and returns the
 * headers to send (timestamp, signature and, when given, the Idempotency-Key): for clients, tests
 * and the example in docs/webhooks.md.
 *
 * @example
 * const headers = signOperationRequest({ body, secret: process.env.SENTINEL_SECRET ?? '', idempotencyKey: 'invoice-4711-lock' });
 * await fetch(`${api}/operations`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 */
export function signOperationRequest(input: SignOperationRequestInput): Record<string, string> {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const version = input.version ?? (input.idempotencyKey === undefined ? 'v1' : 'v2');
  const key = version === 'v2' ? (input.idempotencyKey ?? '') : undefined;
  const signature = hmac(input.secret, timestamp, key, input.body).toString('hex');
  return {
    [OperationRequestHeader.timestamp]: timestamp,
    [OperationRequestHeader.signature]: `${version}=${signature}`,
    ...(input.idempotencyKey === undefined
      ? {}
      : { [OperationRequestHeader.idempotencyKey]: input.idempotencyKey }),
  };
}
