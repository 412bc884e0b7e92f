import { randomUUID } from 'node:crypto';
import { SilenceError } from './errors';
import { isKnownCodeReference } from './knownCodes';
import type { Silence } from './loadAlertRules';
import { formatDuration } from './parseDuration';

/**
 * A silence an admin stored at run time (`knox-guard-sentinel alerts silence`), as Alertmanager's
 * `amtool silence add` does: matchers (code, optionally job) for one stage, an end, an author and
 * a comment. It mutes like a jobs.yml silence (`findSilence`), which it extends.
 */
export interface StoredSilence extends Silence {
  /** `s-` and 12 hex digits, e.g. `s-3f9a0c1b2d4e`. */
  readonly id: string;
  readonly stage: string;
  /** Epoch ms when it was created. */
  readonly createdAt: number;
  /** Epoch ms when it ends (`until`, on `Silence`); `unsilence` sets it to the time of expiry. */
  readonly until: number;
  readonly author: string;
  readonly comment: string;
}

/** What `SilenceStore#add` takes; `stage`, `code` and the duration are checked (`checkNewSilence`). */
export interface NewSilence {
  readonly stage: string;
  /** A catalog name (LICENSE_IS_LACK), a numeric Knox code or HTTP_nnn, as jobs.yml silences take. */
  readonly code: string;
  readonly job?: string | undefined;
  /** Epoch ms; `until` must be after it and at most `SILENCE_LIMITS.maxDurationMs` later. */
  readonly now: number;
  readonly until: number;
  readonly author: string;
  readonly comment: string;
}

/**
 * Bounds of stored silences: DynamoDB items are at most 400 KB and the pipeline reads a stage's
 * silences with one GetItem on every run, so their number and size are capped, and so is their
 * length, so that a forgotten silence cannot hide a condition for ever.
 */
export const SILENCE_LIMITS = {
  /** Active silences per stage (~64 KB at the longest fields). */
  maxActive: 50,
  maxDurationMs: 30 * 86_400_000,
  maxCommentLength: 500,
  maxAuthorLength: 100,
} as const;

/**
 * The port run-time silences live behind (DynamoDB: `createDynamoSilenceStore`; tests:
 * `createMemorySilenceStore`). The alert pipeline only reads (`active`, once per observation); the
 * admin CLI adds and expires.
 */
export interface SilenceStore {
  /** The stage's silences that have not ended at `now`, oldest first. */
  active(stage: string, now: number): Promise<readonly StoredSilence[]>;
  /**
   * Stores a silence; throws `SilenceError` with reason `invalid` (see `checkNewSilence`) or
   * `limit` (the stage has `SILENCE_LIMITS.maxActive` active silences).
   */
  add(silence: NewSilence): Promise<StoredSilence>;
  /**
   * Ends a silence now (Alertmanager's "expire"): the next matching alert is sent. Answers the
   * silence as it was; throws `SilenceError` with reason `not-found` when no active silence has the id.
   */
  expire(stage: string, id: string, now: number): Promise<StoredSilence>;
}

/**
 * Checks a new silence and builds it with a fresh id. Throws `SilenceError` (reason `invalid`)
 * naming what is wrong: an unknown code (typos such as LICENCE_IS_LACK would match nothing), an
 * end not after `now` or past `SILENCE_LIMITS.maxDurationMs`, an empty or over-long author or comment.
 *
 * @example
 * checkNewSilence({ stage: 'prod', code: 'LICENSE_IS_LACK', now, until: now + 4 * 3_600_000, author: 'ana', comment: 'seats ordered' });
 * // { id: 's-3f9a0c1b2d4e', stage: 'prod', code: 'LICENSE_IS_LACK', createdAt: now, until: ..., ... }
 */
export function checkNewSilence(input: NewSilence, newId: () => string = silenceId): StoredSilence {
  const problems: string[] = [];
  if (!isKnownCodeReference(input.code)) {
    problems.push(
      `unknown code ${JSON.stringify(input.code)}: use a catalog name such as LICENSE_IS_LACK, a numeric Knox code or HTTP_nnn`,
    );
  }
  if (input.stage.length === 0) problems.push('the stage is empty');
  if (input.job !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.job)) {
    problems.push(`job ${JSON.stringify(input.job)} is not a job name (lower-case kebab-case)`);
  }
  if (!(input.until > input.now)) problems.push('the silence must end after it starts');
  if (input.until - input.now > SILENCE_LIMITS.maxDurationMs) {
    problems.push(`a silence lasts at most ${formatDuration(SILENCE_LIMITS.maxDurationMs)}`);
  }
  const author = input.author.trim();
  const comment = input.comment.trim();
  if (author.length === 0 || author.length > SILENCE_LIMITS.maxAuthorLength) {
    problems.push(`the author must be 1 to ${SILENCE_LIMITS.maxAuthorLength} characters`);
  }
  if (comment.length === 0 || comment.length > SILENCE_LIMITS.maxCommentLength) {
    problems.push(`the comment must be 1 to ${SILENCE_LIMITS.maxCommentLength} characters`);
  }
  if (problems.length > 0) throw new SilenceError(problems.join('; '), 'invalid');
  return {
    id: newId(),
    stage: input.stage,
    code: input.code,
    ...(input.job === undefined ? {} : { job: input.job }),
    createdAt: input.now,
    until: input.until,
    author,
    comment,
  };
}

/** A new silence id: `s-` and 12 hex digits of a random UUID. */
export function silenceId(): string {
  return `s-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/**
 * The silences of one stage after adding one: the expired ones dropped, the limit checked.
 * Shared by the adapters so both enforce the same bounds.
 */
export function withSilence(
  current: readonly StoredSilence[],
  added: StoredSilence,
  now: number,
): StoredSilence[] {
  const live = current.filter((silence) => silence.until > now);
  if (live.length >= SILENCE_LIMITS.maxActive) {
    throw new SilenceError(
      `stage ${added.stage} already has ${live.length} active silences (at most ${SILENCE_LIMITS.maxActive}); expire one first`,
      'limit',
    );
  }
  return [...live, added];
}

/**
 * The silences of one stage after expiring `id` at `now`: the silence ends now; throws
 * `SilenceError` (`not-found`) when no active silence has that id.
 */
export function withoutSilence(
  current: readonly StoredSilence[],
  stage: string,
  id: string,
  now: number,
): { silences: StoredSilence[]; expired: StoredSilence } {
  const live = current.filter((silence) => silence.until > now);
  const expired = live.find((silence) => silence.id === id);
  if (!expired) throw new SilenceError(`no active silence ${id} in stage ${stage}`, 'not-found');
  return { silences: live.filter((silence) => silence.id !== id), expired };
}
