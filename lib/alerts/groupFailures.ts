import type { KnoxGuardFailure } from '../errors';
import { maskDeviceId, maskKnownIds } from '../privacy';
import type { RunObservation } from './types';

/** The failures of one code in one observation. */
export interface FailureGroup {
  /** The code's first failure, its reason with every id the group's failures know masked. */
  readonly failure: KnoxGuardFailure;
  count: number;
  /** Masked device ids, at most `maxSamples`. */
  readonly samples: string[];
}

/**
 * Groups an observation's failures by code name, in order of first appearance, with up to
 * `maxSamples` masked device ids each. This is where failures enter the alert pipeline, so it is
 * where the ids they know (`deviceId`, `error.requestedId`, `knownIds`) are masked with
 * `maskDeviceId` inside the reason every alert, reminder and stored group shows: `maskText` cannot
 * tell a bare serial from a word (docs/admin-guide.md, "Privacy: what is masked").
 *
 * @example
 * groupFailures({ ...observation, failures: [{ deviceId: 'R58M123ABCD', error }] }, 5).get('USER_BLOCKED_STATE');
 * // { failure: { ...error, reason: 'Device R5*****ABCD cannot be locked' }, count: 1, samples: ['R5*****ABCD'] }
 */
export function groupFailures(observation: RunObservation, maxSamples: number): Map<string, FailureGroup> {
  const groups = new Map<string, FailureGroup & { failure: KnoxGuardFailure }>();
  for (const { deviceId, error, knownIds } of observation.failures) {
    let group = groups.get(error.codeName);
    if (!group) {
      group = { failure: error, count: 0, samples: [] };
      groups.set(error.codeName, group);
    }
    group.count += 1;
    const id = deviceId ?? error.requestedId;
    if (id && group.samples.length < maxSamples) group.samples.push(maskDeviceId(id));
    // Every failure's ids, not only the first's: a chunk keeps one reason per code, which may name
    // any of the code's devices.
    const reason = group.failure.reason;
    const masked = maskKnownIds(reason, [deviceId, error.requestedId, ...(knownIds ?? [])]);
    if (masked !== reason) group.failure = { ...group.failure, reason: masked };
  }
  return groups;
}
