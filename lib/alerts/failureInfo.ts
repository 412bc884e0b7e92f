import { type KnoxGuardFailure, Scope } from '../errors';
import type { DigestEntry } from './renderDigest';
import { safe } from './renderText';
import type { AlertFailureInfo, GroupState } from './types';

/**
 * The failure details a group keeps in the state store (the reason masked and cut to 300
 * characters), for reminders, updates and resolved messages.
 *
 * @example
 * failureInfo(decoded).reason; // 'Device 35*********0001 has no licence'
 */
export function failureInfo(failure: KnoxGuardFailure): AlertFailureInfo {
  return {
    code: failure.code,
    codeName: failure.codeName,
    httpStatus: failure.httpStatus,
    reason: safe(failure.reason).slice(0, 300),
    description: failure.description,
    category: failure.category,
    severity: failure.severity,
    remediation: failure.remediation,
    actor: failure.actor,
    scope: failure.scope,
  };
}

/** A digest line's fixed part for a failure (its count and samples are the chunk's). */
export function digestInfo(failure: KnoxGuardFailure): Omit<DigestEntry, 'count' | 'samples'> {
  return {
    code: failure.code,
    codeName: failure.codeName,
    description: failure.description,
    remediation: failure.remediation,
  };
}

/**
 * The classification `resolveRule` needs for a stored group. The stored info lacks
 * scope/retryable/actionable; a stored group is an alert group, which is all `resolveRule` needs to
 * reproduce its settings (overrides match by code, job and stage).
 */
export function storedClassification(state: GroupState) {
  const { failure } = state;
  return {
    code: state.code,
    codeName: state.codeName,
    // A stored group alerts; only `job` changes how (never "tenant-wide"), so it is kept.
    scope: failure.scope === Scope.job ? Scope.job : Scope.tenant,
    actionable: true,
    retryable: false,
    severity: failure.severity,
    actor: failure.actor as KnoxGuardFailure['actor'],
  };
}
