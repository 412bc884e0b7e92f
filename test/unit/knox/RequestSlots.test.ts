import { describe, expect, it } from 'vitest';
import { type ReleaseSlot, RequestSlots } from '../../../lib/knox/RequestSlots';

/** Lets every promise callback queued so far run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('RequestSlots', () => {
  it('hands out at most `limit` slots; the next caller gets one when a slot is released', async () => {
    // Prepare
    const slots = new RequestSlots(2, 1);
    const granted: string[] = [];
    const enter = (name: string) =>
      slots.enter(0).then((release) => {
        granted.push(name);
        return release;
      });

    // Act
    const a = enter('a');
    const b = enter('b');
    const c = enter('c');
    await settle();
    const grantedBefore = [...granted];
    (await a)();
    await c;

    // Assess
    expect(grantedBefore).toEqual(['a', 'b']);
    expect(granted).toEqual(['a', 'b', 'c']);
    expect(await b).toBeTypeOf('function');
  });

  it('serves waiters by priority first, then in the order they asked', async () => {
    const slots = new RequestSlots(1, 3);
    const order: string[] = [];
    const first = await slots.enter(1);
    const waiters = (
      [
        ['poll-1', 2],
        ['submit-1', 1],
        ['poll-2', 2],
        ['retry-1', 0],
        ['submit-2', 1],
      ] as const
    ).map(([name, priority]) =>
      slots.enter(priority).then((release) => {
        order.push(name);
        release();
      }),
    );

    first();
    await Promise.all(waiters);

    expect(order).toEqual(['retry-1', 'submit-1', 'submit-2', 'poll-1', 'poll-2']);
  });

  it('passes a released slot straight to a waiter, so a later caller cannot overtake it', async () => {
    const slots = new RequestSlots(1, 1);
    const order: string[] = [];
    const held = await slots.enter(0);
    const waiter = slots.enter(0).then((release) => {
      order.push('waiter');
      return release;
    });

    const handedOver = held();
    const latecomer = slots.enter(0).then((release) => {
      order.push('latecomer');
      release();
    });
    (await waiter)();
    await latecomer;

    expect(handedOver).toBe(true);
    expect(order).toEqual(['waiter', 'latecomer']);
  });

  it('ignores a second release of the same slot (it would otherwise create a slot)', async () => {
    const slots = new RequestSlots(1, 1);
    const release = await slots.enter(0);
    expect(release()).toBe(false); // nobody waiting: back to the free count
    expect(release()).toBe(false);

    const one = await slots.enter(0);
    let secondGranted = false;
    const two = slots.enter(0).then((r) => {
      secondGranted = true;
      return r;
    });
    await settle();

    expect(secondGranted).toBe(false);
    one();
    (await two)();
  });

  it('a gate with a held slot uses it for its first request and queues for later ones', async () => {
    const slots = new RequestSlots(1, 2);
    const held = await slots.enter(1);
    const gate = slots.gate(0, { held, releaseOnArrival: true });

    const first = await gate.enter();
    let secondGranted: ReleaseSlot | undefined;
    const second = gate.enter().then((release) => {
      secondGranted = release;
      return release;
    });
    await settle();

    expect(first).toBe(held);
    expect(gate.releaseOnArrival).toBe(true);
    expect(secondGranted).toBeUndefined();
    first();
    expect(await second).toBe(secondGranted);
  });

  it('refuses a limit below 1 and an unknown priority', () => {
    expect(() => new RequestSlots(0, 1)).toThrow(RangeError);
    expect(() => new RequestSlots(1, 1).enter(1)).toThrow(RangeError);
  });
});
