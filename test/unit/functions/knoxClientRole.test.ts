// Each function uses one Knox role, whose request rate is its share of the tenant's rate
// (lib/operations planCapacity). The client is cached per role: asking for the worker's client in
// an environment that first built the scheduler's must not hand back the scheduler's limiter.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { planCapacity } from '../../../lib/operations';

const built = vi.hoisted(() => [] as { maxRequestsPerSecond?: number }[]);

vi.mock('../../../lib/knox', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../lib/knox')>();
  return {
    ...actual,
    createKnoxClient: (options: { maxRequestsPerSecond?: number }) => {
      built.push(options);
      return { options } as unknown as ReturnType<typeof actual.createKnoxClient>;
    },
  };
});

const savedEnv = { ...process.env };

beforeEach(() => {
  vi.resetModules();
  built.length = 0;
  Object.assign(process.env, {
    STAGE: 'unit',
    STATE_TABLE: 'state',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-central-1:000000000000:alerts',
    OPERATIONS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/operations',
  });
  process.env.KNOX_CREDENTIALS_JSON = JSON.stringify({
    clientIdentifier: 'client-id',
    certificate: { Public: 'public', Private: 'private' },
  });
});

afterAll(() => {
  process.env = savedEnv;
});

describe('knoxClient(role)', () => {
  it.each([
    ['scheduler', 'worker'],
    ['worker', 'scheduler'],
  ] as const)('builds the %s client, then the %s client with that role’s own rate', async (first, second) => {
    const { knoxClient, serviceConfig } = await import('../../../functions/shared/runtime');
    const config = serviceConfig();
    const plan = planCapacity({
      rateLimitPerSecond: config.KNOX_RATE_LIMIT_PER_SECOND,
      bulkLimit: config.KNOX_BULK_LIMIT,
      latencyMs: config.KNOX_LATENCY_MS,
    });
    const rate = { scheduler: plan.schedulerRatePerSecond, worker: plan.workerRatePerSecond };
    expect(rate.scheduler).not.toBe(rate.worker);

    const a = await knoxClient(first);
    const b = await knoxClient(second);
    expect(b).not.toBe(a);
    expect(built.map((options) => options.maxRequestsPerSecond)).toEqual([rate[first], rate[second]]);
    // Built once per role: later calls share the client (and its token and limiter).
    expect(await knoxClient(first)).toBe(a);
    expect(await knoxClient(second)).toBe(b);
    expect(built).toHaveLength(2);
  });
});
