// What `alerts silence` is about to mute, checked against what can actually alert: a silence for a
// job jobs.yml lacks, or a code no failure can carry, would be stored and match nothing.
import { KNOX_CODES, TOKEN_SERVICE_CODES } from '../lib/errors';

const CATALOG_NUMBERS = new Set([...KNOX_CODES, ...TOKEN_SERVICE_CODES].map((entry) => entry.code));

/**
 * Why a silence's `--job` or `--code` would match nothing, or `undefined` when both can match.
 * A job must be one of config/jobs.yml (a tenant-wide alert has no job: silence it without
 * `--job`). A numeric Knox code must be in the catalog (lib/errors) or carried by an alert open in
 * the stage (an uncatalogued code Knox really sent); `HTTP_nnn` must be an HTTP status (100-599).
 * Catalog names are checked by the silence store itself (`checkNewSilence` in lib/alerts).
 *
 * @param silence the `--code` and `--job` typed
 * @param known.jobs the job names config/jobs.yml defines
 * @param known.openCodes the `code` and `codeName` of the stage's open alert groups
 * @example
 * silenceTargetProblem({ code: '9999999' }, { jobs: ['overdue-lock'], openCodes: [] });
 * // 'unknown Knox code "9999999": not in the catalog (docs/error-codes.md) and no open alert carries it, ...'
 */
export function silenceTargetProblem(
  silence: { readonly code: string; readonly job?: string },
  known: { readonly jobs: readonly string[]; readonly openCodes: readonly string[] },
): string | undefined {
  const problems: string[] = [];
  if (silence.job !== undefined && !known.jobs.includes(silence.job)) {
    problems.push(
      `unknown job ${JSON.stringify(silence.job)}: config/jobs.yml has ${known.jobs.join(', ')} (a silence for another job would match nothing; leave out --job for a tenant-wide alert)`,
    );
  }
  const http = /^HTTP_(\d{3})$/.exec(silence.code);
  if (http?.[1] !== undefined) {
    const status = Number(http[1]);
    if (status < 100 || status > 599) {
      problems.push(
        `unknown code ${JSON.stringify(silence.code)}: HTTP_nnn takes an HTTP status, 100 to 599`,
      );
    }
  } else if (
    /^\d+$/.test(silence.code) &&
    !CATALOG_NUMBERS.has(silence.code) &&
    !known.openCodes.includes(silence.code)
  ) {
    problems.push(
      `unknown Knox code ${JSON.stringify(silence.code)}: not in the catalog (docs/error-codes.md) and no open alert carries it, so a silence would match nothing`,
    );
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}
