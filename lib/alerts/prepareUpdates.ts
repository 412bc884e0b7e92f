import { AlertKind, RuleAction, TENANT_WIDE_JOB } from './constants';
import type { ClaimedSend } from './createSendGuard';
import { storedClassification } from './failureInfo';
import type { PipelineContext } from './PipelineContext';
import { renderGroupMessage } from './renderGroupMessage';
import { resolveRule } from './resolveRule';
import type { GroupKey, GroupReport } from './types';

/**
 * The run-complete updates of `flush`: each open group this run fed last whose notified count (a
 * firing sent while the run was in progress says "997+ devices so far") differs from the run's
 * final count → claim (like a reminder, so two workers completing the run at once send one
 * update) → render.
 *
 * @example
 * const updates = await prepareUpdates(context, { stage, job, runId }, now);
 */
export async function prepareUpdates(
  context: PipelineContext,
  run: { readonly stage: string; readonly job: string; readonly runId: string },
  now: number,
): Promise<{ send: ClaimedSend; report: GroupReport }[]> {
  const { store, guard } = context;
  const out: { send: ClaimedSend; report: GroupReport }[] = [];
  const conditions = (await store.listActive(run.stage)).filter(
    (condition) => condition.job === run.job || condition.job === TENANT_WIDE_JOB,
  );
  for (const condition of conditions) {
    const key: GroupKey = { stage: run.stage, job: condition.job, codeName: condition.codeName };
    const state = await store.getGroup(key);
    if (
      state?.status !== 'active' ||
      state.runId !== run.runId ||
      state.lastNotifiedAt === undefined ||
      state.notifiedCount?.runId !== run.runId ||
      state.notifiedCount.devices === state.runCount ||
      // A tenant-wide alert that showed no count (one failure: a run stopped at its first call,
      // or a once-per-chunk condition such as BULK_PATH_UNAVAILABLE) has no count to correct.
      (key.job === TENANT_WIDE_JOB && state.notifiedCount.devices <= 1) ||
      state.publishing !== undefined ||
      (state.claimUntil ?? 0) > now
    )
      continue;
    const claim = await guard.claimGroup(
      key,
      { kind: 'notify', firstSeenAt: state.firstSeenAt, lastNotifiedAt: state.lastNotifiedAt },
      now,
    );
    if (!claim) continue;
    const rule = resolveRule(context.rules, { stage: run.stage, job: run.job }, storedClassification(state));
    const message = renderGroupMessage(
      { kind: AlertKind.update, key, job: run.job, state, now, consoleUrl: context.consoleUrl },
      {
        previousDevices: state.notifiedCount.devices,
        runId: state.runId,
        samples: state.samples,
        repeatInterval: rule.repeatInterval,
      },
    );
    out.push({
      send: claim.send(message, {
        kind: AlertKind.update,
        count: { devices: state.runCount, runId: state.runId },
      }),
      report: {
        codeName: state.codeName,
        code: state.code,
        action: RuleAction.alert,
        devices: state.runCount,
        outcome: 'sent',
        kind: AlertKind.update,
      },
    });
  }
  return out;
}
