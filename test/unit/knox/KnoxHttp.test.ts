import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KnoxGuardError } from '../../../lib/errors';
import { createKnoxClient, type HttpTransport, KnoxRequestError } from '../../../lib/knox';
import { type HttpRequest, type HttpResponse, HttpTransportError } from '../../../lib/knox/HttpTransport';
import { FakeClock } from '../../helpers/knoxTestKit';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const certificate = {
  Public: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  Private: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};

type Reply = HttpResponse | HttpTransportError;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  body: JSON.stringify(body),
});
const tokenAnswer = json(200, { accessToken: 'at-1' });

/** A transport that answers the token request, then the scripted replies in order. */
function scripted(replies: Reply[]) {
  const requests: HttpRequest[] = [];
  const transport: HttpTransport = {
    async send(request) {
      requests.push(request);
      if (request.url.endsWith('/ams/v1/users/accesstoken')) return tokenAnswer;
      const reply = replies.shift();
      if (!reply) throw new Error(`unexpected request ${request.url}`);
      if (reply instanceof HttpTransportError) throw reply;
      return reply;
    },
  };
  return { transport, requests, api: () => requests.filter((r) => !r.url.endsWith('/accesstoken')) };
}

function client(transport: HttpTransport, clock = new FakeClock(), extra = {}) {
  return createKnoxClient({
    baseUrl: 'https://knox.test/',
    clientIdentifier: 'cid',
    certificate,
    transport,
    clock,
    sleep: clock.sleep,
    random: () => 0.5,
    baseDelayMs: 100,
    maxDelayMs: 10_000,
    ...extra,
  });
}

const who = { result: 'SUCCESS', tenantId: 'T1' };

