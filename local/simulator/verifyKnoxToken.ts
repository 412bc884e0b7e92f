import { createPublicKey, verify } from 'node:crypto';

/**
 * A failed check says whether the token was merely expired (Knox Cloud Authentication answers
 * that 4030000 AUTHENTICATION_FAIL, KBA-1242) or not a valid token at all (40122050
 * ACCESS_TOKEN_BAD_REQUEST, "Jwt improperly created").
 */
export type TokenCheck =
  | { ok: true; payload: Record<string, unknown> }
  | { ok: false; reason: string; expired: boolean };

/** Reads a JWT's payload without verifying it (to find out which key should verify it). */
export function peekJwtPayload(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a Knox Cloud JWT the way Knox does, written independently of the client's signer so
 * the two cannot share a mistake: RS512 signature with the registered public key (base64 DER
 * SPKI), `aud` KnoxWSM, `exp` in the future by the simulator's clock.
 */
export function verifyKnoxToken(token: string, publicKeyBase64: string, nowMs: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'The token is not a JWT.', expired: false };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: unknown };
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'The token header is not JSON.', expired: false };
  }
  if (header.alg !== 'RS512')
    return { ok: false, reason: `Unsupported algorithm ${String(header.alg)}.`, expired: false };
  const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  const valid = verify(
    'sha512',
    Buffer.from(`${headerPart}.${payloadPart}`),
    key,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid)
    return {
      ok: false,
      reason: 'The token signature does not verify with the registered key.',
      expired: false,
    };
  const payload = peekJwtPayload(token);
  if (!payload) return { ok: false, reason: 'The token payload is not JSON.', expired: false };
  if (payload.aud !== 'KnoxWSM')
    return { ok: false, reason: 'The token audience is not KnoxWSM.', expired: false };
  if (typeof payload.exp !== 'number' || payload.exp * 1000 <= nowMs)
    return { ok: false, reason: 'The token has expired.', expired: true };
  return { ok: true, payload };
}
