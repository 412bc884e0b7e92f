import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KnoxGuardError } from '../../../lib/errors';
import { createKnoxClient, type HttpTransport } from '../../../lib/knox';
import { type HttpRequest, type HttpResponse, HttpTransportError } from '../../../lib/knox/HttpTransport';
import { FakeClock } from '../../helpers/knoxTestKit';

// The token renewal seen from the client: a stub transport answers the token service and the
// Knox Guard call with scripted replies, so every refusal shape is tried at every HTTP status.

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const certificate = {
  Public: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  Private: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
const who = { result: 'SUCCESS', tenantId: 'T1' };
const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: {},
  body: JSON.stringify(body),
});
const jtiOf = (request: HttpRequest) => {
  const jwt = (JSON.parse(request.body ?? '{}') as { clientIdentifierJwt: string }).clientIdentifierJwt;
  return JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')).jti as string;
};

type Reply = HttpResponse | HttpTransportError;

function scripted(api: Reply[], token: Reply[] = []) {
  const requests: HttpRequest[] = [];
  let issued = 0;
  const transport: HttpTransport = {
    async send(request) {
      requests.push(request);
      const queue = request.url.endsWith('/ams/v1/users/accesstoken') ? token : api;
      const reply = queue.shift();
      if (reply instanceof HttpTransportError) throw reply;
      if (reply) return reply;
      if (queue === token) return json(200, { accessToken: `at-${++issued}` });
      throw new Error(`unexpected request ${request.url}`);
    },
  };
  const tokenRequests = () => requests.filter((r) => r.url.endsWith('/accesstoken'));
  const apiTokens = () =>
    requests.filter((r) => !r.url.endsWith('/accesstoken')).map((r) => r.headers['x-knox-apitoken']);
  return { transport, requests, tokenRequests, apiTokens };
}

function client(transport: HttpTransport, clock = new FakeClock()) {
  return createKnoxClient({
    baseUrl: 'https://knox.test',
    clientIdentifier: 'cid',
    certificate,
    transport,
    clock,
    sleep: clock.sleep,
    random: () => 0.5,
    baseDelayMs: 100,
  });
}

const refusals = [
  [
    '4030000 AUTHENTICATION_FAIL, arrays (KBA-1242)',
    { code: ['4030000'], message: ['AUTHENTICATION_FAIL'], data: ['access token has expired'] },
  ],
  [
    '4030000 AUTHENTICATION_FAIL, number code',
    { code: 4030000, message: 'AUTHENTICATION_FAIL', data: 'expired' },
  ],
  ['4032251 ACCESS_TOKEN_EXPIRED', { code: 4032251, message: 'ACCESS_TOKEN_EXPIRED', data: 'expired' }],
  ['4032252 ACCESS_TOKEN_INVALID', { code: '4032252', message: 'ACCESS_TOKEN_INVALID', data: 'invalid' }],
  ['ACCESS_TOKEN_EXPIRED by name only', { message: ['ACCESS_TOKEN_EXPIRED'] }],
  [
    '4010000 AUTHORIZATION_FAIL (Knox Guard)',
    { result: 'FAIL', error: { code: 4010000, message: 'AUTHORIZATION_FAIL' } },
  ],
] as const;

describe('token renewal on a refused token', () => {
  describe.each([200, 401, 403])('at HTTP %i', (status) => {
    it.each(refusals)('renews once on %s and resends at once', async (_label, body) => {
      const clock = new FakeClock();
      const { transport, tokenRequests, apiTokens } = scripted([json(status, body), json(200, who)]);
      await expect(client(transport, clock).whoAmI()).resolves.toEqual(who);
      expect(tokenRequests()).toHaveLength(2);
      const [first, second] = apiTokens();
      expect(second).not.toBe(first); // the resend carries the new token
      expect(clock.sleeps).toEqual([]);
    });
  });

  it('does not renew on a refusal that is not about the token', async () => {
    const blocked = json(403, { result: 'FAIL', error: { code: 4030104, message: 'USER_BLOCKED_STATE' } });
    const { transport, tokenRequests } = scripted([blocked]);
    await expect(client(transport).whoAmI()).rejects.toMatchObject({ codeName: 'USER_BLOCKED_STATE' });
    expect(tokenRequests()).toHaveLength(1);
  });

  it.each([
    [
      '4030000 arrays at 200',
      200,
      { code: ['4030000'], message: ['AUTHENTICATION_FAIL'], data: ['access token has expired'] },
    ],
    ['4032251 at 403', 403, { code: 4032251, message: 'ACCESS_TOKEN_EXPIRED', data: 'expired' }],
  ] as const)(
    'reports TOKEN_CLOCK_SKEW when the renewed token is refused as expired (%s)',
    async (_l, status, body) => {
      const { transport, tokenRequests } = scripted([json(status, body), json(status, body)]);
      const error = await client(transport)
        .whoAmI()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KnoxGuardError);
      expect(error).toMatchObject({
        code: 'TOKEN_CLOCK_SKEW',
        severity: 'critical',
        scope: 'tenant',
        actionable: true,
        retryable: false,
      });
      expect((error as KnoxGuardError).reason).toMatch(/signed 0 s earlier/);
      expect(((error as KnoxGuardError).cause as KnoxGuardError).codeName).toMatch(
        /AUTHENTICATION_FAIL|ACCESS_TOKEN_EXPIRED/,
      );
      expect(tokenRequests()).toHaveLength(2); // renewed once, not forever
    },
  );

  it('surfaces a second ACCESS_TOKEN_INVALID as itself, not as clock skew', async () => {
    const invalid = json(403, { code: 4032252, message: 'ACCESS_TOKEN_INVALID', data: 'invalid' });
    const { transport } = scripted([invalid, invalid]);
    await expect(client(transport).whoAmI()).rejects.toMatchObject({ code: '4032252' });
  });

  it('signs a fresh JWT for the retry after the token answer was lost', async () => {
    const lost = new HttpTransportError('transport', 'socket hang up');
    const { transport, tokenRequests } = scripted([json(200, who)], [lost]);
    await expect(client(transport).whoAmI()).resolves.toEqual(who);
    const jtis = tokenRequests().map(jtiOf);
    expect(jtis).toHaveLength(2);
    expect(jtis[0]).not.toBe(jtis[1]);
  });

  it('gets past a 4002250 at the token service with a new JWT', async () => {
    const nonUnique = json(400, {
      code: ['4002250'],
      message: ['API_KEY_NON_UNIQUE_JWTID'],
      data: ['Cannot use the same jwt again.'],
    });
    const { transport, tokenRequests } = scripted([json(200, who)], [nonUnique]);
    await expect(client(transport).whoAmI()).resolves.toEqual(who);
    expect(new Set(tokenRequests().map(jtiOf)).size).toBe(2);
  });
});
