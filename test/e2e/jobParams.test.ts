// End to end: the packaged scheduledRun handler as a deployed prod stage runs it: the jobs
// configuration embedded at build time (no JOBS_CONFIG_PATH), the stage's params in JOB_PARAMS
// as serverless.yml hands them over, real EventBridge Scheduler events, the Knox Guard simulator.
// A device job with its params set runs with exactly those values; one without them, and
// approve-pending without approvePendingEnabled, touch no device.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';

const PARAMS = {
  approvePendingEnabled: false,
  overdueLockMessage: 'Your instalment is overdue. Pay in the app to unlock this device.',
  lockContactTel: '+49 89 2024 7710',
  lockContactEmail: 'inkasso@acme-finanz.de',
  paymentReminderMessage: '', // unset: payment-reminder stays disabled
  lockedNoticeMessage: '',
};

let env: EmbeddedStack;
let overdue: string[];

beforeAll(async () => {
  env = await startEmbeddedStack({
    stage: 'prod',
    simulator: { seed: { devices: 120 }, recordRequests: true },
    logLevel: 'ERROR',
  });
  // As in AWS: the copy of config/jobs.yml the build embedded, and the params serverless set.
  delete process.env.JOBS_CONFIG_PATH;
  process.env.JOB_PARAMS = JSON.stringify(PARAMS);
  overdue = [...env.sim.state.devices.scan({ status: ['Enrolled'], simControlEnabled: false })]
    .slice(0, 5)
    .map((device) => device.deviceUid);
  const s3 = new S3Client(env.aws.clientConfig('s3'));
  for (const key of ['overdue/latest.csv', 'reminders/latest.csv']) {
    await s3.send(
      new PutObjectCommand({
        Bucket: env.stack.bucket,
        Key: key,
        Body: `deviceUid\n${overdue.join('\n')}\n`,
      }),
    );
  }
  s3.destroy();
}, 120_000);

afterAll(async () => {
  delete process.env.JOB_PARAMS;
  await env?.close();
});

const deviceCalls = (): number =>
  Object.entries(env.sim.stats.byPath)
    .filter(([path]) => path.includes('/kg/devices/') && !path.endsWith('/devices/list'))
    .reduce((sum, [, count]) => sum + count, 0);

describe('job params on a prod stage (packaged scheduledRun, embedded jobs.yml, JOB_PARAMS)', () => {
  it('approve-pending without approvePendingEnabled and payment-reminder without its message touch no device', async () => {
    const before = deviceCalls();

    const approve = await env.runSchedule('approve-pending');
    const remind = await env.runSchedule('payment-reminder');

    expect(approve).toMatchObject({ mode: 'disabled', targets: 0 });
    expect(remind).toMatchObject({ mode: 'disabled', targets: 0 });
    expect(deviceCalls()).toBe(before);
    expect(env.sim.stats.byPath['/kcs/v1.1/kg/devices/approveAsync'] ?? 0).toBe(0);
  });

  it('overdue-lock runs with the message and contacts from the params', async () => {
    const summary = await env.runSchedule('overdue-lock');

    expect(summary).toMatchObject({ mode: 'inline', targets: overdue.length, succeeded: overdue.length });
    for (const uid of overdue) expect(env.sim.state.devices.get(uid)?.status).toBe('Locked');
    // What Knox Guard was sent: the params' message and contacts, nothing from the samples.
    const locks = env.sim.requests.filter((request) => /\/devices\/lock(Async)?$/.test(request.path));
    expect(locks.length).toBeGreaterThan(0);
    for (const request of locks) {
      expect(request.body).toMatchObject({
        message: PARAMS.overdueLockMessage,
        tel: PARAMS.lockContactTel,
        email: PARAMS.lockContactEmail,
      });
    }
  });
});
