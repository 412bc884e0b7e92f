import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../lib/knox';
import { signKnoxJwt } from '../../../lib/knox/knoxJwt';
import { createCertificate, type KeyFormat, verifyKnoxToken } from '../../../local/simulator';

// Samsung's library is CommonJS and reads certificate.json from a file path.
const require = createRequire(import.meta.url);
const knoxLib = require('knox-token-library-js') as {
  generateSignedClientIdentifierJWT(file: string, clientIdentifier: string): string;
  generateSignedAccessTokenJWT(file: string, accessToken: string): string;
  generateBase64EncodedStringPublicKey(file: string): string;
};
const jsonwebtoken = require('jsonwebtoken') as {
  verify(token: string, key: string, options: object): Record<string, unknown>;
};

const decodePart = (jwt: string, index: number) =>
  JSON.parse(Buffer.from(jwt.split('.')[index] as string, 'base64url').toString('utf8'));
const withoutVolatile = ({ iat: _i, exp: _e, jti: _j, ...rest }: Record<string, unknown>) => rest;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'knox-interop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(['pem', 'pkcs1', 'der'] as KeyFormat[])('tokens with a %s certificate.json', (format) => {
  const certificate = createCertificate(format);
  const credentials = parseCertificate(certificate);
  const publicPem = createPublicKey({
    key: Buffer.from(credentials.publicKeyBase64, 'base64'),
    format: 'der',
    type: 'spki',
  })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const file = () => join(dir, `certificate-${format}.json`);

  beforeAll(async () => {
    await writeFile(file(), JSON.stringify(certificate));
  });

  it('encodes the public key exactly as the library does', () => {
    expect(credentials.publicKeyBase64).toBe(knoxLib.generateBase64EncodedStringPublicKey(file()));
  });

  it.each([
    [
      'client identifier',
      { clientIdentifier: 'client-abc' },
      (f: string) => knoxLib.generateSignedClientIdentifierJWT(f, 'client-abc'),
    ],
    [
      'access token',
      { accessToken: 'access-xyz' },
      (f: string) => knoxLib.generateSignedAccessTokenJWT(f, 'access-xyz'),
    ],
  ] as const)(
    'signs the %s JWT interchangeably with knox-token-library-js',
    (_name, claim, signWithLibrary) => {
      const now = Date.now();
      const theirs = signWithLibrary(file());
      const ours = signKnoxJwt({ ...claim, publicKey: credentials.publicKeyBase64 }, credentials.privateKey, {
        now,
      });

      // Same header and the same claims, in the same order, apart from the per-token values.
      expect(decodePart(ours, 0)).toEqual(decodePart(theirs, 0));
      expect(decodePart(ours, 0)).toEqual({ alg: 'RS512', typ: 'JWT' });
      expect(Object.keys(decodePart(ours, 1))).toEqual(Object.keys(decodePart(theirs, 1)));
      expect(withoutVolatile(decodePart(ours, 1))).toEqual(withoutVolatile(decodePart(theirs, 1)));
      for (const token of [ours, theirs]) {
        const payload = decodePart(token, 1);
        expect(payload.exp - payload.iat).toBe(1800);
        expect(payload.jti).toMatch(/^[0-9a-f-]{72}$/);
      }
      expect(decodePart(ours, 1).jti).not.toBe(decodePart(theirs, 1).jti);

      // Each verifies with the certificate's public key, by jsonwebtoken and by the simulator's verifier.
      for (const token of [ours, theirs]) {
        expect(
          jsonwebtoken.verify(token, publicPem, { algorithms: ['RS512'], audience: 'KnoxWSM' }),
        ).toMatchObject(claim);
        expect(verifyKnoxToken(token, credentials.publicKeyBase64, Date.now())).toMatchObject({ ok: true });
      }
    },
  );

  it('rejects a token whose payload was altered after signing', () => {
    const tampered = signKnoxJwt({ clientIdentifier: 'x', publicKey: 'y' }, credentials.privateKey, {
      now: Date.now(),
    });
    const [h, , s] = tampered.split('.') as [string, string, string];
    const forged = `${h}.${Buffer.from(JSON.stringify({ clientIdentifier: 'evil', aud: 'KnoxWSM', exp: 9e9 })).toString('base64url')}.${s}`;
    expect(verifyKnoxToken(forged, credentials.publicKeyBase64, Date.now())).toMatchObject({ ok: false });
  });
});
