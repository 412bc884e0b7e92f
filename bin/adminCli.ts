// `npx knox-guard-sentinel alerts list | silence | unsilence | ack`: the admin CLI. It works on a
// deployed stage's state table (--stage, through the AWS SDK's credential chain) or on the local
// stack's, which `npm start` keeps in .tmp/local-state (docs/admin-cli.md).

import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TENANT_WIDE_JOB } from '../lib/alerts/constants';
import { createDynamoAlertStateStore } from '../lib/alerts/createDynamoAlertStateStore';
import { createDynamoSilenceStore } from '../lib/alerts/createDynamoSilenceStore';
import { findSilence, findTenantSilence } from '../lib/alerts/findSilence';
import { loadAlertRules, type Silence } from '../lib/alerts/loadAlertRules';
import { formatDuration } from '../lib/alerts/parseDuration';
import type { StoredSilence } from '../lib/alerts/SilenceStore';
import type { GroupState } from '../lib/alerts/types';
import { loadJobsConfig, parseJobsYaml } from '../lib/config';
import { Scope } from '../lib/errors';
import { createAlertStateTable } from '../local/aws/resources';
import { type LocalAws, startLocalAws } from '../local/aws/startLocalAws';
import {
  ADMIN_USAGE,
  type AdminCommand,
  AdminExit,
  type AdminTarget,
  parseAdminArgs,
} from './parseAdminArgs';
import { silenceTargetProblem } from './silenceTargetProblem';
import { stackNames } from './stackNames';

const ROOT = new URL('../', import.meta.url);
const SEVERITY_ORDER: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/** Where the CLI writes: stdout for results, stderr for messages and errors. */
export interface AdminIo {
  out(text: string): void;
  err(text: string): void;
}

/** One open alert group as `alerts list` shows it (and `--json` prints it). */
export interface AlertRow {
  readonly group: string;
  readonly stage: string;
  /** The group's job, or `*` for a tenant-wide group (one alert across jobs). */
  readonly job: string;
  /** The jobs that saw a tenant-wide condition in this episode; `null` for a job's own group. */
  readonly jobs: readonly string[] | null;
  readonly codeName: string;
  readonly code: string;
  readonly severity: string;
  /**
   * Devices of the latest failing run; `null` where the alert shows no count: a job's own condition
   * (a failed scheduled run, an unreadable targets file) or a tenant-wide one seen once.
   */
  readonly devices: number | null;
  readonly firstSeenAt: string;
  readonly ageMs: number;
  readonly lastNotifiedAt: string | null;
  readonly silencedBy: string | null;
  readonly acknowledged: { by: string; at: string; until: string | null; comment: string | null } | null;
}

/**
 * Runs one admin command and answers its exit code (`AdminExit`); never throws for what the user
 * typed or for an AWS failure, which are one readable line on stderr.
 *
 * @example
 * process.exitCode = await runAdminCli(process.argv.slice(2), { out: console.log, err: console.error });
 */
export async function runAdminCli(argv: readonly string[], io: AdminIo, now = Date.now): Promise<number> {
  const args = parseAdminArgs(argv, { author: defaultAuthor() });
  if (args.kind === 'help') {
    io.out(ADMIN_USAGE);
    return AdminExit.ok;
  }
  if (args.kind === 'usage-error') {
    io.err(`knox-guard-sentinel: ${args.message}\n\n${ADMIN_USAGE}`);
    return AdminExit.usage;
  }
  let session: Session | undefined;
  try {
    session = await open(args.target);
    await run(session, args.command, io, now());
    return AdminExit.ok;
  } catch (error) {
    io.err(`knox-guard-sentinel: error: ${describe(error)}${hint(error, args.target, session)}`);
    return AdminExit.failed;
  } finally {
    await session?.close();
  }
}

interface Session {
  readonly stage: string;
  readonly tableName: string;
  readonly where: string;
  readonly dynamo: DynamoDBClient;
  close(): Promise<void>;
}

