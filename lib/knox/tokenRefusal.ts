import { KnoxGuardError, type KnoxGuardFailure, knoxCode, serviceFailure, tokenServiceCode } from '../errors';

/**
 * The answers that say "this access token is no good" (renew it once and resend), by code and by
 * name so a body with only one of them counts too, whatever the HTTP status (Knox Cloud
 * Authentication has answered 4030000 at 200 and 403; Knox Guard 4010000 at 401):
 * 4010000 AUTHORIZATION_FAIL (Knox Guard), 4030000 AUTHENTICATION_FAIL, 4032251
 * ACCESS_TOKEN_EXPIRED, 4032252 ACCESS_TOKEN_INVALID (Knox Cloud Authentication). Sources:
 * https://docs.samsungknox.com/dev/knox-guard/troubleshoot/ (401: missing or expired token),
 * https://docs.samsungknox.com/dev/knox-cloud-authentication/troubleshooting-knox-cloud-services/ ,
 * https://docs.samsungknox.com/dev/knox-cloud-authentication/kbas/kba-1242-authentication-fails-due-to-expired-access-token
 */
const REFUSALS = [
  knoxCode('AUTHORIZATION_FAIL'),
  tokenServiceCode('AUTHENTICATION_FAIL'),
  tokenServiceCode('ACCESS_TOKEN_EXPIRED'),
  tokenServiceCode('ACCESS_TOKEN_INVALID'),
];
const REFUSAL_KEYS = new Set(REFUSALS.flatMap((entry) => [entry.code, entry.codeName]));

/** The refusals that mean "expired" (not revoked or unknown): after a renewal, clock skew. */
const EXPIRIES = [tokenServiceCode('AUTHENTICATION_FAIL'), tokenServiceCode('ACCESS_TOKEN_EXPIRED')];
const EXPIRY_KEYS = new Set(EXPIRIES.flatMap((entry) => [entry.code, entry.codeName]));

/**
 * A token younger than this that Knox calls expired was not expired: the clocks disagree. A
 * renewed token is at most one token request old when it is refused again, seconds, while a real
 * expiry needs its 30 minutes.
 */
export const CLOCK_SKEW_TOKEN_AGE_MS = 60_000;

/**
 * Whether Knox refused the access token itself: renew it once and resend.
 *
 * @example
 * isTokenRefusal(decoded.failure); // true for {"code":["4030000"],"message":["AUTHENTICATION_FAIL"]} at 200
 */
export function isTokenRefusal(
  failure: Pick<KnoxGuardFailure, 'code' | 'codeName' | 'receivedStatus'>,
): boolean {
  return (
    failure.receivedStatus === 401 || REFUSAL_KEYS.has(failure.code) || REFUSAL_KEYS.has(failure.codeName)
  );
}

/**
 * Whether the refusal says the token expired (4030000 AUTHENTICATION_FAIL, 4032251
 * ACCESS_TOKEN_EXPIRED), as opposed to revoked, unknown or malformed.
 *
 * @example
 * isTokenExpiry({ code: '4032251', codeName: 'ACCESS_TOKEN_EXPIRED' }); // true
 */
export function isTokenExpiry(failure: Pick<KnoxGuardFailure, 'code' | 'codeName'>): boolean {
  return EXPIRY_KEYS.has(failure.code) || EXPIRY_KEYS.has(failure.codeName);
}

/**
 * The TOKEN_CLOCK_SKEW failure for a renewed token that Knox refused as expired `ageMs` after it
 * was signed; Knox's own answer is kept as `cause` and quoted in the reason.
 *
 * @example
 * throw clockSkewError(refusal, 1200); // TOKEN_CLOCK_SKEW, alerted with the clock runbook line
 */
export function clockSkewError(refusal: KnoxGuardError, ageMs: number): KnoxGuardError {
  const reason =
    `Knox answered ${refusal.codeName} (${refusal.code}) to an access token signed ${Math.round(ageMs / 1000)} s ` +
    `earlier, right after renewing it: ${refusal.reason}`;
  return new KnoxGuardError(serviceFailure('TOKEN_CLOCK_SKEW', reason), { cause: refusal });
}
