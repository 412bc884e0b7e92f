import type { AlertStateStore, ClaimGuard } from './AlertStateStore';
import { AlertKind } from './constants';
import { AlertPublishError } from './errors';
import type { AlertMessage, AlertPublisher, GroupKey, GroupState } from './types';

/** A minimal structured logger (Powertools' Logger and `console` both fit). */
export interface AlertLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

/** Added to the invocation's remaining time: a claim outlives its invocation by this much. */
const CLAIM_MARGIN_MS = 2_000;
/** Kept free at the end of a lease for the sent markers, so they land before the claim lapses. */
const MARK_MARGIN_MS = 3_000;
/** Tries of a sent marker's write (the first included), with doubling waits from 100 ms. */
const MARK_TRIES = 5;

export interface SendGuardDeps {
  readonly store: AlertStateStore;
  readonly publisher: AlertPublisher;
  /** Claim tokens (`crypto.randomUUID` in production). */
  readonly newToken: () => string;
  /** The longest a claim is held, ms (`rules.defaults.claimLease`). */
  readonly claimLease: number;
  /** Milliseconds the invocation has left; `undefined`: only `claimLease` bounds a claim. */
  readonly remainingTime?: (() => number | undefined) | undefined;
  /** The TTL attribute (epoch seconds) of a state write at `now`. */
  readonly expiresAt: (now: number) => number;
  /** Waits between tries of a sent marker's write. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger?: AlertLogger | undefined;
}

/** What a group's message tells, written by its sent marker once SNS has it. */
export type SentMark =
  | { readonly kind: typeof AlertKind.resolved }
  | {
      readonly kind: Exclude<AlertKind, typeof AlertKind.resolved | typeof AlertKind.digest>;
      /** The device count the message told admins, and its run (for the run-complete update). */
      readonly count: { readonly devices: number; readonly runId: string };
    };

/** One message whose send is claimed: the three writes around its publish. */
export interface ClaimedSend {
  readonly message: AlertMessage;
  /** The durable "about to publish" write; `false` when the claim is no longer ours. */
  publishing(): Promise<boolean>;
  /** The sent marker: SNS has the message. */
  sent(): Promise<unknown>;
  /** Gives the claim back: the message was not published, a retry sends it. */
  release(): Promise<unknown>;
}

/** A group's send claim, held until a message under it is published or it is given back. */
export interface GroupClaim {
  /** The send of `message` under this claim; its sent marker records `mark`. */
  send(message: AlertMessage, mark: SentMark): ClaimedSend;
  /** Ends the claim by resolving the group with nobody told (a resolve that `send_resolved` mutes). */
  resolveQuietly(): Promise<boolean>;
}

/** A digest's send claim. */
export interface DigestClaim {
  send(message: AlertMessage): ClaimedSend;
}

/** The dedupe guard of the alert pipeline: see `createSendGuard`. */
export interface SendGuard {
  /**
   * The group's state with a lapsed publish of unknown outcome settled as sent (at-most-once:
   * the message may have gone out, so it is not sent again; a persisting condition still gets its
   * reminder after `repeatInterval`).
   */
  settle(key: GroupKey, state: GroupState, now: number): Promise<GroupState | undefined>;
  /** Claims the group's next message; `undefined` when another worker holds it or `guard` no longer holds. */
  claimGroup(key: GroupKey, guard: ClaimGuard, now: number): Promise<GroupClaim | undefined>;
  /** Claims a run's digest; `undefined` when it is sent, publishing or claimed elsewhere. */
  claimDigest(
    run: { stage: string; job: string; runId: string },
    now: number,
  ): Promise<DigestClaim | undefined>;
  /**
   * Records each send as publishing, publishes the ones still ours in one call, and marks what was
   * sent (retrying that write). Answers how many were published. A failed publish gives the
   * claims of the unsent back and throws `AlertPublishError`; a failed publishing write gives
   * every claim back and throws it.
   */
  publish(sends: readonly ClaimedSend[]): Promise<number>;
}

/**
 * The one place that decides who sends: every message the pipeline publishes goes claim (a
 * conditional write leased for the invocation's remaining time plus a margin, at most
 * `claimLease`) → publishing marker (durable, before the publish) → publish → sent marker (retried)
 * or release. A claim that lapsed with its publishing marker left behind had a publish of unknown
 * outcome: `settle` treats it as sent (docs/reliability.md).
 *
 * @example
 * const guard = createSendGuard({ store, publisher, newToken: randomUUID, claimLease: 60_000, expiresAt, sleep });
 * const claim = await guard.claimGroup(key, { kind: 'notify', firstSeenAt, lastNotifiedAt }, now);
 * if (claim) await guard.publish([claim.send(message, { kind: 'firing', count })]);
 */
export function createSendGuard(deps: SendGuardDeps): SendGuard {
  const { store, publisher, expiresAt } = deps;
  const lease = () => {
    const remaining = deps.remainingTime?.();
    return remaining === undefined
      ? deps.claimLease
      : Math.max(0, Math.min(deps.claimLease, remaining + CLAIM_MARGIN_MS));
  };

  /** Runs a sent marker's write, retried with backoff: SNS has the message, the marker must land. */
  async function markSent(item: ClaimedSend): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await item.sent();
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
        await deps.sleep(100 * 2 ** (attempt - 1));
      }
    }
  }

  return {
    async settle(key, state, now) {
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
    },

    async claimGroup(key, guard, now) {
      const token = deps.newToken();
      if (!(await store.claim(key, { token, now, until: now + lease(), guard }))) return undefined;
      return {
        send: (message, mark) => ({
          message,
          publishing: () => store.markPublishing(key, { token, now, kind: mark.kind }),
          sent: () =>
            mark.kind === AlertKind.resolved
              ? store.markResolved(key, { token, now, notified: true, expiresAt: expiresAt(now) })
              : store.markNotified(key, {
                  token,
                  now,
                  kind: mark.kind,
                  expiresAt: expiresAt(now),
                  count: mark.count,
                }),
          release: () => store.release(key, token),
        }),
        resolveQuietly: () =>
          store.markResolved(key, { token, now, notified: false, expiresAt: expiresAt(now) }),
      };
    },

    async claimDigest({ stage, job, runId }, now) {
      const token = deps.newToken();
      if (!(await store.claimDigest(stage, job, runId, { token, now, until: now + lease() })))
        return undefined;
      return {
        send: (message) => ({
          message,
          publishing: () => store.markDigestPublishing(stage, job, runId, { token, now }),
          sent: () => store.markDigestSent(stage, job, runId, { token, now }),
          release: () => store.releaseDigest(stage, job, runId, token),
        }),
      };
    },

    async publish(sends) {
      if (sends.length === 0) return 0;
      // The claims were taken just now: the publish must end (or give up) before they lapse.
      const budget = Math.max(0, lease() - MARK_MARGIN_MS);
      const deadline = Date.now() + budget;
      const ready: ClaimedSend[] = [];
      try {
        for (const item of sends) if (await item.publishing()) ready.push(item);
      } catch (error) {
        // Nothing was published: give every claim back, so a retry sends all of them.
        await Promise.allSettled(sends.map((item) => item.release()));
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
          error instanceof AlertPublishError ? error.failedIds : ready.map((item) => item.message.id),
        );
        await Promise.all(
          ready.map((item) => (failed.has(item.message.id) ? item.release() : markSent(item))),
        );
        deps.logger?.warn('alert publish failed; claims released for retry', { failed: [...failed] });
        throw error instanceof AlertPublishError
          ? error
          : new AlertPublishError('Publishing alerts failed', [...failed], [], { cause: error });
      }
      await Promise.all(ready.map(markSent));
      return ready.length;
    },
  };
}
