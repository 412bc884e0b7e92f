import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KnoxEventType,
  parseKnoxEventRecord,
  parseKnoxNotification,
} from '../../../lib/webhooks/parseKnoxNotification';

const IMEI = '356938035643809';

describe('parseKnoxNotification', () => {
  it('reads a single-device event with id and time (Prepare / Act / Assess)', () => {
    const body = {
      eventType: 'KG_DEVICE_LOCKED',
      eventId: 'evt-1',
      timestamp: 1_800_000_000,
      deviceUid: IMEI,
      objectId: 'obj-1',
      result: 'SUCCESS',
    };

    const parsed = parseKnoxNotification(body);

    expect(parsed.ok).toBe(true);
    const [event] = parsed.ok ? parsed.events : [];
    expect(event).toMatchObject({
      eventType: KnoxEventType.deviceLocked,
      known: true,
      eventId: 'evt-1',
      eventIdDerived: false,
      occurredAt: '2027-01-15T08:00:00.000Z',
    });
    expect(event?.devices).toHaveLength(1);
    expect(event?.devices[0]).toMatchObject({
      deviceUid: IMEI,
      objectId: 'obj-1',
      result: { ok: true, requestedId: IMEI },
    });
  });

  it('reads the evidenced shape {subscriptionId, event, payload} and names the event by its nonce', () => {
    const body = {
      subscriptionId: 'sub-42',
      event: 'KG_DEVICE_LOCKED',
      payload: {
        deviceUid: IMEI,
        objectId: 'obj-9',
        deviceStatus: 'Locked',
        lastUpdatedAt: 1_800_000_000_000,
        tenantDomain: 'tenant.example.com',
      },
    };

    const parsed = parseKnoxNotification(body, { nonce: 'nonce-1', traceId: 'trace-1' });

    expect(parsed.ok).toBe(true);
    const [event] = parsed.ok ? parsed.events : [];
    expect(event).toMatchObject({
      eventType: KnoxEventType.deviceLocked,
      known: true,
      eventId: 'nonce-1',
      eventIdSource: 'x-knox-nonce',
      eventIdDerived: true,
      subscriptionId: 'sub-42',
      tenantDomain: 'tenant.example.com',
      occurredAt: '2027-01-15T08:00:00.000Z',
    });
    expect(event?.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(event?.devices).toEqual([
      expect.objectContaining({
        deviceUid: IMEI,
        objectId: 'obj-9',
        deviceStatus: 'Locked',
        result: expect.objectContaining({ ok: true, requestedId: IMEI }),
      }),
    ]);
  });

  it.each([
    ['imei', { imei: IMEI, knoxObjectId: 'k-1' }, IMEI, 'k-1'],
    ['imei2', { imei2: '490154203237518' }, '490154203237518', undefined],
    ['deviceUid over imei', { deviceUid: 'R58N12ABCDE', imei: IMEI }, 'R58N12ABCDE', undefined],
    ['objectId over knoxObjectId', { objectId: 'o-1', knoxObjectId: 'k-1' }, undefined, 'o-1'],
  ])('reads the device from %s', (_label, payload, deviceUid, objectId) => {
    const parsed = parseKnoxNotification({ event: 'KG_DEVICE_UNLOCKED', payload });
    const device = parsed.ok ? parsed.events[0]?.devices[0] : undefined;
    expect(device?.deviceUid).toBe(deviceUid);
    expect(device?.objectId).toBe(objectId);
  });

  it('prefers the body id, then x-knox-nonce, then x-wsm-traceid, then a content hash as event id', () => {
    const body = { event: 'KG_DEVICE_LOCKED', payload: { deviceUid: IMEI } };
    const idOf = (json: unknown, context: { nonce?: string; traceId?: string }) => {
      const parsed = parseKnoxNotification(json, context);
      return parsed.ok ? parsed.events.map((e) => [e.eventId, e.eventIdSource]) : [];
    };
    const hash = idOf(body, {})[0]?.[0];
    expect(hash).toMatch(/^sha256:/);
    expect(idOf({ ...body, eventId: 'evt-1' }, { nonce: 'n', traceId: 't' })).toEqual([['evt-1', 'body']]);
    expect(idOf(body, { nonce: 'n', traceId: 't' })).toEqual([['n', 'x-knox-nonce']]);
    expect(idOf(body, { traceId: 't' })).toEqual([['t', 'x-wsm-traceid']]);
    expect(idOf(body, {})).toEqual([[hash, 'content']]);
    // Several events in one callback share its headers: their ids stay apart.
    expect(idOf([body, { ...body, eventId: 'evt-2' }, body], { nonce: 'n' })).toEqual([
      ['n#0', 'x-knox-nonce'],
      ['evt-2', 'body'],
      ['n#2', 'x-knox-nonce'],
    ]);
  });

  it('keys dedupe by signed content, not by the headers', () => {
    const body = { event: 'KG_DEVICE_LOCKED', payload: { deviceUid: IMEI, lastUpdatedAt: 1 } };
    const keys = [{}, { nonce: 'a' }, { nonce: 'b', traceId: 'c' }].map((context) => {
      const parsed = parseKnoxNotification(body, context);
      return parsed.ok ? parsed.events[0]?.dedupeKey : undefined;
    });
    expect(new Set(keys).size).toBe(1);
    const later = parseKnoxNotification({ ...body, payload: { ...body.payload, lastUpdatedAt: 2 } });
    expect(later.ok && later.events[0]?.dedupeKey).not.toBe(keys[0]);
  });

  it('decodes per-device failures with the shared error library', () => {
    const body = {
      event: 'KG_DEVICE_UNLOCKED',
      data: {
        resultList: [
          { deviceUid: IMEI, result: 'SUCCESS' },
          {
            deviceUid: '490154203237518',
            result: 'FAIL',
            error: {
              code: 4000310,
              message: 'DEVICE_STATE_INVALID',
              reason: "Current status is 'Enrolled'.",
            },
          },
          {
            objectId: 'obj-3',
            result: 'FAIL',
            error: { code: '4001809', message: 'LICENSE_IS_LACK', reason: 'No licence' },
          },
          {
            objectId: 'obj-4',
            result: 'FAIL',
            error: { code: '4009999', message: 'SOMETHING_NEW', reason: 'new' },
          },
        ],
      },
    };
    const parsed = parseKnoxNotification(body);
    const devices = parsed.ok ? (parsed.events[0]?.devices ?? []) : [];
    expect(devices.map((d) => d.result.ok)).toEqual([true, false, false, false]);
    const errors = devices.map((d) => (d.result.ok ? undefined : d.result.error));
    expect(errors[1]).toMatchObject({
      code: '4000310',
      codeName: 'DEVICE_STATE_INVALID',
      scope: 'device',
      requestedId: '490154203237518',
    });
    expect(errors[2]).toMatchObject({
      code: '4001809',
      codeName: 'LICENSE_IS_LACK',
      category: 'license',
      requestedId: 'obj-3',
    });
    expect(errors[3]).toMatchObject({ code: '4009999', httpStatus: 400, known: false });
    expect(devices[2]?.objectId).toBe('obj-3');
  });

  it('derives a stable event id from the content when none is given, independent of key order', () => {
    const a = parseKnoxNotification({
      eventType: 'KG_DEVICE_ENROLLED',
      deviceUid: IMEI,
      extra: { b: 1, a: 2 },
    });
    const b = parseKnoxNotification({
      extra: { a: 2, b: 1 },
      deviceUid: IMEI,
      eventType: 'KG_DEVICE_ENROLLED',
    });
    const c = parseKnoxNotification({ eventType: 'KG_DEVICE_ENROLLED', deviceUid: '490154203237518' });
    const id = (p: typeof a) => (p.ok ? p.events[0]?.eventId : undefined);
    expect(id(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(id(a)).toBe(id(b));
    expect(id(a)).not.toBe(id(c));
    expect(a.ok && a.events[0]?.eventIdDerived).toBe(true);
  });

  it.each([
    [
      'ISO time',
      { eventType: 'KG_DEVICE_ENROLLED', eventTime: '2027-01-15T08:00:00Z' },
      '2027-01-15T08:00:00.000Z',
    ],
    [
      'milliseconds',
      { eventType: 'KG_DEVICE_ENROLLED', createdAt: 1_800_000_000_000 },
      '2027-01-15T08:00:00.000Z',
    ],
    ['seconds as text', { eventType: 'KG_DEVICE_ENROLLED', time: '1800000000' }, '2027-01-15T08:00:00.000Z'],
    [
      'payload.lastUpdatedAt',
      { event: 'KG_DEVICE_LOCKED', payload: { lastUpdatedAt: '2027-01-15T08:00:00Z' } },
      '2027-01-15T08:00:00.000Z',
    ],
    ['garbage', { eventType: 'KG_DEVICE_ENROLLED', timestamp: 'soon' }, undefined],
  ])('reads the event time from %s', (_label, body, expected) => {
    const parsed = parseKnoxNotification(body);
    expect(parsed.ok && parsed.events[0]?.occurredAt).toBe(expected ?? (parsed.ok ? undefined : false));
  });

  it('reads arrays of events and { events: [...] }', () => {
    const one = { eventType: 'KG_DEVICE_RELOCK_TIMESTAMP_APPLIED', id: 7 };
    for (const body of [[one, { ...one, id: 8 }], { events: [one, { ...one, id: 8 }] }]) {
      const parsed = parseKnoxNotification(body);
      expect(parsed.ok && parsed.events.map((e) => e.eventId)).toEqual(['7', '8']);
    }
  });

  it('keeps unknown event types, flagged, and ignores unknown fields', () => {
    const parsed = parseKnoxNotification({ type: 'KAI_BATTERY_STATUS', whatever: [1, 2, 3] });
    expect(parsed.ok && parsed.events[0]).toMatchObject({
      eventType: 'KAI_BATTERY_STATUS',
      known: false,
      devices: [],
    });
    const untyped = parseKnoxNotification({ foo: 'bar' });
    expect(untyped.ok && untyped.events[0]?.eventType).toBe('UNKNOWN');
  });

  it('decodes an event-level failure when no device is named', () => {
    const parsed = parseKnoxNotification({
      eventType: 'KG_DEVICE_LOCKED',
      result: 'FAIL',
      error: { code: 4030104, message: 'USER_BLOCKED_STATE', reason: 'blocked' },
    });
    expect(parsed.ok && parsed.events[0]?.error).toMatchObject({
      codeName: 'USER_BLOCKED_STATE',
      scope: 'tenant',
    });
  });

  it('marks a device entry of the wrong shape as a malformed result instead of throwing', () => {
    const parsed = parseKnoxNotification({
      eventType: 'KG_DEVICE_LOCKED',
      devices: ['oops', { deviceUid: IMEI, result: 'MAYBE' }],
    });
    const devices = parsed.ok ? (parsed.events[0]?.devices ?? []) : [];
    expect(devices.map((d) => (d.result.ok ? 'ok' : d.result.error.code))).toEqual([
      'MALFORMED_RESPONSE',
      'MALFORMED_RESPONSE',
    ]);
  });

  it.each([
    ['a string', 'KG_DEVICE_LOCKED', 'body: must be a JSON object'],
    ['null', null, 'body: must be a JSON object'],
    ['an empty array', [], 'body: holds no event'],
    ['an array with a number', [{ eventType: 'KG_DEVICE_LOCKED' }, 3], '[1]: must be a JSON object'],
  ])('refuses %s', (_label, body, issue) => {
    expect(parseKnoxNotification(body)).toEqual({ ok: false, issues: [issue] });
  });
});

describe('content dedupe key of an event without an id', () => {
  // The key as the recursive implementation computed it before it became iterative: keys already
  // stored for queued events must not change.
  const recursive = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(recursive).join(',')}]`;
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${recursive(record[key])}`).join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
  };
  const keyOf = (record: Record<string, unknown>) =>
    parseKnoxEventRecord({ index: 0, total: 1, record }).dedupeKey;

  it('is the SHA-256 of the JSON with keys sorted at every level', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        fc.pre(!['eventId', 'id', 'notificationId', 'messageId', 'payload', 'data'].some((k) => k in record));
        const expected = `sha256:${createHash('sha256').update(recursive(record)).digest('hex')}`;
        expect(keyOf(record)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('is computed for a record nested deeper than the call stack, without a RangeError (break-it pass, item 1)', () => {
    const deep = JSON.parse(`{"event":"KG_DEVICE_LOCKED","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);

    expect(() => recursive(deep)).toThrow(RangeError);
    expect(keyOf(deep)).toMatch(/^sha256:[0-9a-f]{64}$/);
    const shallower = JSON.parse(
      `{"event":"KG_DEVICE_LOCKED","x":${'['.repeat(199_999)}${']'.repeat(199_999)}}`,
    );
    expect(keyOf(shallower)).not.toBe(keyOf(deep));
  });
});
