import type { KnoxCodeEntry } from './catalog';
import { Actor, Category, Scope, Severity } from './constants';
import type { KnoxGuardFailure } from './KnoxGuardError';

/**
 * Conditions this service detects itself (no Knox Guard answer carries them), classified like
 * the Knox Guard codes so that alerts, the runbook and the rules treat them the same way.
 */
const entries = [
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
    scope: Scope.tenant,
    actor: Actor.billingOps,
    remediation:
      'Check that the billing export landed in the targets bucket under the configured key and is valid CSV/JSON.',
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
    scope: Scope.tenant,
    actor: Actor.billingOps,
    remediation:
      'Find the request id in the scheduledRun logs, fix the cause (secret, targets file, Knox access), then run the job again or wait for its next schedule.',
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
