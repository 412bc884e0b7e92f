import { type KeyObject, randomUUID, sign } from 'node:crypto';
import { KNOX_JWT } from './constants';

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export interface SignKnoxJwtOptions {
  /** Milliseconds since the epoch; `iat` is its whole seconds, `exp` 30 minutes later. */
  readonly now: number;
  /** A unique token id; defaults to two UUIDs, the shape knox-token-library-js produces. */
  readonly jti?: string;
}

/**
 * Signs a Knox Cloud JWT exactly as Samsung's knox-token-library-js does (jsonwebtoken with
 * RS512, `aud: "KnoxWSM"`, `expiresIn: "30m"`, a fresh `jwtid`): header `{alg, typ}`, then the
 * payload claims followed by `iat`, `exp`, `aud`, `jti`, so tokens from both are interchangeable.
 *
 * @example
 * const jwt = signKnoxJwt({ clientIdentifier, publicKey: credentials.publicKeyBase64 }, credentials.privateKey, { now: Date.now() });
 */
export function signKnoxJwt(
  claims: Readonly<Record<string, string>>,
  privateKey: KeyObject,
  options: SignKnoxJwtOptions,
): string {
  const iat = Math.floor(options.now / 1000);
  const payload = {
    ...claims,
    iat,
    exp: iat + KNOX_JWT.lifetimeSeconds,
    aud: KNOX_JWT.audience,
    jti: options.jti ?? `${randomUUID()}${randomUUID()}`,
  };
  const header = { alg: KNOX_JWT.algorithm, typ: 'JWT' };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  // RS512 is RSASSA-PKCS1-v1_5 with SHA-512, node's default padding for RSA keys.
  const signature = sign('sha512', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${base64url(signature)}`;
}
