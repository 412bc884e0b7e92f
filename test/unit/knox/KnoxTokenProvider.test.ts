import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decode } from '../../../lib/errors';
import { parseCertificate } from '../../../lib/knox';
import { KnoxTokenProvider } from '../../../lib/knox/KnoxTokenProvider';
import { FakeClock } from '../../helpers/knoxTestKit';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const credentials = parseCertificate({
  Public: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  Private: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
});

const decodePart = (jwt: string, index: number) =>
  JSON.parse(Buffer.from(jwt.split('.')[index] as string, 'base64url').toString('utf8'));

function setup(refreshMarginMs?: number) {
  const clock = new FakeClock();
  const requests: Record<string, unknown>[] = [];
  const tokens = new KnoxTokenProvider({
    credentials,
    clientIdentifier: 'client-123',
    clock,
    ...(refreshMarginMs === undefined ? {} : { refreshMarginMs }),
    issue: async (body) => {
      requests.push({ ...body() });
      return { accessToken: `access-${requests.length}` };
    },
  });
  return { clock, requests, tokens };
}

describe('KnoxTokenProvider', () => {
  it('requests an access token with a signed client identifier and signs the access token', async () => {
    const { clock, requests, tokens } = setup();
    const apiToken = await tokens.apiToken();

    expect(requests).toHaveLength(1);
    const request = requests[0] as Record<string, string>;
    expect(request.base64EncodedStringPublicKey).toBe(credentials.publicKeyBase64);
    expect(request.validityForAccessTokenInMinutes).toBe(30);
    const iat = Math.floor(clock.now() / 1000);
    expect(decodePart(request.clientIdentifierJwt as string, 1)).toEqual({
      clientIdentifier: 'client-123',
      publicKey: credentials.publicKeyBase64,
      iat,
      exp: iat + 1800,
      aud: 'KnoxWSM',
      jti: expect.stringMatching(/^[0-9a-f-]{72}$/),
    });
    expect(decodePart(apiToken, 0)).toEqual({ alg: 'RS512', typ: 'JWT' });
    expect(decodePart(apiToken, 1)).toMatchObject({
      accessToken: 'access-1',
      publicKey: credentials.publicKeyBase64,
    });
    const [h, p, s] = apiToken.split('.') as [string, string, string];
    const key = createPublicKey({
      key: Buffer.from(credentials.publicKeyBase64, 'base64'),
      format: 'der',
      type: 'spki',
    });
    expect(verify('sha512', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('caches the token until the refresh margin before expiry, then repeats the flow', async () => {
    const { clock, requests, tokens } = setup(5 * 60_000);
    const first = await tokens.apiToken();
    clock.advance(24 * 60_000);
    expect(await tokens.apiToken()).toBe(first);
    clock.advance(60_000); // 25 minutes: inside the 5-minute margin
    const second = await tokens.apiToken();
    expect(second).not.toBe(first);
    expect(requests).toHaveLength(2);
    expect(decodePart(second, 1).accessToken).toBe('access-2');
    expect(tokens.issuedCount).toBe(2);
  });

  it('uses a fresh jti for every signed token', async () => {
    const { clock, requests, tokens } = setup();
    await tokens.apiToken();
    clock.advance(31 * 60_000);
    await tokens.apiToken();
    const jtis = requests.map((r) => decodePart(r.clientIdentifierJwt as string, 1).jti);
    expect(new Set(jtis).size).toBe(2);
  });

  it('shares one renewal between concurrent callers', async () => {
    const { requests, tokens } = setup();
    const all = await Promise.all([tokens.apiToken(), tokens.apiToken(), tokens.apiToken()]);
    expect(new Set(all).size).toBe(1);
    expect(requests).toHaveLength(1);
  });

  it('invalidates only the token that was rejected', async () => {
    const { requests, tokens } = setup();
    const first = await tokens.apiToken();
    tokens.invalidate('some-older-token');
    expect(await tokens.apiToken()).toBe(first);
    tokens.invalidate(first);
    expect(await tokens.apiToken()).not.toBe(first);
    expect(requests).toHaveLength(2);
  });

  it('signs a new JWT with a new jti for every attempt of one token request', async () => {
    const clock = new FakeClock();
    const bodies: { clientIdentifierJwt: string }[] = [];
    const tokens = new KnoxTokenProvider({
      credentials,
      clientIdentifier: 'c',
      clock,
      // What the retrying HTTP call does: one body per attempt (here: two lost answers, then one).
      issue: async (body) => {
        for (let attempt = 0; attempt < 3; attempt += 1) {
          bodies.push(body());
          clock.advance(1500);
        }
        return { accessToken: 'at' };
      },
    });
    await tokens.apiToken();
    const jtis = bodies.map((b) => decodePart(b.clientIdentifierJwt, 1).jti);
    expect(new Set(jtis).size).toBe(3);
    expect(new Set(bodies.map((b) => b.clientIdentifierJwt)).size).toBe(3);
  });

  it('asks once more with a fresh JWT when Knox answers 4002250 API_KEY_NON_UNIQUE_JWTID', async () => {
    const nonUnique = decode({
      status: 400,
      body: '{"code":4002250,"message":"API_KEY_NON_UNIQUE_JWTID","data":"Cannot use the same jwt again."}',
    });
    if (nonUnique.ok) throw new Error('expected a failure');
    const sent: string[] = [];
    const tokens = new KnoxTokenProvider({
      credentials,
      clientIdentifier: 'c',
      clock: new FakeClock(),
      issue: async (body) => {
        sent.push(decodePart(body().clientIdentifierJwt, 1).jti);
        if (sent.length === 1) throw nonUnique.error;
        return { accessToken: 'at' };
      },
    });
    await tokens.apiToken();
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toBe(sent[1]);
  });

  it('surfaces a second 4002250 instead of asking forever', async () => {
    const nonUnique = decode({
      status: 400,
      body: '{"code":["4002250"],"message":["API_KEY_NON_UNIQUE_JWTID"]}',
    });
    if (nonUnique.ok) throw new Error('expected a failure');
    let calls = 0;
    const tokens = new KnoxTokenProvider({
      credentials,
      clientIdentifier: 'c',
      clock: new FakeClock(),
      issue: async () => {
        calls += 1;
        throw nonUnique.error;
      },
    });
    await expect(tokens.apiToken()).rejects.toMatchObject({ code: '4002250' });
    expect(calls).toBe(2);
  });

  it('tells the age of the current token, and nothing about others', async () => {
    const { clock, tokens } = setup();
    const token = await tokens.apiToken();
    clock.advance(4000);
    expect(tokens.ageOf(token)).toBe(4000);
    expect(tokens.ageOf('another-token')).toBeUndefined();
    tokens.invalidate(token);
    expect(tokens.ageOf(token)).toBeUndefined();
  });

  it('fails with MALFORMED_RESPONSE when the answer has no accessToken', async () => {
    const tokens = new KnoxTokenProvider({
      credentials,
      clientIdentifier: 'c',
      clock: new FakeClock(),
      issue: async () => ({ token: 'wrong-field' }),
    });
    await expect(tokens.apiToken()).rejects.toMatchObject({
      name: 'KnoxGuardError',
      code: 'MALFORMED_RESPONSE',
    });
  });
});
