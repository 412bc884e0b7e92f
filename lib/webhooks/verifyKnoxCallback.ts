/**
 * Knox Webhook Notification callback signatures: the ONE place that knows how they look.
 *
 * What Samsung documents publicly (docs.samsungknox.com, Knox Webhook Notification guides and
 * release notes): each callback arrives "along with the signature for validation"; the client
 * validates it with the Samsung Knox validation certificate, downloaded with
 * `GET /downloadCertificate` and downloaded again when it expires; since release 25.04 every
 * callback carries a unique `x-knox-nonce` header that receivers should reject when seen twice.
 * The signature's header name, algorithm and signed bytes are NOT public.
 *
 * Our assumption, kept here so a correction is a change to this file only:
 * - the signature travels in the `x-knox-signature` header;
 * - it is either (a) base64 (or base64url) of a signature over the raw body bytes with the
 *   certificate's key: RSA PKCS#1 v1.5 with SHA-256 (or SHA-512, which Knox uses for its API
 *   tokens), ECDSA or Ed25519, optionally prefixed `sha256=` / `sha512=`; or (b) a compact JWS
 *   (RS/PS/ES 256-512) whose payload is the body, attached or detached (RFC 7515 appendix F);
 * - when no signature header is present but the body itself is a compact JWS, the JWS is
 *   verified and its payload is the notification.
 * Nothing verifies without the certificate's key: unsigned, `alg: none` and HMAC variants are
 * refused. The certificate must be inside its validity period.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import { type HeadersLike, readHeader } from '../errors';
import { KnoxCallbackFailure } from './constants';

/** Header names of Knox Webhook Notification callbacks (see the module comment). */
export const KnoxCallbackHeader = {
  signature: 'x-knox-signature',
  nonce: 'x-knox-nonce',
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
      /** The `x-knox-nonce` header, for replay rejection; absent on older callbacks. */
      readonly nonce?: string;
      readonly scheme: 'raw' | 'jws';
      readonly algorithm: string;
    }
  | { readonly ok: false; readonly reason: KnoxCallbackFailure };

type Failure = { readonly ok: false; readonly reason: KnoxCallbackFailure };

const MAX_SIGNATURE_CHARS = 8192;
const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const JWS_ALGORITHMS: Record<string, { hash: string; kind: 'rsa' | 'pss' | 'ec' }> = {
  RS256: { hash: 'sha256', kind: 'rsa' },
  RS384: { hash: 'sha384', kind: 'rsa' },
  RS512: { hash: 'sha512', kind: 'rsa' },
  PS256: { hash: 'sha256', kind: 'pss' },
  PS384: { hash: 'sha384', kind: 'pss' },
  PS512: { hash: 'sha512', kind: 'pss' },
  ES256: { hash: 'sha256', kind: 'ec' },
  ES384: { hash: 'sha384', kind: 'ec' },
  ES512: { hash: 'sha512', kind: 'ec' },
};

/**
 * Verifies a Knox Webhook Notification callback against the Samsung Knox validation certificate
 * under the documented assumption above, and hands back the verified payload and the
 * `x-knox-nonce`. Never throws: a missing or malformed signature, an unreadable or expired
 * certificate and a mismatch are each a `reason`.
 *
 * @example
 * const result = verifyKnoxCallback({ headers: event.headers, body: rawBody, certificatePem });
 * if (!result.ok) return apiError('SIGNATURE_INVALID', `Knox callback rejected: ${result.reason}`);
 * const parsed = parseKnoxNotification(JSON.parse(result.payload));
 */
export function verifyKnoxCallback(input: VerifyKnoxCallbackInput): VerifyKnoxCallbackResult {
  try {
    return verify(input);
  } catch {
    return { ok: false, reason: KnoxCallbackFailure.signatureMismatch };
  }
}

