// Per-job codes (catalog `scope: job`: a job's targets file, its scheduled run) as one alert group
// per stage, job and code, against the local SNS, SQS and DynamoDB: a second job's condition is
// its own alert (never "notified recently" behind the first job's), neither says "tenant-wide",
// each resolves with its own job, and a firing tenant-wide cause still inhibits a job's failed run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunObservation } from '../../../lib/alerts';
import { type ServiceCodeName, serviceFailure } from '../../../lib/errors/serviceCodes';
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

const setUp = () => createAlertStack(local, 'per-job');

const failed = (name: ServiceCodeName, job: string, runId: string, reason: string): RunObservation => ({
  stage: 'prod',
  job,
  runId,
  contribution: 'inline',
  failures: [{ error: serviceFailure(name, reason) }],
  successes: 0,
});

describe('per-job alert groups', () => {
  it.each(['TARGETS_UNREADABLE', 'SCHEDULED_RUN_FAILED'] as const)(
    '%s of a second job is its own alert, and each resolves with its own job',
    async (name) => {
      const env = await setUp();
      const clock = settableClock(T0);
      const worker = createWorker({ local, ...env, clock });

      await worker.pipeline.process(failed(name, 'overdue-lock', 'o-1', 'overdue/latest.csv: NoSuchKey'));
      clock.set(T0 + MINUTE);
      const second = await worker.pipeline.process(
        failed(name, 'approve-pending', 'a-1', 'approve/latest.csv: AccessDenied'),
      );

      const sent = await readInbox(local, env.inbox.queueUrl);
      expect(sent.map((m) => m.subject).sort()).toEqual([
        `[KG prod] CRITICAL ${name} - approve-pending`,
        `[KG prod] CRITICAL ${name} - overdue-lock`,
      ]);
      expect(sent.map((m) => m.attributes.job).sort()).toEqual(['approve-pending', 'overdue-lock']);
      expect(second.groups).toEqual([expect.objectContaining({ codeName: name, outcome: 'sent' })]);
      for (const message of sent) {
        expect(message.email).not.toContain('tenant-wide');
        expect(message.sms).not.toContain('tenant-wide');
        expect(message.email).not.toContain('Devices affected');
      }
      expect(sent.find((m) => m.attributes.job === 'approve-pending')?.email).toContain(
        'Reason: approve/latest.csv: AccessDenied',
      );

      // overdue-lock runs cleanly: only its group resolves.
      clock.set(T0 + HOUR);
      const cleared = await worker.pipeline.process({
        stage: 'prod',
        job: 'overdue-lock',
        runId: 'o-2',
        contribution: 'inline',
        failures: [],
        successes: 5,
      });
      expect(cleared.resolved).toEqual([{ codeName: name, notified: true }]);
      const resolved = await readInbox(local, env.inbox.queueUrl);
      expect(resolved.map((m) => m.subject)).toEqual([`[KG prod] RESOLVED ${name}: cleared - overdue-lock`]);
      worker.destroy();
    },
  );

  it("a firing tenant-wide USER_BLOCKED_STATE still inhibits a job's SCHEDULED_RUN_FAILED", async () => {
    const env = await setUp();
    const clock = settableClock(T0);
    const worker = createWorker({ local, ...env, clock });

    await worker.pipeline.process({
      stage: 'prod',
      job: 'approve-pending',
      runId: 'a-1',
      contribution: 'inline',
      failures: failures('USER_BLOCKED_STATE', 1),
      successes: 0,
    });
    clock.set(T0 + MINUTE);
    const run = await worker.pipeline.process(
      failed('SCHEDULED_RUN_FAILED', 'overdue-lock', 'o-1', 'USER_BLOCKED_STATE on every attempt'),
    );

    expect(run.groups).toEqual([
      expect.objectContaining({
        codeName: 'SCHEDULED_RUN_FAILED',
        reason: 'inhibited',
        detail: 'USER_BLOCKED_STATE',
      }),
    ]);
    const sent = await readInbox(local, env.inbox.queueUrl);
    expect(sent.map((m) => m.subject)).toEqual([
      '[KG prod] CRITICAL USER_BLOCKED_STATE: tenant-wide - approve-pending',
    ]);
    worker.destroy();
  });
});
