import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planCapacity } from '../../../lib/operations';
import type { CapacityInput } from '../../../lib/operations/planCapacity';

describe('planCapacity', () => {
  it.each([
    // rate, latency -> concurrency, worker rate, scheduler rate, binding
    {
      input: { rateLimitPerSecond: 10 },
      concurrency: 2,
      worker: 7 / 3,
      scheduler: 10 / 3,
      binding: 'knox-latency',
    },
    {
      input: { rateLimitPerSecond: 50 },
      concurrency: 11,
      worker: 10 / 3,
      scheduler: 10 / 3,
      binding: 'knox-latency',
    },
    {
      input: { rateLimitPerSecond: 60, latencyMs: 10 },
      concurrency: 2,
      worker: 4,
      scheduler: 40,
      binding: 'knox-rate-limit',
    },
    {
      input: { rateLimitPerSecond: 1 },
      concurrency: 2,
      worker: 0.8 / 12,
      scheduler: 0.8 * (5 / 6),
      binding: 'knox-rate-limit',
    },
    {
      input: { rateLimitPerSecond: 5000 },
      concurrency: 1000,
      worker: (4000 - 10 / 3) / 1000,
      scheduler: 10 / 3,
      binding: 'knox-latency',
    },
  ] satisfies {
    input: CapacityInput;
    concurrency: number;
    worker: number;
    scheduler: number;
    binding: string;
  }[])(
    '$input.rateLimitPerSecond req/s: $concurrency workers at $worker req/s each',
    ({ input, concurrency, worker, scheduler, binding }) => {
      const plan = planCapacity(input);

      expect(plan.workerMaxConcurrency).toBe(concurrency);
      expect(plan.workerReservedConcurrency).toBe(concurrency);
      expect(plan.workerRatePerSecond).toBeCloseTo(worker, 9);
      expect(plan.schedulerRatePerSecond).toBeCloseTo(scheduler, 9);
      expect(plan.binding).toBe(binding);
    },
  );

  it.each([
    { rate: 0.5, latency: 300 },
    { rate: 10, latency: 300 },
    { rate: 60, latency: 10 },
    { rate: 250, latency: 80 },
    { rate: 10_000, latency: 1000 },
  ])('never plans more than the headroom of $rate req/s', ({ rate, latency }) => {
    const plan = planCapacity({ rateLimitPerSecond: rate, latencyMs: latency });

    const total = plan.schedulerRatePerSecond + plan.workerMaxConcurrency * plan.workerRatePerSecond;
    expect(total).toBeLessThanOrEqual(rate * 0.8 + 1e-9);
    expect(plan.usableRatePerSecond).toBeCloseTo(rate * 0.8, 9);
  });

  it.each([
    { input: { rateLimitPerSecond: 10 }, chunkSize: 10_000 },
    { input: { rateLimitPerSecond: 10, bulkLimit: 500 }, chunkSize: 500 },
    // A message holds at most (256 KiB - 4 KiB) / 40 bytes of ids.
    { input: { rateLimitPerSecond: 10, deviceIdBytes: 40 }, chunkSize: 6451 },
  ])('chunks as large as the bulk limit and an SQS message allow: $chunkSize', ({ input, chunkSize }) => {
    const plan = planCapacity(input);

    expect(plan.chunkSize).toBe(chunkSize);
    expect(plan.workerBatchSize).toBe(1);
  });

  it('balances listing and execution when the rate binds', () => {
    const plan = planCapacity({ rateLimitPerSecond: 60, latencyMs: 10 });

    // 40 list requests/s x 1000 devices = 8 worker requests/s / 2 per chunk x 10,000 devices.
    expect(plan.devicesPerSecond).toBeCloseTo(40_000, 6);
    expect(plan.chunkSeconds).toBeCloseTo(0.5, 9);
  });

  it.each([
    { rateLimitPerSecond: 0 },
    { rateLimitPerSecond: Number.NaN },
    { rateLimitPerSecond: 10, latencyMs: -1 },
    { rateLimitPerSecond: 10, headroom: 1.5 },
    { rateLimitPerSecond: 10, bulkLimit: 0 },
  ])('rejects %o', (input) => {
    expect(() => planCapacity(input)).toThrow(RangeError);
  });

  it('serverless.yml worker params are the plan for each stage rate', () => {
    const manifest = parse(readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8'), {
      customTags: [
        { tag: '!Ref', resolve: (value: string) => value },
        { tag: '!GetAtt', resolve: (value: string) => value },
      ],
    }) as { params: Record<string, Record<string, unknown>> };
    for (const stage of Object.keys(manifest.params)) {
      const params = { ...manifest.params.default, ...manifest.params[stage] };
      const plan = planCapacity({ rateLimitPerSecond: Number(params.knoxRateLimitPerSecond) });

      expect(Number(params.workerMaxConcurrency), stage).toBe(plan.workerMaxConcurrency);
      expect(Number(params.workerReservedConcurrency), stage).toBe(plan.workerReservedConcurrency);
      expect(Number(params.workerBatchSize), stage).toBe(plan.workerBatchSize);
    }
  });
});
