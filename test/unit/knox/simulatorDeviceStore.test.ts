// The simulator's generated ids and device store after the performance work: the O(1) id parsing
// and the numeric IMEI/objectId formatting must answer exactly as the string/regex versions did.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceStatus } from '../../../lib/knox';
import { DeviceStore, generatedDeviceUid, SimulatorState } from '../../../local/simulator';
import { generatedIndexOf } from '../../../local/simulator/DeviceStore';

// The original implementations, kept here as the reference.
function referenceLuhn(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}
const referenceUid = (index: number): string => {
  const body = `35${String(index).padStart(12, '0')}`;
  return `${body}${referenceLuhn(body)}`;
};
const referenceObjectId = (index: number): string =>
  `KG${index.toString(16).toUpperCase().padStart(12, '0')}`;
const referenceIndexOf = (id: string, generated: number): number | undefined => {
  let index: number | undefined;
  if (/^35\d{13}$/.test(id)) index = Number(id.slice(2, 14));
  else if (/^KG[0-9A-F]{12}$/.test(id)) index = Number.parseInt(id.slice(2), 16);
  if (index === undefined || index >= generated) return undefined;
  return referenceUid(index) === id || referenceObjectId(index) === id ? index : undefined;
};

const index = fc.oneof(fc.nat({ max: 2_000_000 }), fc.integer({ min: 0, max: 999_999_999_999 }));

describe('simulator generated ids', () => {
  it('formats IMEIs exactly as before (prefix 35, 12 padded digits, Luhn digit)', () => {
    for (const i of [0, 1, 9, 10, 99_999, 100_000, 123_456_789, 999_999_999_999]) {
      expect(generatedDeviceUid(i)).toBe(referenceUid(i));
    }
    fc.assert(fc.property(index, (i) => generatedDeviceUid(i) === referenceUid(i)));
  });

  it('reads the index back from an IMEI or objectId', () => {
    fc.assert(
      fc.property(index, (i) => {
        expect(generatedIndexOf(generatedDeviceUid(i))).toBe(i);
        expect(generatedIndexOf(referenceObjectId(i))).toBe(i);
      }),
    );
  });

  it('rejects what the regex version rejected', () => {
    const uid = generatedDeviceUid(4242);
    const wrongCheck = `${uid.slice(0, 14)}${(Number(uid[14]) + 1) % 10}`;
    for (const id of [
      wrongCheck,
      uid.slice(0, 14),
      `${uid}0`,
      `36${uid.slice(2)}`,
      `35${'x'.repeat(13)}`,
      'KG00000000109a',
      'KG0000000010',
      'kg00000000109A',
      'KG00000000109G',
      '',
      '990000000000001',
    ]) {
      expect(generatedIndexOf(id)).toBe(referenceIndexOf(id, Number.MAX_SAFE_INTEGER));
    }
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ minLength: 14, maxLength: 15 }),
          fc.stringMatching(/^(35|KG)[0-9A-Fa-f]{12,13}$/),
        ),
        (id) => {
          expect(generatedIndexOf(id)).toBe(referenceIndexOf(id, Number.MAX_SAFE_INTEGER));
        },
      ),
    );
  });
});

describe('DeviceStore', () => {
  it('finds generated devices by IMEI and objectId, only below the generated count', () => {
    const store = new DeviceStore();
    store.generate(1_000, { mix: { Enrolled: 1 } });
    const device = store.get(generatedDeviceUid(999));
    expect(device).toMatchObject({ deviceUid: generatedDeviceUid(999), objectId: referenceObjectId(999) });
    expect(store.get(referenceObjectId(999))).toEqual(device);
    expect(store.get(generatedDeviceUid(1_000))).toBeUndefined();
    expect(store.get(referenceObjectId(1_000))).toBeUndefined();
  });

  it('hands out copies from get and keeps a copy on put', () => {
    const store = new DeviceStore();
    store.generate(10, { mix: { Enrolled: 1 } });
    const id = generatedDeviceUid(3);
    const device = store.get(id) as NonNullable<ReturnType<DeviceStore['get']>>;
    device.status = DeviceStatus.locked;
    expect(store.get(id)?.status).toBe(DeviceStatus.enrolled);
    store.put(device);
    device.status = DeviceStatus.completed;
    expect(store.get(id)?.status).toBe(DeviceStatus.locked);
    const copy = store.get(id);
    if (copy) copy.model = 'changed';
    expect(store.get(id)?.model).not.toBe('changed');
  });
});

describe('SimulatorState.apply (bulk hot path)', () => {
  it('applies the state rules and stores the change', () => {
    const state = new SimulatorState({ now: () => 0 });
    state.devices.generate(4, { mix: { Enrolled: 1 } });
    const id = generatedDeviceUid(1);
    const locked = state.apply('lock', id, { message: 'Pay now.' });
    expect(locked).toMatchObject({
      ok: true,
      device: { deviceUid: id, status: 'Locked', lockedAt: 0 },
    });
    expect(state.device(id)).toMatchObject({ status: 'Locked', lockedAt: 0 });
    expect(state.apply('lock', id, {})).toEqual({
      ok: false,
      code: 'DEVICE_STATE_INVALID',
      reason: "Current status is 'Locked'.",
    });
    expect(state.apply('lock', 'nope', {})).toMatchObject({ ok: false, code: 'DEVICE_NOT_FOUND' });
    expect(state.apply('unlock', id, {})).toMatchObject({ ok: true, device: { status: 'Enrolled' } });
    expect(state.apply('complete', id, {})).toMatchObject({
      ok: true,
      device: { status: 'Completing', statusBeforeComplete: 'Enrolled', completingSince: 0 },
    });
    expect(state.apply('sendMessage', id, { message: 'x' })).toMatchObject({
      ok: false,
      reason: "Current status is 'Completing'.",
    });
    expect(state.apply('cancelComplete', id, {})).toMatchObject({ ok: true, device: { status: 'Enrolled' } });
    expect(state.device(id)?.completingSince).toBeUndefined();
  });
});
