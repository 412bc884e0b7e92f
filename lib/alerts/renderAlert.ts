import { Scope } from '../errors';
import { AlertKind, DEFAULT_CONSOLE_URL } from './constants';
import { fitSmsParts, toGsm7 } from './gsm7';
import { formatDuration } from './parseDuration';
import { asciiLine, devices, formatCode, formatCount, formatTime, safe } from './renderText';
import type { AlertFailureInfo } from './types';

/** SNS rejects subjects of 100 characters or more. */
export const SUBJECT_MAX = 99;

/** What one alert says; every field is plain data so rendering stays pure. */
export interface AlertRenderInput {
  readonly kind:
    | typeof AlertKind.firing
    | typeof AlertKind.reminder
    | typeof AlertKind.resolved
    | typeof AlertKind.update;
  readonly stage: string;
  readonly job: string;
  /**
   * Set for a tenant-wide condition (catalog `scope: tenant`): the jobs that saw it. The alert then
   * says "tenant-wide" and names these jobs instead of one job and a device count.
   */
  readonly jobs?: readonly string[] | undefined;
  readonly failure: AlertFailureInfo;
  /** Devices that failed with the code in the latest failing run. */
  readonly devices: number;
  /** The run was still in progress: `devices` is a lower bound. */
  readonly atLeast?: boolean | undefined;
  /** For an `update`: the (partial) count admins were told before. */
  readonly previousDevices?: number | undefined;
  readonly runId?: string | undefined;
  /** Start of the condition (first failure of the episode). */
  readonly since: number;
  readonly lastSeenAt?: number | undefined;
  /** When the message is rendered (the injected clock). */
  readonly now: number;
  /** Masked device ids. */
  readonly samples?: readonly string[] | undefined;
  readonly repeatInterval?: number | undefined;
  readonly consoleUrl?: string | undefined;
  /** The run's failed-device list (e-mail only: the link does not fit an SMS segment). */
  readonly report?: ReportLine | undefined;
}

/** Where a run's failed-device list is; `written: false` says this part of it could not be written. */
export interface ReportLine {
  readonly location: string;
  readonly consoleUrl: string;
  readonly written?: boolean | undefined;
}

/**
 * The e-mail line naming a run's failed-device list (full ids stay in the customer's bucket).
 *
 * @example
 * reportLine({ location: 's3://b/reports/j/r/', consoleUrl: 'https://…' });
 * // 'Failed-device list (CSV): s3://b/reports/j/r/ - https://…'
 */
export function reportLine(report: ReportLine): string {
  // Not `safe`: its masking would cut digits out of run ids and break the link, which holds only
  // the bucket, job name and run id (runReportPrefix); line breaks still go.
  const oneLine = (text: string) => text.replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ').trim();
  const where = `${oneLine(report.location)} - ${oneLine(report.consoleUrl)}`;
  return report.written === false
    ? `Failed-device list (CSV): could not be written for this part of the run (see RUN_REPORT_UNWRITABLE); the rest is at ${where}`
    : `Failed-device list (CSV): ${where}`;
}

/** The three texts of one alert. */
export interface RenderedAlert {
  readonly subject: string;
  readonly email: string;
  readonly sms: string;
}

const LABEL = {
  [AlertKind.firing]: (severity: string) => severity.toUpperCase(),
  [AlertKind.reminder]: () => 'STILL FAILING',
  [AlertKind.resolved]: () => 'RESOLVED',
  [AlertKind.update]: () => 'FINAL COUNT',
} as const;

/**
 * Renders an alert as an e-mail subject (ASCII, no line breaks, under 100 characters), an e-mail
 * body (what happened, how many devices, since when, what to do, the Knox code and reason, job,
 * stage, console link, masked samples) and an SMS that fits one GSM-7 segment, cut only at a word
 * boundary and always keeping the "Do:" action. Firing, reminder, run-complete update and
 * resolved variants; a tenant-wide condition says "tenant-wide" and names the jobs that saw it
 * (docs/alert-content.md). Knox reasons, job names and run ids are masked with `maskText`. Pure.
 *
 * @example
 * const { subject, sms } = renderAlert({
 *   kind: 'firing', stage: 'prod', job: 'overdue-lock', failure, devices: 4812,
 *   since: clock.now(), now: clock.now(), samples: ['35*********1234'],
 * });
 * // subject: '[KG prod] CRITICAL LICENSE_IS_LACK: 4,812 devices - overdue-lock'
 */
