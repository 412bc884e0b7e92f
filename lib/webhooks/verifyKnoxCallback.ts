/**
 * Knox Webhook Notification callback signatures: the ONE place that knows how they look.
 *
 * What Samsung documents publicly (docs.samsungknox.com, Knox Webhook Notification guides and
 * release notes): each callback arrives "along with the signature for validation"; the client
 * validates it with the Samsung Knox validation certificate, downloaded with
 * `GET /downloadCertificate` and downloaded again when it expires; since release 25.04 every
 * callback carries a unique `x-knox-nonce` header that receivers should reject when seen twice
 * (https://docs.samsungknox.com/dev/knox-webhook-notification/release-notes/25-04/).
 * The signature's header name, algorithm and signed bytes are NOT in Samsung's pages.
 *
 * What the evidence shows (knox-api-evidence.md §4; the only public Knox Guard callback receiver
 * found, one client): the signature travels in `x-wsm-signature` as a compact JWS, RS256, whose
 * signing input is the protected header and base64url of the raw body; its payload part is either
 * that base64url text (attached) or empty (detached). A trace id comes in `x-wsm-traceid`.
 *
 * What this accepts, so a correction is a change to this file only:
 * - the signature in `x-wsm-signature`, or in `x-knox-signature` (this project's earlier guess,
 *   kept as an alias); when both are sent, `x-wsm-signature` is the one checked;
 * - as (a) a compact JWS (RS/PS/ES 256-512) over the body, attached or detached, verified by
 *   `jose` (./verifyCompactJws.ts, loaded on first use), or (b) base64 (or base64url) of a
 *   signature over the raw body bytes with the certificate's key: RSA PKCS#1 v1.5 with SHA-256
 *   or SHA-512, ECDSA or Ed25519, optionally prefixed `sha256=` / `sha512=`;
 * - when no signature header is present but the body itself is a compact JWS, the JWS is
 *   verified and its payload is the notification.
 * Nothing verifies without the certificate's key: unsigned, `alg: none` and HMAC variants are
 * refused. The certificate must be inside its validity period. The signature covers the body
 * only: `x-knox-nonce` and `x-wsm-traceid` are handed back as sent, not as verified facts.
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject, X509Certificate } from 'node:crypto';
import { type HeadersLike, readHeader } from '../errors';
import { KnoxCallbackFailure } from './constants';

/** Header names of Knox Webhook Notification callbacks (see the module comment). */
export const KnoxCallbackHeader = {
  /** The evidenced signature header: a compact JWS, RS256, over the raw body. */
  signature: 'x-wsm-signature',
  /** This project's earlier, unevidenced name, still accepted. */
  legacySignature: 'x-knox-signature',
  /** Unique per callback since KWN 25.04; a repeated one is a replay. */
  nonce: 'x-knox-nonce',
  /** Knox's trace id for the delivery, for logs and Samsung support. */
  traceId: 'x-wsm-traceid',
} as const;

export interface VerifyKnoxCallbackInput {
  readonly headers: HeadersLike | undefined;
  /** The raw request body exactly as received. */
  readonly body: string | Uint8Array;
  /** The Samsung Knox validation certificate: PEM (certificate or public key) or base64 DER. */
  readonly certificatePem: string;
  /** Milliseconds since the epoch, for the certificate's validity period; `Date.now` by default. */
  readonly now?: () => number;
}

export type VerifyKnoxCallbackResult =
  | {
      readonly ok: true;
      /** The verified notification text to parse: the body, or the payload of a JWS body. */
      readonly payload: string;
      /** The `x-knox-nonce` header, for replay rejection; absent on callbacks older than KWN 25.04. */
      readonly nonce?: string;
      /** The `x-wsm-traceid` header (at most 200 printable characters), for logs. */
      readonly traceId?: string;
      readonly scheme: 'raw' | 'jws';
      readonly algorithm: string;
    }
  | { readonly ok: false; readonly reason: KnoxCallbackFailure };

type Failure = { readonly ok: false; readonly reason: KnoxCallbackFailure };

const MAX_SIGNATURE_CHARS = 8192;
const MAX_ID_CHARS = 200;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Verifies a Knox Webhook Notification callback against the Samsung Knox validation certificate
 * under the assumptions above, and hands back the verified payload, the `x-knox-nonce` and the
 * `x-wsm-traceid`. Never rejects: a missing or malformed signature, an unreadable or expired
 * certificate and a mismatch are each a `reason`.
 *
 * @example
 * const result = await verifyKnoxCallback({ headers: event.headers, body: rawBody, certificatePem });
 * if (!result.ok) return apiError('SIGNATURE_INVALID', `Knox callback rejected: ${result.reason}`);
 * const parsed = parseKnoxNotification(JSON.parse(result.payload), { nonce: result.nonce });
 */
export async function verifyKnoxCallback(input: VerifyKnoxCallbackInput): Promise<VerifyKnoxCallbackResult> {
  try {
    return await verify(input);
  } catch {
    return { ok: false, reason: KnoxCallbackFailure.signatureMismatch };
  }
}

