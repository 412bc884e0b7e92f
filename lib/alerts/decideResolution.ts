import { GroupStatus } from './constants';
import type { RuleSettings, Silence } from './loadAlertRules';
import type { GroupState } from './types';

export interface ResolutionInput {
  readonly state: GroupState;
  readonly rule: Pick<RuleSettings, 'resolveAfter' | 'sendResolved'>;
  readonly now: number;
  /** When successes of the group's job were last observed (undefined: none seen). */
  readonly lastSuccessAt: number | undefined;
  readonly silence?: Silence | undefined;
}

export type ResolutionDecision =
  | { readonly action: 'resolve'; readonly notify: boolean }
  | {
      readonly action: 'keep';
      readonly reason: 'not-active' | 'no-success-since' | 'quiet-period' | 'claimed-elsewhere';
    };

/**
 * Decides whether an active group has cleared. It resolves only when successes of its job were
 * seen after it last failed AND it has been quiet for `resolveAfter`, so chunks of one run that
 * workers process concurrently (some failing, some succeeding) cannot make it flap. A resolved
 * message goes out only if admins were told about the condition, `sendResolved` is on and no
 * silence mutes the code.
 *
 * @example
 * decideResolution({ state, rule, now: clock.now(), lastSuccessAt: clock.now() });
 * // { action: 'resolve', notify: true }
 */
export function decideResolution(input: ResolutionInput): ResolutionDecision {
  const { state, rule, now, lastSuccessAt } = input;
  if (state.status !== GroupStatus.active) return { action: 'keep', reason: 'not-active' };
  if (lastSuccessAt === undefined || lastSuccessAt <= state.lastSeenAt) {
    return { action: 'keep', reason: 'no-success-since' };
  }
  if (now - state.lastSeenAt < rule.resolveAfter) return { action: 'keep', reason: 'quiet-period' };
  if (state.claimUntil !== undefined && state.claimUntil > now) {
    return { action: 'keep', reason: 'claimed-elsewhere' };
  }
  const notify = state.lastNotifiedAt !== undefined && rule.sendResolved && input.silence === undefined;
  return { action: 'resolve', notify };
}
