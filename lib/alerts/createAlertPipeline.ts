import { createHash, randomUUID } from 'node:crypto';
import { type KnoxGuardFailure, Scope } from '../errors';
import { maskDeviceId } from '../privacy';
import type { AlertStateStore } from './AlertStateStore';
import {
  AlertKind,
  DEFAULT_CONSOLE_URL,
  DIGEST_CODE,
  RuleAction,
  SuppressReason,
  TENANT_WIDE_JOB,
} from './constants';
import { decideAlert } from './decideAlert';
import { decideResolution } from './decideResolution';
import { AlertPublishError } from './errors';
import { type ActiveCondition, findInhibitor } from './findInhibitor';
import { findSilence, findTenantSilence } from './findSilence';
import type { AlertRules, RuleSettings, Silence } from './loadAlertRules';
import { renderAlert } from './renderAlert';
import { type DigestEntry, renderDigest } from './renderDigest';
import { safe } from './renderText';
import { codeMatches, resolveRule } from './resolveRule';
import type { SilenceStore } from './SilenceStore';
import type {
  AlertFailureInfo,
  AlertMessage,
  AlertPublisher,
  AlertReport,
  GroupKey,
  GroupReport,
  GroupState,
  RunObservation,
} from './types';

/** A minimal structured logger (Powertools' Logger and `console` both fit). */
export interface AlertLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface AlertPipelineDeps {
  readonly rules: AlertRules;
  readonly store: AlertStateStore;
  readonly publisher: AlertPublisher;
  readonly clock: { now(): number };
  readonly consoleUrl?: string;
  readonly logger?: AlertLogger;
  /** Claim tokens; injected for deterministic tests. */
  readonly newToken?: () => string;
  /**
   * Milliseconds the current invocation has left (Lambda's `getRemainingTimeInMillis`); a send
   * claim lapses this long after it is taken (plus a small margin), so a retry after a crash or
   * timeout can take it over. `undefined`: only `claimLease` bounds it.
   */
  readonly remainingTime?: () => number | undefined;
  /** Waits between tries of a sent marker's write; injected for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where a run's failed-device list is (lib/operations/runReport), for the digest's report line. */
  readonly runReports?: (run: { readonly job: string; readonly runId: string }) => {
    readonly location: string;
    readonly consoleUrl: string;
  };
  /**
   * Silences admins stored at run time (`knox-guard-sentinel alerts silence`), honoured alongside
   * the rules' jobs.yml silences; read at most once per `process` call.
   */
  readonly silences?: SilenceStore;
}

/** Added to the invocation's remaining time: a claim outlives its invocation by this much. */
const CLAIM_MARGIN_MS = 2_000;
/** Kept free at the end of a lease for the sent markers, so they land before the claim lapses. */
const MARK_MARGIN_MS = 3_000;
/** Tries of a sent marker's write (the first included), with doubling waits from 100 ms. */
const MARK_TRIES = 5;

/** Routes observed Knox Guard failures to admins: rules, grouping, dedupe, rendering, publishing. */
export interface AlertPipeline {
  /** Handles one chunk of a run; safe to call concurrently for chunks of the same run. */
  process(observation: RunObservation): Promise<AlertReport>;
  /**
   * Ends a finished run: sends its digest now (otherwise it goes out when the job's next run
   * starts) and, for each alert group the run's chunks fed, an `update` with the run's final count
   * when admins were told a different (partial) one while the run was in progress.
   */
  flush(run: { stage: string; job: string; runId: string }): Promise<AlertReport>;
}

interface Group {
  readonly failure: KnoxGuardFailure;
  count: number;
  readonly samples: string[];
}

interface Outgoing {
  readonly message: AlertMessage;
  /** The durable "about to publish" write; `false` when the claim is no longer ours. */
  readonly onPublishing: () => Promise<boolean>;
  readonly onSent: () => Promise<unknown>;
  readonly onFailed: () => Promise<unknown>;
}

/**
 * Builds the alert pipeline. `process` groups a chunk's failures by code, applies the rules
 * (alert / digest / ignore, silences, inhibition), records the groups in the state store, decides
 * with the injected clock whether to notify (firing, reminder) or resolve, claims each send with a
 * conditional write (leased for the invocation's `remainingTime`, at most `claimLease`), records
 * it as publishing, publishes, and marks what was sent (retrying that write). A publish failure
 * releases the claims and throws `AlertPublishError`, so a retry of the invocation sends exactly
 * what was missing; a publish of unknown outcome is settled as sent (docs/reliability.md).
 *
 * @example
 * const pipeline = createAlertPipeline({ rules: loadAlertRules(config.alerts), store, publisher, clock: Date });
 * const report = await pipeline.process({ stage: 'prod', job: 'overdue-lock', runId, failures, successes: 120 });
 */
