import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UndefinedParamError } from '../../../lib/config/jobParams';
import { PlaceholderValueError, StageParamError } from '../../../lib/config/planJobSchedules';
import { readJobsConfig } from '../../../scripts/build';
import { stagesOf } from '../../../scripts/lint-templates';
import { cliWarnings } from '../../../scripts/package';
import { metricRefsOf } from '../../../scripts/render-dashboard';

// The real serverless CLI (osls) on serverless.yml, offline: `--param` overrides go through
// serverless's own variable resolution into scripts/stage-config.cjs and lib/config's
// planJobSchedules, as on `serverless deploy`.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(
  dirname(createRequire(import.meta.url).resolve('osls/package.json')),
  'bin',
  'serverless.js',
);
const OFFLINE_ENV = {
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_DEPRECATION_DISABLE: '*',
  SLS_INTERACTIVE_SETUP_DISABLE: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

type Json = Record<string, unknown>;
type Template = {
  provider: { environment: Json };
  resources: {
    Resources: Record<string, { Type: string; Properties: Json }>;
    Parameters: Record<string, { Default: unknown }>;
  };
};

function serverless(
  args: string[],
  cwd = ROOT,
): Promise<{ code: number | null; stdout: string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...OFFLINE_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, output }));
  });
}

async function printWithOutput(
  stage: string,
  params: Record<string, string> = {},
): Promise<{ template: Template; output: string }> {
  const args = Object.entries(params).map(([key, value]) => `--param=${key}=${value}`);
  const result = await serverless(['print', '--stage', stage, '--format', 'json', ...args]);
  if (result.code !== 0) throw new Error(result.output);
  return { template: JSON.parse(result.stdout) as Template, output: result.output };
}
const print = async (stage: string, params: Record<string, string> = {}): Promise<Template> =>
  (await printWithOutput(stage, params)).template;

const scheduleStates = (template: Template): Record<string, unknown> =>
  Object.fromEntries(
    Object.values(template.resources.Resources)
      .filter((resource) => resource.Type === 'AWS::Scheduler::Schedule')
      .map((resource) => [
        JSON.parse((resource.Properties.Target as { Input: string }).Input).job,
        resource.Properties.State,
      ]),
  );

const REAL = {
  overdueLockMessage: 'Your instalment is overdue. Pay in the app or call us to unlock this device.',
  paymentReminderMessage: 'Your next instalment is due in 3 days.',
  lockContactTel: '+49 89 2024 7710',
  lockContactEmail: 'inkasso@acme-finanz.de',
};

