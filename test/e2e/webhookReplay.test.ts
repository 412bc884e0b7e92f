// Replay protection of Knox callbacks, end to end: the packaged webhook handler, invoked with
// real API Gateway v2 events, nonces and event records in dynalite, alerts through fauxqs's SNS.
// The handler's clock is moved with vitest's fake Date (nothing else is faked), so "26 hours
// later" is what the bundle, Powertools idempotency and the alert pipeline all see.
//
// The failure this reproduces: a genuinely signed callback replayed 26 hours later was processed
// again (the event record had expired after 24 h) and sent a new CRITICAL e-mail and SMS for a
// condition already resolved.
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { KNOX_CALLBACK_WINDOW, knoxCallbackHeaders } from '../../lib/webhooks';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';

const HOUR = 3_600_000;
const IMEI = '356938035643809';

let env: EmbeddedStack;

beforeAll(async () => {
  env = await startEmbeddedStack({ stage: 'replay', simulator: { seed: 'empty' }, logLevel: 'ERROR' });
}, 120_000);

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await env?.close();
});

const LICENSE_IS_LACK = { code: 4001809, message: 'LICENSE_IS_LACK', reason: 'No available licence.' };
const DEVICE_NOT_FOUND = { code: 4040300, message: 'DEVICE_NOT_FOUND', reason: 'Device not found.' };

/**
 * A callback in the evidenced shape whose device entry carries a failure: LICENSE_IS_LACK is a
 * critical alert (e-mail and SMS); DEVICE_NOT_FOUND goes out in the callback's digest, one per
 * processed event, so processing an event twice shows as a second digest.
 */
function callback(lastUpdatedAt: number, deviceUid: string, error = DEVICE_NOT_FOUND): string {
  return JSON.stringify({
    subscriptionId: 'sub-e2e',
    event: 'KG_DEVICE_LOCKED',
    payload: {
      deviceUid,
      objectId: `obj-${deviceUid.slice(-4)}`,
      deviceStatus: 'Active',
      lastUpdatedAt,
      tenantDomain: 'tenant.example.com',
      result: 'FAIL',
      error,
    },
  });
}

const answerOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}') as Record<string, unknown>;

