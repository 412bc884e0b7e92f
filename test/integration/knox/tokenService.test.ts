// The token service (Knox Cloud Authentication) over real HTTP against the simulator: a token
// answer lost after Knox recorded the jti, the service's own error codes and envelopes, the
// renew-once rule on expiry answers, and clock skew all the way to one alert on local SNS.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAlertRules } from '../../../lib/alerts';
import { decode, KnoxGuardError, serviceFailure } from '../../../lib/errors';
import { type HttpTransport, nodeHttpTransport, parseCertificate } from '../../../lib/knox';
import type { HttpRequest } from '../../../lib/knox/HttpTransport';
import { signKnoxJwt } from '../../../lib/knox/knoxJwt';
import { CHUNK_MESSAGE_VERSION, executeChunk, observationOf } from '../../../lib/operations';
import {
  createAlertStateTable,
  createAlertTopic,
  createInbox,
  type LocalAws,
  readInbox,
  startLocalAws,
} from '../../../local/aws';
import type { KnoxSimulatorOptions } from '../../../local/simulator';
import { createWorker } from '../../helpers/awsAlerts';
import { type KnoxTestBed, startKnoxTestBed } from '../../helpers/knoxTestKit';

const TOKEN_PATH = '/ams/v1/users/accesstoken';
let bed: KnoxTestBed | undefined;
afterEach(async () => {
  await bed?.sim.close();
  bed = undefined;
});

async function start(options: KnoxSimulatorOptions = {}): Promise<KnoxTestBed> {
  bed = await startKnoxTestBed(options, { maxAttempts: 3 });
  return bed;
}

const tokenRequests = (b: KnoxTestBed) => b.sim.stats.byPath[TOKEN_PATH] ?? 0;
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));

/** The real node:http transport, noting every request it sends (to read the headers back). */
function recording(): { transport: HttpTransport; sent: HttpRequest[] } {
  const inner = nodeHttpTransport();
  const sent: HttpRequest[] = [];
  return {
    sent,
    transport: {
      send(request) {
        sent.push(request);
        return inner.send(request);
      },
    },
  };
}

