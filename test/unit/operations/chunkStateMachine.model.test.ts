// Model-based test of the chunk state machine (issue 15 item 3): fast-check commands drive a run's
// chunks through random schedules of deliveries and redeliveries, crashes, failed idempotency
// writes, Knox answers (success, already locked, 429/503, lost answers, NOT_FINISHED then done,
// split transactions, deadlines), duplicates and DLQ redrives, over the real lib code
// (executeChunk, planFollowUp, failedDevices, Powertools' makeIdempotent) and in-memory fakes at
// its ports (test/helpers/chunkWorkerModel.ts). Then the schedule is drained with a healthy Knox,
// and again after a DLQ redrive, and the invariants are checked against Knox's per-device ledger.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChunkWorld,
  CrashPoint,
  type DeliveryFaults,
  KnoxAnswer,
  StoreFault,
} from '../../helpers/chunkWorkerModel';

// 10,000 schedules across the four properties (issue 15); MODEL_RUNS_FACTOR=20 flushes rare ones.
const FACTOR = Number(process.env.MODEL_RUNS_FACTOR ?? 1);
const RUNS = 2_500 * FACTOR;

const faultsArb: fc.Arbitrary<DeliveryFaults> = fc.record(
  {
    knox: fc.oneof(
      { weight: 4, arbitrary: fc.constant(KnoxAnswer.ok) },
      { weight: 1, arbitrary: fc.constantFrom(...Object.values(KnoxAnswer)) },
    ),
    crash: fc.constantFrom(...Object.values(CrashPoint)),
    store: fc.constantFrom(...Object.values(StoreFault)),
  },
  { requiredKeys: ['knox'] },
);

type Real = { world: ChunkWorld };

class Deliver implements fc.AsyncCommand<object, Real> {
  constructor(readonly faults: DeliveryFaults) {}
  check = () => true;
  async run(_model: object, { world }: Real) {
    await world.deliverNext(this.faults);
    assertNothingRunTwice(world);
  }
  toString = () => `deliver(${JSON.stringify(this.faults)})`;
}

/** Knox answers the same way for several deliveries in a row (down, throttling, slow). */
class Outage implements fc.AsyncCommand<object, Real> {
  constructor(
    readonly knox: KnoxAnswer,
    readonly deliveries: number,
  ) {}
  check = () => true;
  async run(_model: object, { world }: Real) {
    for (let delivery = 0; delivery < this.deliveries; delivery += 1) {
      await world.deliverNext({ knox: this.knox });
      assertNothingRunTwice(world);
    }
  }
  toString = () => `outage(${this.knox} x${this.deliveries})`;
}

class Duplicate implements fc.AsyncCommand<object, Real> {
  constructor(readonly index: number) {}
  check = () => true;
  async run(_model: object, { world }: Real) {
    world.duplicate(this.index);
  }
  toString = () => `duplicate(${this.index})`;
}

class Redrive implements fc.AsyncCommand<object, Real> {
  check = () => true;
  async run(_model: object, { world }: Real) {
    world.redrive();
  }
  toString = () => 'redrive';
}

const commandsArb = fc.commands(
  [
    faultsArb.map((faults) => new Deliver(faults)),
    fc
      .tuple(fc.constantFrom(...Object.values(KnoxAnswer)), fc.integer({ min: 2, max: 8 }))
      .map(([knox, deliveries]) => new Outage(knox, deliveries)),
    fc.nat(8).map((index) => new Duplicate(index)),
    fc.constant(new Redrive()),
  ],
  { maxCommands: 10 },
);

const worldArb = fc.record({
  devices: fc.integer({ min: 1, max: 6 }),
  chunkSize: fc.integer({ min: 1, max: 4 }),
  unlicensed: fc.uniqueArray(fc.nat(5), { maxLength: 2 }),
});

/** Delivers with a healthy Knox and store until the queue is empty. */
async function drain(world: ChunkWorld): Promise<void> {
  for (let step = 0; step < 500 && world.queue.length > 0; step += 1) {
    await world.deliverNext({ knox: KnoxAnswer.ok });
  }
  expect(world.queue).toEqual([]);
}

