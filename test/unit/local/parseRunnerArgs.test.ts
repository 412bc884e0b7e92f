import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localJobs, parseRunnerArgs, runnerHelp } from '../../../local/parseRunnerArgs';

const JOBS = [
  { name: 'overdue-lock', operation: 'lock', enabled: true },
  { name: 'locked-notice', operation: 'sendMessage', enabled: false, disabledBecause: 'it is off' },
];

describe('parseRunnerArgs (npm start)', () => {
  it('takes the defaults without arguments', () => {
    expect(parseRunnerArgs([], JOBS)).toEqual({
      kind: 'run',
      options: {
        job: undefined,
        devices: 40,
        scenario: 'default',
        verbose: false,
        stateDir: undefined,
        fresh: false,
      },
    });
  });

  it('takes a known job, a device count, a scenario and --verbose', () => {
    expect(
      parseRunnerArgs(
        ['--job', 'overdue-lock', '--devices', '20000', '--scenario', 'outage', '--verbose'],
        JOBS,
      ),
    ).toEqual({
      kind: 'run',
      options: {
        job: 'overdue-lock',
        devices: 20_000,
        scenario: 'outage',
        verbose: true,
        stateDir: undefined,
        fresh: false,
      },
    });
  });

  it('answers --help and -h with the help', () => {
    expect(parseRunnerArgs(['--help'], JOBS)).toEqual({ kind: 'help' });
    expect(parseRunnerArgs(['-h'], JOBS)).toEqual({ kind: 'help' });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--job'], /--job <value>' argument missing/],
    [['stray'], /positional/],
    [['--devices', '-5'], /--devices/],
    [['--devices=-5'], /whole number .* \(got -5\)/],
    [['--devices', '0'], /whole number .* \(got 0\)/],
    [['--devices', '2.5'], /whole number .* \(got 2.5\)/],
    [['--devices', '1e3'], /whole number .* \(got 1e3\)/],
    [['--devices', '1000001'], /whole number .* \(got 1000001\)/],
    [['--scenario', 'toString'], /--scenario must be one of default, user-blocked/],
    [['--job', 'nosuchjob'], /no such job in config\/jobs.yml; the jobs are overdue-lock, locked-notice/],
    [['--job', 'locked-notice'], /--job locked-notice: the job is disabled in stage local .*: it is off/],
    [['--state-dir'], /--state-dir <value>' argument missing/],
  ])('%j is a usage error, not an exception', (argv, message) => {
    const parsed = parseRunnerArgs(argv, JOBS);
    expect(parsed.kind).toBe('usage-error');
    expect(parsed.kind === 'usage-error' && parsed.message).toMatch(message);
  });
});

describe('runnerHelp', () => {
  it('lists each job with its operation and whether the local stage enables it, and the scenarios', () => {
    const help = runnerHelp(JOBS);
    expect(help).toMatch(/overdue-lock +lock +enabled/);
    expect(help).toMatch(/locked-notice +sendMessage +disabled/);
    expect(help).toMatch(/user-blocked +the API user is blocked/);
    expect(help).toContain('Exit codes');
  });
});

describe('localJobs', () => {
  it('reads the jobs of config/jobs.yml as the local stage resolves them', () => {
    const jobs = localJobs(new URL('../../../', import.meta.url));
    expect(jobs).toContainEqual({ name: 'overdue-lock', operation: 'lock', enabled: true });
    // Disabled in the base file: the local stage does not enable it.
    expect(jobs).toContainEqual({
      name: 'locked-notice',
      operation: 'sendMessage',
      enabled: false,
      disabledBecause:
        'config/jobs.yml sets enabled: false for it; set stages.local.jobs.locked-notice.enabled: true there to run it locally',
    });
  });

  it('says what licence-health does locally: it only reports the licence check unavailable, unless opted in', () => {
    const root = new URL('../../../', import.meta.url);
    const note =
      'locally it only reports the licence check unavailable (unverified paths: KNOX_UNVERIFIED_LICENCE_API is not "true")';
    expect(localJobs(root, {})).toContainEqual({
      name: 'licence-health',
      operation: 'licence-health',
      enabled: true,
      localNote: note,
    });
    expect(runnerHelp(localJobs(root, {}))).toMatch(
      new RegExp(`licence-health +licence-health +enabled\\n +${note.replace(/[()"]/g, '\\$&')}\\n`),
    );
    expect(localJobs(root, { KNOX_UNVERIFIED_LICENCE_API: 'true' })).toContainEqual({
      name: 'licence-health',
      operation: 'licence-health',
      enabled: true,
    });
  });

  it('says which param disables a job and where to set it', () => {
    const root = mkdtempSync(join(tmpdir(), 'kgs-jobs-'));
    try {
      mkdirSync(join(root, 'config'));
      writeFileSync(
        join(root, 'config', 'jobs.yml'),
        [
          'jobs:',
          '  approve-pending:',
          '    operation: approve',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a jobs.yml parameter
          '    enabled: ${param:approvePendingEnabled}',
          '    targets: { source: knox, filter: { status: [Pending] } }',
          '  locked-notice:',
          '    operation: sendMessage',
          '    targets: { source: knox, filter: { status: [Locked] } }',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a jobs.yml parameter
          '    message: ${param:lockedNoticeMessage}',
          'stages:',
          '  local:',
          '    params: { approvePendingEnabled: false }',
        ].join('\n'),
      );
      const jobs = localJobs(pathToFileURL(`${root}/`));
      expect(jobs).toEqual([
        {
          name: 'approve-pending',
          operation: 'approve',
          enabled: false,
          disabledBecause:
            'param approvePendingEnabled is false; set stages.local.params.approvePendingEnabled: true in config/jobs.yml',
        },
        {
          name: 'locked-notice',
          operation: 'sendMessage',
          enabled: false,
          disabledBecause:
            'param lockedNoticeMessage has no value; set stages.local.params.lockedNoticeMessage in config/jobs.yml',
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('takes --state-dir and --fresh', () => {
    expect(parseRunnerArgs(['--state-dir', '/tmp/x', '--fresh'], JOBS)).toMatchObject({
      kind: 'run',
      options: { stateDir: '/tmp/x', fresh: true },
    });
  });
});
