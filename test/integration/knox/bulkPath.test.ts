// The bulk path against the strict simulator over HTTP: x-knox-transactionId on every request,
// header-keyed and answer-keyed transactions, results over several polls, a status field,
// ids still missing at the deadline (NOT_FINISHED, handed back), and the per-device fallback
// with its one warning alert through the real alert pipeline (fauxqs + dynalite).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceResult } from '../../../lib/errors';
import { executeChunk, observationOf, planFollowUp } from '../../../lib/operations';
import { failedDevices } from '../../../lib/operations/executeChunk';
import {
  createAlertStateTable,
  createAlertTopic,
  createInbox,
  type LocalAws,
  readInbox,
  startLocalAws,
} from '../../../local/aws';
import { createWorker, settableClock } from '../../helpers/awsAlerts';
import { type KnoxTestBed, startKnoxTestBed } from '../../helpers/knoxTestKit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const lockParams = { message: 'Your payment is overdue. Call us.', tel: '+15550100' };
const codes = (results: readonly DeviceResult[]) => results.map((r) => (r.ok ? 'ok' : r.error.codeName));

let bed: KnoxTestBed | undefined;
afterEach(async () => {
  await bed?.sim.close();
  bed = undefined;
});
async function start(...args: Parameters<typeof startKnoxTestBed>): Promise<KnoxTestBed> {
  bed = await startKnoxTestBed(...args);
  return bed;
}
const enrolled = (b: KnoxTestBed, n: number) =>
  Array.from({ length: n }, () => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid);
const posts = (b: KnoxTestBed, suffix: string) => b.sim.requests.filter((r) => r.path.endsWith(suffix));

describe('bulk transactions against the strict simulator', () => {
  it('completes a transaction whose results appear over several polls (keyed by the header we sent)', async () => {
    const b = await start({ seed: 'empty', transactionPolls: 4, recordRequests: true });
    const ids = enrolled(b, 8);

    const outcome = await b.client.execute('lock', ids, lockParams);

    expect(codes(outcome.results)).toEqual(Array(8).fill('ok'));
    const [submit] = posts(b, '/devices/lockAsync');
    expect(submit?.body).toEqual({ deviceUid: ids, ...lockParams });
    const polls = posts(b, '/transaction');
    expect(polls).toHaveLength(4);
    for (const poll of polls) {
      expect(poll.transactionId).toBe(submit?.transactionId);
      expect(poll.body).toEqual({ transactionId: submit?.transactionId });
    }
    expect(b.clock.sleeps).toEqual([1000, 1500, 2250]);
  });

  it('uses the transactionId of the answer when Knox sends one (answer-keyed variant)', async () => {
    const b = await start({
      seed: 'empty',
      transactionIdInAnswer: true,
      transactionPolls: 2,
      recordRequests: true,
    });
    const ids = enrolled(b, 3);

    const outcome = await b.client.execute('lock', ids, lockParams);

    expect(codes(outcome.results)).toEqual(['ok', 'ok', 'ok']);
    const [submit] = posts(b, '/devices/lockAsync');
    const polls = posts(b, '/transaction');
    expect(polls.length).toBe(2);
    for (const poll of polls) {
      expect(poll.transactionId).toMatch(/^TX-/);
      expect(poll.transactionId).not.toBe(submit?.transactionId);
      expect(poll.body).toEqual({ transactionId: poll.transactionId });
    }
  });

  it('waits while a status field says IN_PROGRESS even when a partial list is present (status variant)', async () => {
    const b = await start({ seed: 'empty', statusField: true, transactionPolls: 3 });
    const ids = enrolled(b, 6);

    const outcome = await b.client.execute('lock', ids, lockParams);

    expect(codes(outcome.results)).toEqual(Array(6).fill('ok'));
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/transaction']).toBe(3);
  });

  it('hands the ids still without a result at the deadline back as NOT_FINISHED, and the worker requeues them', async () => {
    const b = await start({ seed: 'empty', transactionPolls: 100, recordRequests: true });
    const ids = enrolled(b, 10);
    const message = {
      v: 1 as const,
      stage: 'prod',
      job: 'overdue-lock',
      runId: 'run-1',
      operation: 'lock' as const,
      params: lockParams,
      chunk: 0,
      attempt: 0,
      deviceUids: ids,
    };

    // The deadline allows a few polls only (the fake clock moves with every wait).
    const outcome = await executeChunk(message, { executor: b.client, deadline: b.clock.now() + 5_000 });

    const missing = failedDevices(message, outcome).map(({ deviceUid }) => deviceUid);
    expect(missing.length).toBeGreaterThan(0);
    expect(outcome.succeeded + missing.length).toBe(10);
    expect(outcome.errors).toEqual([expect.objectContaining({ codeName: 'NOT_FINISHED', retryable: true })]);
    expect(outcome.errors.map((e) => e.codeName)).not.toContain('MALFORMED_RESPONSE');
    const next = planFollowUp(message, outcome);
    expect(next).toMatchObject({ kind: 'retry', followUp: { message: { attempt: 1, deviceUids: missing } } });
    // The follow-up polls the submitted transaction instead of submitting again (issue 13.9).
    const [submit] = posts(b, '/devices/lockAsync');
    expect(next.kind === 'retry' && next.followUp.message.transactionId).toBe(submit?.transactionId);
  });

  it('sends a UUID x-knox-transactionId on every Knox Guard request', async () => {
    const b = await start({ seed: 'empty', recordRequests: true, transactionPolls: 2 });
    const ids = enrolled(b, 3);
    await b.client.whoAmI();
    await b.client.listDevices({ pageNum: 0, pageSize: 10 });
    await b.client.execute('lock', ids, lockParams);
    await b.client.execute('unlock', [ids[0] as string]);

    const knoxRequests = b.sim.requests.filter((r) => !r.path.startsWith('/ams/'));
    expect(knoxRequests.length).toBeGreaterThanOrEqual(6);
    for (const request of knoxRequests) expect(request.transactionId).toMatch(UUID);
    expect(b.sim.stats.withoutTransactionId).toBe(0);
    expect(b.sim.stats.nonUuidTransactionId).toBe(0);
  });

  it('targets the kg-integration prefix when the client is told to', async () => {
    const b = await start(
      { seed: 'empty', apiPrefix: '/kcs/v1.1/kg-integration' },
      { apiPrefix: '/kcs/v1.1/kg-integration' },
    );
    const ids = enrolled(b, 2);
    expect(codes((await b.client.execute('lock', ids, lockParams)).results)).toEqual(['ok', 'ok']);
    expect(b.sim.stats.byPath['/kcs/v1.1/kg-integration/devices/lockAsync']).toBe(1);
  });
});

