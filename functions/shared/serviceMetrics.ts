import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AlertReport } from '../../lib/alerts/types';
import type { KnoxAnswer } from '../../lib/knox/observedTransport';
import { metrics, metricsOptions } from './observability';

// The metrics infra/dashboard.yml plots, emitted from the outcome objects lib returns (lib stays
// free of Powertools). Each one is its own EMF record with an explicit dimension set, so the
// dashboard's SEARCH schemas ({KnoxGuardSentinel,service,stage,job,code}, …) always match: the
// handler-wide buffer of `metrics` carries whatever dimensions a handler added (scheduledRun adds
// `job`), and a worker batch may hold chunks of several jobs.
//
// Cardinality stays bounded: job (config/jobs.yml) x Knox code (lib/errors catalog) x alert kind
// or suppress reason (lib/alerts constants) x HTTP status class. Never a device id, run id or
// chunk. EMF allows at most 30 dimensions per set and 100 metrics / 100 values per metric per
// record; Powertools flushes before either limit:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

/**
 * Devices one chunk or inline run handled: `DevicesSucceeded` and `DevicesFailed` per job, and
 * `DeviceFailures` per job and Knox code (counts, devices).
 *
 * @example
 * recordDeviceOutcome('overdue-lock', { succeeded: 97, failed: 3, failuresByCode: { '4000401': 3 } });
 */
export function recordDeviceOutcome(
  job: string,
  outcome: {
    readonly succeeded: number;
    readonly failed: number;
    readonly failuresByCode: Readonly<Record<string, number>>;
  },
): void {
  const perJob = metrics.singleMetric();
  perJob.addDimension('job', job);
  perJob.addMetric('DevicesSucceeded', MetricUnit.Count, outcome.succeeded);
  const failedJob = metrics.singleMetric();
  failedJob.addDimension('job', job);
  failedJob.addMetric('DevicesFailed', MetricUnit.Count, outcome.failed);
  for (const [code, count] of Object.entries(outcome.failuresByCode)) {
    const single = metrics.singleMetric();
    single.addDimensions({ job, code });
    single.addMetric('DeviceFailures', MetricUnit.Count, count);
  }
}

/**
 * What one `AlertPipeline#process` or `#flush` call did: `AlertsSent` per message kind (firing,
 * reminder, resolved, digest) and `AlertsSuppressed` per reason (silenced, inhibited,
 * notified-recently = within the repeat interval, pending, ignored, digested, claimed-elsewhere).
 * Returns the report unchanged, so it wraps the call.
 *
 * @example
 * const report = recordAlertReport(await pipeline.process(observation));
 */
export function recordAlertReport(report: AlertReport): AlertReport {
  const sent = new Map<string, number>();
  const suppressed = new Map<string, number>();
  const add = (into: Map<string, number>, key: string) => into.set(key, (into.get(key) ?? 0) + 1);
  for (const group of report.groups) {
    if (group.outcome === 'sent') add(sent, group.kind ?? 'firing');
    else add(suppressed, group.reason ?? 'unknown');
  }
  for (const resolved of report.resolved) if (resolved.notified) add(sent, 'resolved');
  if (report.digest?.sent) add(sent, 'digest');
  for (const [kind, count] of sent) {
    const single = metrics.singleMetric();
    single.addDimension('kind', kind);
    single.addMetric('AlertsSent', MetricUnit.Count, count);
  }
  for (const [reason, count] of suppressed) {
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric('AlertsSuppressed', MetricUnit.Count, count);
  }
  return report;
}

// Latencies collect in their own buffer (one EMF record holds up to 100 values; Powertools
// flushes at 100), status counts in memory; `flushKnoxMetrics` writes both at the invocation's end.
let knoxLatency: Metrics | undefined;
const knoxStatuses = new Map<string, number>();

/**
 * One Knox Guard HTTP answer (or its absence): `KnoxRequestLatency` (ms) and `KnoxRequests` per
 * `status` class: 2xx, 4xx, 429 (throttled: the tenant's rate limit), 5xx, timeout, transport.
 *
 * @example
 * observedTransport(nodeHttpTransport(), recordKnoxAnswer);
 */
export function recordKnoxAnswer(answer: KnoxAnswer): void {
  knoxLatency ??= new Metrics({
    ...metricsOptions,
    defaultDimensions: { ...metricsOptions.defaultDimensions },
  });
  knoxLatency.addMetric('KnoxRequestLatency', MetricUnit.Milliseconds, answer.durationMs);
  const status = statusClass(answer);
  knoxStatuses.set(status, (knoxStatuses.get(status) ?? 0) + 1);
}

/** Writes the Knox request metrics gathered since the last flush (no output when there are none). */
export function flushKnoxMetrics(): void {
  for (const [status, count] of knoxStatuses) {
    const single = metrics.singleMetric();
    single.addDimension('status', status);
    single.addMetric('KnoxRequests', MetricUnit.Count, count);
  }
  knoxStatuses.clear();
  if (knoxLatency?.hasStoredMetrics()) knoxLatency.publishStoredMetrics();
}

/** middy middleware: `flushKnoxMetrics` after every invocation, whether it succeeded or threw. */
export function logKnoxMetrics(): { after: () => Promise<void>; onError: () => Promise<void> } {
  return {
    after: async () => flushKnoxMetrics(),
    onError: async () => flushKnoxMetrics(),
  };
}

function statusClass(answer: KnoxAnswer): string {
  if (answer.status === undefined) return answer.failure ?? 'transport';
  if (answer.status === 429) return '429';
  return `${Math.floor(answer.status / 100)}xx`;
}
