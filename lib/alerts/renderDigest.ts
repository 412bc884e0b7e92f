import { DEFAULT_CONSOLE_URL } from './constants';
import { fitGsm7 } from './gsm7';
import { type ReportLine, reportLine, SUBJECT_MAX } from './renderAlert';
import { asciiLine, devices, formatSpan, safe } from './renderText';

/** One code's line in a run's digest. */
export interface DigestEntry {
  readonly code: string;
  readonly codeName: string;
  readonly count: number;
  readonly description: string;
  readonly remediation: string;
  /** Masked device ids. */
  readonly samples: readonly string[];
}

export interface DigestRenderInput {
  readonly stage: string;
  readonly job: string;
  readonly runId: string;
  readonly entries: readonly DigestEntry[];
  readonly since: number;
  readonly now: number;
  readonly consoleUrl?: string | undefined;
  /** The run's failed-device list (e-mail only). */
  readonly report?: ReportLine | undefined;
}

/**
 * Renders the per-run digest of per-device failures (devices not found, devices in the wrong
 * state): one message per run and job with a count and masked samples per code, instead of one
 * alert per device. Same limits as `renderAlert`. Pure.
 *
 * @example
 * renderDigest({ stage: 'prod', job: 'overdue-lock', runId: 'r-1', since, now, entries: [
 *   { code: '4040300', codeName: 'DEVICE_NOT_FOUND', count: 37, description, remediation, samples: ['35*********1234'] },
 * ] }).subject; // '[KG prod] Digest: 37 devices failed (1 code) - overdue-lock'
 */
export function renderDigest(input: DigestRenderInput): { subject: string; email: string; sms: string } {
  const entries = [...input.entries].sort(
    // Code names are ASCII: a plain comparison, not localeCompare (which loads ICU's collator).
    (a, b) => b.count - a.count || (a.codeName < b.codeName ? -1 : a.codeName > b.codeName ? 1 : 0),
  );
  const total = entries.reduce((sum, entry) => sum + entry.count, 0);
  const codes = `${entries.length} ${entries.length === 1 ? 'code' : 'codes'}`;
  const head = asciiLine(
    `[KG ${asciiLine(input.stage, 16)}] Digest: ${devices(total)} failed (${codes})`,
    80,
  );
  const room = SUBJECT_MAX - head.length - 3;
  const subject = room >= 4 ? `${head} - ${asciiLine(input.job, room)}` : head;

  const stage = safe(input.stage);
  const job = safe(input.job);
  const lines = [
    `Knox Guard digest for ${stage} / ${job}, run ${safe(input.runId)}`,
    '',
    `${devices(total)} failed with per-device codes ${formatSpan(input.since, input.now)}.`,
    'These need follow-up in the billing system, not an urgent fix:',
    '',
  ];
  for (const entry of entries) {
    lines.push(
      `- ${entry.code === entry.codeName ? entry.codeName : `${entry.codeName} (${entry.code})`}: ${devices(entry.count)}`,
    );
    lines.push(`  ${safe(entry.description)}`);
    lines.push(`  What to do: ${safe(entry.remediation)}`);
    if (entry.samples.length > 0)
      lines.push(`  Sample devices (masked): ${entry.samples.map(safe).join(', ')}`);
    lines.push('');
  }
  if (input.report) lines.push(reportLine(input.report), '');
  lines.push(
    `Job: ${job}`,
    `Stage: ${stage}`,
    `Knox Guard console: ${input.consoleUrl ?? DEFAULT_CONSOLE_URL}`,
    '',
  );

  const summary = entries.map((entry) => `${entry.codeName} ${entry.count}`).join(', ');
  const sms = fitGsm7(
    `KG ${safe(input.stage).slice(0, 16)} digest ${safe(input.job).slice(0, 40)}: ${summary}`,
  );
  return { subject, email: `${lines.join('\n')}\n`, sms };
}
