import type { AlertKind } from './constants';
import type { ActiveCondition } from './findInhibitor';
import type { DigestEntry } from './renderDigest';
import type { Acknowledgement, AlertFailureInfo, GroupKey, GroupState } from './types';

export interface RecordFailuresInput {
  readonly key: GroupKey;
  readonly code: string;
  readonly runId: string;
  /**
   * Which part of the run these failures are (a chunk and attempt, `inline`, ...). Recording the
   * same contribution of the same run again (a retried run, a redelivered chunk) leaves the counts
   * as they are instead of adding them twice. Without one, every call adds.
   */
  readonly contribution?: string | undefined;
  /** Devices of this chunk that failed with the code. */
  readonly count: number;
  /** Masked device ids. */
  readonly samples: readonly string[];
  readonly failure: AlertFailureInfo;
  /**
   * The job that observed the failures: added to the group's `jobs` and `failingJobs` sets (a
   * tenant-wide group spans jobs; each set holds at most one name per configured job).
   */
  readonly observedJob?: string | undefined;
  readonly now: number;
  /** Epoch seconds for the TTL attribute. */
  readonly expiresAt: number;
}

/** What must still hold for a send claim: nobody notified or resolved the group since we read it. */
export type ClaimGuard =
  | { readonly kind: 'notify'; readonly firstSeenAt: number; readonly lastNotifiedAt: number | undefined }
  | { readonly kind: 'resolve'; readonly lastSeenAt: number };

export interface ClaimInput {
  readonly token: string;
  readonly now: number;
  /** Epoch ms when the claim lapses, so a crashed worker does not block the group for ever. */
  readonly until: number;
  readonly guard: ClaimGuard;
}

/** A run's digest as stored: per-code counts and samples. */
export interface DigestState {
  readonly stage: string;
  readonly job: string;
  readonly runId: string;
  readonly firstSeenAt: number;
  readonly entries: readonly DigestEntry[];
  readonly sentAt?: number | undefined;
  readonly claimUntil?: number | undefined;
  /** When a digest publish of unknown outcome began (see `AlertStateStore.markPublishing`). */
  readonly publishingAt?: number | undefined;
}

/**
 * The port the alert pipeline keeps its dedupe state behind (the DynamoDB adapter is
 * `createDynamoAlertStateStore`). Every write that decides who sends is conditional, so concurrent
 * workers and Lambda retries agree: exactly one `claim` succeeds per notification (its lease ends
 * with the claiming invocation, so a retry after a crash can take it over), `markPublishing`
 * records the publish before it starts, a failed publish `release`s the claim, a successful one is
 * marked with `markNotified` / `markResolved`, and a publish whose outcome was lost is settled as
 * sent by `settleUnconfirmed` (at-most-once; docs/reliability.md).
 */
export interface AlertStateStore {
  /** Adds a chunk's failures to the group, starting a new episode if the group was resolved or new. */
  recordFailures(input: RecordFailuresInput): Promise<GroupState>;
  getGroup(key: GroupKey): Promise<GroupState | undefined>;
  /**
   * Removes `job` from an active group's `failingJobs` (the job succeeds again without the code):
   * the group as it is now, `undefined` when it is not active. A tenant-wide group resolves only
   * once no job still sees it.
   */
  clearJob(key: GroupKey, job: string): Promise<GroupState | undefined>;
  /** Groups with an open episode in a stage (for inhibition and resolution). */
  listActive(stage: string): Promise<readonly ActiveCondition[]>;
  claim(key: GroupKey, input: ClaimInput): Promise<boolean>;
  /**
   * Records, durably and before the publish, that the claim holder is about to publish `kind`:
   * `false` when the claim is no longer ours (lapsed and taken over). A group left in this state
   * after its claim lapsed had a publish with an unknown outcome; `settleUnconfirmed` ends it.
   */
  markPublishing(key: GroupKey, input: { token: string; now: number; kind: AlertKind }): Promise<boolean>;
  /**
   * Treats a lapsed publish of unknown outcome as sent (at-most-once): notified (or resolved) at
   * the time the publish began. `false` when the group moved on meanwhile.
   */
  settleUnconfirmed(
    key: GroupKey,
    input: { token: string; now: number; expiresAt: number },
  ): Promise<boolean>;
  /** Ends a claim whose publish did not happen or was refused, so the next try sends. */
  release(key: GroupKey, token: string): Promise<void>;
  markNotified(
    key: GroupKey,
    input: {
      token: string;
      now: number;
      kind: AlertKind;
      expiresAt: number;
      /** The device count the message told admins, and its run (for the run-complete update). */
      count?: { devices: number; runId: string } | undefined;
    },
  ): Promise<boolean>;
  markResolved(
    key: GroupKey,
    input: { token: string; now: number; notified: boolean; expiresAt: number },
  ): Promise<boolean>;
  /**
   * Adds a chunk's per-device failures to its run's digest, once per `contribution` (a repeated
   * contribution adds nothing); answers the job's previous run, if it differs.
   */
  recordDigest(input: {
    stage: string;
    job: string;
    runId: string;
    contribution?: string | undefined;
    entries: readonly DigestEntry[];
    now: number;
    expiresAt: number;
  }): Promise<{ previousRunId: string | undefined }>;
  getDigest(stage: string, job: string, runId: string): Promise<DigestState | undefined>;
  claimDigest(
    stage: string,
    job: string,
    runId: string,
    input: { token: string; now: number; until: number },
  ): Promise<boolean>;
  markDigestSent(
    stage: string,
    job: string,
    runId: string,
    input: { token: string; now: number },
  ): Promise<boolean>;
  markDigestPublishing(
    stage: string,
    job: string,
    runId: string,
    input: { token: string; now: number },
  ): Promise<boolean>;
  releaseDigest(stage: string, job: string, runId: string, token: string): Promise<void>;
  /**
   * Acknowledges the group's open episode (`alerts ack`): answers the group as acknowledged, or
   * `undefined` when the group has no open episode (never failed, resolved or expired).
   */
  acknowledge(key: GroupKey, input: { now: number } & Acknowledgement): Promise<GroupState | undefined>;
}