export function renderAlert(input: AlertRenderInput): RenderedAlert {
  return { subject: renderSubject(input), email: renderEmail(input), sms: renderSms(input) };
}

/**
 * A condition of one job or its run (catalog `scope: job`, e.g. SCHEDULED_RUN_FAILED): it has no
 * devices to count, so the alert names the job and its run instead of "1 device".
 */
function perJob(input: AlertRenderInput): boolean {
  return input.failure.scope === Scope.job && !input.jobs;
}

/**
 * `4,812 devices`, `10+ devices` while the run is still in progress; a tenant-wide condition is
 * `tenant-wide`, with the count only when it says more than "the run stopped at its first call";
 * a per-job condition has no count (empty).
 */
function affected(input: AlertRenderInput): string {
  if (perJob(input)) return '';
  const count = input.atLeast ? `${formatCount(input.devices)}+ devices` : devices(input.devices);
  if (!input.jobs) return count;
  return input.devices > 1 ? `tenant-wide, ${count}` : 'tenant-wide';
}

function renderSubject(input: AlertRenderInput): string {
  const { kind, failure } = input;
  const label = LABEL[kind](failure.severity);
  // The code name stays whole; then the longest count that fits, then the job(s) in what is left.
  const prefix = asciiLine(`[KG ${asciiLine(input.stage, 16)}] ${label} ${failure.codeName}`, SUBJECT_MAX);
  const counts =
    kind === AlertKind.resolved
      ? input.jobs
        ? ['tenant-wide, cleared', 'tenant-wide']
        : ['cleared']
      : [affected(input), ...(input.jobs ? ['tenant-wide'] : [])].filter((text) => text !== '');
  const count = counts.find((text) => prefix.length + 2 + text.length <= SUBJECT_MAX);
  const head = count === undefined ? prefix : `${prefix}: ${count}`;
  const room = SUBJECT_MAX - head.length - 3;
  const jobs = room >= 4 ? subjectJobs(input, room) : '';
  return jobs ? `${head} - ${jobs}` : head;
}

/**
 * The job, or the jobs of a tenant-wide group: as many whole names as fit, then `+N`; a single job
 * name longer than the room is cut (an identifier, not words), a list never mid-name.
 */
function subjectJobs(input: AlertRenderInput, room: number): string {
  const jobs = (input.jobs ?? [input.job]).map((job) => asciiLine(job, 1_000));
  if (jobs.length === 1) return asciiLine(jobs[0] ?? '', room);
  for (let keep = jobs.length; keep >= 1; keep -= 1) {
    const text = jobs.slice(0, keep).join(', ') + (keep < jobs.length ? ` +${jobs.length - keep}` : '');
    if (text.length <= room) return text;
  }
  const count = `${jobs.length} jobs`;
  return count.length <= room ? count : '';
}

function renderSms(input: AlertRenderInput): string {
  const { kind, failure } = input;
  const stage = safe(input.stage).slice(0, 16);
  const since = formatTime(input.since).slice(5);
  const compose = (jobs: string) => {
    if (kind === AlertKind.resolved) {
      return fitSmsParts(
        `KG ${stage} RESOLVED: ${failure.codeName}${input.jobs ? ' (tenant-wide)' : ''} cleared at ${formatTime(input.now).slice(5)}.`,
        [jobs, `Failing since ${since}.`],
        'No action needed.',
      );
    }
    const count =
      kind === AlertKind.update && input.previousDevices !== undefined
        ? `${affected(input)} (final, was ${formatCount(input.previousDevices)}+)`
        : affected(input);
    // The jobs before the time: admins route a message by its job first.
    return fitSmsParts(
      `KG ${stage} ${LABEL[kind](failure.severity)}: ${failure.codeName}${count ? `, ${count}` : ''}.`,
      [jobs, `Since ${since}.`],
      `Do: ${safe(failure.remediation)}`,
    );
  };
  const all = input.jobs ?? [input.job];
  const full = `${all.length === 1 ? 'Job' : 'Jobs'} ${all.map(safe).join(', ').slice(0, 60)}.`;
  const sms = compose(full);
  if (sms.includes(toGsm7(full)) || all.length === 1) return sms;
  // Several jobs do not fit beside the action: the first and how many more.
  return compose(`Jobs ${safe(all[0] ?? '').slice(0, 40)} +${all.length - 1}.`);
}

