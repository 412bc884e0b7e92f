/**
 * Compact JWS verification for Knox callbacks, done by `jose` (panva/jose), not by hand: header
 * parsing, `crit`/`b64` handling, the algorithm allow-list and the key-type checks are the
 * security-sensitive part and belong to a library that is kept up to date. verifyKnoxCallback.ts
 * imports this module lazily (`await import`), so the bundle's start-up code does not parse jose
 * and `POST /operations` never loads it.
 */
import type { KeyObject } from 'node:crypto';
import { flattenedVerify } from 'jose';
import { KnoxCallbackFailure } from './constants';

/**
 * The JWS algorithms a Knox callback may be signed with: asymmetric only, so a signature can only
 * come from the holder of the certificate's private key. `none` and the HMAC family (whose "key"
 * would be the public certificate anyone can download) are refused by leaving them out.
 * RS256 is the one the evidence shows (knox-api-evidence.md §4); the others cost nothing to allow
 * and keep working if Samsung moves to PSS or ECDSA keys.
 */
export const KNOX_JWS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

export type VerifyCompactJwsResult =
  | { readonly ok: true; readonly algorithm: string; readonly payload: Buffer }
  | { readonly ok: false; readonly reason: KnoxCallbackFailure };

/**
 * Verifies a compact JWS (`header.payload.signature`, RFC 7515 §7.1) with `key`. An empty payload
 * part means a detached payload (RFC 7515 appendix F): the signing input is then
 * `header.base64url(detachedPayload)`. Never throws.
 *
 * @param jws the compact serialization, three base64url parts
 * @param key the certificate's public key
 * @param detachedPayload the bytes a detached JWS signs (the raw callback body); absent for a JWS
 *   whose payload must be attached
 * @returns the algorithm and the verified payload bytes, or why it was refused
 * @example
 * const outcome = await verifyCompactJws(header, certificate.publicKey, rawBody);
 * if (outcome.ok) console.log(outcome.algorithm); // 'RS256'
 */
export async function verifyCompactJws(
  jws: string,
  key: KeyObject,
  detachedPayload?: Buffer,
): Promise<VerifyCompactJwsResult> {
  const parts = jws.split('.');
  if (parts.length !== 3) return { ok: false, reason: KnoxCallbackFailure.malformedSignature };
  const [protectedHeader = '', payloadPart = '', signature = ''] = parts;
  if (payloadPart === '' && detachedPayload === undefined) {
    return { ok: false, reason: KnoxCallbackFailure.malformedSignature };
  }
  const payload =
    payloadPart === '' ? (detachedPayload ?? Buffer.alloc(0)).toString('base64url') : payloadPart;
  try {
    const verified = await flattenedVerify({ protected: protectedHeader, payload, signature }, key, {
      algorithms: [...KNOX_JWS_ALGORITHMS],
    });
    return {
      ok: true,
      algorithm: String(verified.protectedHeader?.alg),
      payload: Buffer.from(verified.payload),
    };
  } catch (error) {
    return { ok: false, reason: failureOf(error) };
  }
}

// jose's error codes (https://github.com/panva/jose/blob/main/docs/util/errors): a stable string
// per class, so this needs no import of the error classes.
function failureOf(error: unknown): KnoxCallbackFailure {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return KnoxCallbackFailure.signatureMismatch;
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED' || code === 'ERR_JOSE_NOT_SUPPORTED') {
    return KnoxCallbackFailure.unsupportedAlgorithm;
  }
  if (code === 'ERR_JWS_INVALID') return KnoxCallbackFailure.malformedSignature;
  // The key cannot serve the header's algorithm (an ES256 header with an RSA certificate): jose
  // throws a TypeError, or WebCrypto a DOMException (DataError) while importing the key.
  if (error instanceof TypeError || error instanceof DOMException) {
    return KnoxCallbackFailure.unsupportedAlgorithm;
  }
  return KnoxCallbackFailure.signatureMismatch;
}
