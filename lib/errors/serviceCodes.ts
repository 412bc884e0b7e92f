import type { KnoxCodeEntry } from './catalog';
import { Actor, Category, Scope, Severity, SyntheticCode } from './constants';
import type { KnoxGuardFailure } from './KnoxGuardError';

/**
 * Conditions this service detects itself (no Knox Guard answer carries them), classified like
 * the Knox Guard codes so that alerts, the runbook and the rules treat them the same way.
 */
const entries = [
  {
    // KBA-1242: Knox deems a token expired when the clock that signed it disagrees with Knox's.
    // https://docs.samsungknox.com/dev/knox-cloud-authentication/kbas/kba-1242-authentication-fails-due-to-expired-access-token
    code: 'TOKEN_CLOCK_SKEW',
    codeName: 'TOKEN_CLOCK_SKEW',
    httpStatus: 0,
    description:
      'Knox refused a freshly issued access token as expired: the clock that signs the JWTs and Knox disagree, so no call can succeed.',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation:
      "Compare the signing host's clock and time zone with real time (NTP; on Lambda, the log timestamps against Knox's Date header), fix it and re-run; if the host is right, open a Samsung Knox ticket quoting the answer (KBA-1242).",
  },
  {
    code: 'LICENSE_SEATS_LOW',
    codeName: 'LICENSE_SEATS_LOW',
    httpStatus: 0,
    description:
      'Knox Guard licence seats are running out; approvals will fail with LICENSE_IS_LACK when none are left.',
    category: Category.license,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      'Buy or extend Knox Guard licences in the Knox Admin Portal before the free seats reach zero.',
  },
  {
    code: 'TARGETS_UNREADABLE',
    codeName: 'TARGETS_UNREADABLE',
    httpStatus: 0,
    description: 'The job could not read its list of target devices, so no device was processed.',
    category: Category.configuration,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.job,
    actor: Actor.billingOps,
    remediation:
      'Check that the billing export landed in the targets bucket under the configured key and is valid CSV/JSON.',
  },
  {
    code: 'TARGETS_ROWS_SKIPPED',
    codeName: 'TARGETS_ROWS_SKIPPED',
    httpStatus: 0,
    description:
      'Rows of the targets file could not be read or hold no valid device id (IMEI with check digit or serial), so those devices were not processed.',
    category: Category.configuration,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.job,
    actor: Actor.billingOps,
    remediation:
      'Fix the rows named in the alert (line numbers; ids masked) in the billing export; the devices in them run with the next export.',
  },
  {
    code: 'NOT_FINISHED',
    codeName: 'NOT_FINISHED',
    httpStatus: 0,
    description:
      'Knox Guard had not reported a result for the device when the bulk transaction was last polled before the deadline.',
    category: Category.server,
    severity: Severity.warning,
    retryable: true,
    actionable: false,
    scope: Scope.device,
    actor: Actor.developer,
    remediation:
      'Handed back automatically: the next attempt polls the same transaction (never submits again); if it persists, Knox Guard is slow to finish bulk transactions: raise the worker timeout or lower chunkSize, and check the devices in the Knox console.',
  },
  {
    code: 'BULK_PATH_UNAVAILABLE',
    codeName: 'BULK_PATH_UNAVAILABLE',
    httpStatus: 0,
    description:
      'The Knox Guard ...Async path answered 404/405/501 or a shape the client cannot read; the operation ran one sync call per device instead (bulk path unavailable, running per device).',
    category: Category.configuration,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation:
      'Nothing was lost, but large jobs run slower: check the async path and id-list field (docs/knox-api-contract.md) against the tenant with npm run knox:check.',
  },
  {
    code: 'SCHEDULED_RUN_FAILED',
    codeName: 'SCHEDULED_RUN_FAILED',
    httpStatus: 0,
    description:
      'A scheduled run failed on every attempt Lambda made (or expired before it ran), so the job did not run this time.',
    category: Category.configuration,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.job,
    actor: Actor.billingOps,
    remediation:
      'Find the request id in the scheduledRun logs, fix the cause (secret, targets file, Knox access), then run the job again or wait for its next schedule.',
  },
  {
    // The per-run CSV of failed devices (lib/operations/runReport, docs/run-reports.md).
    code: 'RUN_REPORT_UNWRITABLE',
    codeName: 'RUN_REPORT_UNWRITABLE',
    httpStatus: 0,
    description:
      "The list of a run's failed devices (CSV in the run-reports bucket) could not be written for part of the run; the alerts and the digest still went out, with masked samples only.",
    category: Category.configuration,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation:
      "Check the function's access to the run-reports bucket and its KMS key (the error is in the alert and the function logs); the missing list's devices are in that run's digest counts.",
  },
  {
    code: 'KNOX_UNAVAILABLE',
    codeName: 'KNOX_UNAVAILABLE',
    httpStatus: 0,
    description:
      'Devices still failed with retryable errors (429 rate limits, 5xx, timeouts, resets) after every attempt the service makes: each invocation retried until its deadline and each follow-up message was redelivered, so the chunk now goes to the operations DLQ.',
    category: Category.server,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation:
      "Check Knox Guard's status and the tenant's rate limit (lower KNOX_RATE_LIMIT_PER_SECOND or the worker concurrency); once Knox answers again, redrive the operations DLQ so the devices are processed.",
  },
] as const satisfies readonly KnoxCodeEntry[];

