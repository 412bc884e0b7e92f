// One contract for every AlertStateStore: the DynamoDB store on dynalite (real SDK client,
// conditional writes as DynamoDB has them) and the in-memory store answer the same, case by case
// and over random sequences of calls, so the memory store the model tests drive cannot drift.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStateStore, ClaimGuard } from '../../../lib/alerts/AlertStateStore';
import { AlertKind } from '../../../lib/alerts/constants';
import { createDynamoAlertStateStore } from '../../../lib/alerts/createDynamoAlertStateStore';
import { createMemoryAlertStateStore } from '../../../lib/alerts/createMemoryAlertStateStore';
import type { DigestEntry } from '../../../lib/alerts/renderDigest';
import type { AlertFailureInfo, GroupKey } from '../../../lib/alerts/types';
import { createAlertStateTable, type LocalAws, startLocalAws } from '../../../local/aws';
import { HOUR, MINUTE, T0 } from '../../helpers/awsAlerts';

let local: LocalAws;
let dynamo: DynamoDBClient;
const TABLE = 'alert-state-contract';
let stages = 0;

beforeAll(async () => {
  local = await startLocalAws({ dynamodbOnly: true });
  dynamo = new DynamoDBClient(local.clientConfig('dynamodb'));
  await createAlertStateTable(local, TABLE);
});
afterAll(async () => {
  dynamo.destroy();
  await local?.close();
});

const FAILURE: AlertFailureInfo = {
  code: '4011001',
  codeName: 'LICENSE_IS_LACK',
  httpStatus: 403,
  reason: 'licence lacking',
  description: 'The tenant has no licence left.',
  category: 'license',
  severity: 'critical',
  remediation: 'Buy seats.',
  actor: 'admin',
} as AlertFailureInfo;
const SEC_TTL = (now: number) => Math.floor((now + 24 * HOUR) / 1000);

/** A fresh stage per test (every key includes it), so tests share one table yet never each other's items. */
const stores: readonly [string, () => { store: AlertStateStore; stage: string }][] = [
  ['memory', () => ({ store: createMemoryAlertStateStore(), stage: `s${++stages}` })],
  [
    'dynamodb (dynalite)',
    () => ({
      store: createDynamoAlertStateStore({ client: dynamo, tableName: TABLE }),
      stage: `s${++stages}`,
    }),
  ],
];

function record(
  store: AlertStateStore,
  key: GroupKey,
  over: Partial<Parameters<AlertStateStore['recordFailures']>[0]> = {},
) {
  const now = over.now ?? T0;
  return store.recordFailures({
    key,
    code: FAILURE.code,
    runId: 'run-1',
    count: 3,
    samples: ['35******0001'],
    failure: FAILURE,
    now,
    expiresAt: SEC_TTL(now),
    ...over,
  });
}

const notifyGuard = (firstSeenAt: number, lastNotifiedAt?: number): ClaimGuard => ({
  kind: 'notify',
  firstSeenAt,
  lastNotifiedAt,
});

