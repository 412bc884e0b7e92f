// `npm start`: the main job on the embedded default. Starts the Knox Guard simulator, the local
// SNS/SQS/S3 (fauxqs) and DynamoDB (dynalite) servers, creates what serverless.yml declares, and
// invokes the real packaged handlers with real event shapes: scheduled runs, a Knox callback and
// an operation request. Prints what happened and the alerts exactly as the admins receive them.

import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { TENANT_WIDE_JOB } from '../lib/alerts/constants';
import { createDynamoAlertStateStore } from '../lib/alerts/createDynamoAlertStateStore';
import { createDynamoSilenceStore } from '../lib/alerts/createDynamoSilenceStore';
import { createDynamoRunTracker, type RunSummary } from '../lib/operations';
import { maskDeviceId } from '../lib/privacy';
import { knoxCallbackHeaders, signOperationRequest } from '../lib/webhooks';
import { type InboxMessage, lockStateDir } from './aws';
import { describeRunFailedAlert, RUN_FAILED_CODE } from './describeRunFailedAlert';
import { describeRunSummary, describeRunTotals, type ScheduledRunResult } from './describeRunSummary';
import { AsyncInvocationFailedError, type EmbeddedStack, startEmbeddedStack } from './embedded';
import {
  localJobs,
  parseRunnerArgs,
  RunnerExit,
  runnerHelp,
  SCENARIOS,
  type Scenario,
} from './parseRunnerArgs';

const ROOT = new URL('../', import.meta.url);

