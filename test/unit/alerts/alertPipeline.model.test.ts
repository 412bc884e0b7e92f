// Model-based test of the alert pipeline (fast-check model-based commands): random schedules of
// new runs, Lambda async redeliveries, crashes (after a claim, after SNS took the message but
// before the sent marker, inside PublishBatch), failed state writes, failed and partly failed
// publishes and lease expiry, driven against the in-memory AlertStateStore (the DynamoDB store's
// twin, test/integration/alerts/alertStateStore.contract.test.ts) and a fake SNS publisher.
// Invariants: no message of a group's episode is sent twice, none is lost once the faults stop
// and every failed invocation's retry has run, and every count a message tells is exact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertStateStore } from '../../../lib/alerts/AlertStateStore';
import { type AlertPipeline, createAlertPipeline } from '../../../lib/alerts/createAlertPipeline';
import { createMemoryAlertStateStore } from '../../../lib/alerts/createMemoryAlertStateStore';
import { AlertError, AlertPublishError, AlertStateError } from '../../../lib/alerts/errors';
import { loadAlertRules } from '../../../lib/alerts/loadAlertRules';
import type { AlertMessage, AlertPublisher, RunObservation } from '../../../lib/alerts/types';
import { failures, T0 } from '../../helpers/awsAlerts';

// Two per-device codes, so one invocation can fire one group and resolve another in one publish.
const CODES = ['DEVICE_NOT_FOUND', 'DEVICE_STATE_INVALID'] as const;
const JOBS = ['lock', 'unlock'] as const;
const GROUPS = JOBS.flatMap((job) => CODES.map((codeName) => ({ stage: 'prod', job, codeName })));
const SECOND = 1_000;
// Per-device code as an alert; no reminders within a schedule, resolved at the first clean chunk.
const RULES = loadAlertRules({
  defaults: { repeatInterval: '1000h', resolveAfter: 0 },
  codes: Object.fromEntries(CODES.map((code) => [code, { action: 'alert' }])),
});
const LEASE = RULES.defaults.claimLease;

/** The process of an invocation ended here (a Lambda crash or timeout): nothing after it runs. */
class CrashError extends Error {
  constructor() {
    super('invocation crashed');
    this.name = 'CrashError';
  }
}

/** A fault the next invocation meets. */
type Fault =
  | { readonly kind: 'crashAfterClaim' }
  | { readonly kind: 'crashAfterPublish' }
  | { readonly kind: 'crashInPublish' }
  | { readonly kind: 'storeWriteFails'; readonly nth: number }
  | { readonly kind: 'publishFails' }
  | { readonly kind: 'publishPartly' };

interface Delivery {
  readonly job: string;
  readonly code: string;
  readonly kind: string;
  /** The episode (the group's `firstSeenAt`) the message was published under. */
  readonly episode: number;
  readonly runId: string;
  readonly count: number | undefined;
}

/** One Lambda event: a chunk of a run, delivered and redelivered as is. */
interface Event {
  readonly observation: RunObservation;
  /** Invocations of it that failed and whose retry (Lambda retries each failed one) has not succeeded. */
  owed: number;
}

const WRITES = new Set<keyof AlertStateStore>([
  'recordFailures',
  'clearJob',
  'claim',
  'markPublishing',
  'settleUnconfirmed',
  'release',
  'markNotified',
  'markResolved',
  'recordDigest',
  'claimDigest',
  'markDigestSent',
  'markDigestPublishing',
  'releaseDigest',
]);

/** The real system: one pipeline over a faulty view of one memory store, a fake SNS, a clock. */
class World {
  now = T0;
  readonly raw = createMemoryAlertStateStore();
  readonly delivered: Delivery[] = [];
  /** Messages whose publish had an unknown outcome and did not reach SNS (settled as sent by design). */
  readonly swallowed: Delivery[] = [];
  readonly events: Event[] = [];
  /** Chunk counts per run, for the count invariant. */
  readonly runs = new Map<string, readonly number[]>();
  armed: Fault | undefined;
  private current: Fault | undefined;
  private crashed = false;
  private writes = 0;
  private tokens = 0;
  readonly pipeline: AlertPipeline;

