import type { DeviceOperation } from '../../lib/knox';

/** What the simulated Knox Guard did for one device and operation. */
export interface LedgerEntry {
  /** Requests for this device and operation that reached the device rules (after any 429/503). */
  attempts: number;
  /** Of those, how many Knox applied (the device changed, or the message was shown). */
  applied: number;
  /** Attempts that arrived after the operation had already been applied once. */
  afterApplied: number;
}

/**
 * Knox Guard's own per-device record of operations, for fault-injection tests: it counts what
 * reached the device rules, so a device operated twice shows up whatever the service believes.
 * Opt-in (`state.ledger = new ExecutionLedger()`), because a million-device tenant would pay for
 * an entry per device.
 *
 * @example
 * sim.state.ledger = new ExecutionLedger();
 * // ... run the job ...
 * sim.state.ledger.summary('lock', targets); // { executed, duplicated, missing, ... }
 */
export class ExecutionLedger {
  readonly #entries = new Map<string, LedgerEntry>();

  record(operation: DeviceOperation, deviceUid: string, applied: boolean): void {
    const key = `${operation} ${deviceUid}`;
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { attempts: 0, applied: 0, afterApplied: 0 };
      this.#entries.set(key, entry);
    }
    if (entry.applied > 0) entry.afterApplied += 1;
    entry.attempts += 1;
    if (applied) entry.applied += 1;
  }

  entry(operation: DeviceOperation, deviceUid: string): LedgerEntry | undefined {
    return this.#entries.get(`${operation} ${deviceUid}`);
  }

  /**
   * Counts over `expected` device ids: `executed` applied at least once, `duplicated` applied more
   * than once or sent again after being applied, `missing` never applied.
   */
  summary(
    operation: DeviceOperation,
    expected: Iterable<string>,
  ): { expected: number; executed: number; duplicated: number; missing: number; attempts: number } {
    let count = 0;
    let executed = 0;
    let duplicated = 0;
    let attempts = 0;
    for (const id of expected) {
      count += 1;
      const entry = this.#entries.get(`${operation} ${id}`);
      if (!entry) continue;
      attempts += entry.attempts;
      if (entry.applied > 0) executed += 1;
      if (entry.applied > 1 || entry.afterApplied > 0) duplicated += 1;
    }
    return { expected: count, executed, duplicated, missing: count - executed, attempts };
  }
}
