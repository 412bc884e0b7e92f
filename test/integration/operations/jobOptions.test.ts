// A jobs.yml `options` block (the operation's optional body fields from OPERATION_RULES) reaches
// Knox Guard: a blink job with its own `interval` and time window runs through runScheduledJob and
// the real client against the strict simulator over HTTP, which refuses any field it does not expect.
import { afterEach, describe, expect, it } from 'vitest';
import { resolveJobsConfig } from '../../../lib/config';
import { runScheduledJob } from '../../../lib/operations';
import { type KnoxTestBed, startKnoxTestBed } from '../../helpers/knoxTestKit';
import { recordingQueue, recordingSink } from '../../helpers/operationsFakes';

let bed: KnoxTestBed | undefined;
afterEach(async () => {
  await bed?.sim.close();
  bed = undefined;
});

describe('job options', () => {
  it('sends a blink job’s interval and time window as jobs.yml sets them', async () => {
    bed = await startKnoxTestBed({ seed: 'empty', recordRequests: true });
    const ids = [1, 2, 3].map(() => bed?.sim.state.addDevice({ status: 'Enrolled' }).deviceUid as string);
    const config = resolveJobsConfig(
      {
        jobs: {
          'payment-reminder': {
            operation: 'blink',
            targets: { source: 'inline', deviceUids: ids },
            message: 'Your next instalment is due in 3 days.',
            contact: { tel: '+49 89 2024 7710' },
            options: { interval: 3600, timeLimitEnable: true, timeLimit: [8, 20] },
          },
        },
      },
      'prod',
    );
    const job = config.jobs.get('payment-reminder');
    if (!job) throw new Error('no job');

    const summary = await runScheduledJob(job, {
      stage: 'prod',
      runId: 'run-1',
      defaults: config.defaults,
      targets: {},
      queue: recordingQueue(),
      executor: bed.client,
      sink: recordingSink(),
    });

    expect(summary).toMatchObject({ mode: 'inline', targets: 3, succeeded: 3 });
    const submit = bed.sim.requests.find((r) => r.path.endsWith('/devices/blinkAsync'));
    expect(submit?.body).toEqual({
      deviceUid: ids,
      message: 'Your next instalment is due in 3 days.',
      tel: '+49 89 2024 7710',
      interval: 3600,
      timeLimitEnable: true,
      timeLimit: [8, 20],
    });
  });
});