  constructor() {
    const store = new Proxy(this.raw, {
      get: (target, name: keyof AlertStateStore) => {
        const method = target[name] as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          if (this.crashed) throw new CrashError();
          if (WRITES.has(name)) {
            this.writes += 1;
            if (this.current?.kind === 'storeWriteFails' && this.current.nth === this.writes) {
              throw new AlertStateError(`injected failure of ${String(name)}`);
            }
          }
          const answer = await method.apply(target, args);
          if (
            (name === 'claim' || name === 'claimDigest') &&
            answer === true &&
            this.current?.kind === 'crashAfterClaim'
          ) {
            this.crashed = true;
          }
          return answer;
        };
      },
    });
    const publisher: AlertPublisher = {
      publish: async (messages) => {
        if (this.crashed) throw new CrashError();
        const fault = this.current?.kind;
        if (fault === 'publishFails') {
          throw new AlertPublishError(
            'injected',
            messages.map((m) => m.id),
            [],
          );
        }
        if (fault === 'crashInPublish') {
          for (const message of messages) this.swallowed.push(await this.describe(message));
          this.crashed = true;
          throw new CrashError();
        }
        const [first, ...rest] = messages;
        const sent = fault === 'publishPartly' && first ? [first] : messages;
        for (const message of sent) this.delivered.push(await this.describe(message));
        if (fault === 'crashAfterPublish') {
          this.crashed = true;
          throw new CrashError();
        }
        if (fault === 'publishPartly' && rest.length > 0) {
          throw new AlertPublishError(
            'injected',
            rest.map((m) => m.id),
            sent.map((m) => m.id),
          );
        }
      },
    };
    this.pipeline = createAlertPipeline({
      rules: RULES,
      store,
      publisher,
      clock: { now: () => this.now },
      newToken: () => `t${++this.tokens}`,
      sleep: async () => {},
    });
  }

  /** What a message tells, with the episode it was published under (read from the store as SNS takes it). */
  private async describe(message: AlertMessage): Promise<Delivery> {
    const { job, kind, code } = message.attributes;
    const state = await this.raw.getGroup({ stage: 'prod', job, codeName: code });
    const count = /: ([\d,]+)\+? devices?\b/.exec(message.subject)?.[1];
    return {
      job,
      code,
      kind,
      episode: state?.firstSeenAt ?? -1,
      runId: state?.runId ?? '',
      count: count === undefined ? undefined : Number(count.replaceAll(',', '')),
    };
  }

  /**
   * One invocation of the worker for `event` (`retry`: Lambda's retry of a failed one); a failed
   * invocation is owed a retry, whether or not a duplicate delivery of the event succeeded.
   */
  async invoke(event: Event, retry = false): Promise<void> {
    if (retry) event.owed -= 1;
    this.current = this.armed;
    this.armed = undefined;
    this.crashed = false;
    this.writes = 0;
    try {
      await this.pipeline.process(event.observation);
    } catch (error) {
      // What an invocation may end with: a crash, or an error the Lambda retry answers.
      if (!(error instanceof CrashError || error instanceof AlertError)) throw error;
      event.owed += 1;
    } finally {
      this.current = undefined;
      this.crashed = false;
    }
  }

  newRun(job: string, counts: readonly number[], codes: readonly (typeof CODES)[number][]): Event[] {
    const clean = codes.length === 0;
    const runId = `r${this.runs.size + 1}`;
    this.runs.set(runId, clean ? [] : counts);
    return counts.map((count, chunk) => {
      const event: Event = {
        observation: {
          stage: 'prod',
          job,
          runId,
          failures: codes.flatMap((code) => failures(code, count, chunk * 100)),
          successes: clean ? count : 3,
          contribution: `${chunk}.1`,
          inProgress: counts.length > 1,
        },
        owed: 0,
      };
      this.events.push(event);
      return event;
    });
  }
}

/** Checked after every command: no episode's message twice, every told count a sum of distinct chunks. */
function checkSafety(world: World): void {
  const seen = new Set<string>();
  for (const delivery of world.delivered) {
    const id = `${delivery.job}/${delivery.code}/${delivery.episode}/${delivery.kind}`;
    expect(seen.has(id), `sent twice: ${id}`).toBe(false);
    seen.add(id);
    expect(['firing', 'resolved']).toContain(delivery.kind);
    if (delivery.kind === 'firing') {
      const chunks = world.runs.get(delivery.runId) ?? [];
      const sums = new Set<number>();
      for (let mask = 1; mask < 1 << chunks.length; mask += 1) {
        sums.add(chunks.reduce((sum, count, index) => ((mask >> index) & 1 ? sum + count : sum), 0));
      }
      expect(sums, `count ${delivery.count} of ${delivery.runId} (${chunks})`).toContain(delivery.count);
    }
  }
}

