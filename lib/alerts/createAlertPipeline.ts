import { randomUUID } from 'node:crypto';
import type { AlertStateStore } from './AlertStateStore';
import { activeConditions } from './activeConditions';
import { DEFAULT_CONSOLE_URL } from './constants';
import { type AlertLogger, createSendGuard } from './createSendGuard';
import { digestFailures } from './digestFailures';
import { groupFailures } from './groupFailures';
import type { AlertRules } from './loadAlertRules';
import { notifyFailing } from './notifyFailing';
import { notifyRecovered } from './notifyRecovered';
import type { PipelineContext } from './PipelineContext';
import { prepareDigest } from './prepareDigest';
import { prepareUpdates } from './prepareUpdates';
import { resolveRule } from './resolveRule';
import type { SilenceStore } from './SilenceStore';
import { silencesOnce } from './silencesOnce';
import type { AlertPublisher, AlertReport, RunObservation } from './types';

export type { AlertLogger } from './createSendGuard';

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
  readonly runReports?: PipelineContext['runReports'];
  /**
   * Silences admins stored at run time (`knox-guard-sentinel alerts silence`), honoured alongside
   * the rules' jobs.yml silences; read at most once per `process` call.
   */
  readonly silences?: SilenceStore;
}

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

/**
 * Builds the alert pipeline. `process` reads as its steps: group the chunk's failures by code and
 * apply the rules → load the open conditions → for each failing group record, decide (firing,
 * reminder, suppress), claim and render (`notifyFailing`) → for each open group the chunk's
 * successes clear, decide, claim and render the resolve (`notifyRecovered`) → add per-device codes
 * to the run's digest and prepare the previous run's (`digestFailures`) → publish everything
 * through the dedupe guard (`createSendGuard`: publishing marker, publish, sent marker or release).
 * `flush` prepares the run's digest and its run-complete updates and publishes them the same way.
 * A publish failure releases the claims and throws `AlertPublishError`, so a retry of the
 * invocation sends exactly what was missing; a publish of unknown outcome is settled as sent
 * (docs/reliability.md).
 *
 * @example
 * const pipeline = createAlertPipeline({ rules: loadAlertRules(config.alerts), store, publisher, clock: Date });
 * const report = await pipeline.process({ stage: 'prod', job: 'overdue-lock', runId, failures, successes: 120 });
 */
export function createAlertPipeline(deps: AlertPipelineDeps): AlertPipeline {
  const { rules, store, clock } = deps;
  const expiresAt = (now: number) => Math.floor((now + rules.defaults.stateTtl) / 1000);
  const guard = createSendGuard({
    store,
    publisher: deps.publisher,
    newToken: deps.newToken ?? randomUUID,
    claimLease: rules.defaults.claimLease,
    remainingTime: deps.remainingTime,
    expiresAt,
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    logger: deps.logger,
  });
  const context: PipelineContext = {
    rules,
    store,
    guard,
    consoleUrl: deps.consoleUrl ?? DEFAULT_CONSOLE_URL,
    expiresAt,
    logger: deps.logger,
    runReports: deps.runReports,
  };

  return {
    async process(observation) {
      const now = clock.now();
      const { stage, job, runId } = observation;
      const scope = {
        stage,
        job,
        runId,
        now,
        silences: silencesOnce(
          { configured: rules.silences, stored: deps.silences, logger: deps.logger },
          stage,
          now,
        ),
      };
      const groups = groupFailures(observation, rules.defaults.maxSamples);
      const ruled = [...groups.values()].map((group) => ({
        group,
        rule: resolveRule(rules, { stage, job }, group.failure),
      }));
      const active = await activeConditions(store, rules, observation, ruled);
      const failing = await notifyFailing(context, scope, observation, ruled, active);
      const recovered =
        observation.successes > 0
          ? await notifyRecovered(context, scope, new Set(groups.keys()), active)
          : { resolved: [], sends: [] };
      const digest = await digestFailures(context, scope, observation.contribution, failing.digestEntries);
      const published = await guard.publish([...failing.sends, ...recovered.sends, ...digest.sends]);
      const report: AlertReport = {
        stage,
        job,
        runId,
        groups: failing.reports,
        resolved: recovered.resolved,
        published,
        ...(digest.digest ? { digest: digest.digest } : {}),
      };
      deps.logger?.info('alerts processed', { ...report });
      return report;
    },

    async flush(run) {
      const now = clock.now();
      const { send, codes } = await prepareDigest(context, run, now);
      const updates = await prepareUpdates(context, run, now);
      const published = await guard.publish([
        ...(send ? [send] : []),
        ...updates.map((update) => update.send),
      ]);
      return {
        ...run,
        groups: updates.map((update) => update.report),
        resolved: [],
        digest: { runId: run.runId, sent: send !== undefined, codes },
        published,
      };
    },
  };
}
