import type { ClaimedSend } from './createSendGuard';
import type { ObservationScope, PipelineContext } from './PipelineContext';
import { prepareDigest } from './prepareDigest';
import type { DigestEntry } from './renderDigest';
import type { AlertReport } from './types';

/**
 * The digest step of `process`: adds the chunk's per-device codes to its run's digest (once per
 * contribution) and, when the job has moved on to a new run, prepares the previous run's digest
 * (a run nobody flushed sends its digest when the next run starts).
 *
 * @example
 * const digest = await digestFailures(context, scope, observation.contribution, entries);
 */
export async function digestFailures(
  context: PipelineContext,
  scope: ObservationScope,
  contribution: string | undefined,
  entries: readonly DigestEntry[],
): Promise<{ sends: ClaimedSend[]; digest?: AlertReport['digest'] }> {
  if (entries.length === 0) return { sends: [] };
  const { stage, job, runId, now } = scope;
  const { previousRunId } = await context.store.recordDigest({
    stage,
    job,
    runId,
    contribution,
    entries,
    now,
    expiresAt: context.expiresAt(now),
  });
  if (previousRunId === undefined) return { sends: [] };
  const previous = await prepareDigest(context, { stage, job, runId: previousRunId }, now);
  return {
    sends: previous.send ? [previous.send] : [],
    digest: { runId: previousRunId, sent: previous.send !== undefined, codes: previous.codes },
  };
}
