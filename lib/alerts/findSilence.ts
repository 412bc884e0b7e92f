import type { Silence } from './loadAlertRules';
import { type AlertLabels, type ClassifiedCode, codeMatches } from './resolveRule';

/**
 * The silence that mutes this code in this job and stage at `now`, if any. A silence ends at its
 * `until`, so a forgotten silence cannot hide a condition for ever.
 *
 * @example
 * findSilence(rules.silences, { stage: 'prod', job: 'overdue-lock' }, failure, clock.now());
 */
export function findSilence(
  silences: readonly Silence[],
  labels: AlertLabels,
  failure: Pick<ClassifiedCode, 'code' | 'codeName'>,
  now: number,
): Silence | undefined {
  return silences.find(
    (silence) =>
      silence.until > now &&
      codeMatches(silence.code, failure) &&
      (silence.job === undefined || silence.job === labels.job) &&
      (silence.stage === undefined || silence.stage === labels.stage),
  );
}
