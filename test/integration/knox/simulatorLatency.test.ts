// The simulator's latency model: `latencyMs` is a response time floor. The work is done when the
// request arrives (in slices, so concurrent bulk requests interleave) and the answer waits for the
// floor. The margins below are wide on purpose: they separate "on arrival" from "after the
// latency", they do not measure speed (the bench does).
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceResult } from '../../../lib/errors';
import { type KnoxTestBed, startKnoxTestBed } from '../../helpers/knoxTestKit';

let bed: KnoxTestBed | undefined;
afterEach(async () => {
  await bed?.sim.close();
  bed = undefined;
});

const lockParams = { message: 'Your payment is overdue.', tel: '+15550100' };
const codes = (results: readonly DeviceResult[]) => results.map((r) => (r.ok ? 'ok' : r.error.codeName));

describe('simulator latency', () => {
  it('does the work on arrival and answers no earlier than latencyMs later', async () => {
    // Prepare
    const latencyMs = 1000;
    bed = await startKnoxTestBed({ seed: 'empty' });
    const b = bed;
    const id = b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid;
    await b.client.whoAmI(); // the token, so the timed call is the lock alone
    b.sim.state.limits.latencyMs = latencyMs;

    // Act
    const started = performance.now();
    let answeredAt: number | undefined;
    const lock = b.client.execute('lock', [id], lockParams).then((outcome) => {
      answeredAt = performance.now() - started;
      return outcome;
    });
    let lockedAt: number | undefined;
    while (lockedAt === undefined && answeredAt === undefined) {
      if (b.sim.state.device(id)?.status === 'Locked') lockedAt = performance.now() - started;
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const outcome = await lock;

    // Assess: locked long before the answer; the answer not before the floor.
    expect(codes(outcome.results)).toEqual(['ok']);
    expect(lockedAt).toBeDefined();
    expect(lockedAt).toBeLessThan(latencyMs / 2);
    expect(answeredAt).toBeGreaterThanOrEqual(latencyMs - 5);
  });

  it('keeps concurrent bulk requests correct while their slices interleave', async () => {
    // Prepare: 3 chunks of 600 devices (more than one slice each), all in flight at once.
    bed = await startKnoxTestBed({ seed: 'empty', latencyMs: 20 }, { bulkLimit: 600, concurrency: 3 });
    const b = bed;
    const enrolled = Array.from(
      { length: 1500 },
      () => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid,
    );
    const completed = Array.from(
      { length: 300 },
      () => b.sim.state.addDevice({ status: 'Completed' }).deviceUid,
    );
    const ids = enrolled.flatMap((id, index) =>
      index % 5 === 0 ? [completed[index / 5] as string, id] : [id],
    );

    // Act
    const outcome = await b.client.execute('lock', ids, lockParams);

    // Assess
    const completedSet = new Set(completed);
    expect(codes(outcome.results)).toEqual(
      ids.map((id) => (completedSet.has(id) ? 'DEVICE_STATE_INVALID' : 'ok')),
    );
    expect(outcome.results.map((r) => r.requestedId)).toEqual(ids);
    for (const id of enrolled) expect(b.sim.state.device(id)?.status).toBe('Locked');
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/devices/lockAsync']).toBe(3);
  });
});
