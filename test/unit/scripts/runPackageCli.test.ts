import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsConfigError } from '../../../lib/config/jobsConfig';
import {
  assertScheduledJobsDefined,
  ScheduledJobUndefinedError,
} from '../../../scripts/assertScheduledJobsDefined';
import { cliWarnings, type PackagedService, PackageError, runPackageCli } from '../../../scripts/package';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text) } };
}

const PACKAGED: PackagedService = {
  outdir: '/tmp/sls',
  template: '/tmp/sls/cloudformation-template-update-stack.json',
  artifacts: [{ name: 'webhook', file: '/tmp/sls/webhook.zip', bytes: 2048 }],
  stage: 'prod',
  warnings: ['Warning: no alert subscriber (alertEmails, alertPhones) in stage prod'],
};

describe('runPackageCli (npm run package)', () => {
  it('on success names the stage and prints the CLI warnings', async () => {
    const { out, err, io: cli } = io();
    const asked: unknown[] = [];

    const code = await runPackageCli(['--stage', 'prod'], cli, async (options) => {
      asked.push(options);
      return PACKAGED;
    });

    expect(code).toBe(0);
    expect(asked).toEqual([{ stage: 'prod' }]);
    expect(out[0]).toBe('stage prod:');
    expect(out.at(-1)).toBe('template: /tmp/sls/cloudformation-template-update-stack.json');
    expect(err).toEqual(['Warning: no alert subscriber (alertEmails, alertPhones) in stage prod']);
  });

  it('packages stage ci when no --stage is given', async () => {
    const { io: cli } = io();
    const asked: unknown[] = [];
    await runPackageCli([], cli, async (options) => {
      asked.push(options);
      return { ...PACKAGED, stage: 'ci', warnings: [] };
    });
    expect(asked).toEqual([{ stage: 'ci' }]);
  });

  it('a packaging failure prints the CLI output once and one line naming the stage: exit 1, no rethrow', async () => {
    const { out, err, io: cli } = io();
    const output = 'Error:\nparam logRetentionDays: 31 is not a CloudWatch Logs retention\n';

    const code = await runPackageCli(['--stage', 'prod'], cli, async () => {
      throw new PackageError('serverless package --stage prod exited with 1', output);
    });

    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      output.trimEnd(),
      "npm run package: packaging stage prod failed (serverless package --stage prod exited with 1); the CLI's output is above.",
    ]);
  });

  it('a configuration error before the CLI runs is its message: exit 1', async () => {
    const { err, io: cli } = io();
    const code = await runPackageCli([], cli, async () => {
      throw new JobsConfigError(['config/jobs.yml line 4: duplicate key "a"']);
    });
    expect(code).toBe(1);
    expect(err).toEqual([
      'npm run package: JobsConfigError: Invalid jobs configuration:\n  - config/jobs.yml line 4: duplicate key "a"\nNothing was packaged (stage ci).',
    ]);
  });

  it('anything else is a bug and propagates', async () => {
    const { io: cli } = io();
    await expect(runPackageCli([], cli, async () => Promise.reject(new TypeError('bug')))).rejects.toThrow(
      'bug',
    );
  });
});

describe('cliWarnings', () => {
  it('answers each Warning: line once, in order', () => {
    expect(cliWarnings('Packaging\nWarning: a\n  Warning: b\nWarning: a\nwarning: not one\n')).toEqual([
      'Warning: a',
      'Warning: b',
    ]);
  });
});

describe('assertScheduledJobsDefined', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kgs-scheduled-'));
    await mkdir(join(root, 'infra'));
    await writeFile(join(root, 'serverless.yml'), 'service: x\n');
    await writeFile(
      join(root, 'infra', 'schedules.yml'),
      [
        'Resources:',
        '  # scheduleStates.commented-out is not a reference',
        '  ReminderSchedule:',
        '    Properties:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: serverless's variable syntax, as infra/ holds it
        '      State: ${file(./scripts/stage-config.cjs):scheduleStates.payment-reminder}',
        `      Input: '{"job":"payment-reminder","scheduledTime":"<aws.scheduler.scheduled-time>"}'`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('accepts the committed serverless.yml and infra/ with the committed jobs', async () => {
    await expect(
      assertScheduledJobsDefined(
        ['approve-pending', 'overdue-lock', 'payment-reminder', 'licence-health'],
        join(import.meta.dirname, '../../..'),
      ),
    ).resolves.toBeUndefined();
  });

  it('accepts a job without a schedule', async () => {
    await expect(
      assertScheduledJobsDefined(['payment-reminder', 'locked-notice'], root),
    ).resolves.toBeUndefined();
  });

  it('names each reference to a job jobs.yml lacks, with file, line and resource', async () => {
    const check = assertScheduledJobsDefined(['payment-reminders'], root);
    await expect(check).rejects.toBeInstanceOf(ScheduledJobUndefinedError);
    await expect(check).rejects.toThrow(
      '"payment-reminder" is scheduled but not a job in config/jobs.yml (its jobs: payment-reminders); rename the job back in config/jobs.yml or change the schedule:\n' +
        '  - infra/schedules.yml line 5 (ReminderSchedule): job "payment-reminder"\n' +
        '  - infra/schedules.yml line 6 (ReminderSchedule): job "payment-reminder"',
    );
  });
});
