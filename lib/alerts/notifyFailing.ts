import { Scope } from '../errors';
import type { RuledGroup } from './activeConditions';
import { AlertKind, RuleAction, SuppressReason, TENANT_WIDE_JOB } from './constants';
import type { ClaimedSend } from './createSendGuard';
import { decideAlert } from './decideAlert';
import { digestInfo, failureInfo } from './failureInfo';
import { type ActiveCondition, findInhibitor } from './findInhibitor';
import { findSilence, findTenantSilence } from './findSilence';
import type { ObservationScope, PipelineContext } from './PipelineContext';
import type { DigestEntry } from './renderDigest';
import { renderGroupMessage } from './renderGroupMessage';
import type { GroupKey, GroupReport, RunObservation } from './types';

/** What the failing groups of one observation came to. */
export interface FailingOutcome {
  readonly reports: GroupReport[];
  /** Firing and reminder messages, claimed and ready to publish. */
  readonly sends: ClaimedSend[];
  /** Per-device codes for the run's digest. */
  readonly digestEntries: DigestEntry[];
}

/**
 * The failing half of `process`, one group at a time: apply the rule (ignore, digest, alert) →
 * silence and inhibit → record the failures → settle a lapsed publish → decide (firing, reminder
 * or suppress) → claim → render. Alert groups are recorded even when suppressed, so counts and
 * episodes stay exact; a group another worker holds the claim of is reported as such.
 *
 * @example
 * const failing = await notifyFailing(context, scope, observation, ruled, active);
 */
export async function notifyFailing(
  context: PipelineContext,
  scope: ObservationScope,
  observation: RunObservation,
  ruled: readonly RuledGroup[],
  active: readonly ActiveCondition[],
): Promise<FailingOutcome> {
  const { store, guard } = context;
  const { stage, job, runId, now } = scope;
  const labels = { stage, job };
  const outcome: FailingOutcome = { reports: [], sends: [], digestEntries: [] };
  for (const { group, rule } of ruled) {
    const { failure } = group;
    const base = {
      codeName: failure.codeName,
      code: failure.code,
      action: rule.action,
      devices: group.count,
    };
    const suppressed = (reason: SuppressReason, detail?: string) =>
      outcome.reports.push({
        ...base,
        outcome: 'suppressed',
        reason,
        ...(detail === undefined ? {} : { detail }),
      });
    if (rule.action === RuleAction.ignore) {
      suppressed(SuppressReason.ignored);
      continue;
    }
    const silences = await scope.silences();
    let silence = findSilence(silences, labels, failure, now);
    const inhibitor = findInhibitor(context.rules.inhibitions, labels, failure, active);
    if (rule.action === RuleAction.digest) {
      if (silence || inhibitor) {
        suppressed(
          silence ? SuppressReason.silenced : SuppressReason.inhibited,
          inhibitor?.codeName ?? silence?.comment ?? '',
        );
      } else {
        outcome.digestEntries.push({ ...digestInfo(failure), count: group.count, samples: group.samples });
        suppressed(SuppressReason.digested);
      }
      continue;
    }
    const tenantWide = failure.scope === Scope.tenant;
    const key: GroupKey = { stage, job: tenantWide ? TENANT_WIDE_JOB : job, codeName: failure.codeName };
    const recorded = await store.recordFailures({
      key,
      code: failure.code,
      runId,
      contribution: observation.contribution,
      count: group.count,
      samples: group.samples,
      failure: failureInfo(failure),
      observedJob: tenantWide ? job : undefined,
      now,
      expiresAt: context.expiresAt(now),
    });
    const state = (await guard.settle(key, recorded, now)) ?? recorded;
    if (tenantWide) silence = findTenantSilence(silences, stage, state, now);
    const decision = decideAlert({ state, rule, now, silence, inhibitor });
    if (decision.action === 'suppress') {
      suppressed(decision.reason, inhibitor?.codeName ?? silence?.comment ?? '');
      continue;
    }
    const claim = await guard.claimGroup(
      key,
      { kind: 'notify', firstSeenAt: state.firstSeenAt, lastNotifiedAt: state.lastNotifiedAt },
      now,
    );
    if (!claim) {
      suppressed(SuppressReason.claimedElsewhere);
      continue;
    }
    const message = renderGroupMessage(
      { kind: decision.kind, key, job, state, now, consoleUrl: context.consoleUrl },
      {
        atLeast: observation.inProgress === true && decision.kind === AlertKind.firing,
        runId: state.runId,
        samples: state.samples,
        repeatInterval: rule.repeatInterval,
        report: observation.report,
      },
    );
    outcome.sends.push(
      claim.send(message, { kind: decision.kind, count: { devices: state.runCount, runId: state.runId } }),
    );
    outcome.reports.push({ ...base, outcome: 'sent', kind: decision.kind });
  }
  return outcome;
}
