import { describe, expect, it } from 'vitest';
import type { JobConfig } from '../../../lib/config';
import { failureFromEnvelope } from '../../../lib/errors';
import { runScheduledJob } from '../../../lib/operations';
import { TargetsError } from '../../../lib/operations/resolveTargets';
import type { ScheduledRunDeps } from '../../../lib/operations/runScheduledJob';
import { fakeExecutor, recordingQueue, recordingSink } from '../../helpers/operationsFakes';
import { withCheckDigit } from '../webhooks/helpers';

// Valid IMEIs (Luhn check digit): resolveTargets refuses anything Knox Guard would not take.
const imei = (n: number) => withCheckDigit(`3569380${String(n).padStart(7, '0')}`);

function lockJob(deviceUids: string[], overrides: Partial<JobConfig> = {}): JobConfig {
  return {
    name: 'overdue-lock',
    operation: 'lock',
    enabled: true,
    targets: { source: 'inline', deviceUids },
    message: 'Pay now',
    contact: { tel: '+4930123456' },
    ...overrides,
  };
}

function deps(overrides: Partial<ScheduledRunDeps> = {}) {
  const queue = recordingQueue();
  const sink = recordingSink();
  // By the device number (the digit before the check digit): imei(7) lacks a licence, imei(9) gets a 503.
  const executor = fakeExecutor((id) =>
    id.at(-2) === '7' ? 'LICENSE_IS_LACK' : id.at(-2) === '9' ? 503 : 'OK',
  );
  return {
    queue,
    sink,
    executor,
    deps: {
      stage: 'test',
      runId: 'run-1',
      defaults: { chunkSize: 4, inlineLimit: 10 },
      targets: {},
      queue,
      executor,
      sink,
      ...overrides,
    } satisfies ScheduledRunDeps,
  };
}

