import { describe, expect, it } from 'vitest';
import { flushKnoxMetrics, recordKnoxAnswer } from '../../../functions/shared/serviceMetrics';
import { AlertKind, SuppressReason } from '../../../lib/alerts/constants';
import { captureEmf, type EmittedMetric, emitServiceMetrics } from '../../helpers/emittedMetrics';

const named = (metrics: readonly EmittedMetric[], name: string) => metrics.filter((m) => m.name === name);

describe('service metrics (EMF records the dashboard plots)', () => {
  it('devices: succeeded and failed per job, failures per job and Knox code', async () => {
    const metrics = await emitServiceMetrics();
    expect(named(metrics, 'DevicesSucceeded')).toEqual([
      expect.objectContaining({ dimensions: ['job', 'service', 'stage'], value: 97, unit: 'Count' }),
    ]);
    expect(named(metrics, 'DevicesFailed')).toEqual([
      expect.objectContaining({ dimensions: ['job', 'service', 'stage'], value: 3 }),
    ]);
    const failures = named(metrics, 'DeviceFailures');
    expect(failures.map((m) => [m.values.job, m.values.code, m.value])).toEqual([
      ['overdue-lock', 'LICENSE_IS_LACK', 2],
      ['overdue-lock', 'DEVICE_NOT_FOUND', 1],
    ]);
    for (const m of failures) expect(m.dimensions).toEqual(['code', 'job', 'service', 'stage']);
  });

  it('alerts: sent per kind (resolved, update and digest included), suppressed per reason', async () => {
    const metrics = await emitServiceMetrics();
    const sent = named(metrics, 'AlertsSent');
    expect(Object.fromEntries(sent.map((m) => [m.values.kind, m.value]))).toEqual({
      [AlertKind.firing]: 1,
      [AlertKind.reminder]: 1,
      [AlertKind.resolved]: 1,
      [AlertKind.update]: 1,
      [AlertKind.digest]: 1,
    });
    const suppressed = named(metrics, 'AlertsSuppressed');
    expect(suppressed.map((m) => m.values.reason).sort()).toEqual(Object.values(SuppressReason).sort());
    for (const m of [...sent, ...suppressed]) expect(m.dimensions).toHaveLength(3);
  });

  it('Knox requests: counted per status class, latency values in one record', async () => {
    const metrics = await emitServiceMetrics();
    const requests = named(metrics, 'KnoxRequests');
    expect(Object.fromEntries(requests.map((m) => [m.values.status, m.value]))).toEqual({
      '2xx': 1,
      '4xx': 1,
      '429': 1,
      '5xx': 1,
      timeout: 1,
      transport: 1,
    });
    expect(named(metrics, 'KnoxRequestLatency')).toEqual([
      expect.objectContaining({
        dimensions: ['service', 'stage'],
        unit: 'Milliseconds',
        value: [120, 120, 120, 120, 15_000, 3],
      }),
    ]);
  });

  it('Knox latency: a busy invocation writes a record per 100 values (the EMF limit), nothing when idle', async () => {
    const busy = await captureEmf(() => {
      for (let i = 0; i < 250; i += 1) recordKnoxAnswer({ method: 'POST', status: 200, durationMs: i });
      flushKnoxMetrics();
    });
    const latency = named(busy, 'KnoxRequestLatency').map((m) => (m.value as number[]).length);
    expect(latency).toEqual([100, 100, 50]);
    expect(named(busy, 'KnoxRequests').map((m) => m.value)).toEqual([250]);
    expect(await captureEmf(() => flushKnoxMetrics())).toEqual([]);
  });

  it('no dimension carries a device id, run id or free text: only the bounded sets', async () => {
    const metrics = await emitServiceMetrics();
    const allowed = new Set(['service', 'stage', 'job', 'code', 'kind', 'reason', 'status']);
    for (const m of metrics)
      for (const key of m.dimensions) expect(allowed, `${m.name}: ${key}`).toContain(key);
    expect(JSON.stringify(metrics)).not.toContain('overdue-lock@');
  });
});