/** Posts a token request body as is, for answers the client would not provoke. */
async function postToken(b: KnoxTestBed, body: unknown) {
  const answer = await fetch(`${b.sim.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await answer.text();
  return { status: answer.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

function signedRequest(b: KnoxTestBed, signingKey = parseCertificate(b.sim.certificate).privateKey) {
  const credentials = parseCertificate(b.sim.certificate);
  return {
    clientIdentifierJwt: signKnoxJwt(
      { clientIdentifier: b.sim.clientIdentifier, publicKey: credentials.publicKeyBase64 },
      signingKey,
      { now: b.clock.now() },
    ),
    base64EncodedStringPublicKey: credentials.publicKeyBase64,
    validityForAccessTokenInMinutes: 30,
  };
}

describe('a token answer lost after Knox recorded the jti', () => {
  it('is retried with a freshly signed JWT; one access token is in use', async () => {
    const b = await start();
    const { transport, sent } = recording();
    const client = b.makeClient({ transport });
    // Knox handles the request (records the jti, issues a token), then the connection dies.
    b.sim.faults.push({ path: TOKEN_PATH, dropAnswer: true });

    await expect(client.whoAmI()).resolves.toMatchObject({ result: 'SUCCESS' });
    await client.whoAmI();
    await client.listDevices({ pageNum: 0, pageSize: 5 });

    const tokenBodies = sent.filter((r) => r.url.endsWith(TOKEN_PATH)).map((r) => JSON.parse(r.body ?? '{}'));
    expect(tokenBodies).toHaveLength(2);
    const jtis = tokenBodies.map((body) => claims(body.clientIdentifierJwt).jti);
    expect(jtis[0]).not.toBe(jtis[1]);
    expect([...b.sim.state.usedJtis].sort()).toEqual([...jtis].sort()); // Knox saw both
    expect(b.sim.state.accessTokens.size).toBe(2); // the first was issued, then lost on the way back
    const inUse = new Set(
      sent
        .filter((r) => !r.url.endsWith(TOKEN_PATH))
        .map((r) => claims(r.headers['x-knox-apitoken'] ?? '').accessToken),
    );
    expect(inUse.size).toBe(1);
    expect(b.sim.stats.byStatus['400'] ?? 0).toBe(0); // no 4002250 on the way
  });

  it('refuses the same JWT a second time with 4002250 in the token-service envelope, in both forms', async () => {
    for (const form of ['object', 'array'] as const) {
      const b = await start({ tokenErrorForm: form });
      const request = signedRequest(b);
      expect((await postToken(b, request)).json).toEqual({ accessToken: expect.any(String) });
      const again = await postToken(b, request);
      expect(again.status).toBe(400);
      const wrap = (value: unknown) => (form === 'array' ? [value] : value);
      expect(again.json).toEqual({
        code: wrap(expect.toSatisfy((code: unknown) => String(code) === '4002250')),
        message: wrap('API_KEY_NON_UNIQUE_JWTID'),
        data: wrap(expect.stringMatching(/same jwt/)),
      });
      expect(again.json).not.toHaveProperty('result');
      const decoded = decode({ status: again.status, body: again.text });
      expect(decoded.ok ? undefined : decoded.failure.codeName).toBe('API_KEY_NON_UNIQUE_JWTID');
      await b.sim.close();
      bed = undefined;
    }
  });
});

describe('token-service failures with their own codes', () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherKey = other.privateKey;

  it.each(['object', 'array'] as const)('the client reads each (%s form) as its named code', async (form) => {
    const b = await start({ tokenErrorForm: form });
    // A key pair of its own under the registered client identifier: not the key Knox holds.
    const wrongKeyClient = b.makeClient({
      certificate: {
        Public: other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        Private: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    await expect(wrongKeyClient.whoAmI()).rejects.toMatchObject({
      code: '4030000',
      codeName: 'AUTHENTICATION_FAIL',
      receivedStatus: 403,
      known: true,
    });
    await expect(
      b.makeClient({ clientIdentifier: 'not-a-registered-client' }).whoAmI(),
    ).rejects.toMatchObject({
      code: '4030000',
    });
    b.sim.state.primaryKey.allowedIps = ['203.0.113.10'];
    await expect(b.client.whoAmI()).rejects.toMatchObject({
      code: '4042252',
      codeName: 'API_KEY_RESTRICTION_INVALID',
    });
    b.sim.state.primaryKey.allowedIps = undefined;
    b.sim.state.primaryKey.restrictionId = 'R-DELETED';
    await expect(b.client.whoAmI()).rejects.toMatchObject({
      code: '4042251',
      codeName: 'API_KEY_RESTRICTION_NOT_FOUND',
    });
  });

  it('answers a forged signature with 40122050 and a non-int32 validity with 4002251', async () => {
    const b = await start();
    const forged = await postToken(b, signedRequest(b, otherKey));
    expect(forged.status).toBe(401);
    expect(decode({ status: forged.status, body: forged.text })).toMatchObject({
      ok: false,
      failure: { code: '40122050', codeName: 'ACCESS_TOKEN_BAD_REQUEST' },
    });
    const text = await postToken(b, { ...signedRequest(b), validityForAccessTokenInMinutes: '30' });
    expect(text.status).toBe(400);
    expect(decode({ status: text.status, body: text.text })).toMatchObject({
      ok: false,
      failure: { code: '4002251' },
    });
  });
});

describe('expiry answers on API calls', () => {
  const expireIssuedTokens = (b: KnoxTestBed) => {
    for (const token of b.sim.state.accessTokens.values()) token.expiresAt = b.clock.now();
  };

  it.each([
    [
      '4030000 AUTHENTICATION_FAIL, arrays, HTTP 200',
      { code: 'AUTHENTICATION_FAIL', status: 200 },
      'array',
      '200',
    ],
    ['4030000 AUTHENTICATION_FAIL, arrays, HTTP 403', { code: 'AUTHENTICATION_FAIL' }, 'array', '403'],
    ['4032251 ACCESS_TOKEN_EXPIRED, HTTP 403', { code: 'ACCESS_TOKEN_EXPIRED' }, 'object', '403'],
    [
      '4032251 ACCESS_TOKEN_EXPIRED, HTTP 401',
      { code: 'ACCESS_TOKEN_EXPIRED', status: 401 },
      'object',
      '401',
    ],
    ['4010000 AUTHORIZATION_FAIL, HTTP 401 (Knox Guard)', { code: 'AUTHORIZATION_FAIL' }, 'object', '401'],
  ] as const)('%s: renews the token once and the job goes on', async (_label, answer, form, status) => {
    const b = await start({ expiredTokenAnswer: answer, tokenErrorForm: form });
    await b.client.whoAmI();
    expireIssuedTokens(b); // Knox ends the token early; by our clock it still has 30 minutes
    await expect(b.client.whoAmI()).resolves.toMatchObject({ result: 'SUCCESS' });
    expect(tokenRequests(b)).toBe(2);
    // The refusal came once: at 200 beside two token answers and two successful calls.
    expect(b.sim.stats.byStatus[status]).toBe(status === '200' ? 5 : 1);
  });

  it('a renewed token refused as expired at once is TOKEN_CLOCK_SKEW, renewed only once', async () => {
    const b = await start({
      expireTokensAfterMs: 0, // every token expired at birth: Knox's clock and ours disagree
      expiredTokenAnswer: { code: 'AUTHENTICATION_FAIL' },
      tokenErrorForm: 'array',
    });
    const error = await b.client.whoAmI().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KnoxGuardError);
    expect(error).toMatchObject({ code: 'TOKEN_CLOCK_SKEW', severity: 'critical', scope: 'tenant' });
    expect(((error as KnoxGuardError).cause as KnoxGuardError).code).toBe('4030000');
    expect(tokenRequests(b)).toBe(2);
  });
});

describe('clock skew to alert', () => {
  let local: LocalAws;
  beforeAll(async () => {
    local = await startLocalAws();
  });
  afterAll(async () => {
    await local?.close();
  });

  it('a lock job under clock skew raises one TOKEN_CLOCK_SKEW alert with the clock runbook line', async () => {
    const b = await start({ expireTokensAfterMs: 0, expiredTokenAnswer: { code: 'ACCESS_TOKEN_EXPIRED' } });
    const ids = [1, 2, 3, 4].map(() => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid);
    const message = {
      v: CHUNK_MESSAGE_VERSION,
      stage: 'prod',
      job: 'overdue-lock',
      runId: 'run-skew',
      operation: 'lock',
      params: { message: 'Your instalment is overdue.', tel: '+15550100' },
      chunk: 0,
      attempt: 0,
      deviceUids: ids,
    } as const;
    const outcome = await executeChunk(message, { executor: b.client });
    expect(outcome.succeeded).toBe(0);
    expect(outcome.errors.map((e) => e.code)).toEqual(['TOKEN_CLOCK_SKEW']);
    expect(ids.map((id) => b.sim.state.devices.get(id)?.status)).toEqual(ids.map(() => 'Enrolled'));

    await createAlertStateTable(local, 'alert-state-skew');
    const topicArn = await createAlertTopic(local, 'alerts-skew');
    const inbox = await createInbox(local, { topicArn, name: 'inbox-skew' });
    const worker = createWorker({
      local,
      tableName: 'alert-state-skew',
      topicArn,
      clock: b.clock,
      rules: loadAlertRules({}),
    });
    try {
      await worker.pipeline.process(observationOf(message, outcome));
    } finally {
      worker.destroy();
    }
    const sent = await readInbox(local, inbox.queueUrl);
    expect(sent.map((m) => m.attributes.code)).toEqual(['TOKEN_CLOCK_SKEW']);
    const remediation = serviceFailure('TOKEN_CLOCK_SKEW', '').remediation;
    expect(sent[0]?.email).toContain(remediation);
    expect(sent[0]?.email).not.toContain(b.sim.certificate.Private.slice(40, 80));
  });
});
