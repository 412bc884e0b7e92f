import type { AlertStateStore, DigestState } from './AlertStateStore';
import { AlertKind, GroupStatus } from './constants';
import { AlertStateError } from './errors';
import type { ActiveCondition } from './findInhibitor';
import type { DigestEntry } from './renderDigest';
import {
  absent,
  and,
  eq,
  exists,
  gt,
  lte,
  ne,
  notContains,
  or,
  type StateItem,
  type StateTable,
  type StateUpdate,
} from './StateTable';
import type { AlertFailureInfo, GroupKey, GroupState } from './types';

// Races between workers end in a conditional check failing; re-reading and trying again converges
// within a few rounds because each failure means another worker's write went through.
const MAX_ROUNDS = 8;

/** What a send claim holds on a group item; every way a claim ends removes all of it. */
const GROUP_CLAIM = ['claimToken', 'claimUntil', 'publishingAt', 'publishingKind'];
/** What a send claim holds on a digest item. */
const DIGEST_CLAIM = ['claimToken', 'claimUntil', 'publishingAt'];
/** What a group's previous episode leaves behind and a new episode starts without. */
const EPISODE_MARKS = [
  'lastNotifiedAt',
  'notifiedKind',
  'notifiedCount',
  'notifiedRunId',
  'resolvedAt',
  ...GROUP_CLAIM,
  'ackAt',
  'ackBy',
  'ackComment',
  'ackUntil',
];

/**
 * The partition key of an alert group's item.
 *
 * @example
 * groupPk({ stage: 'prod', job: 'overdue-lock', codeName: 'LICENSE_IS_LACK' }); // 'alert#prod#overdue-lock#LICENSE_IS_LACK'
 */
export function groupPk(key: GroupKey): string {
  return `alert#${key.stage}#${key.job}#${key.codeName}`;
}

const indexPk = (stage: string) => `index#${stage}`;
const indexRef = (key: GroupKey, code: string) => JSON.stringify([key.job, key.codeName, code]);
const digestPk = (stage: string, job: string, runId: string) => `digest#${stage}#${job}#${runId}`;
const runPk = (stage: string, job: string) => `run#${stage}#${job}`;

/** A claim is free when nobody holds it or its lease lapsed (`claimUntil <= now`). */
const claimFree = (now: number) => or(absent('claimUntil'), lte('claimUntil', now));
/** The claim is ours and its lease still runs: the only state in which a publish may begin. */
const claimHeld = (token: string, now: number) => and(eq('claimToken', token), gt('claimUntil', now));

/** The write that ends a claim with a message out: notified at `at`, one more notification. */
function notified(at: number, kind: AlertKind, expiresAt: number, set: StateUpdate['set'] = {}): StateUpdate {
  return {
    set: { ...set, lastNotifiedAt: at, notifiedKind: kind, ttl: expiresAt },
    add: { notifications: 1 },
    remove: GROUP_CLAIM,
  };
}

/**
 * The alert state logic of `AlertStateStore` over a `StateTable` (DynamoDB or memory). Items:
 * `alert#<stage>#<job>#<code>` (one per group), `index#<stage>` (open groups of a stage, for
 * inhibition and resolution), `digest#<stage>#<job>#<runId>` and `run#<stage>#<job>` (per-run
 * digests). Every item carries `ttl` (epoch seconds); a group past it counts as absent, because
 * DynamoDB deletes expired items only eventually. Group and digest items keep the run's
 * `contributions` (a string set of `<chunk>.<attempt>` ids) and add a contribution's counts only
 * when its id is not in the set yet, in the same conditional update: a retried run or redelivered
 * chunk counts once. The set holds a few bytes per chunk of the current run (1,000 chunks, 10 M
 * devices at chunkSize 10,000, are ~8 KB) and is replaced when the next run starts.
 *
 * @example
 * const store = createAlertStateStore(table); // table: a StateTable
 */