describe('runScheduledJob', () => {
  it('keeps every chunk message within one SQS message (256 KiB) at the longest ids accepted', async () => {
    // Prepare: 12,000 serials of 20 characters, the longest lib/devices accepts: a full chunk of
    // 10,000 of them is ~230 KB, close to what one chunk message may carry.
    const ids = Array.from({ length: 12_000 }, (_, i) => `RF8N${String(i).padStart(16, '0')}`);
    const { deps: d, queue } = deps({ defaults: { chunkSize: 10_000, inlineLimit: 0 } });

    // Act
    const summary = await runScheduledJob(lockJob(ids), d);

    // Assess: every id queued once, in order, and every message within SQS's limit.
    const messages = queue.sent.flatMap((batch) => batch.messages);
    expect(summary).toMatchObject({ mode: 'queued', targets: 12_000, chunks: messages.length });
    expect(messages.flatMap((message) => message.deviceUids)).toEqual(ids);
    for (const message of messages) {
      expect(Buffer.byteLength(JSON.stringify({ ...message, total: 99_999 }))).toBeLessThanOrEqual(262_144);
    }
    expect(messages.length).toBeGreaterThanOrEqual(2);
  });

  it('runs small jobs inline, alerts every chunk and queues the retryable rest', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => imei(i));
    const { deps: d, sink, queue, executor } = deps();
    const summary = await runScheduledJob(lockJob(ids), d);
    expect(summary).toMatchObject({ mode: 'inline', targets: 10, chunks: 3, succeeded: 8 });
    expect(summary.failuresByCode).toEqual({ LICENSE_IS_LACK: 1, SERVICE_UNAVAILABLE: 1 });
    expect(executor.calls.map((call) => call.deviceUids.length)).toEqual([4, 4, 2]);
    // One observation for the whole inline run, so alerts count all of its devices.
    expect(sink.observations).toHaveLength(1);
    expect(sink.observations[0]?.successes).toBe(8);
    expect(sink.observations.flatMap((o) => o.failures.map((f) => f.error.codeName)).sort()).toEqual([
      'LICENSE_IS_LACK',
      'SERVICE_UNAVAILABLE',
    ]);
    // Only the 503 device is retried; LICENSE_IS_LACK is not retryable.
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]?.messages[0]).toMatchObject({ attempt: 1, deviceUids: [imei(9)] });
    expect(summary.requeued).toBe(1);
    expect(sink.flushed).toEqual(['run-1']);
  });

  it('splits large jobs into chunk messages in batches of 10 without executing them', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => imei(i));
    const { deps: d, queue, executor } = deps();
    const summary = await runScheduledJob(lockJob(ids), d);
    expect(summary).toMatchObject({ mode: 'queued', targets: 101, chunks: 26 });
    expect(executor.calls).toHaveLength(0);
    expect(queue.sent.map((s) => s.messages.length)).toEqual([10, 10, 6]);
    const all = queue.sent.flatMap((s) => s.messages);
    expect(all.flatMap((m) => m.deviceUids)).toEqual(ids);
    expect(new Set(all.map((m) => m.chunk)).size).toBe(26);
    expect(all[0]).toMatchObject({
      v: 1,
      stage: 'test',
      job: 'overdue-lock',
      operation: 'lock',
      params: { message: 'Pay now', tel: '+4930123456' },
    });
  });

  it('de-duplicates inline targets', async () => {
    const { deps: d, executor } = deps();
    await runScheduledJob(lockJob([imei(1), imei(1), ` ${imei(2)} `]), d);
    expect(executor.calls.flatMap((c) => c.deviceUids)).toEqual([imei(1), imei(2)]);
  });

  it('skips disabled jobs', async () => {
    const { deps: d, executor } = deps();
    expect((await runScheduledJob(lockJob([imei(1)], { enabled: false }), d)).mode).toBe('disabled');
    expect(executor.calls).toHaveLength(0);
  });

  it('alerts TARGETS_UNREADABLE and rethrows when the S3 object cannot be read', async () => {
    const { deps: d, sink } = deps({
      targets: {
        objects: {
          async open() {
            throw new Error('NoSuchKey');
          },
        },
      },
    });
    await expect(
      runScheduledJob(lockJob([], { targets: { source: 's3', key: 'overdue/latest.csv' } }), d),
    ).rejects.toThrow(TargetsError);
    expect(sink.observations[0]?.failures[0]?.error).toMatchObject({
      code: 'TARGETS_UNREADABLE',
      severity: 'critical',
    });
  });
  // Issue 13 item 11: a row that cannot be read is part of the run's outcome, not only a WARN log.
  it.each([
    ['inline', 10],
    ['queued', 2],
  ])('reports skipped target rows in the summary and the run digest (%s)', async (mode, inlineLimit) => {
    const rows = [imei(1), 'bad"quote', imei(2), '356938035643808', imei(3)];
    const csv = `deviceUid\n${rows.join('\n')}\n`;
    const {
      deps: d,
      sink,
      executor,
    } = deps({
      defaults: { chunkSize: 4, inlineLimit },
      targets: {
        objects: {
          async open() {
            return (async function* () {
              yield csv;
            })();
          },
        },
      },
    });
    const summary = await runScheduledJob(
      lockJob([], { targets: { source: 's3', key: 'overdue/latest.csv' } }),
      d,
    );
    expect(summary).toMatchObject({ mode, targets: 3 });
    expect(summary.skipped).toEqual({
      count: 2,
      byReason: { 'unreadable row': 1, 'invalid device id': 1 },
      sample: [
        'line 3: unreadable CSV row (INVALID_OPENING_QUOTE)',
        'line 5: "35*********3808" is not a valid IMEI (wrong check digit)',
      ],
    });
    const skipped = sink.observations
      .flatMap((o) => o.failures)
      .filter((f) => f.error.codeName === 'TARGETS_ROWS_SKIPPED');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.error.reason).toBe(
      '2 target row(s) skipped (1 unreadable row, 1 invalid device id): line 3: unreadable CSV row (INVALID_OPENING_QUOTE); line 5: "35*********3808" is not a valid IMEI (wrong check digit)',
    );
    if (mode === 'inline')
      expect(executor.calls.flatMap((c) => c.deviceUids)).toEqual([imei(1), imei(2), imei(3)]);
  });
});

describe('runScheduledJob with a Knox Guard device-list filter', () => {
  it('alerts the listing failure itself (e.g. USER_BLOCKED_STATE) and rethrows it', async () => {
    const blocked = failureFromEnvelope(
      { code: 4030104, message: 'USER_BLOCKED_STATE', reason: 'User is blocked.' },
      403,
    );
    const {
      deps: d,
      sink,
      executor,
    } = deps({
      targets: {
        devices: {
          // biome-ignore lint/correctness/useYield: the listing fails before its first page
          async *iterateDevices() {
            throw blocked;
          },
        },
      },
    });
    const job = lockJob([], { targets: { source: 'knox', filter: { status: ['Pending'] } } });
    await expect(runScheduledJob(job, d)).rejects.toBe(blocked);
    expect(executor.calls).toHaveLength(0);
    expect(sink.observations).toHaveLength(1);
    expect(sink.observations[0]?.failures[0]?.error).toMatchObject({
      codeName: 'USER_BLOCKED_STATE',
      scope: 'tenant',
    });
  });
});
