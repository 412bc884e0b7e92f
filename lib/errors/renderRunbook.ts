import { KNOX_CODES, type KnoxCodeEntry, TOKEN_SERVICE_CODES, TOKEN_SERVICE_SOURCES } from './catalog';
import { SyntheticCode } from './constants';
import { classifyHttpStatus, HTTP_STATUSES } from './httpStatuses';
import { SERVICE_CODES, SYNTHETIC_CODES } from './serviceCodes';

const escapeCell = (text: string): string => text.replaceAll('|', '\\|').replace(/\s+/g, ' ');

/**
 * The "Who must act" cell. An actionable code names its actor; one that is not says when its actor
 * acts after all: only if a retried code persists, or as a follow-up that is not urgent. "No action
 * needed" only where the remediation asks for none (`None...`), so the cell never contradicts the
 * "What to do" cell beside it.
 */
export function whoMustAct(entry: {
  actor: string;
  actionable: boolean;
  retryable: boolean;
  remediation: string;
}): string {
  if (entry.actionable) return entry.actor;
  if (/^None\b/.test(entry.remediation)) return `${entry.actor} (no action needed)`;
  return entry.retryable
    ? `${entry.actor}, only if it persists (retried automatically)`
    : `${entry.actor}, as a follow-up (not urgent)`;
}

const codeRow = (entry: KnoxCodeEntry): string =>
  [
    entry.code,
    `\`${entry.codeName}\``,
    String(entry.httpStatus),
    entry.description,
    entry.category,
    entry.severity,
    entry.scope,
    entry.retryable ? 'yes' : 'no',
    whoMustAct(entry),
    entry.remediation,
  ]
    .map(escapeCell)
    .join(' | ')
    .replace(/^/, '| ')
    .concat(' |');

/**
 * Renders `docs/error-codes.md`, the admins' runbook, from the catalog. Pure and deterministic,
 * so a test can compare it with the committed file and fail when the file is stale.
 *
 * @example
 * await writeFile('docs/error-codes.md', renderRunbook());
 */
export function renderRunbook(): string {
  const lines = [
    '# Knox Guard error codes: runbook',
    '',
    '<!-- Generated from lib/errors/catalog.ts by `npm run docs:errors`. Do not edit by hand. -->',
    '',
    'Every Knox Guard code knox-guard-sentinel knows, how it is classified and what to do about it.',
    'Alerts quote the "What to do" line. Codes not listed here are classified by their HTTP status',
    '(the first three digits of the code) using the second table.',
    'Scope says how alerts group a code: `tenant` is one alert per stage across jobs',
    '("tenant-wide"), `job` one alert per stage and job (its targets file, its scheduled run),',
    "`device` by default a line in the run's digest (docs/alert-content.md).",
    '',
    '## Knox Guard codes',
    '',
    '| Code | Name | HTTP | Meaning | Category | Severity | Scope | Retryable | Who must act | What to do |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...KNOX_CODES.map(codeRow),
    '',
    '## Knox Cloud Authentication (token service) codes',
    '',
    'The token service (`/ams/v1/users/accesstoken`) answers `{code, message, data}`, sometimes with',
    'each value in a one-element array; either form decodes to the rows below, at any HTTP status.',
    'The client renews the access token once on `AUTHENTICATION_FAIL`, `ACCESS_TOKEN_EXPIRED`,',
    '`ACCESS_TOKEN_INVALID`, `AUTHORIZATION_FAIL` or HTTP 401, and signs a fresh JWT for every',
    'token request. Sources:',
    ...TOKEN_SERVICE_SOURCES.map((url) => `<${url}>`)
      .join(',\n')
      .split('\n'),
    '',
    '| Code | Name | HTTP | Meaning | Category | Severity | Scope | Retryable | Who must act | What to do |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...TOKEN_SERVICE_CODES.map(codeRow),
    '',
    '## HTTP statuses (fallback when the code is unknown)',
    '',
    '| HTTP | Name | Meaning | Category | Severity | Retryable | Who must act | What to do |',
    '|---|---|---|---|---|---|---|---|',
    ...HTTP_STATUSES.map((entry) =>
      [
        String(entry.httpStatus),
        entry.statusName,
        entry.description,
        entry.category,
        entry.severity,
        entry.retryable ? 'yes' : 'no',
        whoMustAct(entry),
        entry.remediation,
      ]
        .map(escapeCell)
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    ),
    '',
    '## Conditions the service reports itself',
    '',
    '| Code | Meaning | Category | Severity | Scope | Who must act | What to do |',
    '|---|---|---|---|---|---|---|',
    ...SERVICE_CODES.map(
      (entry) =>
        `| \`${entry.codeName}\` | ${[entry.description, entry.category, entry.severity, entry.scope, entry.actor, entry.remediation].map(escapeCell).join(' | ')} |`,
    ),
    '',
    ...transportSection(),
    ...redriveSection(),
  ];
  return lines.join('\n');
}