describe.each(stores)('AlertStateStore contract: %s', (_name, make) => {
  it('counts a contribution of a run once, adds a new run afresh, and opens a new episode after resolve', async () => {
    const { store, stage } = make();
    const key = { stage, job: 'lock', codeName: FAILURE.codeName };
    await record(store, key, { contribution: '0.1' });
    await record(store, key, { contribution: '0.1', now: T0 + 1 });
    const same = await record(store, key, { contribution: '1.1', count: 2, now: T0 + 2 });
    expect(same).toMatchObject({
      runCount: 5,
      failures: 5,
      firstSeenAt: T0,
      lastSeenAt: T0 + 2,
      status: 'active',
    });
    const next = await record(store, key, { runId: 'run-2', count: 4, now: T0 + 3 });
    expect(next).toMatchObject({ runId: 'run-2', runCount: 4, failures: 9, firstSeenAt: T0 });
    expect(await store.listActive(stage)).toEqual([
      { stage, job: 'lock', codeName: key.codeName, code: FAILURE.code },
    ]);

    expect(
      await store.claim(key, {
        token: 't',
        now: T0 + 4,
        until: T0 + MINUTE,
        guard: { kind: 'resolve', lastSeenAt: T0 + 3 },
      }),
    ).toBe(true);
    expect(
      await store.markResolved(key, { token: 't', now: T0 + 5, notified: true, expiresAt: SEC_TTL(T0) }),
    ).toBe(true);
    expect(await store.getGroup(key)).toMatchObject({
      status: 'resolved',
      resolvedAt: T0 + 5,
      notifications: 1,
      notifiedKind: 'resolved',
    });
    expect(await store.listActive(stage)).toEqual([]);
    const episode = await record(store, key, { runId: 'run-3', now: T0 + 6 });
    expect(episode).toMatchObject({
      status: 'active',
      firstSeenAt: T0 + 6,
      notifications: 0,
      runCount: 3,
      failures: 3,
    });
    expect(episode.lastNotifiedAt).toBeUndefined();
    expect(episode.resolvedAt).toBeUndefined();
  });

  it('an expired group counts as absent: the next failure starts a new episode', async () => {
    const { store, stage } = make();
    const key = { stage, job: 'lock', codeName: FAILURE.codeName };
    await record(store, key, { expiresAt: Math.floor(T0 / 1000) + 1 });
    const later = await record(store, key, { now: T0 + 2_000 });
    expect(later).toMatchObject({ firstSeenAt: T0 + 2_000, runCount: 3, failures: 3 });
  });

  it('tenant-wide groups keep the jobs that saw them; clearJob removes one that succeeds again', async () => {
    const { store, stage } = make();
    const key = { stage, job: '*', codeName: FAILURE.codeName };
    await record(store, key, { observedJob: 'lock' });
    expect(await record(store, key, { observedJob: 'unlock', contribution: 'x' })).toMatchObject({
      jobs: ['lock', 'unlock'],
      failingJobs: ['lock', 'unlock'],
    });
    expect(await store.clearJob(key, 'lock')).toMatchObject({ failingJobs: ['unlock'] });
    expect(await store.clearJob(key, 'unlock')).toMatchObject({ jobs: ['lock', 'unlock'], failingJobs: [] });
    expect(await store.clearJob({ ...key, codeName: 'NOPE' }, 'lock')).toBeUndefined();
  });

  it('one claim wins; a lapsed one is taken over unless its publish began, which settles as sent', async () => {
    const { store, stage } = make();
    const key = { stage, job: 'lock', codeName: FAILURE.codeName };
    await record(store, key);
    const claim = (token: string, now: number) =>
      store.claim(key, { token, now, until: now + MINUTE, guard: notifyGuard(T0) });
    expect(await claim('a', T0)).toBe(true);
    expect(await claim('b', T0 + 1)).toBe(false);
    expect(await store.markPublishing(key, { token: 'b', now: T0 + 2, kind: AlertKind.firing })).toBe(false);
    expect(await claim('c', T0 + MINUTE)).toBe(true);
    expect(await store.markPublishing(key, { token: 'a', now: T0 + MINUTE, kind: AlertKind.firing })).toBe(
      false,
    );
    expect(
      await store.markPublishing(key, { token: 'c', now: T0 + MINUTE + 1, kind: AlertKind.firing }),
    ).toBe(true);
    expect(await claim('d', T0 + 3 * MINUTE)).toBe(false);
    expect((await store.getGroup(key))?.publishing).toEqual({
      at: T0 + MINUTE + 1,
      kind: 'firing',
      token: 'c',
    });
    expect(
      await store.settleUnconfirmed(key, { token: 'x', now: T0 + 3 * MINUTE, expiresAt: SEC_TTL(T0) }),
    ).toBe(false);
    expect(
      await store.settleUnconfirmed(key, { token: 'c', now: T0 + MINUTE + 2, expiresAt: SEC_TTL(T0) }),
    ).toBe(false);
    expect(
      await store.settleUnconfirmed(key, { token: 'c', now: T0 + 3 * MINUTE, expiresAt: SEC_TTL(T0) }),
    ).toBe(true);
    const settled = await store.getGroup(key);
    expect(settled).toMatchObject({
      lastNotifiedAt: T0 + MINUTE + 1,
      notifiedKind: 'firing',
      notifications: 1,
    });
    expect(settled?.publishing).toBeUndefined();
    expect(settled?.claimUntil).toBeUndefined();
    // The guard: a claim read before the notification no longer holds.
    expect(await claim('e', T0 + 4 * MINUTE)).toBe(false);
    expect(
      await store.claim(key, {
        token: 'e',
        now: T0 + 4 * MINUTE,
        until: T0 + 5 * MINUTE,
        guard: notifyGuard(T0, T0 + MINUTE + 1),
      }),
    ).toBe(true);
  });

  it('release gives a claim back only to its holder; markNotified records the count told', async () => {
    const { store, stage } = make();
    const key = { stage, job: 'lock', codeName: FAILURE.codeName };
    await record(store, key);
    await store.claim(key, { token: 'a', now: T0, until: T0 + MINUTE, guard: notifyGuard(T0) });
    await store.release(key, 'b');
    expect((await store.getGroup(key))?.claimUntil).toBe(T0 + MINUTE);
    await store.markPublishing(key, { token: 'a', now: T0, kind: AlertKind.firing });
    await store.release(key, 'a');
    expect(await store.getGroup(key)).toMatchObject({ claimUntil: undefined, publishing: undefined });
    await store.claim(key, { token: 'b', now: T0 + 1, until: T0 + MINUTE, guard: notifyGuard(T0) });
    expect(
      await store.markNotified(key, {
        token: 'a',
        now: T0 + 2,
        kind: AlertKind.firing,
        expiresAt: SEC_TTL(T0),
      }),
    ).toBe(false);
    expect(
      await store.markNotified(key, {
        token: 'b',
        now: T0 + 2,
        kind: AlertKind.firing,
        expiresAt: SEC_TTL(T0),
        count: { devices: 3, runId: 'run-1' },
      }),
    ).toBe(true);
    expect(await store.getGroup(key)).toMatchObject({
      lastNotifiedAt: T0 + 2,
      notifications: 1,
      notifiedCount: { devices: 3, runId: 'run-1' },
      claimUntil: undefined,
    });
  });

  it('a resolve whose publish outcome was lost settles as resolved and leaves the index', async () => {
    const { store, stage } = make();
    const key = { stage, job: 'lock', codeName: FAILURE.codeName };
    await record(store, key);
    await store.claim(key, {
      token: 'r',
      now: T0 + 1,
      until: T0 + MINUTE,
      guard: { kind: 'resolve', lastSeenAt: T0 },
    });
    await store.markPublishing(key, { token: 'r', now: T0 + 2, kind: AlertKind.resolved });
    expect(
      await store.settleUnconfirmed(key, { token: 'r', now: T0 + 2 * MINUTE, expiresAt: SEC_TTL(T0) }),
    ).toBe(true);
    expect(await store.getGroup(key)).toMatchObject({
      status: 'resolved',
      resolvedAt: T0 + 2,
      notifications: 1,
    });
    expect(await store.listActive(stage)).toEqual([]);
  });

  it('digests count each contribution once, name the previous run, and are claimed and marked once', async () => {
    const { store, stage } = make();
    const entry = (codeName: string, count: number): DigestEntry => ({
      code: '1',
      codeName,
      description: 'd',
      remediation: 'r',
      count,
      samples: [],
    });
    const digest = (runId: string, contribution: string, entries: DigestEntry[], now = T0) =>
      store.recordDigest({ stage, job: 'lock', runId, contribution, entries, now, expiresAt: SEC_TTL(now) });
    expect(await digest('run-1', '0.1', [entry('A', 2), entry('B', 1)])).toEqual({
      previousRunId: undefined,
    });
    expect(await digest('run-1', '0.1', [entry('A', 2)], T0 + 1)).toEqual({ previousRunId: undefined });
    await digest('run-1', '1.1', [entry('A', 5)], T0 + 2);
    const stored = await store.getDigest(stage, 'lock', 'run-1');
    expect(stored?.firstSeenAt).toBe(T0);
    expect([...(stored?.entries ?? [])].sort((a, b) => a.codeName.localeCompare(b.codeName))).toMatchObject([
      { codeName: 'A', count: 7 },
      { codeName: 'B', count: 1 },
    ]);
    expect(await digest('run-2', '0.1', [entry('A', 1)], T0 + 3)).toEqual({ previousRunId: 'run-1' });
    expect(await store.getDigest(stage, 'lock', 'run-9')).toBeUndefined();
    expect(await store.claimDigest(stage, 'lock', 'run-9', { token: 'a', now: T0, until: T0 + MINUTE })).toBe(
      false,
    );

    const claim = (token: string, now: number) =>
      store.claimDigest(stage, 'lock', 'run-1', { token, now, until: now + MINUTE });
    expect(await claim('a', T0)).toBe(true);
    expect(await claim('b', T0 + 1)).toBe(false);
    await store.releaseDigest(stage, 'lock', 'run-1', 'a');
    expect(await claim('b', T0 + 2)).toBe(true);
    expect(await store.markDigestPublishing(stage, 'lock', 'run-1', { token: 'a', now: T0 + 3 })).toBe(false);
    expect(await store.markDigestPublishing(stage, 'lock', 'run-1', { token: 'b', now: T0 + 3 })).toBe(true);
    expect(await claim('c', T0 + 2 * MINUTE)).toBe(false);
    expect(await store.markDigestSent(stage, 'lock', 'run-1', { token: 'b', now: T0 + 4 })).toBe(true);
    expect(await store.getDigest(stage, 'lock', 'run-1')).toMatchObject({
      sentAt: T0 + 4,
      publishingAt: undefined,
      claimUntil: undefined,
    });
    expect(await claim('d', T0 + 3 * MINUTE)).toBe(false);
  });

  it('acknowledge marks an open episode only', async () => {
    const { store, stage } = make();
    const key = { stage, job: 'lock', codeName: FAILURE.codeName };
    expect(await store.acknowledge(key, { now: T0, at: T0, by: 'ana' })).toBeUndefined();
    await record(store, key);
    expect(
      await store.acknowledge(key, { now: T0, at: T0, by: 'ana', comment: 'on it', until: T0 + HOUR }),
    ).toMatchObject({
      acknowledged: { at: T0, by: 'ana', comment: 'on it', until: T0 + HOUR },
    });
    expect((await store.acknowledge(key, { now: T0 + 1, at: T0 + 1, by: 'bo' }))?.acknowledged).toEqual({
      at: T0 + 1,
      by: 'bo',
      comment: undefined,
      until: undefined,
    });
  });
});

