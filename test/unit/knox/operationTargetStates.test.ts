import { describe, expect, it } from 'vitest';
import { DEVICE_OPERATIONS, DeviceStatus } from '../../../lib/knox';
import {
  currentStatusOf,
  isAlreadyInTargetState,
  OPERATION_TARGET_STATES,
} from '../../../lib/knox/operationTargetStates';

const stateInvalid = (status: string) => ({
  codeName: 'DEVICE_STATE_INVALID',
  reason: `Current status is '${status}'.`,
});
const ALL_STATUSES = Object.values(DeviceStatus);

// The whole table, row by row: which current statuses make each operation a success already.
const EXPECTED: Record<(typeof DEVICE_OPERATIONS)[number], readonly string[]> = {
  lock: ['Locked'],
  unlock: ['Enrolled'],
  blink: [],
  sendMessage: [],
  approve: ['Accepted', 'Enrolled'],
  accept: ['Accepted', 'Enrolled'],
  reject: ['Rejected'],
  complete: ['Completing', 'Completed'],
  cancelComplete: [],
  delete: [],
};

describe('isAlreadyInTargetState', () => {
  for (const operation of DEVICE_OPERATIONS) {
    it(`${operation}: success only for ${EXPECTED[operation].join(', ') || 'no status'}`, () => {
      const done = ALL_STATUSES.filter((status) => isAlreadyInTargetState(operation, stateInvalid(status)));
      expect(done).toEqual(EXPECTED[operation]);
    });
  }

  it('the table holds only API status names', () => {
    for (const statuses of Object.values(OPERATION_TARGET_STATES)) {
      for (const status of statuses) expect(ALL_STATUSES).toContain(status);
    }
  });

  it('needs DEVICE_STATE_INVALID and a reason that names the status', () => {
    expect(
      isAlreadyInTargetState('lock', { codeName: 'DEVICE_NOT_FOUND', reason: "Current status is 'Locked'." }),
    ).toBe(false);
    expect(
      isAlreadyInTargetState('lock', { codeName: 'DEVICE_STATE_INVALID', reason: 'Invalid state.' }),
    ).toBe(false);
    expect(isAlreadyInTargetState('lock', { codeName: 'DEVICE_STATE_INVALID', reason: '' })).toBe(false);
    expect(isAlreadyInTargetState('frobnicate', stateInvalid('Locked'))).toBe(false);
    expect(isAlreadyInTargetState('constructor', stateInvalid('Locked'))).toBe(false);
  });

  it('reads the reason case-insensitively, with typographic quotes or none', () => {
    expect(currentStatusOf("Current status is 'Locked'.")).toBe('Locked');
    expect(currentStatusOf('current status is \u2018LOCKED\u2019')).toBe('LOCKED');
    expect(currentStatusOf('Current status is Enrolled')).toBe('Enrolled');
    expect(currentStatusOf('Device is busy.')).toBeUndefined();
    expect(
      isAlreadyInTargetState('lock', {
        codeName: 'DEVICE_STATE_INVALID',
        reason: 'current status is LOCKED',
      }),
    ).toBe(true);
  });
});
