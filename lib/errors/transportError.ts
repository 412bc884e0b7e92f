import { Actor, Category, Scope, Severity, SyntheticCode } from './constants';
import { KnoxGuardError } from './KnoxGuardError';

/**
 * The failure for a request that got no HTTP answer at all: a timeout, a reset or refused
 * connection, a DNS failure. Always retryable; the original error is kept as `cause`.
 *
 * @example
 * transportError('timeout', new Error('aborted after 10000 ms')).code; // 'TIMEOUT'
 */
export function transportError(kind: 'timeout' | 'transport', cause: unknown): KnoxGuardError {
  const timeout = kind === 'timeout';
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  const code = timeout ? SyntheticCode.timeout : SyntheticCode.transport;
  return new KnoxGuardError(
    {
      httpStatus: 0,
      receivedStatus: 0,
      code,
      codeName: code,
      reason: detail.slice(0, 300),
      description: timeout
        ? 'Knox Guard did not answer within the request timeout.'
        : 'The connection to Knox Guard failed (reset, refused or DNS).',
      category: Category.server,
      severity: Severity.warning,
      retryable: true,
      actionable: false,
      scope: Scope.tenant,
      actor: Actor.developer,
      remediation:
        'Retried automatically; if it persists, check the Lambda network path (VPC, NAT, DNS) to Knox Guard.',
      known: false,
    },
    { cause },
  );
}
