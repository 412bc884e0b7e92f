import { AlertKind, DEFAULT_CONSOLE_URL } from './constants';
import { fitGsm7 } from './gsm7';
import { formatDuration } from './parseDuration';
import { asciiLine, devices, formatCount, formatTime, safe } from './renderText';
import type { AlertFailureInfo } from './types';

/** SNS rejects subjects of 100 characters or more. */
export const SUBJECT_MAX = 99;

/** What one alert says; every field is plain data so rendering stays pure. */
export interface AlertRenderInput {
  readonly kind: typeof AlertKind.firing | typeof AlertKind.reminder | typeof AlertKind.resolved;
  readonly stage: string;
  readonly job: string;
  readonly failure: AlertFailureInfo;
  /** Devices that failed with the code in the latest failing run. */
  readonly devices: number;
  /** The run was still in progress: `devices` is a lower bound. */
  readonly atLeast?: boolean | undefined;
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
} as const;

/**
 * Renders an alert as an e-mail subject (ASCII, no line breaks, under 100 characters), an e-mail
 * body (what happened, how many devices, since when, what to do, the Knox code and reason, job,
 * stage, console link, masked samples) and an SMS that fits one GSM-7 segment. Firing, reminder
 * and resolved variants. Knox reasons, job names and run ids are masked with `maskText`. Pure.
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

/** `4,812 devices`, or `10+ devices` while the run is still in progress. */
function affected(input: AlertRenderInput): string {
  return input.atLeast ? `${formatCount(input.devices)}+ devices` : devices(input.devices);
}

function renderSubject(input: AlertRenderInput): string {
  const { kind, failure } = input;
  const label = LABEL[kind](failure.severity);
  const count = kind === AlertKind.resolved ? 'cleared' : affected(input);
  const head = asciiLine(`[KG ${asciiLine(input.stage, 16)}] ${label} ${failure.codeName}: ${count}`, 80);
  const room = SUBJECT_MAX - head.length - 3;
  return room >= 4 ? `${head} - ${asciiLine(input.job, room)}` : head;
}

function renderSms(input: AlertRenderInput): string {
  const { kind, failure } = input;
  const stage = safe(input.stage).slice(0, 16);
  const job = safe(input.job).slice(0, 40);
  if (kind === AlertKind.resolved) {
    return fitGsm7(
      `KG ${stage} RESOLVED: ${failure.codeName} in job ${job} cleared at ${formatTime(input.now).slice(5)} (failing since ${formatTime(input.since).slice(5)}).`,
    );
  }
  const label = kind === AlertKind.reminder ? 'STILL FAILING' : failure.severity.toUpperCase();
  return fitGsm7(
    `KG ${stage} ${label}: ${failure.codeName}, ${affected(input)}, job ${job}, since ${formatTime(input.since).slice(5)}. Do: ${safe(failure.remediation)}`,
  );
}

function renderEmail(input: AlertRenderInput): string {
  const { kind, failure } = input;
  const stage = safe(input.stage);
  const job = safe(input.job);
  const lines: string[] = [];
  if (kind === AlertKind.resolved) {
    lines.push(
      `Resolved: ${failure.codeName} in ${stage} / ${job}`,
      '',
      `The condition cleared: devices of job ${job} succeed again and ${failure.codeName} has not been seen since ${formatTime(input.lastSeenAt ?? input.since)}.`,
      `It was failing from ${formatTime(input.since)} to ${formatTime(input.now)} (${formatDuration(input.now - input.since)}).`,
      '',
    );
  } else {
    const headline =
      kind === AlertKind.reminder
        ? `Still failing: ${failure.codeName} (${failure.severity}) in ${stage} / ${job}`
        : `Knox Guard alert: ${failure.codeName} (${failure.severity}) in ${stage} / ${job}`;
    const run = input.runId ? ` in run ${safe(input.runId)}` : '';
    lines.push(
      headline,
      '',
      `What happened: ${safe(failure.description)}`,
      input.atLeast
        ? `Devices affected: ${affected(input)} so far${run}, which is still running (reminders carry the latest count)`
        : `Devices affected: ${devices(input.devices)}${run}`,
      `Failing since: ${formatTime(input.since)}${input.lastSeenAt ? ` (last seen ${formatTime(input.lastSeenAt)})` : ''}`,
      '',
      `What to do (${safe(failure.actor)}): ${safe(failure.remediation)}`,
      '',
    );
  }
  lines.push(
    `Knox code: ${failure.code} ${failure.codeName} (HTTP ${failure.httpStatus})`,
    `Reason: ${safe(failure.reason)}`,
    `Job: ${job}`,
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
