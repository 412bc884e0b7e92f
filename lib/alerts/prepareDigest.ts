import { AlertKind, DIGEST_CODE } from './constants';
import type { ClaimedSend } from './createSendGuard';
import { messageId } from './messageId';
import type { PipelineContext } from './PipelineContext';
import { renderDigest } from './renderDigest';

/**
 * A run's digest, claimed and rendered: read → skip when empty, sent or publishing (a publish of
 * unknown outcome counts as sent) → claim → render. `send` is absent when there is nothing to send
 * or another worker holds the claim; `codes` counts the digest's lines when it is sent.
 *
 * @example
 * const { send, codes } = await prepareDigest(context, { stage, job, runId }, now);
 */
export async function prepareDigest(
  context: PipelineContext,
  run: { readonly stage: string; readonly job: string; readonly runId: string },
  now: number,
): Promise<{ send?: ClaimedSend; codes: number }> {
  const { stage, job, runId } = run;
  const digest = await context.store.getDigest(stage, job, runId);
  if (
    !digest ||
    digest.sentAt !== undefined ||
    digest.publishingAt !== undefined ||
    digest.entries.length === 0
  )
    return { codes: 0 };
  const claim = await context.guard.claimDigest(run, now);
  if (!claim) return { codes: 0 };
  const rendered = renderDigest({
    stage,
    job,
    runId,
    entries: digest.entries,
    since: digest.firstSeenAt,
    now,
    consoleUrl: context.consoleUrl,
    report: context.runReports?.({ job, runId }),
  });
  const severity = digest.entries.some((entry) => entry.count > 0) ? 'warning' : 'info';
  return {
    codes: digest.entries.length,
    send: claim.send({
      id: messageId('digest', job, runId),
      ...rendered,
      attributes: { severity, code: DIGEST_CODE, category: 'device', stage, job, kind: AlertKind.digest },
    }),
  };
}
