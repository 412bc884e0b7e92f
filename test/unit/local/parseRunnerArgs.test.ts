import { describe, expect, it } from 'vitest';
import { localJobs, parseRunnerArgs, runnerHelp } from '../../../local/parseRunnerArgs';

const JOBS = [
  { name: 'overdue-lock', operation: 'lock', enabled: true },
  { name: 'locked-notice', operation: 'sendMessage', enabled: false },
];

describe('parseRunnerArgs (npm start)', () => {
  it('takes the defaults without arguments', () => {
    expect(parseRunnerArgs([], JOBS)).toEqual({
      kind: 'run',
      options: { job: undefined, devices: 40, scenario: 'default', verbose: false },
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
      options: { job: 'overdue-lock', devices: 20_000, scenario: 'outage', verbose: true },
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
    expect(jobs).toContainEqual({ name: 'locked-notice', operation: 'sendMessage', enabled: false });
  });
});