describe('Knox callback replay (packaged handler, dynalite, fauxqs)', () => {
  it('a callback without a nonce (older than KWN 25.04) is processed once, by its event record', async () => {
    const body = callback(Date.now() - 60_000, '352099001761481');
    const headers = knoxCallbackHeaders(body, env.callbackSigningKeyPem, { nonce: false });
    const first = await env.http('/knox/notifications', body, headers);
    const again = await env.http('/knox/notifications', body, headers);
    expect(first.statusCode).toBe(200);
    expect(again).toEqual(first);
    expect((await env.readAlerts()).email.map((m) => m.attributes.kind)).toEqual(['digest']);
  });

  it('a signed callback whose body starts with a UTF-8 BOM is processed as the JSON it carries', async () => {
    const body = `\uFEFF${callback(Date.now() - 60_000, '353918051234568')}`;
    const answer = await env.http(
      '/knox/notifications',
      body,
      knoxCallbackHeaders(body, env.callbackSigningKeyPem),
    );
    expect(answer.statusCode).toBe(200);
    expect(answerOf(answer)).toMatchObject({ result: 'SUCCESS', events: 1 });
    expect((await env.readAlerts()).email.map((m) => m.attributes.kind)).toEqual(['digest']);
  });

  it('the same body with a new nonce 26 hours later (the nonce is not signed) is not processed again', async () => {
    const sent = Date.now();
    const body = callback(sent - 60_000, '490154203237518');
    const first = await env.http(
      '/knox/notifications',
      body,
      knoxCallbackHeaders(body, env.callbackSigningKeyPem),
    );
    expect(answerOf(first)).toEqual({ result: 'SUCCESS', events: 1, failures: 1 });
    expect((await env.readAlerts()).email.map((m) => m.attributes.kind)).toEqual(['digest']);

    vi.useFakeTimers({ toFake: ['Date'], now: sent + 26 * HOUR });
    const renonced = await env.http(
      '/knox/notifications',
      body,
      knoxCallbackHeaders(body, env.callbackSigningKeyPem, { nonce: 'a-fresh-nonce' }),
    );
    const stripped = await env.http(
      '/knox/notifications',
      body,
      knoxCallbackHeaders(body, env.callbackSigningKeyPem, { nonce: false }),
    );

    // The event's record (kept for the whole window) answers with the stored outcome.
    expect(answerOf(renonced)).toEqual({ result: 'SUCCESS', events: 1, failures: 1 });
    expect(answerOf(stripped)).toEqual({ result: 'SUCCESS', events: 1, failures: 1 });
    expect(await env.readAlerts()).toEqual({ email: [], sms: [] });
  });

  it('a callback whose event is older than the window is acknowledged and not processed', async () => {
    const body = callback(Date.now() - (KNOX_CALLBACK_WINDOW.maxAgeSeconds * 1000 + HOUR), '353918057461359');
    const answer = await env.http(
      '/knox/notifications',
      body,
      knoxCallbackHeaders(body, env.callbackSigningKeyPem),
    );
    expect(answer.statusCode).toBe(200);
    expect(answerOf(answer)).toEqual({ result: 'SUCCESS', events: 0, failures: 0, outsideWindow: 1 });
    expect(await env.readAlerts()).toEqual({ email: [], sms: [] });
  });

  it('refuses an HS256 "signature" keyed with the public certificate, and processes nothing', async () => {
    const body = callback(Date.now(), '359881030314356');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
    const signingInput = `${header}.${Buffer.from(body).toString('base64url')}`;
    const certificate = process.env.KNOX_VALIDATION_CERT_PEM ?? '';
    const mac = createHmac('sha256', certificate).update(signingInput).digest('base64url');
    const answer = await env.http('/knox/notifications', body, {
      'content-type': 'application/json',
      'x-wsm-signature': `${header}..${mac}`,
      'x-knox-nonce': 'nonce-hs256',
    });
    expect(answer.statusCode).toBe(401);
    expect(answerOf(answer)).toMatchObject({ result: 'FAIL', error: { message: 'SIGNATURE_INVALID' } });
    expect(await env.readAlerts()).toEqual({ email: [], sms: [] });
  });
  // Last: a firing licence alert inhibits the per-device digests the tests above look for.
  it('a signed callback replayed with its nonce 26 hours later is refused and sends nothing', async () => {
    const sent = Date.now();
    const body = callback(sent - 60_000, IMEI, LICENSE_IS_LACK);
    const headers = knoxCallbackHeaders(body, env.callbackSigningKeyPem, {
      nonce: 'nonce-e2e-1',
      traceId: 'trace-e2e-1',
    });

    const first = await env.http('/knox/notifications', body, headers);
    expect(first.statusCode).toBe(200);
    expect(answerOf(first)).toEqual({ result: 'SUCCESS', events: 1, failures: 1 });
    const alerted = await env.readAlerts();
    expect(alerted.email.map((m) => [m.attributes.code, m.attributes.severity])).toEqual([
      ['LICENSE_IS_LACK', 'critical'],
    ]);
    expect(alerted.sms).toHaveLength(1);
    for (const message of [...alerted.email, ...alerted.sms]) {
      expect(`${message.subject}${message.email}${message.sms}`).not.toContain(IMEI);
    }

    vi.useFakeTimers({ toFake: ['Date'], now: sent + 26 * HOUR });
    const replay = await env.http('/knox/notifications', body, headers);

    expect(replay.statusCode).toBe(200);
    expect(answerOf(replay)).toMatchObject({ result: 'SUCCESS', events: 0, duplicate: true });
    expect(await env.readAlerts()).toEqual({ email: [], sms: [] });
  });
});