export function createAlertStateStore(table: StateTable): AlertStateStore {
  const store: AlertStateStore = {
    async recordFailures(input) {
      const pk = groupPk(input.key);
      const nowSec = Math.floor(input.now / 1000);
      const { contribution } = input;
      // The run's set of counted contributions: started afresh with a new run, grown by this one.
      const contributions = contribution === undefined ? undefined : new Set([contribution]);
      // The jobs that saw the condition in this episode and the ones still seeing it: one name per
      // configured job at most, so the item stays bounded by the jobs config.
      const jobs = input.observedJob === undefined ? undefined : new Set([input.observedJob]);
      const samples = JSON.stringify(input.samples);
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const item = await table.get(pk);
        const live = item !== undefined && num(item.ttl) > nowSec && item.status === GroupStatus.active;
        const sameRun = live && item.runId === input.runId;
        // A contribution already counted for this run (a retried run, a redelivered chunk): its
        // counts are in the item once, and stay so.
        if (sameRun && contribution !== undefined && setOf(item.contributions).includes(contribution)) {
          return toGroupState(item);
        }
        const stillActive = and(eq('status', GroupStatus.active), gt('ttl', nowSec));
        let answer: StateItem | null | undefined;
        if (sameRun) {
          answer = await table.update(pk, {
            set: { lastSeenAt: input.now, ttl: input.expiresAt },
            add: { runCount: input.count, failures: input.count, jobs, failingJobs: jobs, contributions },
            condition: and(
              stillActive,
              eq('runId', input.runId),
              contribution === undefined ? undefined : notContains('contributions', contribution),
            ),
            returns: 'new',
          });
        } else if (live) {
          answer = await table.update(pk, {
            set: {
              lastSeenAt: input.now,
              ttl: input.expiresAt,
              runId: input.runId,
              runCount: input.count,
              samples,
              contributions,
            },
            add: { failures: input.count, jobs, failingJobs: jobs },
            remove: contribution === undefined ? ['contributions'] : [],
            condition: and(stillActive, ne('runId', input.runId)),
            returns: 'new',
          });
        } else {
          answer = await table.update(pk, {
            set: {
              status: GroupStatus.active,
              stage: input.key.stage,
              job: input.key.job,
              codeName: input.key.codeName,
              code: input.code,
              firstSeenAt: input.now,
              lastSeenAt: input.now,
              runId: input.runId,
              runCount: input.count,
              failures: input.count,
              samples,
              failure: JSON.stringify(input.failure),
              notifications: 0,
              contributions,
              jobs,
              failingJobs: jobs,
              ttl: input.expiresAt,
            },
            remove: [
              ...EPISODE_MARKS,
              ...(contribution === undefined ? ['contributions'] : []),
              ...(jobs === undefined ? ['jobs', 'failingJobs'] : []),
            ],
            condition: or(absent('pk'), ne('status', GroupStatus.active), lte('ttl', nowSec)),
            returns: 'new',
          });
          if (answer) {
            await table.update(indexPk(input.key.stage), {
              add: { active: new Set([indexRef(input.key, input.code)]) },
              set: { ttl: input.expiresAt },
            });
          }
        }
        if (answer) return toGroupState(answer);
      }
      throw new AlertStateError(`Recording failures for ${pk} lost ${MAX_ROUNDS} races in a row`);
    },

    async clearJob(key, job) {
      const answer = await table.update(groupPk(key), {
        delete: { failingJobs: new Set([job]) },
        condition: eq('status', GroupStatus.active),
        returns: 'new',
      });
      return answer ? toGroupState(answer) : undefined;
    },

    async getGroup(key) {
      const item = await table.get(groupPk(key));
      return item ? toGroupState(item) : undefined;
    },

    async listActive(stage) {
      const item = await table.get(indexPk(stage));
      return setOf(item?.active).map((ref) => {
        const [job, codeName, code] = JSON.parse(ref) as [string, string, string];
        return { stage, job, codeName, code } satisfies ActiveCondition;
      });
    },

    async claim(key, input) {
      const { guard } = input;
      const answer = await table.update(groupPk(key), {
        set: { claimToken: input.token, claimUntil: input.until },
        // A lapsed claim may be taken over, unless its publish began: that one is settled first.
        condition: and(
          eq('status', GroupStatus.active),
          absent('publishingAt'),
          claimFree(input.now),
          ...(guard.kind === 'notify'
            ? [
                eq('firstSeenAt', guard.firstSeenAt),
                guard.lastNotifiedAt === undefined
                  ? absent('lastNotifiedAt')
                  : eq('lastNotifiedAt', guard.lastNotifiedAt),
              ]
            : [eq('lastSeenAt', guard.lastSeenAt)]),
        ),
      });
      return answer !== undefined;
    },

    async release(key, token) {
      await table.update(groupPk(key), { remove: GROUP_CLAIM, condition: eq('claimToken', token) });
    },

    async markPublishing(key, input) {
      const answer = await table.update(groupPk(key), {
        set: { publishingAt: input.now, publishingKind: input.kind },
        params: { now: input.now, kind: input.kind },
        condition: claimHeld(input.token, input.now),
      });
      return answer !== undefined;
    },

    async settleUnconfirmed(key, input) {
      const pk = groupPk(key);
      const item = await table.get(pk);
      if (item?.publishingAt === undefined || item.claimToken !== input.token) return false;
      const kind = str(item.publishingKind) as AlertKind;
      const at = num(item.publishingAt);
      if (kind === AlertKind.resolved) {
        return store.markResolved(key, {
          token: input.token,
          now: at,
          notified: true,
          expiresAt: input.expiresAt,
        });
      }
      const answer = await table.update(pk, {
        ...notified(at, kind, input.expiresAt),
        params: { at },
        condition: and(eq('claimToken', input.token), eq('publishingAt', at), lte('claimUntil', input.now)),
      });
      return answer !== undefined;
    },

    async markNotified(key, input) {
      const answer = await table.update(groupPk(key), {
        ...notified(
          input.now,
          input.kind,
          input.expiresAt,
          input.count === undefined
            ? {}
            : { notifiedCount: input.count.devices, notifiedRunId: input.count.runId },
        ),
        params: { now: input.now, kind: input.kind },
        condition: eq('claimToken', input.token),
      });
      return answer !== undefined;
    },

    async markResolved(key, input) {
      const resolved = { status: GroupStatus.resolved, resolvedAt: input.now };
      const answer = await table.update(groupPk(key), {
        ...(input.notified
          ? notified(input.now, AlertKind.resolved, input.expiresAt, resolved)
          : { set: { ...resolved, ttl: input.expiresAt }, remove: GROUP_CLAIM }),
        params: { now: input.now },
        condition: eq('claimToken', input.token),
        returns: 'old',
      });
      if (answer === undefined) return false;
      await table.update(indexPk(key.stage), {
        delete: { active: new Set([indexRef(key, answer ? str(answer.code) : '')]) },
      });
      return true;
    },

    async recordDigest(input) {
      const counts: Record<string, number> = {};
      const infos: Record<string, string> = {};
      for (const entry of input.entries) {
        counts[`count#${entry.codeName}`] = entry.count;
        infos[`info#${entry.codeName}`] = JSON.stringify(entry);
      }
      // Counted once per contribution: a repeated one fails the condition and adds nothing.
      await table.update(digestPk(input.stage, input.job, input.runId), {
        set: { stage: input.stage, job: input.job, runId: input.runId, ttl: input.expiresAt },
        setIfAbsent: { firstSeenAt: input.now, ...infos },
        add: {
          ...counts,
          contributions: input.contribution === undefined ? undefined : new Set([input.contribution]),
        },
        ...(input.contribution === undefined
          ? {}
          : { condition: notContains('contributions', input.contribution) }),
      });
      const old = await table.update(runPk(input.stage, input.job), {
        set: { runId: input.runId, ttl: input.expiresAt },
        returns: 'old',
      });
      const previous = old ? str(old.runId) : '';
      return { previousRunId: previous && previous !== input.runId ? previous : undefined };
    },

    async getDigest(stage, job, runId) {
      const item = await table.get(digestPk(stage, job, runId));
      if (!item) return undefined;
      const entries: DigestEntry[] = [];
      for (const [name, value] of Object.entries(item)) {
        if (!name.startsWith('info#')) continue;
        const info = JSON.parse(str(value) || '{}') as DigestEntry;
        entries.push({ ...info, count: num(item[`count#${info.codeName}`]) });
      }
      return {
        stage,
        job,
        runId,
        firstSeenAt: num(item.firstSeenAt),
        entries,
        sentAt: optionalNum(item.sentAt),
        claimUntil: optionalNum(item.claimUntil),
        publishingAt: optionalNum(item.publishingAt),
      } satisfies DigestState;
    },

    async claimDigest(stage, job, runId, input) {
      const answer = await table.update(digestPk(stage, job, runId), {
        set: { claimToken: input.token, claimUntil: input.until },
        // A digest whose publish outcome was lost (publishingAt left behind) counts as sent.
        condition: and(exists('pk'), absent('sentAt'), absent('publishingAt'), claimFree(input.now)),
      });
      return answer !== undefined;
    },

    async markDigestSent(stage, job, runId, input) {
      const answer = await table.update(digestPk(stage, job, runId), {
        set: { sentAt: input.now },
        params: { now: input.now },
        remove: DIGEST_CLAIM,
        condition: eq('claimToken', input.token),
      });
      return answer !== undefined;
    },

    async markDigestPublishing(stage, job, runId, input) {
      const answer = await table.update(digestPk(stage, job, runId), {
        set: { publishingAt: input.now },
        params: { now: input.now },
        condition: claimHeld(input.token, input.now),
      });
      return answer !== undefined;
    },

    async releaseDigest(stage, job, runId, token) {
      await table.update(digestPk(stage, job, runId), {
        remove: DIGEST_CLAIM,
        condition: eq('claimToken', token),
      });
    },

    async acknowledge(key, input) {
      const answer = await table.update(groupPk(key), {
        set: { ackAt: input.at, ackBy: input.by, ackComment: input.comment, ackUntil: input.until },
        remove: [
          ...(input.comment === undefined ? ['ackComment'] : []),
          ...(input.until === undefined ? ['ackUntil'] : []),
        ],
        condition: and(eq('status', GroupStatus.active), gt('ttl', Math.floor(input.now / 1000))),
        returns: 'new',
      });
      return answer ? toGroupState(answer) : undefined;
    },
  };
  return store;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function optionalNum(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function setOf(value: unknown): string[] {
  return value instanceof Set ? [...(value as Set<string>)] : [];
}

function toGroupState(item: StateItem): GroupState {
  const jobs = item.jobs instanceof Set ? setOf(item.jobs).sort() : undefined;
  return {
    stage: str(item.stage),
    job: str(item.job),
    codeName: str(item.codeName),
    code: str(item.code),
    status: item.status === GroupStatus.active ? GroupStatus.active : GroupStatus.resolved,
    firstSeenAt: num(item.firstSeenAt),
    lastSeenAt: num(item.lastSeenAt),
    runId: str(item.runId),
    runCount: num(item.runCount),
    failures: num(item.failures),
    samples: JSON.parse(str(item.samples) || '[]') as string[],
    failure: JSON.parse(str(item.failure) || '{}') as AlertFailureInfo,
    lastNotifiedAt: optionalNum(item.lastNotifiedAt),
    notifiedKind: (typeof item.notifiedKind === 'string'
      ? item.notifiedKind
      : undefined) as GroupState['notifiedKind'],
    notifications: num(item.notifications),
    claimUntil: optionalNum(item.claimUntil),
    publishing:
      item.publishingAt === undefined
        ? undefined
        : {
            at: num(item.publishingAt),
            kind: str(item.publishingKind) as AlertKind,
            token: str(item.claimToken),
          },
    resolvedAt: optionalNum(item.resolvedAt),
    acknowledged:
      item.ackAt === undefined
        ? undefined
        : {
            at: num(item.ackAt),
            by: str(item.ackBy),
            comment: typeof item.ackComment === 'string' ? item.ackComment : undefined,
            until: optionalNum(item.ackUntil),
          },
    jobs,
    failingJobs: jobs === undefined ? undefined : setOf(item.failingJobs).sort(),
    notifiedCount:
      item.notifiedCount === undefined
        ? undefined
        : { devices: num(item.notifiedCount), runId: str(item.notifiedRunId) },
  };
}
