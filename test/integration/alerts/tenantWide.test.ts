// Tenant-wide codes (catalog `scope: tenant`) as one alert group per stage and code across jobs,
// against the local SNS, SQS and DynamoDB: one message for three jobs, inhibition of other jobs'
// symptoms, resolution only once no job sees it, silences, and the run-complete final count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAlertRules, type RunObservation } from '../../../lib/alerts';
import { type LocalAws, readInbox, startLocalAws } from '../../../local/aws';
import {
  createAlertStack,
  createWorker,
  failures,
  HOUR,
  MINUTE,
  settableClock,
  T0,
} from '../../helpers/awsAlerts';

let local: LocalAws;

beforeAll(async () => {
  local = await startLocalAws();
});

afterAll(async () => {
  await local?.close();
});

const setUp = () => createAlertStack(local, 'tenant-wide');

const blocked = (job: string, runId: string, extra: Partial<RunObservation> = {}): RunObservation => ({
  stage: 'prod',
  job,
  runId,
  contribution: 'inline',
  failures: failures('USER_BLOCKED_STATE', 1),
  successes: 0,
  ...extra,
});
const clean = (job: string, runId: string): RunObservation => ({
  stage: 'prod',
  job,
  runId,
  contribution: 'inline',
  failures: [],
  successes: 5,
});

describe('tenant-wide alert groups', () => {
  it('three jobs failing with USER_BLOCKED_STATE send one alert; the reminder names all three; it resolves when none sees it', async () => {
    const env = await setUp();
    const clock = settableClock(T0);
    const worker = createWorker({ local, ...env, clock });

    // Act: three jobs hit the blocked user within minutes; another job's device failure is a symptom.
    await worker.pipeline.process(blocked('approve-pending', 'a-1'));
    clock.set(T0 + MINUTE);
    await worker.pipeline.process(blocked('overdue-lock', 'o-1'));
    const symptom = await worker.pipeline.process({
      ...blocked('api-request', 'op-1'),
      failures: [...failures('USER_BLOCKED_STATE', 2), ...failures('DEVICE_NOT_FOUND', 1, 10)],
    });

    // Assess: one message, tenant-wide, never "1 device"; the device failure inhibited.
    const first = await readInbox(local, env.inbox.queueUrl);
    expect(first.map((m) => m.subject)).toEqual([
      '[KG prod] CRITICAL USER_BLOCKED_STATE: tenant-wide - approve-pending',
    ]);
    expect(first[0]?.attributes).toMatchObject({ job: '*', kind: 'firing' });
    expect(first[0]?.email).not.toMatch(/\b1 device\b/);
    expect(symptom.groups.find((g) => g.codeName === 'DEVICE_NOT_FOUND')).toMatchObject({
      reason: 'inhibited',
      detail: 'USER_BLOCKED_STATE',
    });

    // the reminder after the repeat interval names every job that saw it
    clock.set(T0 + 4 * HOUR + MINUTE);
    await worker.pipeline.process(blocked('overdue-lock', 'o-2'));
    const reminder = await readInbox(local, env.inbox.queueUrl);
    expect(reminder.map((m) => m.attributes.kind)).toEqual(['reminder']);
    // the subject keeps whole job names (the e-mail lists them all)
    expect(reminder[0]?.subject).toBe(
      '[KG prod] STILL FAILING USER_BLOCKED_STATE: tenant-wide - api-request, approve-pending +1',
    );
    expect(reminder[0]?.email).toContain('Jobs that saw it: api-request, approve-pending, overdue-lock');

    // two of three jobs succeed again: still open; the third one too: resolved, once
    clock.set(T0 + 5 * HOUR);
    await worker.pipeline.process(clean('approve-pending', 'a-2'));
    await worker.pipeline.process(clean('overdue-lock', 'o-3'));
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(0);
    const last = await worker.pipeline.process(clean('api-request', 'op-2'));
    expect(last.resolved).toEqual([{ codeName: 'USER_BLOCKED_STATE', notified: true }]);
    const resolved = await readInbox(local, env.inbox.queueUrl);
    expect(resolved.map((m) => m.subject)).toEqual([
      '[KG prod] RESOLVED USER_BLOCKED_STATE: tenant-wide, cleared - api-request, approve-pending +1',
    ]);
    expect(resolved[0]?.sms).toContain('No action needed.');
    worker.destroy();
  });

  it('a job-scoped silence mutes a tenant-wide group only while it covers every job that saw it', async () => {
    const env = await setUp();
    const clock = settableClock(T0);
    const rules = loadAlertRules({
      silences: [
        {
          code: 'USER_BLOCKED_STATE',
          job: 'approve-pending',
          until: '2026-12-01T00:00:00Z',
          comment: 'PO-1',
        },
      ],
    });
    const worker = createWorker({ local, ...env, clock, rules });

    const silenced = await worker.pipeline.process(blocked('approve-pending', 'a-1'));
    expect(silenced.groups[0]).toMatchObject({ outcome: 'suppressed', reason: 'silenced', detail: 'PO-1' });
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(0);

    // overdue-lock is not silenced: the tenant-wide problem reaches the admins
    await worker.pipeline.process(blocked('overdue-lock', 'o-1'));
    const sent = await readInbox(local, env.inbox.queueUrl);
    expect(sent.map((m) => m.subject)).toEqual([
      '[KG prod] CRITICAL USER_BLOCKED_STATE: tenant-wide - approve-pending, overdue-lock',
    ]);
    worker.destroy();
  });

  it('a run-complete flush sends the final count only when it differs from the notified one', async () => {
    const env = await setUp();
    const clock = settableClock(T0);
    const worker = createWorker({ local, ...env, clock });
    const chunk = (index: number, count: number): RunObservation => ({
      stage: 'prod',
      job: 'overdue-lock',
      runId: 'run-1',
      contribution: `${index}.0`,
      failures: failures('LICENSE_IS_LACK', count, index * 100),
      successes: 0,
      inProgress: true,
    });
    await worker.pipeline.process(chunk(0, 7));
    await worker.pipeline.process(chunk(1, 5));
    const flushed = await worker.pipeline.flush({ stage: 'prod', job: 'overdue-lock', runId: 'run-1' });
    const again = await worker.pipeline.flush({ stage: 'prod', job: 'overdue-lock', runId: 'run-1' });

    const messages = await readInbox(local, env.inbox.queueUrl);
    expect(messages.map((m) => m.subject)).toEqual([
      '[KG prod] CRITICAL LICENSE_IS_LACK: tenant-wide, 7+ devices - overdue-lock',
      '[KG prod] FINAL COUNT LICENSE_IS_LACK: tenant-wide, 12 devices - overdue-lock',
    ]);
    expect(flushed.groups).toEqual([expect.objectContaining({ kind: 'update', devices: 12 })]);
    // a second flush (another worker completing the same run) finds the count told already
    expect(again.published).toBe(0);

    // a single-chunk run whose count was final from the start gets no update
    await worker.pipeline.process({ ...chunk(0, 3), runId: 'run-2', inProgress: false });
    clock.set(T0 + 4 * HOUR + MINUTE);
    await worker.pipeline.process({ ...chunk(0, 3), runId: 'run-3', inProgress: false });
    await worker.pipeline.flush({ stage: 'prod', job: 'overdue-lock', runId: 'run-3' });
    const later = await readInbox(local, env.inbox.queueUrl);
    expect(later.map((m) => m.attributes.kind)).toEqual(['reminder']);
    worker.destroy();
  });
});
