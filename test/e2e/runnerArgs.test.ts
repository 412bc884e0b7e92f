// `npm start`'s command line as a user types it (the real runner in a child process): every case
// here is refused or answered before the stack starts, so none of them starts a simulator.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STACK_STARTING = 'Starting the local Knox Guard simulator';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runner(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'local/start.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectUsageError(run: Run, message: RegExp) {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).toContain('Usage: npm start -- [options]');
  expect(run.stderr).not.toContain('TypeError');
  expect(run.stdout).not.toContain(STACK_STARTING);
}

describe('npm start refuses a bad command line before anything starts', () => {
  it('an unknown option: usage on stderr, exit 2', async () => {
    expectUsageError(await runner('--bogus'), /Unknown option '--bogus'/);
  }, 60_000);

  it('--devices -5: exit 2', async () => {
    expectUsageError(await runner('--devices', '-5'), /--devices/);
  }, 60_000);

  it('--job without a value: exit 2', async () => {
    expectUsageError(await runner('--job'), /--job <value>' argument missing/);
  }, 60_000);

  it('--job nosuchjob: exit 2 listing the jobs, nothing started', async () => {
    const run = await runner('--job', 'nosuchjob');
    expectUsageError(run, /no such job in config\/jobs.yml; the jobs are approve-pending, overdue-lock/);
  }, 60_000);

  it('--job locked-notice (disabled locally): exit 2 saying what disables it and how to enable it', async () => {
    const run = await runner('--job', 'locked-notice');
    expectUsageError(
      run,
      /--job locked-notice: the job is disabled in stage local .*set stages\.local\.jobs\.locked-notice\.enabled: true/,
    );
  }, 60_000);

  it('--help: exit 0 listing the jobs of the local stage and the scenarios', async () => {
    const run = await runner('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/overdue-lock +lock +enabled/);
    expect(run.stdout).toMatch(/locked-notice +sendMessage +disabled/);
    expect(run.stdout).toMatch(/rate-limited +Knox Guard answers 429/);
    expect(run.stdout).not.toContain(STACK_STARTING);
  }, 60_000);
});
