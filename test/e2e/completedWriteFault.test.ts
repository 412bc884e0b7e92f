// Issue 13.9 through the packaged worker: Knox Guard executes a 10-device lock chunk, then the
// idempotency record's COMPLETED write fails at dynalite (a fault proxy between the worker's
// DynamoDB client and dynalite). The worker keeps the outcome it has: the message succeeds, no
// device is locked twice, and the digest reports no false DEVICE_STATE_INVALID.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOperationRequest } from '../../lib/webhooks';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';
import { type FaultProxy, startFaultProxy } from '../helpers/faultProxy';

let env: EmbeddedStack;
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-e2e-completed-fault-'));
  env = await startEmbeddedStack({
    stage: 'fault',
    simulator: { seed: { devices: 60 } },
    distDir: join(dir, 'dist'),
    logLevel: 'CRITICAL',
  });
  // The jobs.yml the build embedded (a bundle in a temporary directory cannot require the YAML parser).
  delete process.env.JOBS_CONFIG_PATH;
  // Every DynamoDB client the handlers create from now on goes through the proxy.
  proxy = await startFaultProxy(env.aws.endpoints.dynamodb);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.url;
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the COMPLETED idempotency write fails after Knox executed a chunk', () => {
  it('locks each of the 10 devices once and reports 10 succeeded, 0 failed', async () => {
    // Prepare: 10 Enrolled devices; count every lock Knox is asked to apply, per device.
    const ids: string[] = [];
    for (const device of env.sim.state.devices.scan({ status: ['Enrolled'], simControlEnabled: false })) {
      if (ids.length === 10) break;
      ids.push(device.deviceUid);
    }
    expect(ids).toHaveLength(10);
    const locks = new Map<string, number>();
    const state = env.sim.state;
    const apply = state.apply.bind(state);
    state.apply = (operation, id, params) => {
      if (operation === 'lock') locks.set(id, (locks.get(id) ?? 0) + 1);
      return apply(operation, id, params);
    };
    const body = JSON.stringify({
      operation: 'lock',
      deviceUids: ids,
      message: 'Your instalment is overdue.',
      tel: '+49 30 1234567',
    });
    const accepted = await env.http('/operations', body, {
      'content-type': 'application/json',
      'idempotency-key': 'completed-fault-1',
      ...signOperationRequest({ body, secret: env.hmacSecret }),
    });
    expect(accepted.body).toContain('ACCEPTED');
    expect(accepted.statusCode).toBe(202);
    proxy.setRule((request) =>
      request.target.endsWith('.UpdateItem') && request.body.includes('"COMPLETED"') ? '500' : undefined,
    );

    // Act
    const drained = await env.drainOperations();
    proxy.setRule(() => undefined);

    // Assess
    expect(proxy.injected.length).toBeGreaterThan(0);
    expect(drained).toMatchObject({ failedItems: 0, delayed: 0, deadLettered: 0 });
    expect(ids.map((id) => locks.get(id))).toEqual(Array(10).fill(1));
    expect(ids.map((id) => state.devices.get(id)?.status)).toEqual(Array(10).fill('Locked'));
    const { email } = await env.readAlerts();
    expect(email.filter((m) => m.email.includes('DEVICE_STATE_INVALID'))).toEqual([]);
  }, 120_000);
});