// The command line is checked against config/jobs.yml before anything starts: a typo costs no
// simulator, no local AWS and no bundling.
const jobs = readJobs();
function readJobs() {
  try {
    return localJobs(ROOT);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(RunnerExit.failed);
  }
}
const args = parseRunnerArgs(process.argv.slice(2), jobs);
if (args.kind === 'help') {
  console.log(runnerHelp(jobs));
  process.exit(RunnerExit.ok);
}
if (args.kind === 'usage-error') {
  console.error(`npm start: ${args.message}\n\n${runnerHelp(jobs)}`);
  process.exit(RunnerExit.usage);
}
const values = args.options;
const deviceCount = values.devices;
const scenario: Scenario = values.scenario;
// The alert state outlives the run here, so alerts already sent are not repeated and the admin CLI
// (`npx knox-guard-sentinel alerts ...`, which defaults to the same directory) can act on them.
const stateDir = resolve(values.stateDir ?? fileURLToPath(new URL('.tmp/local-state', ROOT)));
/** Jobs whose scheduled run threw on every attempt: the runner then exits 1. */
const failedJobs: string[] = [];

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
const step = (n: number, total: number, text: string) => console.log(`\n${bold(`[${n}/${total}] ${text}`)}`);
const line = (text = '') => console.log(`      ${text}`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function drain(env: EmbeddedStack) {
  const started = Date.now();
  let last = 0;
  const result = await env.drainOperations({
    onBatch: (progress) => {
      if (Date.now() - last < 1000) return;
      last = Date.now();
      line(
        dim(
          `... ${progress.messages} chunk messages through ${progress.invocations} worker invocations (${seconds(started)})`,
        ),
      );
    },
  });
  line(
    `workers: ${result.invocations} invocation(s) of operationWorker processed ${result.messages} message(s)` +
      (result.failedItems ? `, ${result.failedItems} reported as batch item failures (redelivered)` : '') +
      ` in ${seconds(started)}`,
  );
  if (result.delayed)
    line(`${result.delayed} follow-up message(s) delayed for a later attempt (SQS DelaySeconds)`);
  if (result.deadLettered)
    line(`${result.deadLettered} message(s) in the DLQ (the DLQ alarm notifies the admins)`);
  return result;
}

function printAlert(kind: 'E-mail' | 'SMS', index: number, alert: InboxMessage) {
  const attrs = Object.entries(alert.attributes)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  if (kind === 'SMS') {
    console.log(`  ${bold(`SMS ${index}`)} (${alert.sms.length} chars)  ${dim(attrs)}`);
    console.log(`    ${alert.sms}`);
    return;
  }
  console.log(`\n  ${bold(`E-mail ${index}`)}  ${dim(attrs)}`);
  console.log(`    Subject: ${alert.subject ?? ''}`);
  for (const text of alert.email.split('\n')) console.log(`    | ${text}`);
}

async function main() {
  const started = Date.now();
  const totalSteps = values.job ? 2 : 6;
  console.log(bold(`knox-guard-sentinel: the main job on the embedded default (Node ${process.version})`));
  console.log(dim(`scenario: ${scenario} - ${SCENARIOS[scenario]}`));

  step(
    1,
    totalSteps,
    'Starting the local Knox Guard simulator and local AWS (fauxqs, dynalite); bundling the handlers',
  );
  const fleet = Math.max(300, deviceCount * 3);
  if (values.fresh) {
    // Taken and given back at once: refuses while another run or the admin CLI holds it.
    lockStateDir(stateDir)();
    rmSync(resolve(stateDir, 'dynamodb'), { recursive: true, force: true });
  }
  const env = await startEmbeddedStack({
    simulator: { seed: { devices: fleet } },
    // The handlers' JSON logs only with --verbose: without it the runner's own lines say what failed.
    logLevel: values.verbose ? 'INFO' : 'SILENT',
    statePath: stateDir,
  });
  try {
    const tenant = env.sim.state.tenant as { name?: string };
    line(
      `Knox Guard simulator ${env.sim.url}: tenant "${tenant.name}", ${fleet} devices, no SIM control policy, few spare licence seats`,
    );
    line(
      `from serverless.yml (stage local): table ${env.stack.tableName}, topic ${env.stack.topicArn.split(':').pop()},`,
    );
    line(
      `  queue ${env.stack.queueUrl.split('/').pop()} (DLQ after ${env.stack.maxReceiveCount} receives), bucket ${env.stack.bucket}`,
    );
    line(
      `  scheduledRun retried ${env.stack.scheduledRunAsync.maximumRetryAttempts}x when it throws, then its record goes to ${env.stack.runFailures.queueUrl.split('/').pop()} -> runFailures -> alert`,
    );
    line(
      `admins: one e-mail inbox and one SMS inbox subscribed with the template's filter policies (${seconds(started)})`,
    );
    await describeKeptState(env);
    applyScenario(env);

    const overdue = await dropOverdueList(env, deviceCount);
    if (values.job === 'payment-reminder') {
      const reminders = await dropReminderList(env, deviceCount);
      line(`billing system dropped reminders/latest.json: ${reminders} device ids due in three days`);
    }
    if (values.job) {
      step(2, totalSteps, `Scheduled run: ${values.job} (EventBridge Scheduler -> scheduledRun)`);
      await runJob(env, values.job);
    } else {
      step(2, totalSteps, `Billing system drops overdue/latest.csv into s3://${env.stack.bucket}`);
      line(
        `${overdue.total} device ids: ${overdue.enrolled} Enrolled, ${overdue.simControl} with SIM control, ${overdue.completed} Completed, 1 unknown`,
      );
      step(3, totalSteps, 'Scheduled run: approve-pending (EventBridge Scheduler -> scheduledRun)');
      await runJob(env, 'approve-pending');
      step(4, totalSteps, 'Scheduled run: overdue-lock');
      await runJob(env, 'overdue-lock');
      step(5, totalSteps, 'Knox Webhook Notification callbacks -> POST /knox/notifications');
      await callbacks(env, overdue.sampleLocked);
      step(6, totalSteps, "Operation requests from the customer's systems -> POST /operations");
      await operationRequests(env, overdue.sampleEnrolled);
    }

    const alerts = await env.readAlerts();
    console.log(
      `\n${bold(`Alerts as the admins receive them: ${alerts.email.length} e-mail(s), ${alerts.sms.length} SMS`)}`,
    );
    console.log(dim('  (fauxqs delivers the MessageStructure JSON; these are its "email" and "sms" texts)'));
    for (const [i, alert] of alerts.email.entries()) printAlert('E-mail', i + 1, alert);
    console.log('');
    for (const [i, alert] of alerts.sms.entries()) printAlert('SMS', i + 1, alert);
    const stats = env.sim.stats;
    const statuses = Object.entries(stats.byStatus).map(([status, count]) => `${status}x${count}`);
    console.log(
      `\n${bold('Done')} in ${seconds(started)}: Knox Guard saw ${stats.total} requests` +
        (stats.total > 0 ? ` (max ${stats.maxRequestsPerSecond}/s); statuses ${statuses.join(' ')}` : ''),
    );
  } finally {
    await env.close();
  }
}

function applyScenario(env: EmbeddedStack) {
  if (scenario === 'user-blocked') {
    const user = env.sim.state.primaryUser;
    if (user) user.status = 'blocked';
  } else if (scenario === 'rate-limited') {
    env.sim.faults.push(
      { status: 429, times: 3, headers: { 'retry-after': '1' } },
      { status: 429, times: 2 },
    );
  } else if (scenario === 'outage') {
    env.sim.faults.push(
      { status: 503, times: 4 },
      { reset: true, times: 2 },
      { status: 502, body: '<html><h1>502 Bad Gateway</h1></html>' },
    );
  }
}

async function dropOverdueList(env: EmbeddedStack, count: number) {
  const take = (filter: { status: string[]; simControlEnabled?: boolean }, n: number) => {
    const out: string[] = [];
    for (const device of env.sim.state.devices.scan(filter)) {
      if (out.length >= n) break;
      out.push(device.deviceUid);
    }
    return out;
  };
  const simControl = take({ status: ['Enrolled'], simControlEnabled: true }, Math.min(2, count));
  const enrolled = take(
    { status: ['Enrolled'], simControlEnabled: false },
    Math.max(0, count - simControl.length - 3),
  );
  const completed = take({ status: ['Completed'] }, 2);
  // A valid IMEI (check digit 5) that Knox Guard does not know: DEVICE_NOT_FOUND in the digest.
  const unknown = '356938035999995';
  const ids = [...enrolled, ...simControl, ...completed, unknown];
  const csv = `deviceUid,customer,daysOverdue\n${ids.map((id, i) => `${id},C-${10_000 + i},${14 + (i % 30)}`).join('\n')}\n`;
  const s3 = new S3Client({ ...env.aws.clientConfig('s3'), forcePathStyle: true });
  await s3.send(
    new PutObjectCommand({
      Bucket: env.stack.bucket,
      Key: 'overdue/latest.csv',
      Body: csv,
      ContentType: 'text/csv',
    }),
  );
  s3.destroy();
  return {
    total: ids.length,
    enrolled: enrolled.length,
    simControl: simControl.length,
    completed: completed.length,
    sampleLocked: enrolled.slice(0, 2),
    sampleEnrolled: take({ status: ['Enrolled'], simControlEnabled: false }, count + 10).slice(-2),
  };
}

/** Says what the kept alert state holds from earlier runs, and how to act on it or start clean. */
async function describeKeptState(env: EmbeddedStack) {
  const dynamo = new DynamoDBClient(env.aws.clientConfig('dynamodb'));
  try {
    const tableName = env.stack.tableName;
    const open = await createDynamoAlertStateStore({ client: dynamo, tableName }).listActive(env.stack.stage);
    const silences = await createDynamoSilenceStore({ client: dynamo, tableName }).active(
      env.stack.stage,
      Date.now(),
    );
    line(
      `alert state kept in ${stateDir}: ${open.length} open alert group(s), ${silences.length} silence(s) from earlier runs`,
    );
    line(
      dim(
        '  (alerts already sent repeat only after their repeat interval; `npx knox-guard-sentinel alerts list|silence|ack`; --fresh starts clean)',
      ),
    );
  } finally {
    dynamo.destroy();
  }
}

// payment-reminder's targets (config/jobs.yml: reminders/latest.json, a JSON array of device ids),
// as the billing system would drop them: Enrolled devices of the simulated tenant.
async function dropReminderList(env: EmbeddedStack, count: number) {
  const ids: string[] = [];
  for (const device of env.sim.state.devices.scan({ status: ['Enrolled'] })) {
    if (ids.length >= count) break;
    ids.push(device.deviceUid);
  }
  const s3 = new S3Client({ ...env.aws.clientConfig('s3'), forcePathStyle: true });
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: env.stack.bucket,
        Key: 'reminders/latest.json',
        Body: JSON.stringify(ids),
        ContentType: 'application/json',
      }),
    );
  } finally {
    s3.destroy();
  }
  return ids.length;
}

