import { describe, expect, it } from 'vitest';
import { DeviceStatus, operationRule } from '../../../lib/knox';
import { isAlreadyInTargetState, OPERATION_TARGET_STATES } from '../../../lib/knox/operationTargetStates';
import { SimulatorState } from '../../../local/simulator/SimulatorState';

// Where the simulator takes a device from for each operation that has an end state.
const FROM: Record<keyof typeof OPERATION_TARGET_STATES, DeviceStatus> = {
  lock: DeviceStatus.enrolled,
  unlock: DeviceStatus.locked,
  approve: DeviceStatus.pending,
  accept: DeviceStatus.pending,
  reject: DeviceStatus.pending,
  complete: DeviceStatus.enrolled,
};

describe('the simulator speaks lib/knox state vocabulary', () => {
  it.each(Object.keys(FROM) as (keyof typeof FROM)[])(
    '%s ends in a status of OPERATION_TARGET_STATES, and a repeat reads as already done',
    (operation) => {
      const state = new SimulatorState({ now: () => 0 });
      state.licenses.push({
        licenseKey: 'KG-LIC',
        name: 'test',
        type: 'COMMERCIAL',
        totalSeats: 10,
        usedSeats: 0,
        expiresAt: '2099-01-01',
        deleted: false,
      });
      const device = state.addDevice({ status: FROM[operation] });
      const params = operationRule(operation).contactRequired ? { message: 'Pay', tel: '+15550100' } : {};
      const first = state.apply(operation, device.deviceUid, params);
      expect(first.ok).toBe(true);
      const targets: readonly string[] = OPERATION_TARGET_STATES[operation];
      expect(targets).toContain(state.device(device.deviceUid)?.status);
      const again = state.apply(operation, device.deviceUid, params);
      expect(again).toMatchObject({ ok: false, code: 'DEVICE_STATE_INVALID' });
      if (again.ok) return;
      expect(isAlreadyInTargetState(operation, { codeName: again.code, reason: again.reason })).toBe(true);
    },
  );
});
