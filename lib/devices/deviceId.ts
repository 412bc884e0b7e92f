/**
 * The one place device ids are read. Every entry point (targets files, inline job targets,
 * `POST /operations`, Knox callbacks for logging) calls `parseDeviceId`, so what Knox Guard is
 * sent is the same normalised form whichever way the id arrived.
 *
 * Knox Guard identifies a device by `deviceUid`, "Device IMEI or Serial number"
 * (https://docs.samsungknox.com/dev/knox-guard/get-started/). MEIDs (CDMA, 14 hex digits) are
 * therefore refused rather than guessed at: Knox Guard would answer DEVICE_NOT_FOUND.
 */

export const DeviceIdKind = { imei: 'imei', serial: 'serial' } as const;
export type DeviceIdKind = (typeof DeviceIdKind)[keyof typeof DeviceIdKind];

export type DeviceIdResult =
  | { readonly ok: true; readonly value: string; readonly kind: DeviceIdKind }
  | { readonly ok: false; readonly reason: string };

// Labels people paste in front of an id: "IMEI356938035643809", "IMEI: 35-693803-564380-9",
// "S/N R58M123ABCD", "Serial No. R58M123ABCD".
const PREFIX = /^(?:imei|s\/?n|serial(?:\s*(?:no\.?|number|nr\.?))?)\s*[:#=]?\s*/i;
const MEID_PREFIX = /^meid/i;
// IMEIs are printed in groups: "35-693803-564380-9", "35 693803 564380 9", "356938/03/564380/9".
const GROUPED_DIGITS = /^\d[\d\s./-]*\d$/;
// Samsung serials are 11 letters and digits (e.g. R58M123ABCD); other makers' run from 8 to 20.
// At least one letter and one digit: a pure number is a mistyped IMEI, a pure word ("constructor")
// is not a device.
const SERIAL = /^(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*\d)[A-Z0-9]{8,20}$/;

/** Longest raw input looked at; anything longer is refused before any regular expression runs. */
export const MAX_DEVICE_ID_INPUT = 64;

/**
 * Reads one device id as a person or a billing system wrote it and returns the form Knox Guard
 * takes: an IMEI as its 15 digits (prefix such as `IMEI`/`IMEI:` and `-`, space, `/`, `.`
 * separators removed; the last digit must be the Luhn check digit), or a serial number upper-cased
 * (prefix `S/N`/`Serial` removed; 8-20 letters and digits with at least one of each). Never throws.
 *
 * Refused: 14 digits (an IMEI without its check digit), 16-20 digits (IMEISV or a typo), MEIDs,
 * words without digits, anything longer than 64 characters.
 *
 * @example
 * parseDeviceId('IMEI: 35-693803-564380-9'); // { ok: true, value: '356938035643809', kind: 'imei' }
 * parseDeviceId('s/n r58m123abcd');          // { ok: true, value: 'R58M123ABCD', kind: 'serial' }
 * parseDeviceId('356938035643808');          // { ok: false, reason: 'not a valid IMEI (wrong check digit)' }
 */
export function parseDeviceId(raw: string): DeviceIdResult {
  if (typeof raw !== 'string') return refuse('not a string');
  const trimmed = raw.trim();
  if (trimmed === '') return refuse('empty');
  if (trimmed.length > MAX_DEVICE_ID_INPUT) return refuse(`longer than ${MAX_DEVICE_ID_INPUT} characters`);
  if (MEID_PREFIX.test(trimmed))
    return refuse('an MEID; Knox Guard identifies devices by IMEI or serial number');
  const body = trimmed.replace(PREFIX, '');
  if (GROUPED_DIGITS.test(body)) {
    const digits = body.replace(/[\s./-]/g, '');
    if (digits.length === 15) {
      return hasValidLuhnCheckDigit(digits)
        ? { ok: true, value: digits, kind: DeviceIdKind.imei }
        : refuse('not a valid IMEI (wrong check digit)');
    }
    if (digits.length === 14) return refuse('14 digits: an IMEI without its check digit, or an MEID');
    return refuse(`${digits.length} digits; an IMEI has 15`);
  }
  const serial = body.toUpperCase();
  if (SERIAL.test(serial)) return { ok: true, value: serial, kind: DeviceIdKind.serial };
  return refuse('neither an IMEI (15 digits) nor a serial number (8-20 letters and digits, both)');
}

/**
 * Whether `value` is already a device id in the form Knox Guard is sent (what `parseDeviceId`
 * returns): 15 digits with a valid check digit, or an upper-case serial.
 *
 * @example
 * isDeviceUid('356938035643809');     // true
 * isDeviceUid('IMEI356938035643809'); // false: parse it first
 */
export function isDeviceUid(value: string): boolean {
  const parsed = parseDeviceId(value);
  return parsed.ok && parsed.value === value;
}

/**
 * The Luhn check used by IMEIs (3GPP TS 23.003 annex B): from the right, every second digit is
 * doubled (minus 9 when above 9) and the sum must be a multiple of 10.
 *
 * @example
 * hasValidLuhnCheckDigit('490154203237518'); // true
 */
export function hasValidLuhnCheckDigit(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function refuse(reason: string): DeviceIdResult {
  return { ok: false, reason };
}
