import { DEVICE_OPERATIONS, type DeviceOperation, MESSAGE_RULES } from './constants';
import { KnoxRequestError } from './errors';
import type { OperationParams } from './types';

/**
 * Checks an `execute` call before anything is sent: a known operation, non-empty device ids,
 * and for lock / blink / sendMessage a message within Knox's limit (350 / 200 / 350 characters)
 * plus, for lock and blink, at least one contact. Returns the body fields the operation sends.
 *
 * @example
 * validateOperation('lock', ['356938035643809'], { message: 'Payment overdue', tel: '+15550100' });
 * // { message: 'Payment overdue', tel: '+15550100' }
 */
export function validateOperation(
  operation: DeviceOperation,
  deviceUids: readonly string[],
  params: OperationParams = {},
): OperationParams {
  if (!(DEVICE_OPERATIONS as readonly string[]).includes(operation)) {
    throw new KnoxRequestError(`Unknown Knox Guard operation "${String(operation)}".`, 'operation');
  }
  if (!Array.isArray(deviceUids)) throw new KnoxRequestError('deviceUids must be an array.', 'deviceUids');
  for (let index = 0; index < deviceUids.length; index += 1) {
    const id: unknown = deviceUids[index];
    if (typeof id !== 'string') throw blankId(index);
    // An id that starts with a printable ASCII character is not blank: only others pay for trim().
    const first = id.charCodeAt(0);
    if (!(first > 32 && first < 127) && id.trim() === '') throw blankId(index);
  }
  const rules = (
    MESSAGE_RULES as Partial<Record<DeviceOperation, { maxLength: number; contactRequired: boolean }>>
  )[operation];
  if (!rules) return {};
  const message = params.message ?? '';
  if (message.trim() === '') throw new KnoxRequestError(`${operation} needs a message.`, 'message');
  // Knox counts characters as the device shows them; code points, not UTF-16 units.
  const length = [...message].length;
  if (length > rules.maxLength) {
    throw new KnoxRequestError(
      `${operation} message is ${length} characters; Knox Guard allows at most ${rules.maxLength}.`,
      'message',
    );
  }
  const tel = params.tel?.trim() || undefined;
  const email = params.email?.trim() || undefined;
  if (rules.contactRequired && tel === undefined && email === undefined) {
    throw new KnoxRequestError(`${operation} needs at least one contact (tel or email).`, 'contact');
  }
  return { message, ...(tel === undefined ? {} : { tel }), ...(email === undefined ? {} : { email }) };
}

function blankId(index: number): KnoxRequestError {
  return new KnoxRequestError(`deviceUids[${index}] is not a non-empty string.`, 'deviceUids');
}
