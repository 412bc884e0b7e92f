import { createPublicKey, verify } from 'node:crypto';

export type TokenCheck = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: string };

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
  if (parts.length !== 3) return { ok: false, reason: 'The token is not a JWT.' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: unknown };
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'The token header is not JSON.' };
  }
  if (header.alg !== 'RS512') return { ok: false, reason: `Unsupported algorithm ${String(header.alg)}.` };
  const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  const valid = verify(
    'sha512',
    Buffer.from(`${headerPart}.${payloadPart}`),
    key,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid) return { ok: false, reason: 'The token signature does not verify with the registered key.' };
  const payload = peekJwtPayload(token);
  if (!payload) return { ok: false, reason: 'The token payload is not JSON.' };
  if (payload.aud !== 'KnoxWSM') return { ok: false, reason: 'The token audience is not KnoxWSM.' };
  if (typeof payload.exp !== 'number' || payload.exp * 1000 <= nowMs)
    return { ok: false, reason: 'The token has expired.' };
  return { ok: true, payload };
}
