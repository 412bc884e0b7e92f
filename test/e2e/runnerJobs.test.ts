// `npm start -- --job <name>` as a user runs it (the real runner in a child process: simulator,
// fauxqs, dynalite, packaged handlers): payment-reminder has its targets file locally, the
// handlers' JSON logs show only with --verbose, and the alert state is kept between runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JSON_LOG = /^\{"level":"(ERROR|WARN|INFO)"/m;

interface Run {
  readonly code: number | null;
  readonly out: string;
}

function npmStart(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'local/start.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('npm start -- --job', () => {
  const dirs: string[] = [];
  const stateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kgs-runner-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('payment-reminder runs locally: its targets file is dropped and every device is blinked', async () => {
    const run = await npmStart('--job', 'payment-reminder', '--state-dir', stateDir());
    expect(run.code).toBe(0);
    expect(run.out).toContain('billing system dropped reminders/latest.json: 40 device ids');
    expect(run.out).toContain('40 devices, run inline in 1 chunk(s): 40 succeeded, 0 failed');
    expect(run.out).not.toMatch(JSON_LOG);
  }, 240_000);

  it('a failing job without --verbose: no JSON logs, each error one readable line, exit 1; the state is kept', async () => {
    const dir = stateDir();
    const run = await npmStart('--job', 'approve-pending', '--scenario', 'user-blocked', '--state-dir', dir);
    expect(run.code).toBe(1);
    expect(run.out).not.toMatch(JSON_LOG);
    expect(run.out).not.toMatch(/^\s+at /m);
    expect(run.out).toMatch(
      /^ +scheduledRun threw on all 3 attempts: KnoxGuardError: USER_BLOCKED_STATE \(4030104, HTTP 403\): .*$/m,
    );
    expect(run.out).toMatch(/^error: scheduled run failed: approve-pending \(exit 1\)$/m);
    expect(run.out).toContain(`alert state kept in ${dir}: 0 open alert group(s)`);

    // The same again with --verbose: the handlers' structured ERROR logs show, and the alerts of
    // the first run are still open in the kept state (not sent again within the repeat interval).
    const verbose = await npmStart(
      '--job',
      'approve-pending',
      '--scenario',
      'user-blocked',
      '--state-dir',
      dir,
      '--verbose',
    );
    expect(verbose.code).toBe(1);
    expect(verbose.out).toMatch(/^\{"level":"ERROR"/m);
    expect(verbose.out).toMatch(new RegExp(`alert state kept in ${dir}: [1-9]\\d* open alert group\\(s\\)`));
  }, 480_000);
});
