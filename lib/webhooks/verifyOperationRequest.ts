import { createHmac, timingSafeEqual } from 'node:crypto';
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
  | { readonly ok: true; readonly timestamp: number }
  | {
      readonly ok: false;
      readonly reason: OperationAuthFailure;
      /** The API error to answer with (`apiError(result.apiError, ...)`). */
      readonly apiError: ApiErrorName;
    };

// Bounds the work an attacker can cause with one request (each candidate costs a compare).
const MAX_SIGNATURES = 8;
const SIGNATURE = /^v1=([0-9a-f]{64})$/i;

/**
 * Authenticates a `POST /operations` request: `x-sentinel-signature` must hold `v1=<hex>` (several
 * comma-separated allowed, so a client can sign with an old and a new secret during a rotation),
 * the HMAC-SHA256 of `${timestamp}.${body}` under a shared secret, and `x-sentinel-timestamp`
 * (unix seconds) must be within the replay window of `now`, in both directions. Compares in
 * constant time and never throws.
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
    .map((part) => SIGNATURE.exec(part.trim())?.[1])
    .filter((hex): hex is string => hex !== undefined)
    .map((hex) => Buffer.from(hex, 'hex'));
  if (candidates.length === 0) return fail(OperationAuthFailure.malformedSignature);

  // Every candidate is compared against every secret, without an early exit, so timing says
  // nothing about which one matched.
  let matched = false;
  for (const secret of secrets) {
    const expected = hmac(secret, timestampText, input.body);
    for (const candidate of candidates) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched ? { ok: true, timestamp } : fail(OperationAuthFailure.signatureMismatch);
}

function hmac(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
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
}

/**
 * Signs a `POST /operations` body the way `verifyOperationRequest` checks it and returns the two
 * headers to send: for clients, tests and the README example.
 *
 * @example
 * const headers = signOperationRequest({ body, secret: process.env.SENTINEL_SECRET ?? '' });
 * await fetch(`${api}/operations`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 */
export function signOperationRequest(input: SignOperationRequestInput): Record<string, string> {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = hmac(input.secret, timestamp, input.body).toString('hex');
  return {
    [OperationRequestHeader.timestamp]: timestamp,
    [OperationRequestHeader.signature]: `v1=${signature}`,
  };
}
