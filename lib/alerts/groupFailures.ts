import type { KnoxGuardFailure } from '../errors';
import { maskDeviceId } from '../privacy';
import type { RunObservation } from './types';

/** The failures of one code in one observation. */
export interface FailureGroup {
  readonly failure: KnoxGuardFailure;
  count: number;
  /** Masked device ids, at most `maxSamples`. */
  readonly samples: string[];
}

/**
 * Groups an observation's failures by code name, in order of first appearance, with up to
 * `maxSamples` masked device ids each.
 *
 * @example
 * groupFailures({ ...observation, failures: [{ deviceId: imei, error }] }, 5).get('LICENSE_IS_LACK');
 * // { failure: error, count: 1, samples: ['35*********0001'] }
 */
export function groupFailures(observation: RunObservation, maxSamples: number): Map<string, FailureGroup> {
  const groups = new Map<string, FailureGroup>();
  for (const { deviceId, error } of observation.failures) {
    let group = groups.get(error.codeName);
    if (!group) {
      group = { failure: error, count: 0, samples: [] };
      groups.set(error.codeName, group);
    }
    group.count += 1;
    const id = deviceId ?? error.requestedId;
    if (id && group.samples.length < maxSamples) group.samples.push(maskDeviceId(id));
  }
  return groups;
}
