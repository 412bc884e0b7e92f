// The admin CLI as an admin types it (`npx knox-guard-sentinel alerts ...`, the real bin in a child
// process) against the embedded default: the local state directory `npm start` keeps, opened by the
// CLI's own dynalite on 127.0.0.1 port 0. Between commands the test opens the same directory and
// runs the real alert pipeline with the SNS publisher against fauxqs, so each command's effect on
// what the admins receive is observed, not assumed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAlertPipeline,
  createDynamoAlertStateStore,
  createSnsAlertPublisher,
  loadAlertRules,
} from '../../lib/alerts';
import { createDynamoSilenceStore } from '../../lib/alerts/createDynamoSilenceStore';
import type { AlertReport } from '../../lib/alerts/types';
import {
  createAlertStateTable,
  createAlertTopic,
  createInbox,
  readInbox,
  startLocalAws,
} from '../../local/aws';
import { failures, HOUR } from '../helpers/awsAlerts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The name serverless.yml and infra/state-table.yml give stage local's table (the CLI derives it).
const TABLE = 'knox-guard-sentinel-local-state';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let stateDir: string;

function cli(...args: string[]): Promise<Run> {
  return cliAt(stateDir, ...args);
}

function cliAt(dir: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['knox-guard-sentinel', ...args, '--state-dir', dir], {
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

/**
 * One alert-pipeline run (one chunk of a job in stage local) on the kept state, as a worker would
 * process it: answers the pipeline's report and what the admins' inbox received.
 */
async function pipelineRun(input: {
  job: string;
  code: 'LICENSE_IS_LACK' | 'PRECONDITION_FAILED_EXCEPTION';
  at: number;
}): Promise<{ report: AlertReport; received: string[] }> {
  const local = await startLocalAws({ dynamodbPath: stateDir });
  const dynamo = new DynamoDBClient(local.clientConfig('dynamodb'));
  const sns = new SNSClient(local.clientConfig('sns'));
  try {
    await createAlertStateTable(local, TABLE);
    const topicArn = await createAlertTopic(local);
    const inbox = await createInbox(local, { topicArn, name: 'admin-email' });
    const pipeline = createAlertPipeline({
      rules: loadAlertRules({}),
      store: createDynamoAlertStateStore({ client: dynamo, tableName: TABLE }),
      silences: createDynamoSilenceStore({ client: dynamo, tableName: TABLE }),
      publisher: createSnsAlertPublisher({ client: sns, topicArn }),
      clock: { now: () => input.at },
    });
    const report = await pipeline.process({
      stage: 'local',
      job: input.job,
      runId: `run-${input.at}`,
      failures: failures(input.code, 3),
      // No successes: nothing resolves here, so every message is about the code under test.
      successes: 0,
    });
    const received = (await readInbox(local, inbox.queueUrl)).map((message) => message.subject ?? '');
    return { report, received };
  } finally {
    dynamo.destroy();
    sns.destroy();
    await local.close();
  }
}

function expectUsage(run: Run, message: RegExp) {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).toContain('Usage: npx knox-guard-sentinel alerts <command>');
  expect(run.stderr).not.toMatch(/TypeError|\n\s+at /);
}

describe('npx knox-guard-sentinel alerts against the embedded default', () => {
  const start = Date.now();

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'kgs-admin-cli-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('list shows the open alert with its code, job, stage, severity, devices and age', async () => {
    const fired = await pipelineRun({ job: 'overdue-lock', code: 'LICENSE_IS_LACK', at: start });
    // LICENSE_IS_LACK is tenant-wide: one group across jobs, listed as tenant-wide/<code>.
    expect(fired.received).toEqual([
      '[KG local] CRITICAL LICENSE_IS_LACK: tenant-wide, 3 devices - overdue-lock',
    ]);

    const table = await cli('alerts', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/tenant-wide\/LICENSE_IS_LACK +4001809 +local +critical +3 +\d/);

    const json = await cli('alerts', 'list', '--json');
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { stage: string; alerts: Record<string, unknown>[] };
    expect(listed.stage).toBe('local');
    expect(listed.alerts).toEqual([
      expect.objectContaining({
        group: 'tenant-wide/LICENSE_IS_LACK',
        job: '*',
        jobs: ['overdue-lock'],
        stage: 'local',
        code: '4001809',
        severity: 'critical',
        devices: 3,
        silencedBy: null,
        acknowledged: null,
      }),
    ]);
  }, 120_000);

  let silenceId = '';

  it('silence: the next matching alert is suppressed', async () => {
    const silenced = await cli(
      'alerts',
      'silence',
      '--code',
      'PRECONDITION_FAILED_EXCEPTION',
      '--job',
      'overdue-lock',
      '--for',
      '4h',
      '--author',
      'ana',
      '--comment',
      'SIM policy being set up, ticket 4711',
    );
    expect(silenced.code).toBe(0);
    silenceId = silenced.stdout.trim();
    expect(silenceId).toMatch(/^s-[0-9a-f]{12}$/);
    expect(silenced.stderr).toContain('silenced code=PRECONDITION_FAILED_EXCEPTION job=overdue-lock');

    const muted = await pipelineRun({
      job: 'overdue-lock',
      code: 'PRECONDITION_FAILED_EXCEPTION',
      at: start + 60_000,
    });
    expect(muted.received).toEqual([]);
    expect(muted.report.groups).toEqual([
      expect.objectContaining({
        codeName: 'PRECONDITION_FAILED_EXCEPTION',
        outcome: 'suppressed',
        reason: 'silenced',
        detail: 'SIM policy being set up, ticket 4711',
      }),
    ]);
    const listed = await cli('alerts', 'list');
    expect(listed.stdout).toMatch(
      new RegExp(`tenant-wide/PRECONDITION_FAILED_EXCEPTION .*silenced \\(${silenceId}\\)`),
    );
    expect(listed.stdout).toMatch(
      new RegExp(
        `${silenceId} +code=PRECONDITION_FAILED_EXCEPTION job=overdue-lock +3h 5\\dm +ana +SIM policy`,
      ),
    );
  }, 120_000);

  it('unsilence: the next matching alert is sent', async () => {
    const expired = await cli('alerts', 'unsilence', silenceId);
    expect(expired.code).toBe(0);
    expect(expired.stdout).toContain(`expired ${silenceId}`);

    const sent = await pipelineRun({
      job: 'overdue-lock',
      code: 'PRECONDITION_FAILED_EXCEPTION',
      at: start + 2 * 60_000,
    });
    expect(sent.received).toEqual([
      '[KG local] CRITICAL PRECONDITION_FAILED_EXCEPTION: tenant-wide, 3 devices - overdue-lock',
    ]);

    const again = await cli('alerts', 'unsilence', silenceId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no active silence ${silenceId} in stage local`);
  }, 120_000);

  it('ack: no reminder for the acknowledged alert, while an unacknowledged one is reminded', async () => {
    const acked = await cli('alerts', 'ack', 'tenant-wide/LICENSE_IS_LACK', '--author', 'ben');
    expect(acked.code).toBe(0);
    expect(acked.stdout).toContain('acknowledged tenant-wide/LICENSE_IS_LACK in stage local by ben');

    // Past the 4 h repeat interval: LICENSE_IS_LACK would be reminded, but it is acknowledged.
    const later = start + 5 * HOUR;
    const quiet = await pipelineRun({ job: 'overdue-lock', code: 'LICENSE_IS_LACK', at: later });
    expect(quiet.received).toEqual([]);
    expect(quiet.report.groups).toEqual([
      expect.objectContaining({ codeName: 'LICENSE_IS_LACK', outcome: 'suppressed', reason: 'acknowledged' }),
    ]);
    const reminded = await pipelineRun({
      job: 'overdue-lock',
      code: 'PRECONDITION_FAILED_EXCEPTION',
      at: later,
    });
    expect(reminded.received).toHaveLength(1);
    expect(reminded.report.groups).toEqual([expect.objectContaining({ outcome: 'sent', kind: 'reminder' })]);

    const listed = await cli('alerts', 'list');
    expect(listed.stdout).toMatch(/tenant-wide\/LICENSE_IS_LACK .*acked by ben/);

    const unknown = await cli('alerts', 'ack', 'overdue-lock/DEVICE_NOT_FOUND');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no open alert overdue-lock/DEVICE_NOT_FOUND in stage local');
  }, 120_000);

  it('bad arguments: usage on stderr, exit 2, nothing opened', async () => {
    expectUsage(
      await cli('alerts', 'silence', '--for', '4h', '--comment', 'x'),
      /alerts silence needs --code/,
    );
    expectUsage(await cli('alerts', 'list', '--bogus'), /Unknown option '--bogus'/);
    expectUsage(
      await cli('alerts', 'silence', '--code', 'X', '--for', 'soon', '--comment', 'x'),
      /--for soon/,
    );
    expectUsage(await cli('alerts', 'ack', 'LICENSE_IS_LACK'), /<job>\/<code>/);
    expectUsage(await cli('nonsense'), /unknown command "nonsense"/);
    // A silence that could never match (a typo in the code) is refused as a failure, not stored.
    const typo = await cli('alerts', 'silence', '--code', 'LICENCE_IS_LACK', '--for', '1h', '--comment', 'x');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('unknown code "LICENCE_IS_LACK"');
  }, 120_000);

  it('a job jobs.yml lacks, an uncatalogued Knox code and HTTP_999 are refused as the mistyped name is, nothing stored', async () => {
    const silence = (...matchers: string[]) =>
      cli('alerts', 'silence', ...matchers, '--for', '1h', '--comment', 'x');
    const cases = [
      [await silence('--code', 'LICENSE_IS_LACK', '--job', 'nope'), 'not silenced: unknown job "nope"'],
      [await silence('--code', '9999999'), 'not silenced: unknown Knox code "9999999"'],
      [await silence('--code', 'HTTP_999'), 'not silenced: unknown code "HTTP_999"'],
    ] as const;
    for (const [run, message] of cases) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(message);
      expect(run.stdout).toBe('');
    }
    const list = JSON.parse((await cli('alerts', 'list', '--json')).stdout) as {
      silences: { code: string }[];
    };
    expect(list.silences.map((s) => s.code)).not.toContain('9999999');
    expect(list.silences.map((s) => s.code)).not.toContain('HTTP_999');
  }, 120_000);

  it('a state directory that does not exist is an error for every command, and is not created', async () => {
    const typo = join(stateDir, 'no-such-dir');
    const runs = [
      await cliAt(typo, 'alerts', 'list'),
      await cliAt(typo, 'alerts', 'silence', '--code', 'LICENSE_IS_LACK', '--for', '1h', '--comment', 'x'),
      await cliAt(typo, 'alerts', 'unsilence', 's-000000000000'),
      await cliAt(typo, 'alerts', 'ack', 'tenant-wide/LICENSE_IS_LACK'),
    ];
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        `knox-guard-sentinel: error: no local state in ${typo}: the directory does not exist (\`npm start\` creates it; check --state-dir)`,
      );
      expect(run.stdout).not.toContain('No open alerts');
    }
    expect(existsSync(typo)).toBe(false);
  }, 120_000);
});