async function runJob(env: EmbeddedStack, job: string) {
  const started = Date.now();
  try {
    const summary = await env.runSchedule(job);
    for (const text of describeRunSummary(summary as ScheduledRunResult)) line(text);
    if ((summary as { mode?: string }).mode === 'queued') {
      await drain(env);
      for (const text of describeRunTotals(await runTotals(env, job, (summary as RunSummary).runId)))
        line(text);
    }
    line(dim(`(${seconds(started)})`));
  } catch (error) {
    if (!(error instanceof AsyncInvocationFailedError)) throw error;
    const cause = error.cause as Error | undefined;
    failedJobs.push(job);
    line(`scheduledRun threw on all ${error.attempts} attempts: ${cause?.name}: ${cause?.message}`);
    line(
      'As on AWS: EventBridge Scheduler delivered the invocation, so Lambda retried the run itself (maximumRetryAttempts)',
    );
    line('and then sent its invocation record to the on-failure queue, which runFailures consumes:');
    const dynamo = new DynamoDBClient(env.aws.clientConfig('dynamodb'));
    try {
      const store = createDynamoAlertStateStore({ client: dynamo, tableName: env.stack.tableName });
      // The code is tenant-wide in the catalog (group job `*`); the job's own group is counted too.
      const notifications = async () => {
        let total = 0;
        for (const groupJob of [job, TENANT_WIDE_JOB]) {
          const key = { stage: env.stack.stage, job: groupJob, codeName: RUN_FAILED_CODE };
          total += (await store.getGroup(key))?.notifications ?? 0;
        }
        return total;
      };
      const before = await notifications();
      const drained = await env.drainRunFailures();
      const sent = (await notifications()) > before;
      const openCodes = (await store.listActive(env.stack.stage)).map((condition) => condition.codeName);
      line(
        `runFailures processed ${drained.messages} record(s)` +
          (drained.deadLettered ? `, ${drained.deadLettered} dead-lettered (alarmed)` : '') +
          describeRunFailedAlert({ sent, openCodes }),
      );
    } finally {
      dynamo.destroy();
    }
  }
}

