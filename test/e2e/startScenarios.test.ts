// Every `npm start` scenario, run as a user runs it (the real runner in a child process: simulator,
// fauxqs, dynalite, packaged handlers), with the promise its help text makes asserted on its output.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly out: string;
}

function npmStart(scenario: string): Promise<Run> {
  // Each run keeps its alert state in a directory of its own (npm start's default, .tmp/local-state,
  // would carry the alerts of one scenario into the next, and runs in parallel files would share it).
  const stateDir = mkdtempSync(join(tmpdir(), 'kgs-start-'));
  return new Promise<Run>((resolve, reject) => {
    const child = spawn('npm', ['start', '--', '--scenario', scenario, '--state-dir', stateDir], {
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
  }).finally(() => rmSync(stateDir, { recursive: true, force: true }));
}

/** The SMS texts the admins received, in order. */
const smsTexts = (out: string) =>
  [...out.matchAll(/^ {2}SMS \d+ \(\d+ chars\).*\n {4}(.*)$/gm)].map((m) => m[1] ?? '');
/** The e-mail bodies, each as its `|`-prefixed lines joined. */
const emailBodies = (out: string) =>
  out
    .split(/^ {2}E-mail \d+ /m)
    .slice(1)
    .map((block) => block.split(/^ {2}SMS \d+ /m)[0] ?? '');

/** The e-mail subjects the admins received, in order. */
const subjects = (out: string) => [...out.matchAll(/^ {4}Subject: (.*)$/gm)].map((m) => m[1]);
const statuses = (out: string) => /statuses (.*)$/m.exec(out)?.[1] ?? '';

// The alerts of a healthy run of the default tenant: too few licences for approve-pending, no SIM
// control policy for two devices of overdue-lock, and a digest of the per-device failures.
const EXPECTED_ALERTS = [
  '[KG local] CRITICAL LICENSE_IS_LACK: tenant-wide, 23 devices - approve-pending',
  '[KG local] CRITICAL PRECONDITION_FAILED_EXCEPTION: tenant-wide, 2 devices - overdue-lock',
  '[KG local] Digest: 3 devices failed (2 codes) - overdue-lock',
];

function expectNothingLost(run: Run) {
  expect(run.code).toBe(0);
  expect(run.out).not.toContain('scheduledRun failed');
  expect(run.out).not.toContain('in the DLQ');
  expect(run.out).toContain('26 devices, run inline in 1 chunk(s): 3 succeeded, 23 failed');
  expect(run.out).toContain('40 devices, run inline in 1 chunk(s): 35 succeeded, 5 failed');
  expect(subjects(run.out)).toEqual(EXPECTED_ALERTS);
}

describe('npm start scenarios keep the promise of their help text', () => {
  it('default: a realistic tenant alerts LICENSE_IS_LACK, the missing SIM control and a digest', async () => {
    const run = await npmStart('default');
    expectNothingLost(run);
    expect(statuses(run.out)).not.toMatch(/\b(429|5\d\d)x/);
  }, 240_000);

  it('rate-limited: 429 bursts are retried within the run and nothing is lost', async () => {
    const run = await npmStart('rate-limited');
    expectNothingLost(run);
    expect(statuses(run.out)).toContain('429x5');
  }, 240_000);

  it('outage: 503s, resets and a 502 page are retried and nothing is lost', async () => {
    const run = await npmStart('outage');
    expectNothingLost(run);
    expect(statuses(run.out)).toMatch(/502x1/);
    expect(statuses(run.out)).toMatch(/503x4/);
  }, 240_000);

  it('user-blocked: every call fails with USER_BLOCKED_STATE and the admins are told at once', async () => {
    const run = await npmStart('user-blocked');
    // Every scheduled run throws (USER_BLOCKED_STATE): a failed job makes the runner exit 1.
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^error: scheduled run failed: approve-pending \(exit 1\)$/m);
    // One tenant-wide condition, one alert: not one per job (approve-pending, overdue-lock and the
    // operation requests all fail with it), and not "1 device".
    expect(run.out).toContain('Alerts as the admins receive them: 1 e-mail(s), 1 SMS');
    expect(subjects(run.out)).toEqual([
      '[KG local] CRITICAL USER_BLOCKED_STATE: tenant-wide - approve-pending',
    ]);
    const [body] = emailBodies(run.out);
    expect(body).toContain('Scope: tenant-wide');
    expect(body).toContain('Jobs that saw it: approve-pending');
    expect(body).not.toMatch(/\b1 device\b/);
    const sms = smsTexts(run.out)[0] ?? '';
    expect(sms).toContain('USER_BLOCKED_STATE, tenant-wide.');
    expect(sms).toContain('Job approve-pending.');
    // The action survives whole up to a clause: the SMS ends at a word, with the remedy's verb.
    expect(sms).toContain('Do: Unblock the API user in the Knox Admin Portal (Administrators).');
    expect(sms.length).toBeLessThanOrEqual(160);
    // The blocked user inhibits the per-device symptoms and the failed run: no digest, no licence
    // alert, no SCHEDULED_RUN_FAILED.
    expect(run.out).not.toMatch(/Subject: .*(LICENSE_IS_LACK|Digest|SCHEDULED_RUN_FAILED)/);
    // ... and the runner says so instead of promising a SCHEDULED_RUN_FAILED alert "below".
    expect(run.out).toContain(
      'runFailures processed 1 record(s) -> no SCHEDULED_RUN_FAILED alert: the open USER_BLOCKED_STATE alert inhibits it',
    );
    expect(run.out).not.toContain('SCHEDULED_RUN_FAILED alert to the admins (below)');
  }, 240_000);
});
