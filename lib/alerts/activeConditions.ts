import { Scope } from '../errors';
import type { AlertStateStore } from './AlertStateStore';
import { RuleAction, TENANT_WIDE_JOB } from './constants';
import type { ActiveCondition } from './findInhibitor';
import type { FailureGroup } from './groupFailures';
import type { AlertRules, RuleSettings } from './loadAlertRules';
import { codeMatches } from './resolveRule';

/** A chunk's failure group with the rule that applies to it. */
export interface RuledGroup {
  readonly group: FailureGroup;
  readonly rule: RuleSettings;
}

/**
 * The open conditions of the stage that inhibit or resolve: the stored index, read only when the
 * chunk can use it (it has successes that may resolve, or a failure an inhibition may mute), plus
 * the tenant-wide failures of this very chunk (they are firing; the index may lag).
 *
 * @example
 * const active = await activeConditions(store, rules, observation, ruled);
 */
export async function activeConditions(
  store: AlertStateStore,
  rules: AlertRules,
  observation: { readonly stage: string; readonly successes: number },
  ruled: readonly RuledGroup[],
): Promise<ActiveCondition[]> {
  const { stage } = observation;
  const needsIndex =
    observation.successes > 0 ||
    ruled.some(
      ({ rule, group }) =>
        rule.action !== RuleAction.ignore &&
        (group.failure.scope === Scope.device || isInhibitionTarget(rules.inhibitions, group.failure)),
    );
  const active: ActiveCondition[] = needsIndex ? [...(await store.listActive(stage))] : [];
  for (const { group, rule } of ruled) {
    if (rule.action === RuleAction.alert && group.failure.scope === Scope.tenant) {
      active.push({
        stage,
        job: TENANT_WIDE_JOB,
        code: group.failure.code,
        codeName: group.failure.codeName,
      });
    }
  }
  return active;
}

/** Whether an inhibition names this failure among its explicit targets (a tenant-wide code can be one). */
function isInhibitionTarget(
  inhibitions: AlertRules['inhibitions'],
  failure: { code: string; codeName: string },
) {
  return inhibitions.some((inhibition) => inhibition.targets?.some((target) => codeMatches(target, failure)));
}