/**
 * Knox's ledger: no device applied twice, none even submitted again after it was applied, unless
 * the schedule exercised a documented known limit for that device (docs/reliability.md, Known
 * limits: the chunk's outcome was lost between Knox and the COMPLETED write, Knox's answer was
 * lost, a NOT_FINISHED device whose chunk carried no handle). There the weaker property holds:
 * an operation with a target state (lock) is still applied at most once, because Knox refuses it
 * as "already Locked"; sendMessage is at least once.
 */
function assertNothingRunTwice(world: ChunkWorld): void {
  const twice: string[] = [];
  for (const [deviceUid, entry] of world.knox.ledger) {
    const limit = entry.mayRepeat ? (world.knox.operation === 'lock' ? 'applied' : undefined) : 'submitted';
    if (limit === 'submitted' && (entry.applied > 1 || entry.afterApplied > 0)) twice.push(deviceUid);
    if (limit === 'applied' && entry.applied > 1) twice.push(deviceUid);
  }
  // One expect per call, not per device: this runs after every delivery of every schedule.
  if (twice.length > 0)
    expect(Object.fromEntries(twice.map((id) => [id, world.knox.ledger.get(id)]))).toEqual({});
}

/**
 * Every device has one terminal outcome (succeeded, a non-retryable code, or dead-lettered when
 * nothing else is recorded for it), it matches Knox's ledger, and the run's counts add up.
 */
function assertOutcomes(world: ChunkWorld, { dlqAllowed }: { dlqAllowed: boolean }): void {
  let succeeded = 0;
  let failed = 0;
  let deadLettered = 0;
  // Problems are collected and compared once (an expect per device per schedule is slow).
  const problems: { deviceUid: string; problem: string; outcomes: string[] }[] = [];
  for (const [deviceUid, outcomes] of world.outcomes()) {
    const terminal = outcomes.filter((outcome) => !outcome.startsWith('dead-lettered'));
    const entry = world.knox.entry(deviceUid);
    const report = (problem: string) => problems.push({ deviceUid, problem, outcomes });
    // Lost: neither a recorded result nor waiting in the DLQ. Twice: two recorded results. A
    // device whose chunk outcome was lost (a known limit, see assertNothingRunTwice) may be run
    // by two attempts: then its results must agree.
    const recorded = terminal.length > 0 ? terminal : outcomes.slice(0, 1);
    const kinds = entry.mayRepeat
      ? new Set(recorded.map((outcome) => outcome.split('@')[0])).size
      : recorded.length;
    if (kinds === 0) report('lost');
    if (kinds > 1) report('two outcomes');
    const outcome = recorded[0] ?? '';
    if (outcome.startsWith('succeeded')) {
      succeeded += 1;
      if (entry.applied < 1) report('reported succeeded, never applied');
    } else if (outcome.startsWith('LICENSE_IS_LACK')) {
      failed += 1;
      if (!world.knox.unlicensed.has(deviceUid) || entry.applied > 0) report('reported unlicensed wrongly');
    } else if (outcome.startsWith('dead-lettered')) {
      deadLettered += 1;
      if (!dlqAllowed) report('still dead-lettered after the redrive');
    } else if (outcome !== '') {
      report('unexpected outcome');
    }
  }
  expect(problems).toEqual([]);
  expect(succeeded + failed + deadLettered).toBe(world.devices.length);
}

/**
 * The run tracker counted each chunk's first attempt once, whatever was redelivered: its totals
 * are exactly the devices of the chunks it counted. A chunk whose first attempt was reported but
 * whose message went to the DLQ (the tracker write failed on its last receive) is counted by the
 * redrive, so the run is complete only after it.
 */