/** One call of the store, with arguments drawn small so calls collide on the same groups and tokens. */
type Call = (store: AlertStateStore, stage: string) => Promise<unknown>;

const token = fc.constantFrom('a', 'b', 'c');
const at = fc.integer({ min: 0, max: 6 }).map((minutes) => T0 + minutes * MINUTE);
const groupKey = fc
  .constantFrom('lock', '*')
  .map((job) => (stage: string) => ({ stage, job, codeName: FAILURE.codeName }));
const kind = fc.constantFrom(AlertKind.firing, AlertKind.reminder, AlertKind.update, AlertKind.resolved);

const call: fc.Arbitrary<[string, Call]> = fc.oneof(
  fc
    .tuple(
      groupKey,
      fc.constantFrom('run-1', 'run-2'),
      fc.option(fc.constantFrom('0.1', '1.1'), { nil: undefined }),
      at,
      fc.integer({ min: 1, max: 5 }),
      fc.boolean(),
    )
    .map(([key, runId, contribution, now, count, short]): [string, Call] => [
      `record ${runId} ${contribution} ${now - T0} ${count} ${short}`,
      (store, stage) =>
        record(store, key(stage), {
          runId,
          contribution,
          now,
          count,
          expiresAt: short ? Math.floor((now + 2 * MINUTE) / 1000) : SEC_TTL(now),
          observedJob: key(stage).job === '*' ? 'lock' : undefined,
        }),
    ]),
  fc
    .tuple(groupKey, token, at, fc.boolean(), fc.option(at, { nil: undefined }))
    .map(([key, tok, now, resolve, notifiedAt]): [string, Call] => [
      `claim ${tok} ${now - T0} ${resolve} ${notifiedAt}`,
      async (store, stage) => {
        const group = await store.getGroup(key(stage));
        return store.claim(key(stage), {
          token: tok,
          now,
          until: now + 2 * MINUTE,
          guard: resolve
            ? { kind: 'resolve', lastSeenAt: group?.lastSeenAt ?? T0 }
            : notifyGuard(group?.firstSeenAt ?? T0, notifiedAt ?? group?.lastNotifiedAt),
        });
      },
    ]),
  fc
    .tuple(groupKey, token, at, kind)
    .map(([key, tok, now, k]): [string, Call] => [
      `publishing ${tok} ${now - T0} ${k}`,
      (store, stage) => store.markPublishing(key(stage), { token: tok, now, kind: k }),
    ]),
  fc
    .tuple(groupKey, token, at)
    .map(([key, tok, now]): [string, Call] => [
      `settle ${tok} ${now - T0}`,
      (store, stage) => store.settleUnconfirmed(key(stage), { token: tok, now, expiresAt: SEC_TTL(now) }),
    ]),
  fc
    .tuple(groupKey, token)
    .map(([key, tok]): [string, Call] => [
      `release ${tok}`,
      (store, stage) => store.release(key(stage), tok),
    ]),
  fc.tuple(groupKey, token, at, kind, fc.boolean()).map(([key, tok, now, k, count]): [string, Call] => [
    `notified ${tok} ${now - T0} ${k} ${count}`,
    (store, stage) =>
      store.markNotified(key(stage), {
        token: tok,
        now,
        kind: k,
        expiresAt: SEC_TTL(now),
        count: count ? { devices: 4, runId: 'run-1' } : undefined,
      }),
  ]),
  fc
    .tuple(groupKey, token, at, fc.boolean())
    .map(([key, tok, now, notified]): [string, Call] => [
      `resolved ${tok} ${now - T0} ${notified}`,
      (store, stage) =>
        store.markResolved(key(stage), { token: tok, now, notified, expiresAt: SEC_TTL(now) }),
    ]),
  groupKey.map((key): [string, Call] => [`clearJob`, (store, stage) => store.clearJob(key(stage), 'lock')]),
  fc
    .tuple(groupKey, at)
    .map(([key, now]): [string, Call] => [
      `ack ${now - T0}`,
      (store, stage) => store.acknowledge(key(stage), { now, at: now, by: 'ana' }),
    ]),
);