let outdir: string;
beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'sentinel-stage-'));
});
afterAll(async () => {
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

describe('serverless.yml stages and --param (osls, offline)', () => {
  it('`serverless package --stage prod` with a sample contact fails before packaging, naming the param', async () => {
    const result = await serverless([
      'package',
      '--stage',
      'prod',
      '--package',
      outdir,
      `--param=overdueLockMessage=${REAL.overdueLockMessage}`,
      '--param=lockContactTel=+49 30 1234567',
      `--param=lockContactEmail=${REAL.lockContactEmail}`,
    ]);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('PlaceholderValueError: Stage prod runs its schedules');
    expect(result.output).toContain(
      'param lockContactTel (jobs.overdue-lock.contact.tel) is a sample number',
    );
    expect(result.output).toContain('--param="<name>=<value>"');
    expect(result.output).not.toContain('param lockContactEmail');
    expect(await readdir(outdir)).toEqual([]); // nothing packaged
  }, 60_000);

  it('`serverless package --stage prod` with a malformed param value names the param, not only the jobs.yml path', async () => {
    const result = await serverless([
      'package',
      '--stage',
      'prod',
      '--package',
      outdir,
      '--param=lockContactTel=TODO',
      `--param=overdueLockMessage=${'P'.repeat(400)}`,
      `--param=lockContactEmail=${REAL.lockContactEmail}`,
    ]);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      'param lockContactTel (jobs.overdue-lock.contact.tel): tel must be a phone number: E.164, e.g. +<country code><number>',
    );
    expect(result.output).toContain(
      'param overdueLockMessage (jobs.overdue-lock.message): lock message is over 350 characters',
    );
    expect(result.output).not.toContain('1234567');
    expect(await readdir(outdir)).toEqual([]);
  }, 60_000);

  it('prod as shipped: no schedule runs, every job param unset, and packaging warns that alerts reach no one', async () => {
    const { template, output } = await printWithOutput('prod');

    expect(scheduleStates(template)).toEqual({
      'overdue-lock': 'DISABLED',
      'approve-pending': 'DISABLED',
      'payment-reminder': 'DISABLED',
      // knoxUnverifiedLicenceApi "false": the check could only report itself unavailable
      'licence-health': 'DISABLED',
    });
    expect(JSON.parse(template.provider.environment.JOB_PARAMS as string)).toEqual({
      approvePendingEnabled: false,
      lockContactEmail: '',
      lockContactTel: '',
      lockedNoticeMessage: '',
      overdueLockMessage: '',
      paymentReminderMessage: '',
    });
    expect(template.resources.Parameters.BillingAccessPolicyEnabled?.Default).toBe('false');
    // What npm run package prints after a successful packaging (scripts/package.ts).
    const warnings = cliWarnings(output).filter((line) => line.startsWith('Warning: no alert subscriber'));
    expect(warnings).toEqual([
      expect.stringContaining(
        'alertEmails and alertPhones are empty, so the alarms and alerts of stage prod',
      ),
    ]);
  }, 60_000);

  it('prod with real values from --param: the device jobs run, approve-pending and licence-health only when opted in', async () => {
    const template = await print('prod', {
      ...REAL,
      alertEmails: 'ops@acme-finanz.de',
      approvePendingEnabled: 'true',
      knoxUnverifiedLicenceApi: 'true',
      billingAccessPolicy: 'true',
    });

    expect(scheduleStates(template)).toEqual({
      'overdue-lock': 'ENABLED',
      'approve-pending': 'ENABLED',
      'payment-reminder': 'ENABLED',
      'licence-health': 'ENABLED',
    });
    expect(JSON.parse(template.provider.environment.JOB_PARAMS as string)).toMatchObject({
      ...REAL,
      approvePendingEnabled: 'true',
    });
    expect(template.resources.Parameters.BillingAccessPolicyEnabled?.Default).toBe('true');
  }, 60_000);

  it('`serverless package --stage prod` refuses device jobs that would run with no alert subscriber, naming alertEmails and alertPhones', async () => {
    const result = await serverless([
      'package',
      '--stage',
      'prod',
      '--package',
      outdir,
      ...Object.entries(REAL).map(([key, value]) => `--param=${key}=${value}`),
    ]);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      'StageParamError: Stage prod: overdue-lock, payment-reminder would run on real devices, but no one would get its alerts: alertEmails and alertPhones are empty',
    );
    expect(await readdir(outdir)).toEqual([]);
  }, 60_000);

  it('`--param=schedulesState=enabled` is refused with an error naming the param', async () => {
    const result = await serverless(['print', '--stage', 'prod', '--param=schedulesState=enabled']);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      'StageParamError: Stage prod: param schedulesState is "enabled"; it must be exactly ENABLED or DISABLED',
    );
    expect(result.output).not.toContain('PlaceholderValueError');
  }, 60_000);

  it('`serverless package --stage prod` refuses params AWS would refuse at deploy, naming the stage and each param', async () => {
    const result = await serverless([
      'package',
      '--stage',
      'prod',
      '--package',
      outdir,
      '--param=overdueLockSchedule=cron(0 7 * * *)',
      '--param=scheduleTimezone=Europe/Berln',
      '--param=maxReceiveCount=0',
      '--param=runReportRetentionDays=0',
      '--param=knoxRateLimitPerSecond=0',
      '--param=alertPhones=0151 2024 7710',
    ]);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      'StageParamError: Stage prod: these params hold values AWS would refuse at deploy',
    );
    for (const line of [
      'param knoxRateLimitPerSecond is "0": the functions would refuse it at their first start (KNOX_RATE_LIMIT_PER_SECOND',
      'param alertPhones: entry 1 of 1 is not an international phone number',
      'param maxReceiveCount is "0": must be a whole number from 1 to 1000 (SQS redrive policy maxReceiveCount)',
      'param scheduleTimezone is "Europe/Berln": must be an IANA time zone',
      'param overdueLockSchedule is "cron(0 7 * * *)": must be an EventBridge Scheduler expression',
      'param runReportRetentionDays is "0": must be a whole number 1 or more (S3 lifecycle ExpirationInDays)',
    ])
      expect(result.output).toContain(line);
    expect(result.output).not.toContain('2024 7710');
    expect(await readdir(outdir)).toEqual([]); // nothing packaged
  }, 60_000);

  it('unquoted booleans in params.prod reach the stack parameters as "true" (a copy of the repo, the real CLI)', async () => {
    const copy = join(outdir, 'copy');
    await mkdir(copy);
    for (const entry of ['package.json', 'tsconfig.json', 'infra', 'config', 'scripts', 'lib'])
      await cp(join(ROOT, entry), join(copy, entry), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const manifest = (await readFile(join(ROOT, 'serverless.yml'), 'utf8')).replace(
      '  prod:\n',
      '  prod:\n    smsIncludeReminders: true\n    billingAccessPolicy: true\n    alertPhones: "+49 89 2024 7711"\n',
    );
    await writeFile(join(copy, 'serverless.yml'), manifest);

    const result = await serverless(['print', '--stage', 'prod', '--format', 'json'], copy);
    await rm(copy, { recursive: true, force: true });

    expect(result.code, result.output).toBe(0);
    const parameters = (JSON.parse(result.stdout) as Template).resources.Parameters;
    expect(parameters.SmsIncludeReminders?.Default).toBe('true');
    expect(parameters.BillingAccessPolicyEnabled?.Default).toBe('true');
    expect(parameters.AlertPhones?.Default).toBe('+498920247711'); // E.164 for SNS
  }, 60_000);

  it('every stage has its own dashboard: named for the stage, a JSON body, its queues and metrics', async () => {
    const stages = stagesOf(await readFile(join(ROOT, 'serverless.yml'), 'utf8'));
    expect(stages).toEqual(expect.arrayContaining(['dev', 'ci', 'prod']));
    const templates = await Promise.all(stages.map((stage) => print(stage)));
    stages.forEach((stage, i) => {
      const resources = Object.values(templates[i]?.resources.Resources ?? {});
      const dashboards = resources.filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
      expect(dashboards, stage).toHaveLength(1);
      expect(dashboards[0]?.Properties.DashboardName).toBe(`knox-guard-sentinel-${stage}`);
      const body = JSON.parse(dashboards[0]?.Properties.DashboardBody as string);
      const refs = metricRefsOf(body);
      for (const ref of refs.filter((r) => r.namespace === 'AWS/SQS'))
        expect(ref.dimensions.QueueName, stage).toMatch(new RegExp(`^knox-guard-sentinel-${stage}-`));
      for (const ref of refs.filter((r) => r.namespace === 'KnoxGuardSentinel'))
        expect(ref.dimensions.stage, stage).toBe(stage);
    });
  }, 120_000);

  it('ci keeps every schedule off and accepts the samples', async () => {
    const template = await print('ci', {
      ...REAL,
      lockContactTel: '+49 30 1234567',
      lockContactEmail: 'collections@example.com',
      approvePendingEnabled: 'true',
    });

    expect(new Set(Object.values(scheduleStates(template)))).toEqual(new Set(['DISABLED']));
  }, 60_000);
});