async function assertRunTotals(world: ChunkWorld, { complete }: { complete: boolean }): Promise<void> {
  const counted = world.tracker.counted(world.run);
  const totals = await world.tracker.totals(world.run);
  const devices = counted.reduce((sum, chunk) => sum + (world.chunks[chunk]?.length ?? 0), 0);
  expect(world.tracker.tallies).toBe(counted.length);
  expect((totals?.succeeded ?? 0) + (totals?.failed ?? 0)).toBe(devices);
  for (const chunk of counted) expect(world.reported.has(`chunk#${world.run.runId}#${chunk}#0`)).toBe(true);
  if (complete) {
    expect(devices).toBe(world.devices.length);
    expect(totals?.complete).toBe(true);
  }
}

// Steps every property's schedules must reach, so a generator change cannot make it vacuous.
const EXPECTED_EVENTS = [
  ...Object.values(CrashPoint).map((point) => `crash:${point}`),
  ...Object.values(StoreFault).map((fault) => `store:${fault}`),
  'in-progress',
  'executed',
  'replayed',
  'poll',
  'exhausted',
  'dead-lettered',
  'redriven',
  'extra-attempt',
  'known-limit',
];

function property(operation: 'lock' | 'sendMessage', seen: Map<string, number>) {
  return fc.asyncProperty(worldArb, commandsArb, async (shape, commands) => {
    const world = new ChunkWorld({ operation, ...shape });
    await world.tracker.queued(world.run, world.chunks.length);
    await fc.asyncModelRun(() => ({ model: {}, real: { world } }), commands);
    // Whatever the schedule left: drain it with a healthy Knox; what could not finish is in the DLQ.
    await drain(world);
    assertNothingRunTwice(world);
    assertOutcomes(world, { dlqAllowed: true });
    await assertRunTotals(world, { complete: false });
    // The operator redrives the DLQ once Knox is back: every device ends succeeded or refused.
    world.redrive();
    await drain(world);
    expect(world.dlq).toEqual([]);
    assertNothingRunTwice(world);
    assertOutcomes(world, { dlqAllowed: false });
    await assertRunTotals(world, { complete: true });
    for (const [event, count] of world.events) seen.set(event, (seen.get(event) ?? 0) + count);
    if ([...world.knox.ledger.values()].some((entry) => entry.mayRepeat)) {
      seen.set('known-limit', (seen.get('known-limit') ?? 0) + 1);
    }
  });
}

describe('chunk state machine (model-based: crashes, failed writes, Knox faults, redeliveries)', () => {
  // Four properties of RUNS schedules each (10,000 in all): each gets its own test timeout when
  // `npm test` runs every file at once on two vCPUs.
  for (const operation of ['lock', 'sendMessage'] as const) {
    for (const part of [1, 2]) {
      const claim =
        operation === 'lock'
          ? 'no device locked twice, none lost, counts exact'
          : 'no message shown twice outside the known limits, none lost, counts exact';
      it(
        `${operation} (${part}/2): ${RUNS} schedules, ${claim}`,
        async () => {
          const seen = new Map<string, number>();
          await fc.assert(property(operation, seen), { numRuns: RUNS });
          const expected =
            operation === 'lock' ? [...EXPECTED_EVENTS, 'already-in-target-state'] : EXPECTED_EVENTS;
          expect(expected.filter((event) => !seen.has(event))).toEqual([]);
        },
        30_000 * FACTOR,
      );
    }
  }
});

