import { createPrivateKey, sign as cryptoSign, randomUUID } from 'node:crypto';
import { KnoxCallbackHeader } from './verifyKnoxCallback';

export interface SignKnoxCallbackOptions {
  /**
   * `jws` (default): a detached compact JWS, the form the evidence shows in `x-wsm-signature`;
   * `jws-attached`: the same with the base64url body as its payload part; `raw`: base64
   * RSA-SHA256 over the body (this project's earlier guess, still accepted).
   */
  readonly scheme?: 'jws' | 'jws-attached' | 'raw';
  /** For the JWS schemes: RS256 (default, as evidenced) or RS512. */
  readonly algorithm?: 'RS256' | 'RS512';
}

/**
 * Signs a callback body the way `verifyKnoxCallback` expects Knox Webhook Notification to (for
 * the local demo and tests) and returns the signature header's value: by default a detached
 * RS256 compact JWS for `x-wsm-signature`.
 *
 * @example
 * const body = JSON.stringify({ event: 'KG_DEVICE_LOCKED', payload: { deviceUid: '356938035643809' } });
 * const headers = { 'x-wsm-signature': signKnoxCallback(body, privateKeyPem) };
 */
export function signKnoxCallback(
  body: string | Uint8Array,
  privateKeyPem: string,
  options: SignKnoxCallbackOptions = {},
): string {
  const key = createPrivateKey(privateKeyPem);
  const bytes = Buffer.from(body);
  if (options.scheme === 'raw') return cryptoSign('sha256', bytes, key).toString('base64');
  const alg = options.algorithm ?? 'RS256';
  const protectedHeader = Buffer.from(JSON.stringify({ alg })).toString('base64url');
  const payload = bytes.toString('base64url');
  const signature = cryptoSign(
    alg === 'RS512' ? 'sha512' : 'sha256',
    Buffer.from(`${protectedHeader}.${payload}`, 'ascii'),
    key,
  ).toString('base64url');
  return `${protectedHeader}.${options.scheme === 'jws-attached' ? payload : ''}.${signature}`;
}

export interface KnoxCallbackHeadersOptions extends SignKnoxCallbackOptions {
  /** The `x-knox-nonce` to send; a random UUID by default, `false` for a pre-25.04 callback. */
  readonly nonce?: string | false;
  /** The `x-wsm-traceid` to send, if any. */
  readonly traceId?: string;
}

/**
 * Every header of a signed Knox callback as the evidence shows them: `content-type`,
 * `x-wsm-signature` (RS256 JWS over the body), a fresh `x-knox-nonce` and, when given,
 * `x-wsm-traceid`. For the local demo and tests.
 *
 * @example
 * await fetch(url, { method: 'POST', body, headers: knoxCallbackHeaders(body, privateKeyPem) });
 */
export function knoxCallbackHeaders(
  body: string | Uint8Array,
  privateKeyPem: string,
  options: KnoxCallbackHeadersOptions = {},
): Record<string, string> {
  const nonce = options.nonce === undefined ? randomUUID() : options.nonce;
  return {
    'content-type': 'application/json',
    [KnoxCallbackHeader.signature]: signKnoxCallback(body, privateKeyPem, options),
    ...(nonce === false ? {} : { [KnoxCallbackHeader.nonce]: nonce }),
    ...(options.traceId === undefined ? {} : { [KnoxCallbackHeader.traceId]: options.traceId }),
  };
}