describe('the build (scripts/build.ts) plans every stage serverless.yml defines', () => {
  it('refuses params.prod values AWS would refuse at deploy (the break-it values), naming each param', async () => {
    const manifest = (await readFile(join(ROOT, 'serverless.yml'), 'utf8'))
      .replace('    targetsExpirationDays: 90\n', '    targetsExpirationDays: 0\n')
      .replace(
        '  prod:\n',
        [
          '  prod:',
          '    alertEmails: "ops@acme-finanz"',
          '    overdueLockSchedule: cron(0 7 * * *)',
          '    scheduleTimezone: Europe/Berln',
          '    maxReceiveCount: 0',
          '    smsIncludeReminders: true',
          '',
        ].join('\n'),
      );
    const file = join(outdir, 'serverless-aws-refuses.yml');
    await writeFile(file, manifest);

    const build = readJobsConfig(join(ROOT, 'config', 'jobs.yml'), file);

    await expect(build).rejects.toBeInstanceOf(StageParamError);
    await expect(build).rejects.toMatchObject({
      stage: 'prod',
      params: [
        'alertEmails',
        'maxReceiveCount',
        'scheduleTimezone',
        'overdueLockSchedule',
        'targetsExpirationDays',
      ],
    });
    await expect(build).rejects.toThrow('param targetsExpirationDays is 0: must be a whole number 1 or more');
  });

  it('accepts the committed serverless.yml and config/jobs.yml', async () => {
    await expect(readJobsConfig()).resolves.toMatchObject({
      jobs: { 'overdue-lock': { operation: 'lock' } },
    });
  });

  it('refuses a jobs.yml reference to a param serverless.yml does not define, naming it', async () => {
    const jobs = (await readFile(join(ROOT, 'config', 'jobs.yml'), 'utf8')).replace(
      'key: reminders/latest.json',
      ['key: $', '{param:remindersKey}'].join(''),
    );
    const file = join(outdir, 'jobs.yml');
    await writeFile(file, jobs);

    const build = readJobsConfig(file);

    await expect(build).rejects.toBeInstanceOf(UndefinedParamError);
    await expect(build).rejects.toThrow(
      `config/jobs.yml references ${['$', '{param:remindersKey}'].join('')}, but serverless.yml defines no param remindersKey (params.default)`,
    );
  });

  it('refuses a sample value written into params.prod, naming the param', async () => {
    const manifest = (await readFile(join(ROOT, 'serverless.yml'), 'utf8')).replace(
      '  prod:\n',
      '  prod:\n    lockContactEmail: collections@example.com\n',
    );
    const file = join(outdir, 'serverless.yml');
    await writeFile(file, manifest);

    const build = readJobsConfig(join(ROOT, 'config', 'jobs.yml'), file);

    await expect(build).rejects.toBeInstanceOf(PlaceholderValueError);
    await expect(build).rejects.toThrow(
      'param lockContactEmail (jobs.overdue-lock.contact.email) uses example.com, a domain reserved for documentation',
    );
  });
});
