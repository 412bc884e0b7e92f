// End to end: a device id Knox writes into its `reason` is masked in the alert, even a bare serial
// that `maskText` cannot tell from a word, because the failure knows the id (docs/admin-guide.md,
// "Privacy: what is masked"). A signed Knox callback goes through the packaged webhook and the
// packaged knoxEvents function (fauxqs, dynalite); the alert is read from the SNS subscription
// queues standing in for the admins' e-mail and phone, and the log lines from stdout/stderr.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knoxCallbackHeaders } from '../../lib/webhooks';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';
import { httpApiEvent, lambdaContext } from '../../local/embedded/lambdaEvents';
import { captureOutput } from '../helpers/captureOutput';

let env: EmbeddedStack;

beforeAll(async () => {
  env = await startEmbeddedStack({ stage: 'ids', simulator: { seed: 'empty' }, logLevel: 'DEBUG' });
}, 180_000);

afterAll(async () => {
  await env?.close();
});

const SERIAL = 'R58M123ABCD';

describe('a Knox reason naming the failing device by its bare serial', () => {
  it('reaches the admins with the serial masked in the Reason line, as in the samples', async () => {
    const body = JSON.stringify({
      eventId: 'serial-in-reason-1',
      event: 'KG_DEVICE_LOCKED',
      lastUpdatedAt: new Date().toISOString(),
      payload: {
        deviceUid: SERIAL,
        result: 'FAIL',
        error: {
          code: '4031100',
          message: 'USER_BLOCKED_STATE',
          reason: `Device ${SERIAL} cannot be locked: user blocked`,
        },
      },
    });
    const output = captureOutput();
    try {
      const answer = await env.handlers.webhook(
        httpApiEvent(
          'POST',
          '/knox/notifications',
          knoxCallbackHeaders(body, env.callbackSigningKeyPem),
          body,
        ),
        lambdaContext('webhook', 10_000),
      );
      expect(answer.statusCode).toBe(200);
      await env.drainKnoxEvents();
    } finally {
      output.restore();
    }

    const { email, sms } = await env.readAlerts();
    expect(email).toHaveLength(1);
    expect(sms).toHaveLength(1);
    const [alert] = email;
    expect(alert?.subject).toContain('USER_BLOCKED_STATE');
    expect(alert?.email).toContain('Reason: Device R5*****ABCD cannot be locked: user blocked\n');
    expect(alert?.email).toContain('Sample devices (masked): R5*****ABCD');
    for (const text of [alert?.subject, alert?.email, sms[0]?.sms]) expect(text).not.toContain(SERIAL);
    // Nor in any log line of the webhook or knoxEvents (DEBUG: everything they log).
    const logged = output.lines.join('');
    expect(logged).toContain('Knox event');
    expect(logged).not.toContain(SERIAL);
  });
});
