// End to end: the packaged handlers, run against the Knox Guard simulator and the local AWS
// servers, write the EMF records the dashboard plots: each custom metric of infra/dashboard.yml
// appears in their output with exactly the dimension set the dashboard's SEARCH schema or metric
// row names (CloudWatch matches a schema only with exactly those dimensions).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';
import { loadDashboardBody, metricRefsOf } from '../../scripts/render-dashboard';
import { captureEmf, type EmittedMetric } from '../helpers/emittedMetrics';

// approve-pending, enabled and inline: the simulator's tenant has few spare seats, so it runs into
// LICENSE_IS_LACK.
const JOBS = `
jobs:
  approve-pending:
    operation: approve
    inlineLimit: 1000
    targets: { source: knox, filter: { status: [Pending] } }
`;

let env: EmbeddedStack;
let dir: string;
let emitted: EmittedMetric[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-dashboard-'));
  await writeFile(join(dir, 'jobs.yml'), JOBS);
  env = await startEmbeddedStack({ stage: 'e2e', simulator: { seed: { devices: 400 } }, logLevel: 'ERROR' });
  process.env.JOBS_CONFIG_PATH = join(dir, 'jobs.yml');
  // The embedded stack turns metrics off for `npm start`; the records built per call (every
  // metric the dashboard plots) read the switch when they are created, so this turns them on.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  // Devices succeed and fail, an alert is sent, Knox Guard answers are timed; the second run's
  // failure is within the repeat interval.
  emitted = await captureEmf(async () => {
    await env.runSchedule('approve-pending', new Date('2026-11-25T06:00:00Z'));
    await env.runSchedule('approve-pending', new Date('2026-11-25T07:00:00Z'));
  });
}, 180_000);

afterAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the metrics the dashboard plots, from the packaged handlers', () => {
  it('every custom metric on the dashboard is written with the dashboard dimension set', async () => {
    const refs = metricRefsOf(await loadDashboardBody('e2e')).filter(
      (r) => r.namespace === 'KnoxGuardSentinel',
    );
    const seen = new Set(emitted.map((m) => `${m.namespace} ${m.name} ${m.dimensions.join(',')}`));
    // AlertsSuppressed needs a silence, an inhibition or a repeat: its dimension set is the one AlertsSent has.
    const needsSuppression = new Set(['AlertsSuppressed']);
    for (const ref of refs.filter((r) => !needsSuppression.has(r.name))) {
      const key = `${ref.namespace} ${ref.name} ${Object.keys(ref.dimensions).sort().join(',')}`;
      expect(seen, key).toContain(key);
    }
  });

  it('the second run of the same failure is suppressed as notified-recently (the repeat interval)', () => {
    const suppressed = emitted.filter((m) => m.name === 'AlertsSuppressed');
    expect(suppressed.map((m) => m.values.reason)).toContain('notified-recently');
    expect(suppressed[0]?.dimensions).toEqual(['reason', 'service', 'stage']);
  });

  it('device counts per job and Knox code, Knox requests per status, latency in ms; the stage is e2e', () => {
    const failures = emitted.filter((m) => m.name === 'DeviceFailures');
    expect(failures.map((m) => [m.values.job, m.values.code])).toContainEqual([
      'approve-pending',
      'LICENSE_IS_LACK',
    ]);
    expect(emitted.filter((m) => m.name === 'KnoxRequests').map((m) => m.values.status)).toContain('2xx');
    const latency = emitted.find((m) => m.name === 'KnoxRequestLatency');
    expect(latency?.unit).toBe('Milliseconds');
    for (const m of emitted) if (m.namespace === 'KnoxGuardSentinel') expect(m.values.stage).toBe('e2e');
  });
});
