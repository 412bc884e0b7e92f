import { describe, expect, it } from 'vitest';
import { maskKnownIds, redactForLog } from '../../../lib/privacy';

describe('maskKnownIds', () => {
  it('masks every occurrence of each known id with maskDeviceId, ignoring case', () => {
    expect(maskKnownIds('Device R58M123ABCD cannot be locked (r58m123abcd)', ['R58M123ABCD'])).toBe(
      'Device R5*****ABCD cannot be locked (r5*****abcd)',
    );
  });

  it('leaves text without the ids, ids under 4 characters and absent ids alone', () => {
    expect(maskKnownIds('Device AB1 refused', ['AB1', undefined, ''])).toBe('Device AB1 refused');
    expect(maskKnownIds('nothing to see', ['R58M123ABCD'])).toBe('nothing to see');
  });

  it('masks several ids, an IMEI included, before maskText could cut its digits', () => {
    expect(maskKnownIds('obj-77812 / 356938035643809', ['356938035643809', 'obj-77812'])).toBe(
      'ob***7812 / 35*********3809',
    );
  });
});

describe('redactForLog masks the ids a logged record names inside its texts', () => {
  it('masks a logged failure: its requestedId, and that id in its message, reason and stack', () => {
    const record = {
      name: 'KnoxGuardError',
      message: 'USER_BLOCKED_STATE (4031100, HTTP 403): Device R58M123ABCD cannot be locked',
      reason: 'Device R58M123ABCD cannot be locked',
      stack: 'KnoxGuardError: Device R58M123ABCD cannot be locked\n    at x (y.js:1:1)',
      requestedId: 'R58M123ABCD',
      code: '4031100',
    };
    const logged = JSON.parse(JSON.stringify({ error: record }, redactForLog)).error;
    expect(logged).toEqual({
      name: 'KnoxGuardError',
      message: 'USER_BLOCKED_STATE (4031100, HTTP 403): Device R5*****ABCD cannot be locked',
      reason: 'Device R5*****ABCD cannot be locked',
      stack: 'KnoxGuardError: Device R5*****ABCD cannot be locked\n    at x (y.js:1:1)',
      requestedId: 'R5*****ABCD',
      code: '4031100',
    });
  });

  it("masks deviceUid and approveId fields, and an objectId inside texts while keeping Knox's objectId field", () => {
    const line = JSON.stringify(
      {
        deviceUid: 'R58M123ABCD',
        approveId: 'INV-4711',
        objectId: 'obj-77812',
        note: 'INV-4711 for obj-77812',
      },
      redactForLog,
    );
    expect(JSON.parse(line)).toEqual({
      deviceUid: 'R5*****ABCD',
      approveId: 'IN**4711',
      objectId: 'obj-77812',
      note: 'IN**4711 for ob***7812',
    });
  });

  it('leaves records without ids as they were (still maskText for strings, secrets redacted)', () => {
    expect(JSON.parse(JSON.stringify({ count: 3, token: 'abc', list: ['x'] }, redactForLog))).toEqual({
      count: 3,
      token: '[REDACTED]',
      list: ['x'],
    });
  });
});
