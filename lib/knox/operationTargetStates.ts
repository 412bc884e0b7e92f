import { type DeviceOperation, DeviceStatus } from './constants';

/**
 * The Knox Guard statuses in which a device already is where an operation would take it. A device
 * answered with DEVICE_STATE_INVALID whose reason names one of these ("Current status is
 * 'Locked'." for a lock) needs nothing done: it is a success ("already locked"), not a failure.
 * That is what makes a re-run of a chunk harmless after its outcome was lost (the idempotency
 * record's COMPLETED write failed, Knox's answer never arrived, a follow-up came after the
 * deadline): Knox executed the operation the first time and refuses the second.
 *
 * Sources: shared/knox-api-evidence.md, "Status strings" — Accepted (console "Activating") and
 * Enrolled (console "Active") are official, and a live DEVICE_STATE_INVALID reason reads
 * "Current status is 'Enrolled'."; Locked, Completing, Completed and Rejected are the names every
 * client we found uses. Operations without a table entry have no end state (blink and sendMessage
 * act again each time; delete leaves no device to ask; cancelComplete's end state is not known),
 * so a DEVICE_STATE_INVALID on them stays a failure.
 *
 * @example
 * OPERATION_TARGET_STATES.lock; // ['Locked']
 */
export const OPERATION_TARGET_STATES = {
  lock: [DeviceStatus.locked],
  // Unlocking returns a device to Active (Enrolled); an Enrolled device is not locked.
  unlock: [DeviceStatus.enrolled],
  // Approved devices activate (Accepted) and become Active (Enrolled) once they check in.
  approve: [DeviceStatus.accepted, DeviceStatus.enrolled],
  accept: [DeviceStatus.accepted, DeviceStatus.enrolled],
  reject: [DeviceStatus.rejected],
  // Completing is the two-day window before Completed; either way `complete` has been done.
  complete: [DeviceStatus.completing, DeviceStatus.completed],
} as const satisfies Partial<Record<DeviceOperation, readonly DeviceStatus[]>>;

// Knox's reason text for DEVICE_STATE_INVALID, e.g. "Current status is 'Locked'." (the quotes may
// be straight or typographic; the full stop may be missing).
const CURRENT_STATUS = /current status is\s*['"\u2018\u2019\u201c\u201d]?([A-Za-z_]+)/i;

/**
 * The device status a DEVICE_STATE_INVALID reason names, as Knox spells it; `undefined` when the
 * reason names none.
 *
 * @example
 * currentStatusOf("Current status is 'Locked'."); // 'Locked'
 */
export function currentStatusOf(reason: string): string | undefined {
  return CURRENT_STATUS.exec(reason)?.[1];
}

/**
 * Whether a device-level failure only says the device is already in `operation`'s target state:
 * code name DEVICE_STATE_INVALID and a reason naming a status of `OPERATION_TARGET_STATES`
 * (compared case-insensitively). Anything else, including unknown operations, is `false`.
 *
 * @example
 * isAlreadyInTargetState('lock', { codeName: 'DEVICE_STATE_INVALID', reason: "Current status is 'Locked'." }); // true
 * isAlreadyInTargetState('lock', { codeName: 'DEVICE_STATE_INVALID', reason: "Current status is 'Completed'." }); // false
 */
export function isAlreadyInTargetState(
  operation: string,
  failure: { readonly codeName: string; readonly reason: string },
): boolean {
  if (failure.codeName !== 'DEVICE_STATE_INVALID') return false;
  // Own properties only: an operation named "constructor" must not reach Object.prototype.
  if (!Object.hasOwn(OPERATION_TARGET_STATES, operation)) return false;
  const targets: readonly string[] =
    OPERATION_TARGET_STATES[operation as keyof typeof OPERATION_TARGET_STATES];
  const current = currentStatusOf(failure.reason)?.toLowerCase();
  return current !== undefined && targets.some((status) => status.toLowerCase() === current);
}
