import { Scope } from '../errors';
import { TENANT_WIDE_JOB } from './constants';
import type { Inhibition } from './loadAlertRules';
import { type AlertLabels, type ClassifiedCode, codeMatches } from './resolveRule';

/** A tenant-wide condition that is firing (alerted and not resolved), or failing right now. */
export interface ActiveCondition extends AlertLabels {
  readonly code: string;
  readonly codeName: string;
}

/**
 * The firing condition that inhibits this failure, if any: Alertmanager's inhibition, so a
 * blocked API user or exhausted licences do not also produce per-device alerts and digest lines
 * for the symptoms. A code never inhibits itself.
 *
 * @example
 * findInhibitor(rules.inhibitions, { stage: 'prod', job: 'overdue-lock' }, deviceNotFound, [
 *   { stage: 'prod', job: 'licence-health', code: '4030104', codeName: 'USER_BLOCKED_STATE' },
 * ])?.codeName; // 'USER_BLOCKED_STATE'
 */
export function findInhibitor(
  inhibitions: readonly Inhibition[],
  labels: AlertLabels,
  failure: Pick<ClassifiedCode, 'code' | 'codeName' | 'scope'>,
  active: readonly ActiveCondition[],
): ActiveCondition | undefined {
  for (const inhibition of inhibitions) {
    const isTarget = inhibition.targets
      ? inhibition.targets.some((target) => codeMatches(target, failure))
      : failure.scope === Scope.device;
    if (!isTarget) continue;
    const source = active.find(
      (condition) =>
        condition.codeName !== failure.codeName &&
        inhibition.sources.some((reference) => codeMatches(reference, condition)) &&
        inhibition.equal.every(
          (label) =>
            condition[label] === labels[label] ||
            // A tenant-wide group spans jobs: it is the same condition for every job of its stage.
            (label === 'job' && condition.job === TENANT_WIDE_JOB),
        ),
    );
    if (source) return source;
  }
  return undefined;
}