describe('chunk state machine: schedules the model found', () => {
  it('a chunk run twice after its COMPLETED write was lost queues a follow-up that runs, not one poisoned by the first run', async () => {
    // The lock property's shrunk counterexample: the first run hits the deadline half-way (dev-0 locked,
    // dev-1 re-queued as attempt 1), its COMPLETED write fails every time and the invocation dies
    // before the message is deleted. dev-1's follow-ups are throttled to exhaustion; the
    // redelivered chunk runs again (its record stayed INPROGRESS) and Knox answers with a split
    // transaction, so attempt 1 is queued a second time, now for both devices. Under one key per
    // attempt that message found dev-1's stored outcome: ChunkOutcomeMismatchError on every
    // receive, and even after a redrive.
    const world = new ChunkWorld({ operation: 'lock', devices: 2, chunkSize: 2, unlicensed: [] });
    await world.tracker.queued(world.run, 1);
    await world.deliverNext({
      knox: KnoxAnswer.deadline,
      crash: CrashPoint.afterFollowUp,
      store: StoreFault.completedAlways,
    });
    for (const knox of [KnoxAnswer.throttled, KnoxAnswer.throttled, KnoxAnswer.split, KnoxAnswer.split]) {
      await world.deliverNext({ knox });
    }
    const attempt1 = world.queue.filter(({ body }) => body.attempt === 1).map(({ body }) => body.deviceUids);
    expect(attempt1).toEqual([['dev-0', 'dev-1']]);
    await drain(world);
    world.redrive();
    await drain(world);
    expect(world.dlq).toEqual([]);
    expect(world.events.get('failed') ?? 0).toBe(world.events.get('exhausted') ?? 0);
    assertNothingRunTwice(world);
    assertOutcomes(world, { dlqAllowed: false });
    expect([...world.knox.ledger].map(([id, entry]) => [id, entry.applied])).toEqual([
      ['dev-0', 1],
      ['dev-1', 1],
    ]);
  });
});

describe('chunk state machine: the run tracker across the DLQ', () => {
  it('a chunk reported but not counted before its message went to the DLQ is counted once by the redrive', async () => {
    // From the 20x run (MODEL_RUNS_FACTOR=20): five receives fail, the last after the outcome was
    // stored and reported but with the run tracker down, so the message is dead-lettered uncounted.
    const world = new ChunkWorld({ operation: 'lock', devices: 1, chunkSize: 1, unlicensed: [] });
    await world.tracker.queued(world.run, 1);
    const faults: DeliveryFaults[] = [
      { knox: KnoxAnswer.ok, crash: CrashPoint.afterKnox },
      { knox: KnoxAnswer.ok, store: StoreFault.inProgress },
      { knox: KnoxAnswer.ok, crash: CrashPoint.afterKnox },
      { knox: KnoxAnswer.ok, crash: CrashPoint.afterKnox },
      { knox: KnoxAnswer.ok, store: StoreFault.tracker },
      { knox: KnoxAnswer.ok },
    ];
    for (const fault of faults) await world.deliverNext(fault);
    expect(world.dlq).toHaveLength(1);
    expect(world.tracker.counted(world.run)).toEqual([]);
    await assertRunTotals(world, { complete: false });
    world.redrive();
    await drain(world);
    await assertRunTotals(world, { complete: true });
    expect(world.knox.entry('dev-0')).toMatchObject({ applied: 1 });
  });
});

describe('chunk state machine: known limits, as they stand', () => {
  it('follow-up attempts report one device under each code it failed with (docs/reliability.md, Known limits)', async () => {
    // dev-0 has no licence: attempt 0 is throttled (429), attempt 1 refused LICENSE_IS_LACK. Each
    // attempt is its own contribution to the alert pipeline, so the run's groups count the one
    // device under both codes; the run tracker counts first attempts only (the 429).
    const world = new ChunkWorld({ operation: 'lock', devices: 1, chunkSize: 1, unlicensed: [0] });
    await world.tracker.queued(world.run, 1);
    await world.deliverNext({ knox: KnoxAnswer.throttled });
    await world.deliverNext({ knox: KnoxAnswer.ok });
    const byContribution = world.observations.map(({ contribution, failures }) => [
      contribution,
      failures.map(({ error }) => error.codeName),
    ]);
    expect(byContribution).toEqual([
      ['0.0', ['TOO_MANY_REQUESTS']],
      ['0.1', ['LICENSE_IS_LACK']],
    ]);
    expect((await world.tracker.totals(world.run))?.failuresByCode).toEqual({ TOO_MANY_REQUESTS: 1 });
    expect([...world.outcomes()]).toEqual([['dev-0', ['LICENSE_IS_LACK@1']]]);
  });
});