export function createAlertPipeline(deps: AlertPipelineDeps): AlertPipeline {
  const { rules, store, publisher, clock } = deps;
  const consoleUrl = deps.consoleUrl ?? DEFAULT_CONSOLE_URL;
  const newToken = deps.newToken ?? randomUUID;
  const expiresAt = (now: number) => Math.floor((now + rules.defaults.stateTtl) / 1000);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const lease = () => {
    const remaining = deps.remainingTime?.();
    return remaining === undefined
      ? rules.defaults.claimLease
      : Math.max(0, Math.min(rules.defaults.claimLease, remaining + CLAIM_MARGIN_MS));
  };
  const claimUntil = (now: number) => now + lease();

  /** Runs a sent marker's write, retried with backoff: SNS has the message, the marker must land. */
  async function markSent(item: Outgoing): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await item.onSent();
        return;
      } catch (error) {
        if (attempt >= MARK_TRIES) {
          // Not thrown: the alert went out, and a retry must not send it again. The group keeps
          // its "publishing" marker; whoever sees it after the lease settles it as sent.
          deps.logger?.warn('alert sent but its sent marker was not written; settled later', {
            id: item.message.id,
            error: String(error),
          });
          return;
        }
        await sleep(100 * 2 ** (attempt - 1));
      }
    }
  }

  async function send(outgoing: readonly Outgoing[]): Promise<number> {
    if (outgoing.length === 0) return 0;
    // The claims were taken just now: the publish must end (or give up) before they lapse.
    const budget = Math.max(0, lease() - MARK_MARGIN_MS);
    const deadline = Date.now() + budget;
    const ready: Outgoing[] = [];
    try {
      for (const item of outgoing) if (await item.onPublishing()) ready.push(item);
    } catch (error) {
      // Nothing was published: give every claim back, so a retry sends all of them.
      await Promise.allSettled(outgoing.map((item) => item.onFailed()));
      throw error;
    }
    if (ready.length === 0) return 0;
    try {
      await publisher.publish(
        ready.map((item) => item.message),
        { deadline },
      );
    } catch (error) {
      const failed = new Set(
        error instanceof AlertPublishError ? error.failedIds : ready.map((o) => o.message.id),
      );
      await Promise.all(
        ready.map((item) => (failed.has(item.message.id) ? item.onFailed() : markSent(item))),
      );
      deps.logger?.warn('alert publish failed; claims released for retry', { failed: [...failed] });
      throw error instanceof AlertPublishError
        ? error
        : new AlertPublishError('Publishing alerts failed', [...failed], [], { cause: error });
    }
    await Promise.all(ready.map(markSent));
    return ready.length;
  }

  /**
   * The group's state with a lapsed publish of unknown outcome settled as sent (at-most-once:
   * the message may have gone out, so it is not sent again; a persisting condition still gets
   * its reminder after `repeatInterval`).
   */
  async function settled(key: GroupKey, state: GroupState, now: number): Promise<GroupState | undefined> {
    if (state.publishing === undefined || (state.claimUntil ?? 0) > now) return state;
    const done = await store.settleUnconfirmed(key, {
      token: state.publishing.token,
      now,
      expiresAt: expiresAt(now),
    });
    deps.logger?.warn('alert publish of unknown outcome settled as sent', {
      ...key,
      kind: state.publishing.kind,
      at: state.publishing.at,
      settled: done,
    });
    return store.getGroup(key);
  }

  async function digestMessage(
    stage: string,
    job: string,
    runId: string,
    now: number,
  ): Promise<{ outgoing?: Outgoing; codes: number }> {
    const digest = await store.getDigest(stage, job, runId);
    if (
      !digest ||
      digest.sentAt !== undefined ||
      digest.publishingAt !== undefined ||
      digest.entries.length === 0
    )
      return { codes: 0 };
    const token = newToken();
    if (!(await store.claimDigest(stage, job, runId, { token, now, until: claimUntil(now) })))
      return { codes: 0 };
    const rendered = renderDigest({
      stage,
      job,
      runId,
      entries: digest.entries,
      since: digest.firstSeenAt,
      now,
      consoleUrl,
      report: deps.runReports?.({ job, runId }),
    });
    const severity = digest.entries.some((entry) => entry.count > 0) ? 'warning' : 'info';
    return {
      codes: digest.entries.length,
      outgoing: {
        message: {
          id: messageId('digest', job, runId),
          ...rendered,
          attributes: { severity, code: DIGEST_CODE, category: 'device', stage, job, kind: AlertKind.digest },
        },
        onPublishing: () => store.markDigestPublishing(stage, job, runId, { token, now }),
        onSent: () => store.markDigestSent(stage, job, runId, { token, now }),
        onFailed: () => store.releaseDigest(stage, job, runId, token),
      },
    };
  }

  /**
   * The jobs.yml silences plus the stored ones, read on first use. A failed read is logged and
   * treated as "no stored silences": an alert an admin meant to mute is better than a lost one.
   */
  function silencesOnce(stage: string, now: number): () => Promise<readonly Silence[]> {
    let loaded: Promise<readonly Silence[]> | undefined;
    return () => {
      loaded ??= (deps.silences?.active(stage, now) ?? Promise.resolve([])).then(
        (stored) => [...rules.silences, ...stored],
        (error: unknown) => {
          deps.logger?.warn('stored silences unreadable; only the jobs.yml silences apply', {
            error: String(error),
          });
          return rules.silences;
        },
      );
      return loaded;
    };
  }

  /**
   * The run-complete updates: each open group this run fed last whose notified count (a firing
   * sent while the run was in progress says "997+ devices so far") differs from the run's final
   * count. Claimed like a reminder, so two workers completing the run at once send one update.
   */
  async function finalCounts(
    run: { stage: string; job: string; runId: string },
    now: number,
  ): Promise<{ outgoing: Outgoing; report: GroupReport }[]> {
    const out: { outgoing: Outgoing; report: GroupReport }[] = [];
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
      const token = newToken();
      const claimed = await store.claim(key, {
        token,
        now,
        until: claimUntil(now),
        guard: { kind: 'notify', firstSeenAt: state.firstSeenAt, lastNotifiedAt: state.lastNotifiedAt },
      });
      if (!claimed) continue;
      const tenantWide = key.job === TENANT_WIDE_JOB;
      const rule = resolveRule(
        rules,
        { stage: run.stage, job: run.job },
        {
          ...classificationOf(state.failure),
          code: state.code,
          codeName: state.codeName,
        },
      );
      const rendered = renderAlert({
        kind: AlertKind.update,
        stage: run.stage,
        job: run.job,
        jobs: tenantWide ? (state.jobs ?? [run.job]) : undefined,
        failure: state.failure,
        devices: state.runCount,
        previousDevices: state.notifiedCount.devices,
        runId: state.runId,
        since: state.firstSeenAt,
        lastSeenAt: state.lastSeenAt,
        now,
        samples: state.samples,
        repeatInterval: rule.repeatInterval,
        consoleUrl,
      });
      out.push({
        outgoing: {
          message: {
            id: messageId(AlertKind.update, idLabel(key), state.codeName),
            ...rendered,
            attributes: attributesOf(state.failure, run.stage, key.job, AlertKind.update),
          },
          onPublishing: () => store.markPublishing(key, { token, now, kind: AlertKind.update }),
          onSent: () =>
            store.markNotified(key, {
              token,
              now,
              kind: AlertKind.update,
              expiresAt: expiresAt(now),
              count: { devices: state.runCount, runId: state.runId },
            }),
          onFailed: () => store.release(key, token),
        },
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

  return {
    async process(observation) {
      const now = clock.now();
      const { stage, job, runId } = observation;
      const labels = { stage, job };
      const silences = silencesOnce(stage, now);
      const groups = groupFailures(observation, rules.defaults.maxSamples);
      const reports: GroupReport[] = [];
      const outgoing: Outgoing[] = [];
      const digestEntries: DigestEntry[] = [];

      const ruled = [...groups.values()].map((group) => ({
        group,
        rule: resolveRule(rules, labels, group.failure),
      }));
      const needsIndex =
        observation.successes > 0 ||
        ruled.some(
          ({ rule, group }) =>
            rule.action !== RuleAction.ignore &&
            (group.failure.scope === Scope.device || isInhibitionTarget(rules.inhibitions, group.failure)),
        );
      const active: ActiveCondition[] = needsIndex ? [...(await store.listActive(stage))] : [];
      // Tenant-wide failures of this very chunk inhibit too: they are firing, the index may lag.
      for (const { group, rule } of ruled) {
        if (rule.action === RuleAction.alert && group.failure.scope === Scope.tenant) {
          active.push({
            stage,
            job: TENANT_WIDE_JOB,
            code: group.failure.code,
            codeName: group.failure.codeName,
          });
        }
      }

      for (const { group, rule } of ruled) {
        const { failure } = group;
        const base = {
          codeName: failure.codeName,
          code: failure.code,
          action: rule.action,
          devices: group.count,
        };
        if (rule.action === RuleAction.ignore) {
          reports.push({ ...base, outcome: 'suppressed', reason: SuppressReason.ignored });
          continue;
        }
        const activeSilences = await silences();
        let silence = findSilence(activeSilences, labels, failure, now);
        const inhibitor = findInhibitor(rules.inhibitions, labels, failure, active);
        if (rule.action === RuleAction.digest) {
          if (silence || inhibitor) {
            const reason = silence ? SuppressReason.silenced : SuppressReason.inhibited;
            reports.push({
              ...base,
              outcome: 'suppressed',
              reason,
              detail: inhibitor?.codeName ?? silence?.comment ?? '',
            });
          } else {
            digestEntries.push({ ...digestInfo(failure), count: group.count, samples: group.samples });
            reports.push({ ...base, outcome: 'suppressed', reason: SuppressReason.digested });
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
          failure: info(failure),
          observedJob: tenantWide ? job : undefined,
          now,
          expiresAt: expiresAt(now),
        });
        const state = (await settled(key, recorded, now)) ?? recorded;
        if (tenantWide) silence = findTenantSilence(activeSilences, stage, state, now);
        const decision = decideAlert({ state, rule, now, silence, inhibitor });
        if (decision.action === 'suppress') {
          reports.push({
            ...base,
            outcome: 'suppressed',
            reason: decision.reason,
            detail: inhibitor?.codeName ?? silence?.comment ?? '',
          });
          continue;
        }
        const token = newToken();
        const claimed = await store.claim(key, {
          token,
          now,
          until: claimUntil(now),
          guard: { kind: 'notify', firstSeenAt: state.firstSeenAt, lastNotifiedAt: state.lastNotifiedAt },
        });
        if (!claimed) {
          reports.push({ ...base, outcome: 'suppressed', reason: SuppressReason.claimedElsewhere });
          continue;
        }
        const rendered = renderAlert({
          kind: decision.kind,
          stage,
          job,
          jobs: tenantWide ? (state.jobs ?? [job]) : undefined,
          failure: state.failure,
          devices: state.runCount,
          atLeast: observation.inProgress === true && decision.kind === AlertKind.firing,
          runId: state.runId,
          since: state.firstSeenAt,
          lastSeenAt: state.lastSeenAt,
          now,
          samples: state.samples,
          repeatInterval: rule.repeatInterval,
          consoleUrl,
          report: observation.report,
        });
        outgoing.push({
          message: {
            id: messageId(decision.kind, idLabel(key), failure.codeName),
            ...rendered,
            attributes: attributesOf(state.failure, stage, key.job, decision.kind),
          },
          onPublishing: () => store.markPublishing(key, { token, now, kind: decision.kind }),
          onSent: () =>
            store.markNotified(key, {
              token,
              now,
              kind: decision.kind,
              expiresAt: expiresAt(now),
              count: { devices: state.runCount, runId: state.runId },
            }),
          onFailed: () => store.release(key, token),
        });
        reports.push({ ...base, outcome: 'sent', kind: decision.kind });
      }

      const resolved: { codeName: string; notified: boolean }[] = [];
      if (observation.successes > 0) {
        const failing = new Set(groups.keys());
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
          const state = read === undefined ? undefined : await settled(key, read, now);
          if (state?.status !== 'active') continue;
          const rule: RuleSettings = resolveRule(rules, labels, {
            ...classificationOf(state.failure),
            code: state.code,
            codeName: state.codeName,
          });
          const silence = tenantWide
            ? findTenantSilence(await silences(), stage, state, now)
            : findSilence(await silences(), labels, state, now);
          const decision = decideResolution({ state, rule, now, lastSuccessAt: now, silence });
          if (decision.action !== 'resolve') continue;
          const token = newToken();
          const claimed = await store.claim(key, {
            token,
            now,
            until: claimUntil(now),
            guard: { kind: 'resolve', lastSeenAt: state.lastSeenAt },
          });
          if (!claimed) continue;
          resolved.push({ codeName: state.codeName, notified: decision.notify });
          if (!decision.notify) {
            await store.markResolved(key, { token, now, notified: false, expiresAt: expiresAt(now) });
            continue;
          }
          const rendered = renderAlert({
            kind: AlertKind.resolved,
            stage,
            job,
            jobs: tenantWide ? (state.jobs ?? [job]) : undefined,
            failure: state.failure,
            devices: state.runCount,
            since: state.firstSeenAt,
            lastSeenAt: state.lastSeenAt,
            now,
            consoleUrl,
          });
          outgoing.push({
            message: {
              id: messageId('resolved', idLabel(key), state.codeName),
              ...rendered,
              attributes: attributesOf(state.failure, stage, key.job, AlertKind.resolved),
            },
            onPublishing: () => store.markPublishing(key, { token, now, kind: AlertKind.resolved }),
            onSent: () => store.markResolved(key, { token, now, notified: true, expiresAt: expiresAt(now) }),
            onFailed: () => store.release(key, token),
          });
        }
      }

      let digest: AlertReport['digest'];
      if (digestEntries.length > 0) {
        const { previousRunId } = await store.recordDigest({
          stage,
          job,
          runId,
          contribution: observation.contribution,
          entries: digestEntries,
          now,
          expiresAt: expiresAt(now),
        });
        if (previousRunId !== undefined) {
          const previous = await digestMessage(stage, job, previousRunId, now);
          if (previous.outgoing) outgoing.push(previous.outgoing);
          digest = { runId: previousRunId, sent: previous.outgoing !== undefined, codes: previous.codes };
        }
      }

      const published = await send(outgoing);
      const report: AlertReport = {
        stage,
        job,
        runId,
        groups: reports,
        resolved,
        published,
        ...(digest ? { digest } : {}),
      };
      deps.logger?.info('alerts processed', { ...report });
      return report;
    },

    async flush(run) {
      const now = clock.now();
      const { outgoing, codes } = await digestMessage(run.stage, run.job, run.runId, now);
      const updates = await finalCounts(run, now);
      const published = await send([...(outgoing ? [outgoing] : []), ...updates.map((u) => u.outgoing)]);
      return {
        ...run,
        groups: updates.map((u) => u.report),
        resolved: [],
        digest: { runId: run.runId, sent: outgoing !== undefined, codes },
        published,
      };
    },
  };
}

function groupFailures(observation: RunObservation, maxSamples: number): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const { deviceId, error } of observation.failures) {
    let group = groups.get(error.codeName);
    if (!group) {
      group = { failure: error, count: 0, samples: [] };
      groups.set(error.codeName, group);
    }
    group.count += 1;
    const id = deviceId ?? error.requestedId;
    if (id && group.samples.length < maxSamples) group.samples.push(maskDeviceId(id));
  }
  return groups;
}

