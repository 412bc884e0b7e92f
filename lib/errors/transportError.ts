import { SyntheticCode } from './constants';
import { KnoxGuardError } from './KnoxGuardError';
import { syntheticFailure } from './serviceCodes';

/**
 * The failure for a request that got no HTTP answer at all: a timeout, a reset or refused
 * connection, a DNS failure. Always retryable (its row of `SYNTHETIC_CODES`); the original error
 * is kept as `cause`.
 *
 * @example
 * transportError('timeout', new Error('aborted after 10000 ms')).code; // 'TIMEOUT'
 */
export function transportError(kind: 'timeout' | 'transport', cause: unknown): KnoxGuardError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  const code = kind === 'timeout' ? SyntheticCode.timeout : SyntheticCode.transport;
  return new KnoxGuardError(syntheticFailure(code, 0, detail.slice(0, 300)), { cause });
}
