import {
  flushKnoxMetrics,
  recordAlertReport,
  recordDeviceOutcome,
  recordKnoxAnswer,
} from '../../functions/shared/serviceMetrics';
import { AlertKind, SuppressReason } from '../../lib/alerts/constants';
import type { AlertReport } from '../../lib/alerts/types';

/** One metric of one EMF record as CloudWatch reads it: namespace, name, dimension set and values. */
export interface EmittedMetric {
  readonly namespace: string;
  readonly name: string;
  /** The dimension names of the record's dimension set, sorted. */
  readonly dimensions: readonly string[];
  /** The record's values of those dimensions. */
  readonly values: Readonly<Record<string, string>>;
  readonly unit: string;
  readonly value: unknown;
}

interface EmfRecord {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/**
 * Runs `emit` with stdout captured (Powertools writes EMF records there) and returns every metric
 * of every EMF record it wrote, one entry per dimension set.
 */
export async function captureEmf(emit: () => void | Promise<void>): Promise<EmittedMetric[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(chunk.toString());
    void rest;
    return true;
  }) as typeof process.stdout.write;
  try {
    await emit();
  } finally {
    process.stdout.write = write;
  }
  const records = lines
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfRecord);
  return records.flatMap((record) =>
    record._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Dimensions.flatMap((set) =>
        directive.Metrics.map((metric) => ({
          namespace: directive.Namespace,
          name: metric.Name,
          unit: metric.Unit,
          dimensions: [...set].sort(),
          values: Object.fromEntries(set.map((key) => [key, String(record[key])])),
          value: record[metric.Name],
        })),
      ),
    ),
  );
}

/**
 * Drives every emitter of functions/shared/serviceMetrics.ts through each case it distinguishes
 * (every alert kind and suppress reason the alert pipeline has, every Knox status class) and
 * returns what they wrote: the metrics the dashboard may plot, as the functions emit them.
 */
export function emitServiceMetrics(): Promise<EmittedMetric[]> {
  return captureEmf(() => {
    recordDeviceOutcome('overdue-lock', {
      succeeded: 97,
      failed: 3,
      failuresByCode: { LICENSE_IS_LACK: 2, DEVICE_NOT_FOUND: 1 },
    });
    const report: AlertReport = {
      stage: 'ci',
      job: 'overdue-lock',
      runId: 'overdue-lock@2026-01-01T07:00:00Z',
      groups: [
        ...Object.values(AlertKind)
          .filter((kind) => kind !== AlertKind.digest && kind !== AlertKind.resolved)
          .map((kind) => ({
            codeName: 'LICENSE_IS_LACK',
            code: '4000401',
            action: 'alert' as const,
            devices: 1,
            outcome: 'sent' as const,
            kind,
          })),
        ...Object.values(SuppressReason).map((reason) => ({
          codeName: 'DEVICE_NOT_FOUND',
          code: '4040400',
          action: 'alert' as const,
          devices: 1,
          outcome: 'suppressed' as const,
          reason,
        })),
      ],
      resolved: [{ codeName: 'USER_NOT_FOUND', notified: true }],
      digest: { runId: 'overdue-lock@2026-01-01T06:00:00Z', sent: true, codes: 2 },
      published: 4,
    };
    recordAlertReport(report);
    for (const status of [200, 404, 429, 503]) recordKnoxAnswer({ method: 'POST', status, durationMs: 120 });
    recordKnoxAnswer({ method: 'POST', failure: 'timeout', durationMs: 15_000 });
    recordKnoxAnswer({ method: 'POST', failure: 'transport', durationMs: 3 });
    flushKnoxMetrics();
  });
}