function verify(input: VerifyKnoxCallbackInput): VerifyKnoxCallbackResult {
  const body = toBuffer(input.body);
  const nonce = readHeader(input.headers, KnoxCallbackHeader.nonce)?.trim() || undefined;
  const header = readHeader(input.headers, KnoxCallbackHeader.signature)?.trim();
  const bodyText = body.toString('utf8').trim();
  const jwsBody = header ? undefined : COMPACT_JWS.exec(bodyText);
  if (!header && !jwsBody) return { ok: false, reason: KnoxCallbackFailure.missingSignature };
  if (header !== undefined && header.length > MAX_SIGNATURE_CHARS) {
    return { ok: false, reason: KnoxCallbackFailure.malformedSignature };
  }

  const key = loadKey(input.certificatePem, (input.now ?? Date.now)());
  if ('reason' in key) return key;
  const withNonce = nonce === undefined ? {} : { nonce };

  if (jwsBody) {
    const outcome = verifyJws(jwsBody, key.key, undefined);
    if (!outcome.ok) return outcome;
    return { ok: true, payload: outcome.payload, scheme: 'jws', algorithm: outcome.algorithm, ...withNonce };
  }
  const signature = header ?? '';
  const jws = COMPACT_JWS.exec(signature);
  if (jws) {
    const outcome = verifyJws(jws, key.key, body);
    if (!outcome.ok) return outcome;
    return {
      ok: true,
      payload: body.toString('utf8'),
      scheme: 'jws',
      algorithm: outcome.algorithm,
      ...withNonce,
    };
  }
  const outcome = verifyRaw(signature, key.key, body);
  if (!outcome.ok) return outcome;
  return {
    ok: true,
    payload: body.toString('utf8'),
    scheme: 'raw',
    algorithm: outcome.algorithm,
    ...withNonce,
  };
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

function verifyJws(
  parts: RegExpExecArray,
  key: KeyObject,
  body: Buffer | undefined,
): { readonly ok: true; readonly algorithm: string; readonly payload: string } | Failure {
  const [, protectedHeader = '', payloadPart = '', signaturePart = ''] = parts;
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(protectedHeader, 'base64url').toString('utf8')) as { alg?: unknown })?.alg;
  } catch {
    return { ok: false, reason: KnoxCallbackFailure.malformedSignature };
  }
  const spec = typeof alg === 'string' ? JWS_ALGORITHMS[alg] : undefined;
  if (spec === undefined) return { ok: false, reason: KnoxCallbackFailure.unsupportedAlgorithm };
  if (payloadPart === '' && body === undefined)
    return { ok: false, reason: KnoxCallbackFailure.malformedSignature };
  const signingPayload = payloadPart === '' ? (body ?? Buffer.alloc(0)).toString('base64url') : payloadPart;
  const signature = Buffer.from(signaturePart, 'base64url');
  const signingInput = Buffer.from(`${protectedHeader}.${signingPayload}`, 'ascii');
  const keyInput =
    spec.kind === 'pss'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : spec.kind === 'ec'
        ? { key, dsaEncoding: 'ieee-p1363' as const }
        : key;
  const expectedType = spec.kind === 'ec' ? 'ec' : 'rsa';
  if (
    key.asymmetricKeyType !== expectedType &&
    !(spec.kind === 'pss' && key.asymmetricKeyType === 'rsa-pss')
  ) {
    return { ok: false, reason: KnoxCallbackFailure.unsupportedAlgorithm };
  }
  if (!safeVerify(spec.hash, signingInput, keyInput, signature)) {
    return { ok: false, reason: KnoxCallbackFailure.signatureMismatch };
  }
  const payload = payloadPart === '' ? (body ?? Buffer.alloc(0)) : Buffer.from(payloadPart, 'base64url');
  // An attached payload must be the body we received, or a valid signature could vouch for
  // different content than the one we are about to act on.
  if (body !== undefined && payloadPart !== '' && !payload.equals(body)) {
    return { ok: false, reason: KnoxCallbackFailure.payloadMismatch };
  }
  return { ok: true, algorithm: String(alg), payload: payload.toString('utf8') };
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

export interface SignKnoxCallbackOptions {
  /** `raw` (default): base64 RSA-SHA256 over the body; `jws`: a detached compact JWS. */
  readonly scheme?: 'raw' | 'jws';
  /** For `jws`: RS256 (default) or RS512. */
  readonly algorithm?: 'RS256' | 'RS512';
}

/**
 * Signs a callback body the way `verifyKnoxCallback` expects Knox Webhook Notification to (for
 * the local simulator and tests) and returns the `x-knox-signature` header value.
 *
 * @example
 * const body = JSON.stringify({ eventType: 'KG_DEVICE_LOCKED', deviceUid: '356938035643809' });
 * const headers = { 'x-knox-signature': signKnoxCallback(body, privateKeyPem) };
 */
export function signKnoxCallback(
  body: string | Uint8Array,
  privateKeyPem: string,
  options: SignKnoxCallbackOptions = {},
): string {
  const key = createPrivateKey(privateKeyPem);
  const bytes = toBuffer(body);
  if (options.scheme !== 'jws') return cryptoSign('sha256', bytes, key).toString('base64');
  const alg = options.algorithm ?? 'RS256';
  const protectedHeader = Buffer.from(JSON.stringify({ alg })).toString('base64url');
  const signingInput = Buffer.from(`${protectedHeader}.${bytes.toString('base64url')}`, 'ascii');
  const signature = cryptoSign(alg === 'RS512' ? 'sha512' : 'sha256', signingInput, key).toString(
    'base64url',
  );
  return `${protectedHeader}..${signature}`;
}
