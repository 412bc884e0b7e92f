/**
 * Masks a device id (IMEI, MEID or serial) to its first two and last four characters, so an admin
 * can still match it against the billing system without the id being readable in alerts or logs.
 *
 * @example
 * maskDeviceId('356938035643809'); // '35*********3809'
 */
export function maskDeviceId(id: string): string {
  if (id.length <= 6) return '*'.repeat(id.length);
  return `${id.slice(0, 2)}${'*'.repeat(id.length - 6)}${id.slice(-4)}`;
}

/**
 * Masks a phone number to its leading `+` and country digits and its last two digits.
 *
 * @example
 * maskPhone('+491511234567'); // '+49********67'
 */
export function maskPhone(phone: string): string {
  const compact = phone.replace(/[\s().-]/g, '');
  if (compact.length <= 5) return '*'.repeat(compact.length);
  const keep = compact.startsWith('+') ? 3 : 2;
  return `${compact.slice(0, keep)}${'*'.repeat(compact.length - keep - 2)}${compact.slice(-2)}`;
}

/**
 * Masks an e-mail address to its first character and domain.
 *
 * @example
 * maskEmail('jane.doe@example.com'); // 'j*******@example.com'
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '*'.repeat(email.length);
  return `${email[0]}${'*'.repeat(Math.max(1, at - 1))}${email.slice(at)}`;
}

// IMEIs are 15 digits (14 + check digit, 16 for IMEISV), MEIDs 14 hex digits. Phone numbers come
// with a + and 8-15 digits, possibly spaced. Matched inside free text such as Knox reasons.
const IMEI_LIKE = /(?<![\dA-Za-z])\d{14,17}(?![\dA-Za-z])/g;
const PHONE_LIKE = /\+\d[\d\s().-]{6,18}\d/g;
const EMAIL_LIKE = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/**
 * Masks every IMEI-like number, phone number and e-mail address inside free text (Knox reasons,
 * log messages). Serial numbers cannot be told apart from words, so ids we know are masked with
 * `maskDeviceId` where they are used.
 *
 * @example
 * maskText("Device 356938035643809 not found, call +491511234567"); // 'Device 35*********3809 not found, call +49********67'
 */
export function maskText(text: string): string {
  return text.replace(IMEI_LIKE, maskDeviceId).replace(PHONE_LIKE, maskPhone).replace(EMAIL_LIKE, maskEmail);
}
