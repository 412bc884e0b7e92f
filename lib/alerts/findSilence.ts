import type { Silence } from './loadAlertRules';
import { type AlertLabels, type ClassifiedCode, codeMatches } from './resolveRule';
import type { GroupState } from './types';

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

/**
 * The silence that mutes a tenant-wide group (job `TENANT_WIDE_JOB`): a silence without a job, or
 * job-scoped silences covering every job that saw the condition in this episode (`state.jobs`). A
 * silence of one job does not hide a tenant-wide problem from the admins of the other jobs.
 *
 * @example
 * findTenantSilence(silences, 'prod', { code: '4001809', codeName: 'LICENSE_IS_LACK', jobs: ['overdue-lock'] }, now);
 */
export function findTenantSilence(
  silences: readonly Silence[],
  stage: string,
  state: Pick<GroupState, 'code' | 'codeName' | 'jobs'>,
  now: number,
): Silence | undefined {
  const jobs = state.jobs ?? [];
  if (jobs.length === 0) return undefined;
  let first: Silence | undefined;
  for (const job of jobs) {
    const silence = findSilence(silences, { stage, job }, state, now);
    if (!silence) return undefined;
    first ??= silence;
  }
  return first;
}
