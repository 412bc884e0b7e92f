import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DeviceStatus } from '../../../lib/knox';
import { planCapacity } from '../../../lib/operations';
import type { DrainResult } from '../../../local/embedded';
import { type EmbeddedStack, startEmbeddedStack } from '../../../local/embedded';

// A million-device Knox-filter job through the packaged handlers: the scheduler pages the device
// list and queues chunk messages on the local SQS server; worker invocations with real SQS event
// shapes execute them, each environment holding its own Knox Guard client and rate limiter.
//
// Sizing for CI: the simulator allows RATE requests/s and answers in ~10 ms (no injected
// latency), so planCapacity gives the scheduler 40 req/s for paging (600 pages of 1,000 Enrolled
// devices: ~15 s) and two worker environments 4 req/s each for 60 chunks of 10,000 devices
// (2 requests per chunk: ~15 s). Unthrottled, paging alone would send well over 100 req/s and
// earn 429s, so the rate check below is a real one.
const DEVICES = 1_000_000;
const RATE = 60;
const LATENCY_MS = 10;
const JOB = 'enrolled-reminder';

type WorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

describe('a 1,000,000-device job on SQS + Lambda', () => {
  let env: EmbeddedStack;
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  const plan = planCapacity({ rateLimitPerSecond: RATE, latencyMs: LATENCY_MS });

  beforeAll(async () => {
    env = await startEmbeddedStack({
      simulator: { seed: { devices: DEVICES }, rateLimitPerSecond: RATE, retryAfterSeconds: 1 },
    });
    // The job under test, added to a copy of config/jobs.yml (JOBS_CONFIG_PATH as for local runs).
    dir = await mkdtemp(join(tmpdir(), 'kgs-scale-'));
    const jobs = parse(await readFile(new URL('../../../config/jobs.yml', import.meta.url), 'utf8'));
    jobs.jobs[JOB] = {
      description: 'Blink a payment reminder on every Enrolled device.',
      operation: 'blink',
      targets: { source: 'knox', filter: { status: ['Enrolled'] } },
      message: 'Your next instalment is due in 3 days.',
      contact: { tel: '+49 30 1234567' },
      chunkSize: plan.chunkSize,
    };
    const file = join(dir, 'jobs.json');
    await writeFile(file, JSON.stringify(jobs));
    for (const [name, value] of Object.entries({
      JOBS_CONFIG_PATH: file,
      KNOX_RATE_LIMIT_PER_SECOND: String(RATE),
      KNOX_LATENCY_MS: String(LATENCY_MS),
    })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  }, 120_000);

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('processes every Enrolled device exactly once and never exceeds the rate limit', async () => {
    // Prepare: count every device operation the simulator applies, by generated device index.
    const applied = new Uint8Array(DEVICES);
    const state = env.sim.state;
    const apply = state.apply.bind(state);
    state.apply = (operation, id, params) => {
      const index = Number(id.slice(2, 14));
      if (index < DEVICES) applied[index] = Math.min(255, (applied[index] ?? 0) + 1);
      return apply(operation, id, params);
    };
    const enrolled = state.devices.countGenerated((status) => status === DeviceStatus.enrolled);
    // One module instance per worker environment, as Lambda runs them: each its own Knox Guard
    // client, token and rate limiter. An invocation takes an idle environment, like Lambda does.
    const bundle = pathToFileURL(join(process.cwd(), 'dist/functions/operation-worker/index.mjs')).href;
    const idle: WorkerHandler[] = [];
    for (let i = 0; i < plan.workerMaxConcurrency; i += 1) {
      idle.push(((await import(`${bundle}?environment=${i}`)) as { handler: WorkerHandler }).handler);
    }
    const handlers = env.handlers as { operationWorker: WorkerHandler };
    handlers.operationWorker = async (event, context) => {
      const handler = idle.pop();
      if (!handler) throw new Error('more concurrent invocations than worker environments');
      try {
        return await handler(event, context);
      } finally {
        idle.push(handler);
      }
    };

    // Act
    const summary = (await env.runSchedule(JOB)) as { mode: string; targets: number; chunks: number };
    const drained: DrainResult = await env.drainOperations({ concurrency: plan.workerMaxConcurrency });

    // Assess
    expect(summary).toMatchObject({
      mode: 'queued',
      targets: enrolled,
      chunks: Math.ceil(enrolled / plan.chunkSize),
    });
    expect(drained).toMatchObject({ messages: summary.chunks, failedItems: 0, delayed: 0, deadLettered: 0 });
    let once = 0;
    let other = 0;
    for (let index = 0; index < DEVICES; index += 1) {
      if (applied[index] === 1) once += 1;
      else if (applied[index] !== 0) other += 1;
    }
    expect(other).toBe(0);
    expect(once).toBe(enrolled);
    expect(env.sim.stats.byStatus['429']).toBeUndefined();
    expect(env.sim.stats.maxRequestsPerSecond).toBeLessThanOrEqual(RATE);
    expect(env.sim.stats.devicesListed).toBe(enrolled);
  }, 120_000);
});