describe('the client request loop (injected transport)', () => {
  it('sends the signed token header and JSON headers to the base URL', async () => {
    const { transport, api } = scripted([json(200, who)]);
    await expect(client(transport).whoAmI()).resolves.toEqual(who);
    const request = api()[0] as HttpRequest;
    expect(request.url).toBe('https://knox.test/kcs/v1.1/kg/authorization');
    expect(request.method).toBe('GET');
    expect(request.headers['x-knox-apitoken']).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(request.headers.accept).toBe('application/json');
  });

  it('retries 5xx and timeouts with full-jitter backoff from the injected random', async () => {
    const clock = new FakeClock();
    const { transport, api } = scripted([
      json(503, { result: 'FAIL' }),
      new HttpTransportError('timeout', 'slow'),
      new HttpTransportError('transport', 'ECONNRESET'),
      json(200, who),
    ]);
    await expect(client(transport, clock).whoAmI()).resolves.toEqual(who);
    expect(api()).toHaveLength(4);
    expect(clock.sleeps).toEqual([50, 100, 200]); // 0.5 * 100 * 2^(n-1)
  });

  it('honours Retry-After on 429', async () => {
    const clock = new FakeClock();
    const { transport } = scripted([json(429, {}, { 'retry-after': '7' }), json(200, who)]);
    await client(transport, clock).whoAmI();
    expect(clock.sleeps).toEqual([7000]);
  });

  it('backs off on 429s whose Retry-After is -5, +5, 1.5 and 0 instead of resending at once', async () => {
    // Prepare: the four values that were read as "0 s" (Date.parse('-5') is a date)
    const clock = new FakeClock();
    const { transport, api } = scripted([
      ...['-5', '+5', '1.5', '0'].map((value) => json(429, {}, { 'retry-after': value })),
      json(200, who),
    ]);
    // Act
    await expect(client(transport, clock).whoAmI({ deadline: clock.now() + 60_000 })).resolves.toEqual(who);
    // Assess: the full-jitter backoff (0.5 * 100 * 2^(n-1)), never 0
    expect(api()).toHaveLength(5);
    expect(clock.sleeps).toEqual([50, 100, 200, 400]);
  });

  it('caps a long Retry-After at maxDelayMs when the deadline leaves time for the window', async () => {
    const clock = new FakeClock();
    const { transport } = scripted([json(429, {}, { 'retry-after': '3600' }), json(200, who)]);
    await client(transport, clock).whoAmI();
    expect(clock.sleeps).toEqual([10_000]);
  });

  it('gives up at once when the Retry-After window ends past the deadline, even above the cap', async () => {
    const clock = new FakeClock();
    const { transport, api } = scripted([json(429, {}, { 'retry-after': '3600' }), json(200, who)]);
    const error = await client(transport, clock)
      .whoAmI({ deadline: clock.now() + 60_000 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ httpStatus: 429, retryAfter: 3600 });
    expect(api()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('rides out a 429 storm for as long as the deadline allows, not for 5 attempts', async () => {
    // Prepare: 30 answers of 429 (about 2.5 minutes of capped backoff), then success
    const clock = new FakeClock();
    const { transport, api } = scripted([...Array.from({ length: 30 }, () => json(429, {})), json(200, who)]);
    // Act
    const started = clock.now();
    await expect(client(transport, clock).whoAmI({ deadline: started + 10 * 60_000 })).resolves.toEqual(who);
    // Assess
    expect(api()).toHaveLength(31);
    expect(clock.now() - started).toBeGreaterThan(60_000);
  });

  it('ends a 429 storm at the deadline with the 429, never sleeping past it', async () => {
    const clock = new FakeClock();
    const { transport } = scripted(Array.from({ length: 50 }, () => json(429, {})));
    const deadline = clock.now() + 30_000;
    const error = await client(transport, clock)
      .whoAmI({ deadline })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ httpStatus: 429 });
    expect(clock.now()).toBeLessThan(deadline);
  });

  it('retries a token answer without accessToken (MALFORMED_RESPONSE is retryable, so retried)', async () => {
    const clock = new FakeClock();
    const tokenReplies = [json(200, { result: 'SUCCESS' }), json(200, { accessToken: 'at-2' })];
    const requests: HttpRequest[] = [];
    const transport: HttpTransport = {
      async send(request) {
        requests.push(request);
        if (request.url.endsWith('/ams/v1/users/accesstoken')) return tokenReplies.shift() ?? tokenAnswer;
        return json(200, who);
      },
    };
    await expect(client(transport, clock).whoAmI()).resolves.toEqual(who);
    expect(requests.filter((r) => r.url.endsWith('/accesstoken'))).toHaveLength(2);
    expect(clock.sleeps).toEqual([50]);
  });

  it('retries a device list answer without deviceList or with an entry without ids', async () => {
    const clock = new FakeClock();
    const { transport, api } = scripted([
      json(200, { totalCount: 1 }),
      json(200, { totalCount: 1, deviceList: [{ deviceUid: '356938035643809' }] }),
      json(200, {
        totalCount: 1,
        deviceList: [{ deviceUid: '356938035643809', objectId: 'KG1', status: 'Enrolled' }],
      }),
    ]);
    const page = await client(transport, clock).listDevices({ pageNum: 0, pageSize: 10 });
    expect(page.devices.map((d) => d.deviceUid)).toEqual(['356938035643809']);
    expect(api()).toHaveLength(3);
  });

  it('retries a licence list answer without licenseList', async () => {
    const clock = new FakeClock();
    const { transport, api } = scripted([
      json(200, {}),
      json(200, { licenseList: [{ licenseKey: 'K1', name: 'n', totalSeats: 5, usedSeats: 1 }] }),
    ]);
    const licences = await client(transport, clock, { unverifiedLicenceApi: true }).listLicenses();
    expect(licences).toHaveLength(1);
    expect(api()).toHaveLength(2);
  });

  it('never retries a non-retryable Knox code', async () => {
    const clock = new FakeClock();
    const blocked = {
      result: 'FAIL',
      error: { code: '4030104', message: 'USER_BLOCKED_STATE', reason: 'blocked' },
    };
    const { transport, api } = scripted([json(403, blocked)]);
    const error = await client(transport, clock)
      .whoAmI()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KnoxGuardError);
    expect(error).toMatchObject({ codeName: 'USER_BLOCKED_STATE', retryable: false });
    expect(api()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { transport, api } = scripted(Array.from({ length: 3 }, () => json(500, { result: 'FAIL' })));
    const error = await client(transport, new FakeClock(), { maxAttempts: 3 })
      .whoAmI()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ httpStatus: 500, retryable: true });
    expect(api()).toHaveLength(3);
  });

  it('stops retrying when the next wait would pass the deadline', async () => {
    const clock = new FakeClock();
    const { transport, api } = scripted([json(429, {}, { 'retry-after': '30' }), json(200, who)]);
    const error = await client(transport, clock)
      .whoAmI({ deadline: clock.now() + 10_000 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ httpStatus: 429, retryAfter: 30 });
    expect(api()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('fails without sending when the deadline already passed', async () => {
    const clock = new FakeClock();
    const { transport, requests } = scripted([]);
    const error = await client(transport, clock)
      .whoAmI({ deadline: clock.now() - 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(requests).toHaveLength(0);
  });

  it('caps the request timeout at the time left before the deadline', async () => {
    const clock = new FakeClock();
    const { transport, api } = scripted([json(200, who)]);
    await client(transport, clock, { requestTimeoutMs: 15_000 }).whoAmI({ deadline: clock.now() + 2500 });
    expect(api()[0]?.timeoutMs).toBe(2500);
  });

  it('treats a truncated 2xx body as a retryable MALFORMED_RESPONSE', async () => {
    const { transport, api } = scripted([
      { status: 200, headers: {}, body: '{"result":"SUCC' },
      json(200, who),
    ]);
    await expect(client(transport).whoAmI()).resolves.toEqual(who);
    expect(api()).toHaveLength(2);
  });

  it('renews the token once on a 401 and resends without waiting', async () => {
    const clock = new FakeClock();
    const unauthorized = json(401, {
      result: 'FAIL',
      error: { code: 4010000, message: 'AUTHORIZATION_FAIL' },
    });
    const { transport, requests } = scripted([unauthorized, json(200, who)]);
    await expect(client(transport, clock).whoAmI()).resolves.toEqual(who);
    expect(requests.filter((r) => r.url.endsWith('/accesstoken'))).toHaveLength(2);
    expect(clock.sleeps).toEqual([]);
  });

  it('surfaces the second 401 instead of renewing forever', async () => {
    const unauthorized = json(401, {
      result: 'FAIL',
      error: { code: 4010000, message: 'AUTHORIZATION_FAIL' },
    });
    const { transport, requests } = scripted([unauthorized, unauthorized]);
    await expect(client(transport).whoAmI()).rejects.toMatchObject({ codeName: 'AUTHORIZATION_FAIL' });
    expect(requests.filter((r) => r.url.endsWith('/accesstoken'))).toHaveLength(2);
  });

  it('throws KnoxRequestError for invalid arguments before sending anything', async () => {
    const { transport, requests } = scripted([]);
    const knox = client(transport);
    await expect(knox.execute('lock', ['1'], { message: 'x'.repeat(400), tel: '+1' })).rejects.toBeInstanceOf(
      KnoxRequestError,
    );
    await expect(knox.execute('blink', ['1'], { message: 'Pay' })).rejects.toMatchObject({
      name: 'KnoxRequestError',
      field: 'contact',
    });
    expect(requests).toHaveLength(0);
  });

  it('answers an empty device list without a request', async () => {
    const { transport, requests } = scripted([]);
    await expect(client(transport).execute('unlock', [])).resolves.toEqual({
      operation: 'unlock',
      results: [],
    });
    expect(requests).toHaveLength(0);
  });

  it('rejects a malformed certificate when the client is built', () => {
    expect(() => createKnoxClient({ baseUrl: 'x', clientIdentifier: 'c', certificate: '{}' })).toThrow(
      /KnoxCertificateError|no "Private"/,
    );
  });
});
