/**
 * Whether a string is a device id Knox Guard accepts as `deviceUid`: an IMEI (15 digits whose
 * last is a valid Luhn check digit) or a serial number (8-20 letters and digits). A 15-digit
 * value is always read as an IMEI, so a typo in an IMEI is caught instead of passing as a serial.
 *
 * @example
 * isDeviceUid('356938035643809'); // true  (IMEI, check digit 9)
 * isDeviceUid('356938035643808'); // false (wrong check digit)
 * isDeviceUid('R58M12ABCDE');     // true  (serial)
 */
export function isDeviceUid(value: string): boolean {
  if (/^\d{15}$/.test(value)) return hasValidLuhnCheckDigit(value);
  return /^[A-Za-z0-9]{8,20}$/.test(value);
}

/**
 * The Luhn check used by IMEIs: from the right, every second digit is doubled (minus 9 when
 * above 9) and the sum must be a multiple of 10.
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