/** The totals the workers recorded for a fanned-out run (the run tracker's item in the state table). */
async function runTotals(env: EmbeddedStack, job: string, runId: string) {
  const client = new DynamoDBClient(env.aws.clientConfig('dynamodb'));
  try {
    return await createDynamoRunTracker({ client, tableName: env.stack.tableName }).totals({
      stage: env.stack.stage,
      job,
      runId,
    });
  } finally {
    client.destroy();
  }
}

async function callbacks(env: EmbeddedStack, locked: readonly string[]) {
  // The shape and headers the evidence shows (docs/webhooks.md, "POST /knox/notifications"): one device per
  // callback, an RS256 JWS over the raw body in x-wsm-signature, a unique x-knox-nonce.
  let replay: { body: string; headers: Record<string, string> } | undefined;
  for (const deviceUid of locked) {
    const body = JSON.stringify({
      subscriptionId: 'demo-subscription',
      event: 'KG_DEVICE_LOCKED',
      payload: {
        deviceUid,
        objectId: env.sim.state.devices.get(deviceUid)?.objectId,
        deviceStatus: 'Locked',
        lastUpdatedAt: Date.now(),
        tenantDomain: 'demo.example.com',
      },
    });
    const headers = knoxCallbackHeaders(body, env.callbackSigningKeyPem, { traceId: `demo-${Date.now()}` });
    const answer = await env.http('/knox/notifications', body, headers);
    line(`signed KG_DEVICE_LOCKED for ${maskDeviceId(deviceUid)} -> ${answer.statusCode} ${answer.body}`);
    replay ??= { body, headers };
  }
  if (!replay) return;
  const again = await env.http('/knox/notifications', replay.body, replay.headers);
  line(
    `the same callback again, same x-knox-nonce -> ${again.statusCode} ${again.body} (a replay: nothing processed)`,
  );
  const forged = await env.http('/knox/notifications', replay.body.replace('Locked', 'Active'), {
    ...replay.headers,
    'x-knox-nonce': `${replay.headers['x-knox-nonce']}-2`,
  });
  line(`a tampered body with the old signature -> ${forged.statusCode} ${forged.body}`);
}

async function operationRequests(env: EmbeddedStack, enrolled: readonly string[]) {
  const request = JSON.stringify({
    operation: 'blink',
    deviceUids: enrolled,
    message: 'Your instalment is due in 3 days.',
    tel: '+49 30 1234567',
    requestedBy: 'billing-system',
  });
  const headers = {
    'content-type': 'application/json',
    'idempotency-key': `demo-${Date.now()}`,
    ...signOperationRequest({ body: request, secret: env.hmacSecret }),
  };
  const accepted = await env.http('/operations', request, headers);
  line(`signed blink for ${enrolled.length} devices -> ${accepted.statusCode} ${accepted.body}`);
  const retried = await env.http('/operations', request, headers);
  line(`retried with the same Idempotency-Key -> ${retried.statusCode} (same operationId, queued once)`);
  await drain(env);
  const bad = JSON.stringify({ operation: 'lock', deviceUids: ['356938035643800'] });
  const rejected = await env.http('/operations', bad, {
    'content-type': 'application/json',
    ...signOperationRequest({ body: bad, secret: env.hmacSecret }),
  });
  line(
    `a lock without message, contact and with a bad IMEI check digit -> ${rejected.statusCode} ${rejected.body}`,
  );
  const unsigned = await env.http('/operations', request, { 'content-type': 'application/json' });
  line(`an unsigned request -> ${unsigned.statusCode} ${unsigned.body}`);
}

main().then(
  () => {
    if (failedJobs.length === 0) return;
    console.error(`\nerror: scheduled run failed: ${failedJobs.join(', ')} (exit ${RunnerExit.failed})`);
    process.exit(RunnerExit.failed);
  },
  (error: unknown) => {
    // One readable line by default; the stack (and any cause) only with --verbose.
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      values.verbose && error instanceof Error ? `\nerror: ${error.stack ?? message}` : `\nerror: ${message}`,
    );
    process.exit(RunnerExit.failed);
  },
);
