import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readKnoxEventsMessage } from '../../../lib/webhooks';
import {
  KnoxEventsMessageError,
  KnoxEventTooLargeError,
  MAX_KNOX_EVENTS_MESSAGE_BYTES,
  packKnoxEvents,
} from '../../../lib/webhooks/knoxEventsMessage';
import { parseKnoxNotification } from '../../../lib/webhooks/parseKnoxNotification';

const header = { requestId: 'req-1', receivedAt: 1_800_000_000_000, nonce: 'nonce-1', traceId: 'trace-1' };

/** A callback body of `count` evidenced-shape events (~`pad` extra bytes each). */
function body(count: number, pad = 0) {
  return Array.from({ length: count }, (_, i) => ({
    subscriptionId: 'sub-1',
    event: 'KG_DEVICE_LOCKED',
    payload: {
      deviceUid: `35693803${String(i).padStart(7, '0')}`,
      deviceStatus: 'Locked',
      lastUpdatedAt: 1_800_000_000_000,
      note: 'x'.repeat(pad),
      ...(i % 7 === 0 ? { result: 'FAIL', error: { code: 4040300, message: 'DEVICE_NOT_FOUND' } } : {}),
    },
  }));
}

function parsed(json: unknown, context = { nonce: header.nonce, traceId: header.traceId }) {
  const result = parseKnoxNotification(json, context);
  if (!result.ok) throw new Error(result.issues.join('; '));
  return result;
}

describe('packKnoxEvents', () => {
  it('packs 1,000 events into as few messages as fit, each within the limit, every event once and in order', () => {
    const { records } = parsed(body(1000, 200));

    const bodies = packKnoxEvents(header, records);

    const sizes = bodies.map((text) => Buffer.byteLength(text));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_KNOX_EVENTS_MESSAGE_BYTES);
    expect(bodies.length).toBe(Math.ceil(sizes.reduce((a, b) => a + b, 0) / MAX_KNOX_EVENTS_MESSAGE_BYTES));
    const indexes = bodies.flatMap((text) => JSON.parse(text).events.map((e: { index: number }) => e.index));
    expect(indexes).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // Greedy: no message could have taken the next message's first event.
    for (let i = 0; i + 1 < bodies.length; i += 1) {
      const next = JSON.stringify(JSON.parse(bodies[i + 1] as string).events[0]);
      expect((sizes[i] as number) + 1 + Buffer.byteLength(next)).toBeGreaterThan(
        MAX_KNOX_EVENTS_MESSAGE_BYTES,
      );
    }
  });

  it('is one message for a small callback', () => {
    expect(packKnoxEvents(header, parsed(body(3)).records)).toHaveLength(1);
  });

  it('refuses an event that cannot fit a message even alone, naming it', () => {
    const { records } = parsed(body(2, MAX_KNOX_EVENTS_MESSAGE_BYTES));
    expect(() => packKnoxEvents(header, records)).toThrow(KnoxEventTooLargeError);
    try {
      packKnoxEvents(header, records);
    } catch (error) {
      expect(error).toMatchObject({ name: 'KnoxEventTooLargeError', index: 0 });
    }
  });

  it('any limit and any events: bodies within the limit, all events exactly once (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 700, max: 6000 }),
        (count, pad, limit) => {
          const { records } = parsed(body(count, pad));
          let bodies: string[];
          try {
            bodies = packKnoxEvents(header, records, limit);
          } catch (error) {
            // Only when one event alone is over the limit.
            expect(error).toBeInstanceOf(KnoxEventTooLargeError);
            return;
          }
          for (const text of bodies) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(limit);
          const total = bodies.flatMap((text) => JSON.parse(text).events).length;
          expect(total).toBe(count);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('readKnoxEventsMessage', () => {
  it('gives back the events with the ids and dedupe keys the webhook read', () => {
    const { events, records } = parsed(body(5));

    const read = packKnoxEvents(header, records).flatMap((text) => readKnoxEventsMessage(text).events);

    expect(read.map((e) => [e.eventId, e.dedupeKey, e.eventType, e.devices.length])).toEqual(
      events.map((e) => [e.eventId, e.dedupeKey, e.eventType, e.devices.length]),
    );
    expect(read[0]?.eventId).toBe('nonce-1#0');
    expect(read.filter((e) => e.devices.some((d) => !d.result.ok))).toHaveLength(1);
  });

  it('a single-event callback keeps the unsuffixed id', () => {
    const [text] = packKnoxEvents(header, parsed(body(1)).records);
    expect(readKnoxEventsMessage(text as string).events[0]?.eventId).toBe('nonce-1');
  });

  it.each([
    ['not JSON', '{'],
    ['another version', '{"v":2,"events":[]}'],
    ['no events', '{"v":1,"events":[]}'],
    ['events not a list', '{"v":1,"events":"no"}'],
    ['a bad entry', '{"v":1,"events":[{"index":3,"total":2,"record":{}}]}'],
    ['a record that is a list', '{"v":1,"events":[{"index":0,"total":1,"record":[]}]}'],
    ['null', 'null'],
  ])('refuses %s with KnoxEventsMessageError', (_name, text) => {
    expect(() => readKnoxEventsMessage(text)).toThrow(KnoxEventsMessageError);
  });
});
