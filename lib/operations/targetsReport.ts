/** How many sample lines a report keeps, whatever the size of the file. */
export const MAX_SKIPPED_SAMPLE = 20;

/** The targets a run could not use, as it is stored and alerted: counts and a bounded sample. */
export interface SkippedTargets {
  /** Rows or entries skipped in all. */
  readonly count: number;
  /** Skipped rows per reason (`unreadable row`, `invalid device id`, `missing column`). */
  readonly byReason: Readonly<Record<string, number>>;
  /** At most `MAX_SKIPPED_SAMPLE` places such as `line 7: "35*********3808" is not a valid IMEI`, ids masked. */
  readonly sample: readonly string[];
}

/** Collects skipped targets while they stream past; `result()` is bounded by construction. */
export interface TargetsReport {
  skip(place: string, reason: string, detail: string): void;
  result(): SkippedTargets;
}

/**
 * A `TargetsReport` keeping counts per reason and the first `MAX_SKIPPED_SAMPLE` places, so a
 * file of a million bad rows still makes a report of a few hundred bytes.
 *
 * @example
 * const report = createTargetsReport();
 * report.skip('line 7', 'invalid device id', '"35*********3808" is not a valid IMEI (wrong check digit)');
 * report.result(); // { count: 1, byReason: { 'invalid device id': 1 }, sample: ['line 7: "35…" is not …'] }
 */
export function createTargetsReport(): TargetsReport {
  let count = 0;
  const byReason: Record<string, number> = {};
  const sample: string[] = [];
  return {
    skip(place, reason, detail) {
      count += 1;
      byReason[reason] = (byReason[reason] ?? 0) + 1;
      if (sample.length < MAX_SKIPPED_SAMPLE) sample.push(`${place}: ${detail}`);
    },
    result: () => ({ count, byReason: { ...byReason }, sample: [...sample] }),
  };
}
