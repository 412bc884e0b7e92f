import { KnoxGuardError, type KnoxGuardFailure, serviceFailure } from '../errors';
import type { FailureSink, RunObservation } from './ports';

/** The licence fields the check needs (lib/knox's `KnoxLicense` has them). */
export interface LicenceSeats {
  readonly name: string;
  readonly totalSeats: number;
  readonly usedSeats: number;
  readonly expiresAt?: string;
}

export interface LicenceHealth {
  readonly totalSeats: number;
  readonly usedSeats: number;
  readonly freeSeats: number;
  readonly licences: number;
  readonly low: boolean;
}

/** The licence check could not run: the licence paths are not enabled (they have no source). */
export interface LicenceHealthUnavailable {
  readonly unavailable: string;
}

/**
 * Checks that enough Knox Guard licence seats are free (expired licences count as none) and
 * reports the result to the alert pipeline: `LICENSE_SEATS_LOW` while fewer than `minFreeSeats`
 * remain, a success once there are enough again (which resolves the alert). A failing licence
 * listing (e.g. USER_BLOCKED_STATE) is reported as that Knox Guard failure. The licence paths have
 * no source (docs/knox-api-contract.md): when the client is not opted in (`licenceApiEnabled`
 * false), nothing is called or alerted and the result says the check is unavailable.
 *
 * @example
 * const health = await checkLicenceHealth({ listLicenses: () => client.listLicenses() }, sink, { stage, job: 'licence-health', runId, minFreeSeats: 100, now: Date.now() });
 */
export async function checkLicenceHealth(
  source: { readonly licenceApiEnabled?: boolean; listLicenses(): Promise<readonly LicenceSeats[]> },
  sink: FailureSink,
  run: { stage: string; job: string; runId: string; minFreeSeats: number; now: number },
): Promise<LicenceHealth | LicenceHealthUnavailable | { readonly error: KnoxGuardFailure }> {
  if (source.licenceApiEnabled === false) {
    // Neither a failure nor a success: an alert would be false and a resolution unfounded.
    return {
      unavailable:
        'licence-health is unavailable: the Knox Guard licence paths are unverified and not enabled (KNOX_UNVERIFIED_LICENCE_API=true enables them).',
    };
  }
  const base: Omit<RunObservation, 'failures' | 'successes'> = {
    stage: run.stage,
    job: run.job,
    runId: run.runId,
    operation: 'licence-health',
    // One check per run: a retried check replaces its own count.
    contribution: 'licence-health',
  };
  let licences: readonly LicenceSeats[];
  try {
    licences = await source.listLicenses();
  } catch (error) {
    if (!(error instanceof KnoxGuardError)) throw error;
    await sink.process({ ...base, successes: 0, failures: [{ error: error.toJSON() }] });
    return { error: error.toJSON() };
  }
  const active = licences.filter((licence) => !licence.expiresAt || Date.parse(licence.expiresAt) > run.now);
  const totalSeats = active.reduce((sum, licence) => sum + licence.totalSeats, 0);
  const usedSeats = active.reduce((sum, licence) => sum + licence.usedSeats, 0);
  const freeSeats = Math.max(0, totalSeats - usedSeats);
  const low = freeSeats < run.minFreeSeats;
  const failure = serviceFailure(
    'LICENSE_SEATS_LOW',
    `${freeSeats} of ${totalSeats} seats free across ${active.length} active licence(s); threshold ${run.minFreeSeats}.`,
  );
  await sink.process({ ...base, successes: low ? 0 : 1, failures: low ? [{ error: failure }] : [] });
  return { totalSeats, usedSeats, freeSeats, licences: active.length, low };
}