/** Gateway statuses (502/503/504, any other 5xx), timeouts and broken connections: how each is handled. */
function transportSection(): string[] {
  const rows = [
    ...[502, 503, 504, 599].map((status) => {
      const entry = classifyHttpStatus(status);
      return {
        code: status === 599 ? '`HTTP_5xx` (other 5xx)' : `\`${entry.codeName}\` (HTTP ${status})`,
        meaning:
          status === 599
            ? 'Knox Guard or a gateway in front of it answered another 5xx status.'
            : entry.description,
        entry,
      };
    }),
    // Our own codes for failures without a Knox Guard code, from their catalog rows.
    ...SYNTHETIC_CODES.map((entry) => ({
      code: `\`${entry.codeName}\` (${entry.code === SyntheticCode.malformed ? '2xx' : 'no HTTP answer'})`,
      meaning: entry.description,
      entry,
    })),
  ];
  return [
    '',
    '## Transport errors: 502, 503, 504, timeouts and broken connections',
    '',
    'Transient by nature: each request is retried with backoff (honouring `Retry-After`) until the',
    "invocation's deadline; devices still failing are handed to a follow-up chunk message, delayed 30 s,",
    '60 s, 120 s, .... They alert only when they persist 30 minutes (`persistFor`, config/jobs.yml), so a',
    'short outage sends nothing. Devices still failing after the last attempt are alerted as',
    '`KNOX_UNAVAILABLE` and their chunk goes to the operations DLQ: redrive it once Knox Guard answers',
    'again ([Dead-letter queues](#dead-letter-queues-redrive)).',
    '',
    '| Code | Meaning | Retryable | Who must act | What to do |',
    '|---|---|---|---|---|',
    ...rows.map(
      ({ code, meaning, entry }) =>
        `| ${code} | ${[meaning, entry.retryable ? 'yes' : 'no', whoMustAct(entry), entry.remediation].map(escapeCell).join(' | ')} |`,
    ),
  ];
}

/** Per DLQ: what lands there, the alert that says so, and the redrive steps (operator guide). */
function redriveSection(): string[] {
  const guide = 'operator-guide.md#redriving-dead-letters';
  const rows = [
    [
      'operations DLQ (`<service>-<stage>-operations-dlq`)',
      'chunk messages that failed `maxReceiveCount` times (after a `KNOX_UNAVAILABLE` alert)',
      'Fix the cause, then `aws sqs start-message-move-task --source-arn <DLQ ARN>` (back to the operations queue; a chunk whose Knox call already completed is not run twice)',
    ],
    [
      'schedules DLQ (`<service>-<stage>-schedules-dlq`)',
      'scheduler invocations that could not be delivered',
      'Not movable (not from SQS): read them, run the job by hand with their input (`aws lambda invoke`), then delete them',
    ],
    [
      'scheduled-run on-failure queue (`<service>-<stage>-scheduled-run-failures`)',
      'runs that failed on every attempt (`SCHEDULED_RUN_FAILED`)',
      "Nothing to redrive: `runFailures` alerts them; run the job by hand with the record's `scheduledTime` or wait for its next schedule",
    ],
    [
      'scheduled-run failures DLQ (`<service>-<stage>-scheduled-run-failures-dlq`)',
      'records `runFailures` could not alert',
      'Once `runFailures` works, `aws sqs start-message-move-task --source-arn <DLQ ARN>`; run each job by hand too',
    ],
    [
      'alert delivery DLQ (`<service>-<stage>-alert-delivery-dlq`)',
      'alerts SNS could not deliver (bounced address, SMS spend limit)',
      'Not movable (not from SQS): read them, fix the subscription, forward what matters by hand, delete them',
    ],
  ];
  return [
    '',
    '## Dead-letter queues: redrive',
    '',
    'Every DLQ is alarmed: a message in any of them notifies the alert topic. The full procedure, with',
    `the commands, is in the operator guide ([Redriving dead letters](${guide})).`,
    '',
    '| Queue | What lands there | What to do |',
    '|---|---|---|',
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
    '',
  ];
}
