import { TENANT_WIDE_JOB } from './constants';
import { messageId } from './messageId';
import { type AlertRenderInput, renderAlert } from './renderAlert';
import type { AlertMessage, GroupKey, GroupState } from './types';

/**
 * A group's message of `kind`: rendered from its stored state (count, samples' episode, first and
 * last seen), with its batch id (`<kind>-<job or tenant>-<code>`) and the SNS attributes filter
 * policies route on. `extra` adds what only some kinds say (lower bound, previous count, report).
 *
 * @example
 * renderGroupMessage({ kind: 'resolved', key, job: 'overdue-lock', state, now, consoleUrl });
 */
export function renderGroupMessage(
  input: {
    readonly kind: AlertRenderInput['kind'];
    readonly key: GroupKey;
    /** The job whose observation or run the message comes from. */
    readonly job: string;
    readonly state: GroupState;
    readonly now: number;
    readonly consoleUrl: string;
  },
  extra: Partial<AlertRenderInput> = {},
): AlertMessage {
  const { kind, key, job, state } = input;
  const tenantWide = key.job === TENANT_WIDE_JOB;
  const rendered = renderAlert({
    kind,
    stage: key.stage,
    job,
    jobs: tenantWide ? (state.jobs ?? [job]) : undefined,
    failure: state.failure,
    devices: state.runCount,
    since: state.firstSeenAt,
    lastSeenAt: state.lastSeenAt,
    now: input.now,
    consoleUrl: input.consoleUrl,
    ...extra,
  });
  const { failure } = state;
  return {
    // The job part is `tenant` for a tenant-wide group (`*` is not allowed in ids).
    id: messageId(kind, tenantWide ? 'tenant' : key.job, key.codeName),
    ...rendered,
    attributes: {
      severity: failure.severity,
      code: failure.codeName,
      category: failure.category,
      stage: key.stage,
      job: key.job,
      kind,
    },
  };
}