async function open(target: AdminTarget): Promise<Session> {
  if (target.kind === 'stage') {
    const names = stackNames(ROOT, target.stage);
    const region = target.region ?? names.defaultRegion;
    const tableName = target.table ?? names.tableName;
    const dynamo = new DynamoDBClient({ region });
    return {
      stage: target.stage,
      tableName,
      where: `table ${tableName} in ${region}`,
      dynamo,
      close: async () => dynamo.destroy(),
    };
  }
  const stateDir = isAbsolute(target.stateDir)
    ? target.stateDir
    : resolve(fileURLToPath(ROOT), target.stateDir);
  // Opening would create it (dynalite's store): a typo in --state-dir would answer an empty table,
  // "No open alerts", a false all-clear. Only `npm start` creates the state directory.
  if (!statSync(stateDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(
      `no local state in ${stateDir}: the directory does not exist (\`npm start\` creates it; check --state-dir)`,
    );
  }
  const stage = 'local';
  const { tableName } = stackNames(ROOT, stage);
  let local: LocalAws | undefined = await startLocalAws({ dynamodbPath: stateDir, dynamodbOnly: true });
  try {
    // A silence may be stored before `npm start` has created the table: created here as it would be.
    await createAlertStateTable(local, tableName);
  } catch (error) {
    await local.close();
    throw error;
  }
  const dynamo = new DynamoDBClient(local.clientConfig('dynamodb'));
  return {
    stage,
    tableName,
    where: `the local stack's state in ${stateDir}`,
    dynamo,
    close: async () => {
      dynamo.destroy();
      await local?.close();
      local = undefined;
    },
  };
}

async function run(session: Session, command: AdminCommand, io: AdminIo, now: number): Promise<void> {
  const { stage, dynamo, tableName } = session;
  const store = createDynamoAlertStateStore({ client: dynamo, tableName });
  const silences = createDynamoSilenceStore({ client: dynamo, tableName });
  switch (command.name) {
    case 'list': {
      const stored = await silences.active(stage, now);
      const configured = configuredSilences(stage, now);
      const groups: GroupState[] = [];
      for (const condition of await store.listActive(stage)) {
        const group = await store.getGroup({ stage, job: condition.job, codeName: condition.codeName });
        if (group?.status === 'active') groups.push(group);
      }
      const rows = groups.map((group) => toRow(group, [...configured, ...stored], now));
      rows.sort(
        (a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) || b.ageMs - a.ageMs,
      );
      if (command.json) {
        io.out(
          JSON.stringify(
            {
              stage,
              table: tableName,
              alerts: rows,
              silences: stored.map(silenceJson),
              configuredSilences: configured.length,
            },
            null,
            2,
          ),
        );
        return;
      }
      io.out(printList(session, rows, stored, configured.length, now));
      return;
    }
    case 'silence': {
      const openCodes: string[] = [];
      for (const condition of await store.listActive(stage)) {
        const group = await store.getGroup({ stage, job: condition.job, codeName: condition.codeName });
        if (group) openCodes.push(group.code, group.codeName);
      }
      const problem = silenceTargetProblem(command, { jobs: configuredJobs(), openCodes });
      // Refused as the store refuses a mistyped code name: nothing is stored.
      if (problem) throw new Error(`not silenced: ${problem}`);
      const silence = await silences.add({
        stage,
        code: command.code,
        job: command.job,
        now,
        until: now + command.duration,
        author: command.author,
        comment: command.comment,
      });
      // The id alone on stdout, for scripts (amtool prints it the same way); the rest on stderr.
      io.out(silence.id);
      io.err(
        `silenced ${matchers(silence)} in stage ${stage} until ${iso(silence.until)} (${formatDuration(command.duration)}) by ${silence.author}`,
      );
      return;
    }
    case 'unsilence': {
      const expired = await silences.expire(stage, command.id, now);
      io.out(
        `expired ${expired.id} (${matchers(expired)}, by ${expired.author}): the next matching alert is sent`,
      );
      return;
    }
    case 'ack': {
      const key = { stage, job: command.job, codeName: command.codeName };
      const until = command.duration === undefined ? undefined : now + command.duration;
      const acked = await store.acknowledge(key, {
        now,
        at: now,
        by: command.author,
        comment: command.comment,
        until,
      });
      const name = `${command.job === TENANT_WIDE_JOB ? TENANT_WIDE_GROUP : command.job}/${command.codeName}`;
      if (!acked) {
        throw new Error(`no open alert ${name} in stage ${stage}; \`alerts list\` shows the open ones`);
      }
      io.out(
        `acknowledged ${name} in stage ${stage} by ${command.author}: no reminders ${until === undefined ? 'until it resolves' : `until ${iso(until)} or it resolves`}`,
      );
      return;
    }
  }
}

/** The job names of this checkout's config/jobs.yml. */
function configuredJobs(): string[] {
  const raw = parseJobsYaml(readFileSync(new URL('config/jobs.yml', ROOT), 'utf8'));
  const jobs = (raw as { jobs?: unknown } | null)?.jobs;
  return typeof jobs === 'object' && jobs !== null ? Object.keys(jobs) : [];
}

/** The jobs.yml silences of the stage (this checkout's), so `list` marks what they mute too. */
function configuredSilences(stage: string, now: number): Silence[] {
  try {
    const config = loadJobsConfig(readFileSync(new URL('config/jobs.yml', ROOT), 'utf8'), stage);
    return loadAlertRules(config.alerts ?? {}).silences.filter((silence) => silence.until > now);
  } catch {
    return [];
  }
}

/** How `list` names a tenant-wide group and `ack` takes it: a word, where `*` would be globbed by the shell. */
const TENANT_WIDE_GROUP = 'tenant-wide';

/** One row of `alerts list` for a stored group (exported for its unit test). */
export function toRow(group: GroupState, silences: readonly Silence[], now: number): AlertRow {
  const tenantWide = group.job === TENANT_WIDE_JOB;
  const silence = tenantWide
    ? findTenantSilence(silences, group.stage, group, now)
    : findSilence(silences, { stage: group.stage, job: group.job }, group, now);
  const ack = group.acknowledged;
  const ackLive = ack !== undefined && (ack.until ?? Number.POSITIVE_INFINITY) > now;
  return {
    group: `${tenantWide ? TENANT_WIDE_GROUP : group.job}/${group.codeName}`,
    stage: group.stage,
    job: group.job,
    jobs: tenantWide ? (group.jobs ?? []) : null,
    codeName: group.codeName,
    code: group.code,
    severity: group.failure.severity,
    devices: group.failure.scope === Scope.job || (tenantWide && group.runCount <= 1) ? null : group.runCount,
    firstSeenAt: iso(group.firstSeenAt),
    ageMs: Math.max(0, now - group.firstSeenAt),
    lastNotifiedAt: group.lastNotifiedAt === undefined ? null : iso(group.lastNotifiedAt),
    silencedBy: silence === undefined ? null : ((silence as Partial<StoredSilence>).id ?? 'jobs.yml'),
    acknowledged: ackLive
      ? {
          by: ack.by,
          at: iso(ack.at),
          until: ack.until === undefined ? null : iso(ack.until),
          comment: ack.comment ?? null,
        }
      : null,
  };
}

function printList(
  session: Session,
  rows: readonly AlertRow[],
  stored: readonly StoredSilence[],
  configured: number,
  now: number,
): string {
  const lines = [`Stage ${session.stage} (${session.where})`, ''];
  if (rows.length === 0) lines.push('No open alerts.');
  else {
    const table = [
      ['GROUP', 'CODE', 'STAGE', 'SEVERITY', 'DEVICES', 'AGE', 'MARKS'],
      ...rows.map((row) => [
        row.group,
        // The Knox code (4001809) beside the name in GROUP; synthetic codes are their own name.
        row.code,
        row.stage,
        row.severity,
        row.devices === null ? '-' : String(row.devices),
        formatDuration(row.ageMs),
        [
          row.silencedBy ? `silenced (${row.silencedBy})` : '',
          row.acknowledged ? `acked by ${row.acknowledged.by}` : '',
        ]
          .filter(Boolean)
          .join(', '),
      ]),
    ];
    lines.push(`${rows.length} open alert(s); the group is <job>/<code>, what \`alerts ack\` takes:`);
    lines.push(...columns(table));
  }
  lines.push('');
  if (stored.length === 0) lines.push('No silences stored with `alerts silence`.');
  else {
    lines.push(`${stored.length} active silence(s) (\`alerts unsilence <id>\` ends one):`);
    lines.push(
      ...columns([
        ['ID', 'MATCHES', 'ENDS IN', 'AUTHOR', 'COMMENT'],
        ...stored.map((silence) => [
          silence.id,
          matchers(silence),
          formatDuration(silence.until - now),
          silence.author,
          silence.comment,
        ]),
      ]),
    );
  }
  if (configured > 0) lines.push(`(${configured} active silence(s) from config/jobs.yml also apply)`);
  return lines.join('\n');
}

function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, index) => Math.max(...rows.map((row) => row[index]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function matchers(silence: Pick<Silence, 'code' | 'job'>): string {
  return `code=${silence.code} ${silence.job === undefined ? 'job=*' : `job=${silence.job}`}`;
}

function silenceJson(silence: StoredSilence) {
  return { ...silence, createdAt: iso(silence.createdAt), until: iso(silence.until) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function defaultAuthor(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** The error and its causes as one line; AWS SDK errors name their exception. */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 4; depth += 1) {
    if (current instanceof Error) {
      const text =
        current.name && !/^(Error|AlertStateError|SilenceError)$/.test(current.name)
          ? `${current.name}: ${current.message}`
          : current.message;
      if (!parts.includes(text)) parts.push(text);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(': ');
}

function hint(error: unknown, target: AdminTarget, session: Session | undefined): string {
  const text = describe(error);
  if (target.kind !== 'stage' || session === undefined) return '';
  if (/ResourceNotFoundException/.test(text)) {
    return `\n  (no ${session.where}: is stage ${target.stage} deployed there? --region and --table override)`;
  }
  if (/credential|ExpiredToken|UnrecognizedClient|AccessDenied/i.test(text)) {
    return '\n  (the AWS SDK credential chain: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO; the role needs dynamodb:GetItem/UpdateItem/PutItem on the table)';
  }
  return '';
}