describe('AlertStateStore contract: random call sequences', () => {
  it('the memory store answers every call as the DynamoDB store does, and ends in the same state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 12 }), async (calls) => {
        const memory = make(0);
        const table = make(1);
        for (const [, run] of calls) {
          const [left, right] = await Promise.all([
            run(memory.store, memory.stage),
            run(table.store, table.stage),
          ]);
          expect(normal(left, memory.stage)).toEqual(normal(right, table.stage));
        }
        for (const job of ['lock', '*']) {
          const key = (stage: string) => ({ stage, job, codeName: FAILURE.codeName });
          expect(normal(await memory.store.getGroup(key(memory.stage)), memory.stage)).toEqual(
            normal(await table.store.getGroup(key(table.stage)), table.stage),
          );
        }
        expect(normal(await memory.store.listActive(memory.stage), memory.stage)).toEqual(
          normal(await table.store.listActive(table.stage), table.stage),
        );
      }),
      { numRuns: 60 },
    );
  });
});

function make(index: number) {
  const entry = stores[index];
  if (!entry) throw new Error('no such store');
  return entry[1]();
}

/** A store's answer with its test's stage replaced, so answers of two stages compare. */
function normal(value: unknown, stage: string): unknown {
  return JSON.parse(JSON.stringify(value ?? null).replaceAll(`"${stage}"`, '"STAGE"'));
}