/** The faults stop; every invocation that failed is retried (after its claims lapse) until it succeeds. */
async function drain(world: World, events = world.events): Promise<void> {
  world.armed = undefined;
  for (let round = 0; round < 5 && events.some((event) => event.owed > 0); round += 1) {
    world.now += LEASE + SECOND;
    for (const event of events) while (event.owed > 0) await world.invoke(event, true);
  }
  expect(events.every((event) => event.owed === 0)).toBe(true);
}

/** Checked at the end: nothing lost. */
async function checkLiveness(world: World): Promise<void> {
  await drain(world);
  const told = (key: { job: string; codeName: string }, episode: number, kind: string) =>
    [...world.delivered, ...world.swallowed].some(
      (d) => d.job === key.job && d.code === key.codeName && d.episode === episode && d.kind === kind,
    );
  for (const key of GROUPS) {
    const state = await world.raw.getGroup(key);
    if (state?.status === 'active') {
      const lost = `firing of ${key.job}/${key.codeName} episode ${state.firstSeenAt} lost`;
      expect(told(key, state.firstSeenAt, 'firing'), lost).toBe(true);
    }
  }
  // Every open condition clears: its resolved message goes out once for each episode admins were told of.
  world.now += 3_600_000;
  const clean = JOBS.flatMap((job) => world.newRun(job, [5], []));
  for (const event of clean) await world.invoke(event);
  await drain(world, clean);
  for (const key of GROUPS) {
    const state = await world.raw.getGroup(key);
    if (state) expect(state.status).toBe('resolved');
    const fired = world.delivered.filter(
      (d) => d.job === key.job && d.code === key.codeName && d.kind === 'firing',
    );
    for (const episode of new Set(fired.map((d) => d.episode))) {
      const lost = `resolved of ${key.job}/${key.codeName} episode ${episode} lost`;
      expect(told(key, episode, 'resolved'), lost).toBe(true);
    }
  }
  checkSafety(world);
}

type Model = { events: number };
type Command = fc.AsyncCommand<Model, World>;

const newRun = fc
  .record({
    job: fc.constantFrom(...JOBS),
    codes: fc.subarray([...CODES]),
    counts: fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 4 })),
      fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(10, 20, 30)),
    ),
  })
  .map(
    ({ job, codes, counts }): Command => ({
      check: () => true,
      async run(model, world) {
        const events = world.newRun(job, counts, codes);
        model.events += events.length;
        for (const event of events) await world.invoke(event);
        checkSafety(world);
      },
      toString: () => `newRun(${job}, [${codes}], [${counts}])`,
    }),
  );

const redeliver = fc.nat().map(
  (pick): Command => ({
    check: (model) => model.events > 0,
    async run(_model, world) {
      const event = world.events[pick % world.events.length];
      if (event) await world.invoke(event);
      checkSafety(world);
    },
    toString: () => `redeliver(${pick})`,
  }),
);

const fault = fc
  .oneof(
    fc.constant<Fault>({ kind: 'crashAfterClaim' }),
    fc.constant<Fault>({ kind: 'crashAfterPublish' }),
    fc.constant<Fault>({ kind: 'crashInPublish' }),
    fc.integer({ min: 1, max: 6 }).map((nth): Fault => ({ kind: 'storeWriteFails', nth })),
    fc.constant<Fault>({ kind: 'publishFails' }),
    fc.constant<Fault>({ kind: 'publishPartly' }),
  )
  .map(
    (armed): Command => ({
      check: () => true,
      async run(_model, world) {
        world.armed = armed;
      },
      toString: () => `fault(${JSON.stringify(armed)})`,
    }),
  );

const advance = fc.constantFrom(SECOND, 30 * SECOND, LEASE + SECOND, 10 * 60 * SECOND).map(
  (ms): Command => ({
    check: () => true,
    async run(_model, world) {
      world.now += ms;
    },
    toString: () => `advance(${ms})`,
  }),
);

async function runSchedule(commands: Iterable<Command>): Promise<void> {
  const world = new World();
  await fc.asyncModelRun(() => ({ model: { events: 0 }, real: world }), commands);
  await checkLiveness(world);
}

describe('alert pipeline model: random schedules of faults and redeliveries', () => {
  it('sends every alert once, loses none once faults stop, and tells exact counts (short schedules)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands([newRun, redeliver, fault, advance], { maxCommands: 8 }), runSchedule),
      { numRuns: 6_000 },
    );
  });

  it('the same over longer schedules', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands([newRun, redeliver, fault, advance], { maxCommands: 24 }), runSchedule),
      { numRuns: 4_000 },
    );
  });
});