/** The service's own codes, in runbook order. */
export const SERVICE_CODES: readonly KnoxCodeEntry[] = entries;

export type ServiceCodeName = (typeof entries)[number]['codeName'];

/**
 * A failure for one of the service's own codes, with the reason that explains this occurrence.
 *
 * @example
 * serviceFailure('LICENSE_SEATS_LOW', '12 of 5,000 seats free').severity; // 'warning'
 */
export function serviceFailure(name: ServiceCodeName, reason: string): KnoxGuardFailure {
  const entry = entries.find((candidate) => candidate.codeName === name) as KnoxCodeEntry;
  return { ...entry, receivedStatus: 0, reason, known: true };
}

// No HTTP answer at all (a timeout or a broken connection): one classification for both.
const noAnswer = {
  httpStatus: 0,
  category: Category.server,
  severity: Severity.warning,
  retryable: true,
  actionable: false,
  scope: Scope.tenant,
  actor: Actor.developer,
  remediation:
    'Retried automatically; if it persists, check the Lambda network path (VPC, NAT, DNS) to Knox Guard.',
} as const;

const syntheticEntries = [
  {
    code: SyntheticCode.timeout,
    codeName: SyntheticCode.timeout,
    description: 'Knox Guard did not answer within the request timeout.',
    ...noAnswer,
  },
  {
    code: SyntheticCode.transport,
    codeName: SyntheticCode.transport,
    description: 'The connection to Knox Guard failed (reset, refused or DNS).',
    ...noAnswer,
  },
  {
    // httpStatus 0 in the row: a failure carries the 2xx status that came with the unreadable body.
    code: SyntheticCode.malformed,
    codeName: SyntheticCode.malformed,
    httpStatus: 0,
    description: 'Knox Guard (or a proxy) answered success with a body that cannot be read.',
    category: Category.server,
    severity: Severity.warning,
    retryable: true,
    actionable: false,
    scope: Scope.tenant,
    actor: Actor.samsung,
    remediation: 'Retried automatically; if it persists, check proxies between Lambda and Knox Guard.',
  },
] as const satisfies readonly (KnoxCodeEntry & { readonly code: SyntheticCode })[];

/**
 * The codes this service gives a failure that carries no Knox Guard code (`SyntheticCode`: no
 * answer in time, no connection, an unreadable 2xx body), classified as catalog rows so the
 * decoder, the transport errors and the runbook read one row each.
 */
export const SYNTHETIC_CODES: readonly KnoxCodeEntry[] = syntheticEntries;

/**
 * A failure for one of the `SyntheticCode`s, from its row: `status` is the HTTP status that came
 * over the wire (0 when no answer came), `reason` what happened this time. Unknown to Knox's
 * catalog (`known: false`).
 *
 * @example
 * syntheticFailure(SyntheticCode.timeout, 0, 'aborted after 15000 ms').retryable; // true
 */
export function syntheticFailure(code: SyntheticCode, status: number, reason: string): KnoxGuardFailure {
  const entry = syntheticEntries.find((candidate) => candidate.code === code) as KnoxCodeEntry;
  return {
    httpStatus: status,
    receivedStatus: status,
    code: entry.code,
    codeName: entry.codeName,
    reason,
    description: entry.description,
    category: entry.category,
    severity: entry.severity,
    retryable: entry.retryable,
    actionable: entry.actionable,
    scope: entry.scope,
    actor: entry.actor,
    remediation: entry.remediation,
    known: false,
  };
}
