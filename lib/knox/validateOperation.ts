import { DEVICE_OPERATIONS, type DeviceOperation } from './constants';
import { KnoxRequestError } from './errors';
import { matchesFieldType, type OperationParams, operationRule } from './operationRules';

/**
 * Checks an `execute` call before anything is sent, against `OPERATION_RULES` (the one table of
 * body fields and limits): a known operation, non-empty device ids, every field of the operation
 * of its type and within its length (code points), required fields present (`interval` of blink
 * gets its documented default), and for lock and blink at least one contact. Fields the
 * operation does not take are left out. Returns the body fields the operation sends.
 * Throws `KnoxRequestError` naming the field.
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
  const rule = operationRule(operation);
  const given = (params ?? {}) as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(rule.fields)) {
    let value = given[name];
    // Blank text counts as absent (a contact of spaces is no contact).
    if (typeof value === 'string' && field.type === 'string' && value.trim() === '') value = undefined;
    if (value === undefined) {
      if (field.default !== undefined) body[name] = field.default;
      else if (field.required) throw new KnoxRequestError(`${operation} needs a ${name}.`, name);
      continue;
    }
    if (!matchesFieldType(value, field.type)) {
      throw new KnoxRequestError(`${operation} ${name} must be a ${field.type}.`, name);
    }
    if (typeof value === 'string') {
      // Knox counts characters as the device shows them; code points, not UTF-16 units.
      const length = [...value].length;
      if (field.maxLength !== undefined && length > field.maxLength) {
        throw new KnoxRequestError(
          `${operation} ${name} is ${length} characters; Knox Guard allows at most ${field.maxLength}.`,
          name,
        );
      }
      body[name] = name === 'message' ? value : value.trim();
    } else body[name] = value;
  }
  if (rule.contactRequired && body.tel === undefined && body.email === undefined) {
    throw new KnoxRequestError(`${operation} needs at least one contact (tel or email).`, 'contact');
  }
  return body as OperationParams;
}

function blankId(index: number): KnoxRequestError {
  return new KnoxRequestError(`deviceUids[${index}] is not a non-empty string.`, 'deviceUids');
}