describe('fallback when the bulk path is unavailable', () => {
  let local: LocalAws;
  beforeAll(async () => {
    local = await startLocalAws();
  });
  afterAll(async () => {
    await local?.close();
  });

  it('completes a job per device and publishes exactly one warning alert', async () => {
    const b = await start({ seed: 'empty', asyncDisabled: true }, { bulkLimit: 4 });
    const ids = enrolled(b, 12);
    await createAlertStateTable(local, 'bulk-fallback-state');
    const topicArn = await createAlertTopic(local, 'bulk-fallback-alerts');
    const inbox = await createInbox(local, { topicArn, name: 'bulk-fallback-inbox' });
    const worker = createWorker({
      local,
      tableName: 'bulk-fallback-state',
      topicArn,
      clock: settableClock(),
    });
    try {
      // Three chunks of one run, as three workers would run them.
      for (let chunk = 0; chunk < 3; chunk += 1) {
        const message = {
          v: 1 as const,
          stage: 'prod',
          job: 'overdue-lock',
          runId: 'run-fallback',
          operation: 'lock' as const,
          params: lockParams,
          chunk,
          attempt: 0,
          deviceUids: ids.slice(chunk * 4, chunk * 4 + 4),
        };
        const outcome = await executeChunk(message, { executor: b.client });
        expect(outcome.succeeded).toBe(4);
        expect(outcome.bulkPathUnavailable).toContain('404');
        await worker.pipeline.process(observationOf(message, outcome, true));
      }
      await worker.pipeline.flush({ stage: 'prod', job: 'overdue-lock', runId: 'run-fallback' });

      for (const id of ids) expect(b.sim.state.device(id)?.status).toBe('Locked');
      expect(b.sim.stats.byPath['/kcs/v1.1/kg/devices/lock']).toBe(12);
      const messages = await readInbox(local, inbox.queueUrl);
      const warnings = messages.filter((m) => m.attributes.code === 'BULK_PATH_UNAVAILABLE');
      // One tenant-wide warning without a count (one per chunk is not a device count), so the
      // run's end sends no count update either.
      expect(warnings.map((m) => m.attributes.kind)).toEqual(['firing']);
      expect(warnings[0]?.attributes.severity).toBe('warning');
      expect(warnings[0]?.subject).toContain('BULK_PATH_UNAVAILABLE: tenant-wide - overdue-lock');
      expect(messages).toHaveLength(1);
    } finally {
      worker.destroy();
    }
  });
});
