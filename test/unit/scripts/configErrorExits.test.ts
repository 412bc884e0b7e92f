// The operator's command lines for config and usage mistakes, run as typed (a child process):
// one clear message and exit 1 (a configuration error) or 2 (a usage error), never a stack trace.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
let dir: string;
let jobs: string;

async function exitOf(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The committed config/jobs.yml with one replacement, written to a file of the test's own. */
async function jobsFile(name: string, from: string, to: string): Promise<string> {
  expect(jobs).toContain(from);
  const file = join(dir, name);
  await writeFile(file, jobs.replace(from, to));
  return file;
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-config-errors-'));
  jobs = await readFile(join(ROOT, 'config', 'jobs.yml'), 'utf8');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run build with a bad config/jobs.yml', () => {
  it.each([
    [
      'a stage override out of range names the stage',
      ['dev-chunk.yml', '        chunkSize: 100\n', '        chunkSize: 0\n'],
      'stages.dev.jobs.overdue-lock.chunkSize: Invalid value: Expected >=1 but received 0',
    ],
    [
      'a job named twice names the key and its line',
      [
        'duplicate.yml',
        '  licence-health:\n',
        '  overdue-lock:\n    operation: blink\n    targets: {source: s3, key: x.csv}\n    message: hi\n  licence-health:\n',
      ],
      /line \d+: duplicate key "overdue-lock"/,
    ],
    [
      'a renamed scheduled job names the job the schedule expects and where',
      ['renamed.yml', '  payment-reminder:\n', '  payment-reminders:\n'],
      '"payment-reminder" is scheduled but not a job in config/jobs.yml',
    ],
  ] as const)('%s: exit 1, the message, no stack trace', async (_, [name, from, to], expected) => {
    const file = await jobsFile(name, from, to);

    const { code, stdout, stderr } = await exitOf('scripts/build.ts', [
      '--jobs',
      file,
      '--outdir',
      join(dir, 'out'),
    ]);

    expect(code).toBe(1);
    expect(stderr).toMatch(expected);
    expect(stderr).toMatch(/^npm run build: (JobsConfigError|ScheduledJobUndefinedError): /);
    expect(stderr).toContain('Nothing was built.');
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(stdout).toBe('');
  });

  it('names the schedule resource and line of a renamed job', async () => {
    const file = await jobsFile('renamed2.yml', '  payment-reminder:\n', '  payment-reminders:\n');

    const { stderr } = await exitOf('scripts/build.ts', ['--jobs', file, '--outdir', join(dir, 'out')]);

    expect(stderr).toMatch(
      /infra\/schedules\.yml line \d+ \(PaymentReminderSchedule\): job "payment-reminder"/,
    );
  });
});

describe('npm run package usage errors', () => {
  it('a stage name serverless refuses: exit 2, one line and the usage, before the CLI runs', async () => {
    const { code, stdout, stderr } = await exitOf('scripts/package.ts', ['--stage', 'bad_stage!']);

    expect(code).toBe(2);
    expect(stderr).toBe(
      '--stage "bad_stage!": a stage name is ASCII letters, digits and hyphens\nusage: npm run package -- [--stage <name>]\n',
    );
    expect(stdout).toBe('');
  });
});

describe('the Knox Guard simulator (local/simulator/cli.ts) refuses bad flags', () => {
  it.each([
    [['--port', 'abc'], '--port "abc": expected a whole number from 0 to 65535'],
    [['--port', '70000'], '--port "70000": expected a whole number from 0 to 65535'],
    [['--devices', 'abc'], '--devices "abc": expected a whole number of at least 0'],
    [['--rate', '0'], '--rate "0": expected a whole number of at least 1'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('%j: exit 2, one line and the usage', async (args, line) => {
    const { code, stdout, stderr } = await exitOf('local/simulator/cli.ts', args);

    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(line);
    expect(stderr).toContain('usage: npx tsx local/simulator/cli.ts');
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(stdout).toBe('');
  });
});