function info(failure: KnoxGuardFailure): AlertFailureInfo {
  return {
    code: failure.code,
    codeName: failure.codeName,
    httpStatus: failure.httpStatus,
    reason: safe(failure.reason).slice(0, 300),
    description: failure.description,
    category: failure.category,
    severity: failure.severity,
    remediation: failure.remediation,
    actor: failure.actor,
  };
}

function digestInfo(failure: KnoxGuardFailure): Omit<DigestEntry, 'count' | 'samples'> {
  return {
    code: failure.code,
    codeName: failure.codeName,
    description: failure.description,
    remediation: failure.remediation,
  };
}

// The stored info lacks scope/retryable/actionable; a stored group is an alert group, which is
// all `resolveRule` needs to reproduce its settings (overrides match by code, job and stage).
function classificationOf(failure: AlertFailureInfo) {
  return {
    scope: Scope.tenant,
    actionable: true,
    retryable: false,
    severity: failure.severity,
    actor: failure.actor as KnoxGuardFailure['actor'],
  };
}

function attributesOf(failure: AlertFailureInfo, stage: string, job: string, kind: AlertKind) {
  return { severity: failure.severity, code: failure.codeName, category: failure.category, stage, job, kind };
}

// Distinct parts give distinct ids, also past 80 characters (a 63-character job name): a long id
// keeps its head and ends in a hash of the whole, so two reminders never share one.
function messageId(...parts: string[]): string {
  const joined = parts.join('-');
  const id = joined.replace(/[^A-Za-z0-9_-]/g, '_');
  if (id.length <= 80) return id;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, 16);
  return `${id.slice(0, 63)}-${hash}`;
}

/** The job part of a message id: `tenant` for a tenant-wide group (`*` is not allowed in ids). */
function idLabel(key: GroupKey): string {
  return key.job === TENANT_WIDE_JOB ? 'tenant' : key.job;
}

/** Whether an inhibition names this failure among its explicit targets (a tenant-wide code can be one). */
function isInhibitionTarget(
  inhibitions: AlertRules['inhibitions'],
  failure: { code: string; codeName: string },
) {
  return inhibitions.some((inhibition) => inhibition.targets?.some((target) => codeMatches(target, failure)));
}
