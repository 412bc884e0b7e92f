import { AlertKind, TENANT_WIDE_JOB } from './constants';
import type { ClaimedSend } from './createSendGuard';
import { decideResolution } from './decideResolution';
import { storedClassification } from './failureInfo';
import type { ActiveCondition } from './findInhibitor';
import { findSilence, findTenantSilence } from './findSilence';
import type { ObservationScope, PipelineContext } from './PipelineContext';
import { renderGroupMessage } from './renderGroupMessage';
import { resolveRule } from './resolveRule';
import type { GroupKey } from './types';

/** What the recovered groups of one observation came to. */
export interface RecoveredOutcome {
  readonly resolved: { readonly codeName: string; readonly notified: boolean }[];
  /** Resolved messages, claimed and ready to publish. */
  readonly sends: ClaimedSend[];
}

/**
 * The recovering half of `process`, for a chunk with successes: each open group of this job (or
 * tenant-wide) that the chunk did not fail with → clear this job from a tenant-wide group (it
 * resolves once no job still sees it) → settle a lapsed publish → decide (resolve, told or not) →
 * claim → render, or resolve quietly when `send_resolved` is off.
 *
 * @example
 * const recovered = await notifyRecovered(context, scope, new Set(groups.keys()), active);
 */
export async function notifyRecovered(
  context: PipelineContext,
  scope: ObservationScope,
  failing: ReadonlySet<string>,
  active: readonly ActiveCondition[],
): Promise<RecoveredOutcome> {
  const { store, guard } = context;
  const { stage, job, now } = scope;
  const labels = { stage, job };
  const outcome: RecoveredOutcome = { resolved: [], sends: [] };
  const seen = new Set<string>();
  for (const condition of active) {
    const tenantWide = condition.job === TENANT_WIDE_JOB;
    if ((condition.job !== job && !tenantWide) || failing.has(condition.codeName)) continue;
    const key: GroupKey = { stage, job: condition.job, codeName: condition.codeName };
    const ref = `${key.job}#${key.codeName}`;
    if (seen.has(ref)) continue;
    seen.add(ref);
    let read = await store.getGroup(key);
    // A tenant-wide group resolves once no job still sees it: this job no longer does.
    if (tenantWide && read?.failingJobs?.includes(job)) read = await store.clearJob(key, job);
    if (tenantWide && (read?.failingJobs?.length ?? 0) > 0) continue;
    const state = read === undefined ? undefined : await guard.settle(key, read, now);
    if (state?.status !== 'active') continue;
    const rule = resolveRule(context.rules, labels, storedClassification(state));
    const silence = tenantWide
      ? findTenantSilence(await scope.silences(), stage, state, now)
      : findSilence(await scope.silences(), labels, state, now);
    const decision = decideResolution({ state, rule, now, lastSuccessAt: now, silence });
    if (decision.action !== 'resolve') continue;
    const claim = await guard.claimGroup(key, { kind: 'resolve', lastSeenAt: state.lastSeenAt }, now);
    if (!claim) continue;
    outcome.resolved.push({ codeName: state.codeName, notified: decision.notify });
    if (!decision.notify) {
      await claim.resolveQuietly();
      continue;
    }
    const message = renderGroupMessage({
      kind: AlertKind.resolved,
      key,
      job,
      state,
      now,
      consoleUrl: context.consoleUrl,
    });
    outcome.sends.push(claim.send(message, { kind: AlertKind.resolved }));
  }
  return outcome;
}