async function verify(input: VerifyKnoxCallbackInput): Promise<VerifyKnoxCallbackResult> {
  const body = toBuffer(input.body);
  const header =
    readHeader(input.headers, KnoxCallbackHeader.signature)?.trim() ||
    readHeader(input.headers, KnoxCallbackHeader.legacySignature)?.trim() ||
    undefined;
  const jwsBody = header ? undefined : body.toString('utf8').trim();
  if (!header && !(jwsBody && COMPACT_JWS.test(jwsBody))) {
    return { ok: false, reason: KnoxCallbackFailure.missingSignature };
  }
  if (header !== undefined && header.length > MAX_SIGNATURE_CHARS) {
    return { ok: false, reason: KnoxCallbackFailure.malformedSignature };
  }

  const key = loadKey(input.certificatePem, (input.now ?? Date.now)());
  if ('reason' in key) return key;
  const nonce = readHeader(input.headers, KnoxCallbackHeader.nonce)?.trim() || undefined;
  const traceId = readKnoxTraceId(input.headers);
  const context = {
    ...(nonce === undefined ? {} : { nonce }),
    ...(traceId === undefined ? {} : { traceId }),
  };

  if (header === undefined || COMPACT_JWS.test(header)) {
    const { verifyCompactJws } = await import('./verifyCompactJws');
    const outcome = await verifyCompactJws(header ?? jwsBody ?? '', key.key, header ? body : undefined);
    if (!outcome.ok) return outcome;
    // An attached payload must be the body we received, or a valid signature could vouch for
    // different content than the one we are about to act on.
    if (header !== undefined && !outcome.payload.equals(body)) {
      return { ok: false, reason: KnoxCallbackFailure.payloadMismatch };
    }
    return {
      ok: true,
      payload: outcome.payload.toString('utf8'),
      scheme: 'jws',
      algorithm: outcome.algorithm,
      ...context,
    };
  }
  const outcome = verifyRaw(header, key.key, body);
  if (!outcome.ok) return outcome;
  return {
    ok: true,
    payload: body.toString('utf8'),
    scheme: 'raw',
    algorithm: outcome.algorithm,
    ...context,
  };
}

/**
 * The callback's `x-wsm-traceid` when it is fit for logs (printable ASCII, at most 200
 * characters), else undefined: read before verification too, so a refused callback can be
 * traced with Samsung support.
 *
 * @example
 * readKnoxTraceId({ 'x-wsm-traceid': 'a1b2c3' }); // 'a1b2c3'
 */
export function readKnoxTraceId(headers: HeadersLike | undefined): string | undefined {
  const text = readHeader(headers, KnoxCallbackHeader.traceId)?.trim();
  if (!text || text.length > MAX_ID_CHARS || !/^[\x21-\x7E]+$/.test(text)) return undefined;
  return text;
}

function verifyRaw(
  value: string,
  key: KeyObject,
  body: Buffer,
): { readonly ok: true; readonly algorithm: string } | Failure {
  const prefixed = /^(sha256|sha512)=(.+)$/i.exec(value);
  const encoded = prefixed?.[2] ?? value;
  if (!BASE64.test(encoded)) return { ok: false, reason: KnoxCallbackFailure.malformedSignature };
  const signature = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (signature.length === 0) return { ok: false, reason: KnoxCallbackFailure.malformedSignature };
  if (key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448') {
    return safeVerify(null, body, key, signature)
      ? { ok: true, algorithm: key.asymmetricKeyType }
      : { ok: false, reason: KnoxCallbackFailure.signatureMismatch };
  }
  // PKCS#1 v1.5 signatures name their hash inside the signed block, so trying both cannot make
  // a signature made for one digest verify under the other.
  const hashes = prefixed?.[1] ? [prefixed[1].toLowerCase()] : ['sha256', 'sha512'];
  for (const hash of hashes) {
    if (safeVerify(hash, body, key, signature))
      return { ok: true, algorithm: `${key.asymmetricKeyType}-${hash}` };
  }
  return { ok: false, reason: KnoxCallbackFailure.signatureMismatch };
}

function safeVerify(
  hash: string | null,
  data: Buffer,
  key: Parameters<typeof cryptoVerify>[2],
  signature: Buffer,
): boolean {
  try {
    return cryptoVerify(hash, data, key, signature);
  } catch {
    return false;
  }
}

interface LoadedKey {
  readonly key: KeyObject;
  readonly notBefore?: number;
  readonly notAfter?: number;
}

// Parsed certificates per PEM text: a warm Lambda verifies many callbacks with one certificate.
const keyCache = new Map<string, LoadedKey | null>();
const KEY_CACHE_MAX = 8;

function loadKey(pem: string, now: number): { readonly key: KeyObject } | Failure {
  const text = typeof pem === 'string' ? pem.trim() : '';
  let loaded = keyCache.get(text);
  if (loaded === undefined) {
    loaded = parseKey(text);
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(text, loaded);
  }
  if (loaded === null) return { ok: false, reason: KnoxCallbackFailure.invalidCertificate };
  if (
    (loaded.notBefore !== undefined && now < loaded.notBefore) ||
    (loaded.notAfter !== undefined && now > loaded.notAfter)
  ) {
    return { ok: false, reason: KnoxCallbackFailure.certificateExpired };
  }
  return { key: loaded.key };
}

function parseKey(text: string): LoadedKey | null {
  if (text === '') return null;
  try {
    if (text.includes('BEGIN CERTIFICATE')) return fromCertificate(new X509Certificate(text));
    if (text.includes('PUBLIC KEY')) return { key: createPublicKey(text) };
    const der = Buffer.from(text.replace(/\s+/g, ''), 'base64');
    try {
      return fromCertificate(new X509Certificate(der));
    } catch {
      return { key: createPublicKey({ key: der, format: 'der', type: 'spki' }) };
    }
  } catch {
    return null;
  }
}

function fromCertificate(certificate: X509Certificate): LoadedKey {
  const notBefore = Date.parse(certificate.validFrom);
  const notAfter = Date.parse(certificate.validTo);
  return {
    key: certificate.publicKey,
    ...(Number.isNaN(notBefore) ? {} : { notBefore }),
    ...(Number.isNaN(notAfter) ? {} : { notAfter }),
  };
}

function toBuffer(body: string | Uint8Array): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.alloc(0);
}
