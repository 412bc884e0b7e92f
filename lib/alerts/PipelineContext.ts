import type { AlertStateStore } from './AlertStateStore';
import type { AlertLogger, SendGuard } from './createSendGuard';
import type { AlertRules, Silence } from './loadAlertRules';

/** What every step of the alert pipeline works with; built once by `createAlertPipeline`. */
export interface PipelineContext {
  readonly rules: AlertRules;
  readonly store: AlertStateStore;
  /** The dedupe guard: every send is claimed, marked and published through it. */
  readonly guard: SendGuard;
  readonly consoleUrl: string;
  /** The TTL attribute (epoch seconds) of a state write at `now`. */
  readonly expiresAt: (now: number) => number;
  readonly logger?: AlertLogger | undefined;
  /** Where a run's failed-device list is (lib/operations/runReport), for the digest's report line. */
  readonly runReports?:
    | ((run: { readonly job: string; readonly runId: string }) => {
        readonly location: string;
        readonly consoleUrl: string;
      })
    | undefined;
}

/** One observation's fixed facts: where it came from, when, and the silences in force (read once). */
export interface ObservationScope {
  readonly stage: string;
  readonly job: string;
  readonly runId: string;
  readonly now: number;
  /** The jobs.yml silences plus the stored ones, read on first use. */
  readonly silences: () => Promise<readonly Silence[]>;
}