function renderEmail(input: AlertRenderInput): string {
  const { kind, failure } = input;
  const stage = safe(input.stage);
  const job = safe(input.job);
  const where = input.jobs ? `${stage}, tenant-wide` : `${stage} / ${job}`;
  const lines: string[] = [];
  if (kind === AlertKind.resolved) {
    lines.push(
      `Resolved: ${failure.codeName} in ${where}`,
      '',
      input.jobs
        ? `The condition cleared: every job that saw it (${input.jobs.map(safe).join(', ')}) succeeds again and ${failure.codeName} has not been seen since ${formatTime(input.lastSeenAt ?? input.since)}.`
        : perJob(input)
          ? `The condition cleared: job ${job} runs again and ${failure.codeName} has not been seen since ${formatTime(input.lastSeenAt ?? input.since)}.`
          : `The condition cleared: devices of job ${job} succeed again and ${failure.codeName} has not been seen since ${formatTime(input.lastSeenAt ?? input.since)}.`,
      formatTime(input.since) === formatTime(input.now)
        ? `It was failing at ${formatTime(input.since)} (${formatDuration(input.now - input.since)}).`
        : `It was failing from ${formatTime(input.since)} to ${formatTime(input.now)} (${formatDuration(input.now - input.since)}).`,
      '',
    );
  } else {
    const headline =
      kind === AlertKind.reminder
        ? `Still failing: ${failure.codeName} (${failure.severity}) in ${where}`
        : kind === AlertKind.update
          ? `Final count: ${failure.codeName} (${failure.severity}) in ${where}`
          : `Knox Guard alert: ${failure.codeName} (${failure.severity}) in ${where}`;
    const run = input.runId ? ` in run ${safe(input.runId)}` : '';
    lines.push(headline, '', `What happened: ${safe(failure.description)}`);
    if (input.jobs) {
      lines.push(
        'Scope: tenant-wide, not single devices: one alert for every job that sees it, resolved when none does.',
        `Jobs that saw it: ${input.jobs.map(safe).join(', ')}`,
      );
    }
    if (kind === AlertKind.update) {
      lines.push(
        `Devices affected: ${devices(input.devices)}${run}, which has finished (the final count${input.previousDevices === undefined ? '' : `; the first alert said ${formatCount(input.previousDevices)}+ so far`})`,
      );
    } else if (input.atLeast) {
      lines.push(
        `Devices affected: ${formatCount(input.devices)}+ devices so far${run}, which was still running (a final-count update follows only if the count grows)`,
      );
    } else if (!perJob(input) && (!input.jobs || input.devices > 1)) {
      lines.push(`Devices affected: ${devices(input.devices)}${run}`);
    } else if (input.runId) {
      lines.push(`Latest run: ${safe(input.runId)}`);
    }
    lines.push(
      `Failing since: ${formatTime(input.since)}${input.lastSeenAt && formatTime(input.lastSeenAt) !== formatTime(input.since) ? ` (last seen ${formatTime(input.lastSeenAt)})` : ''}`,
      '',
      `What to do (${safe(failure.actor)}): ${safe(failure.remediation)}`,
      '',
    );
  }
  lines.push(
    `${failure.code === failure.codeName ? 'Code' : 'Knox code'}: ${formatCode(failure)}`,
    `Reason: ${safe(failure.reason)}`,
    input.jobs ? `Jobs: ${input.jobs.map(safe).join(', ')}` : `Job: ${job}`,
    `Stage: ${stage}`,
    `Category: ${failure.category}`,
  );
  if (kind !== AlertKind.resolved && input.samples && input.samples.length > 0) {
    lines.push(`Sample devices (masked): ${input.samples.map(safe).join(', ')}`);
  }
  if (kind !== AlertKind.resolved && input.report) lines.push(reportLine(input.report));
  lines.push(`Knox Guard console: ${input.consoleUrl ?? DEFAULT_CONSOLE_URL}`, '');
  if (kind === AlertKind.resolved) {
    lines.push('No action needed.');
  } else if (input.repeatInterval !== undefined) {
    lines.push(
      `You will be reminded every ${formatDuration(input.repeatInterval)} while the condition persists, and told when it clears.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
