import { AlertKind, GroupStatus, SuppressReason } from './constants';
import type { ActiveCondition } from './findInhibitor';
import type { RuleSettings, Silence } from './loadAlertRules';
import type { GroupState } from './types';

/** Everything the decision looks at; `now` comes from the injected clock. */
export interface AlertDecisionInput {
  readonly state: GroupState;
  readonly rule: Pick<RuleSettings, 'persistFor' | 'repeatInterval'>;
  readonly now: number;
  readonly silence?: Silence | undefined;
  readonly inhibitor?: ActiveCondition | undefined;
}

export type AlertDecision =
  | { readonly action: 'notify'; readonly kind: typeof AlertKind.firing | typeof AlertKind.reminder }
  | { readonly action: 'suppress'; readonly reason: SuppressReason };

/**
 * Decides whether a failing alert group is notified now, as Alertmanager does for one group: a
 * new condition fires once it has persisted `persistFor`; a condition that is still there is
 * reminded after `repeatInterval`; silences, inhibitions, an admin's acknowledgement and a send
 * claim held by another worker suppress. Pure: the store's conditional claim repeats the same guard atomically.
 *
 * @example
 * decideAlert({ state, rule: { persistFor: 0, repeatInterval: 4 * 3_600_000 }, now: clock.now() });
 * // { action: 'notify', kind: 'firing' }
 */
export function decideAlert(input: AlertDecisionInput): AlertDecision {
  const { state, rule, now } = input;
  if (input.silence) return suppress(SuppressReason.silenced);
  if (input.inhibitor) return suppress(SuppressReason.inhibited);
  if (state.status !== GroupStatus.active) return suppress(SuppressReason.notifiedRecently);
  // Acknowledged for this episode: someone is on it (the ack ends with the episode or its `until`).
  if (state.acknowledged && (state.acknowledged.until ?? Number.POSITIVE_INFINITY) > now) {
    return suppress(SuppressReason.acknowledged);
  }
  if (state.lastNotifiedAt === undefined && now - state.firstSeenAt < rule.persistFor) {
    return suppress(SuppressReason.pending);
  }
  if (state.claimUntil !== undefined && state.claimUntil > now)
    return suppress(SuppressReason.claimedElsewhere);
  if (state.lastNotifiedAt === undefined) return { action: 'notify', kind: AlertKind.firing };
  if (now - state.lastNotifiedAt >= rule.repeatInterval)
    return { action: 'notify', kind: AlertKind.reminder };
  return suppress(SuppressReason.notifiedRecently);
}

function suppress(reason: SuppressReason): AlertDecision {
  return { action: 'suppress', reason };
}
