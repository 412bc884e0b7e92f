// End to end: a chunk whose devices Knox Guard keeps refusing with 429 reaches its last attempt,
// the packaged worker raises KNOX_UNAVAILABLE (once) before the message goes to the DLQ, and the
// DLQ holds the chunk for a redrive. Before, 20 devices all answered 429 ended in the DLQ silently.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_MESSAGE_VERSION, DEFAULT_MAX_CHUNK_ATTEMPTS } from '../../lib/operations';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';

let env: EmbeddedStack;
let sqs: SQSClient;

beforeAll(async () => {
  env = await startEmbeddedStack({
    stage: 'unavailable',
    simulator: { seed: { devices: 60 } },
    logLevel: 'CRITICAL',
  });
  sqs = new SQSClient(env.aws.clientConfig('sqs'));
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await env?.close();
});

describe('a chunk that Knox Guard keeps rate limiting', () => {
  it('alerts KNOX_UNAVAILABLE once for its 20 devices before it is dead-lettered', async () => {
    // Prepare: the last attempt of a 20-device chunk; Knox answers 429 asking for an hour, more
    // than the invocation has left, so the client hands the devices back at once.
    const devices = [...env.sim.state.devices.scan({ status: ['Enrolled'] })]
      .slice(0, 20)
      .map((device) => device.deviceUid);
    expect(devices).toHaveLength(20);
    env.sim.faults.push({ status: 429, headers: { 'retry-after': '3600' }, times: 10_000 });
    const message = {
      v: CHUNK_MESSAGE_VERSION,
      stage: 'unavailable',
      job: 'overdue-lock',
      runId: 'overdue-lock@2026-11-30T07:00:00Z',
      operation: 'lock',
      params: { message: 'Your instalment is overdue.', tel: '+49 30 1234567' },
      chunk: 0,
      attempt: DEFAULT_MAX_CHUNK_ATTEMPTS - 1,
      deviceUids: devices,
    };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: env.stack.queueUrl, MessageBody: JSON.stringify(message) }),
    );

    // Act
    const drained = await env.drainOperations();
    const alerts = await env.readAlerts();

    // Assess
    expect(drained.deadLettered).toBe(1);
    expect(drained.failedItems).toBe(env.stack.maxReceiveCount);
    const unavailable = alerts.email.filter((alert) => alert.attributes.code === 'KNOX_UNAVAILABLE');
    expect(unavailable).toHaveLength(1);
    expect(unavailable[0]?.attributes).toMatchObject({ severity: 'critical', kind: 'firing' });
    expect(unavailable[0]?.subject).toContain('KNOX_UNAVAILABLE: tenant-wide, 20+ devices');
    expect(unavailable[0]?.email).toContain('TOO_MANY_REQUESTS x20');
    expect(unavailable[0]?.email).not.toMatch(/\d{15}/);
    expect(alerts.sms.some((sms) => sms.attributes.code === 'KNOX_UNAVAILABLE')).toBe(true);
    // No device was locked by the refused requests.
    for (const id of devices) expect(env.sim.state.device(id)?.status).toBe('Enrolled');
  }, 120_000);
});
