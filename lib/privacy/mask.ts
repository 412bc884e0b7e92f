// The 'min' metadata build: every country, without the per-type patterns only 'max' carries (docs/architecture.md, "Dependencies and why": bundle sizes).
import { type CountryCode, findPhoneNumbersInText, isSupportedCountry } from 'libphonenumber-js/min';
import { excerpt } from './excerpt';

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

// Any run of 14 or more digits, with at most one separator (space, -, /, .) between two digits:
// an IMEI (15), IMEISV (16) or MEID in decimal, however it was grouped ("35-693803-564380-9") and
// whatever stands before it ("IMEI356938035643809"). Longer runs are masked whole: a 21-digit run
// may be an IMEI with a digit typed next to it.
const DIGIT_RUN = /\d(?:[ ./-]?\d){13,}/g;
// Ids that only a label tells apart from words: MEIDs in hex and serial numbers ("S/N", "Serial
// No.", "Serial-No", "Serial number: ..."). The gap is `\s*(?:[:#=]\s*)?`, not `\s*[:#=]?\s*`:
// two adjacent `\s*` split a long run of spaces every possible way, quadratic in its length.
const LABELLED_ID =
  /\b(MEID|S\/N|SN|Serial(?:[\s-]*(?:No\.?|Number|Nr\.?))?)(\s*(?:[:#=]\s*)?)([A-Za-z0-9]{6,20})\b/gi;
const PHONE_LIKE = /\+\d[\d\s().-]{6,18}\d/g;
// Takes every run of address characters whole, with or without an `@domain` after it (the
// replacer keeps runs without one): `[\w.+-]+@...` alone rescans a long run without `@` from each
// of its characters, quadratic in its length (a 100,000-character token took 5.9 s).
const EMAIL_OR_WORD = /[\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?/g;
// libphonenumber-js needs at least this many digits in a text before it is worth asking.
const SOME_DIGITS = /(?:\d\D{0,3}){6}/;

/** ISO 3166-1 alpha-2 region for phone numbers written without `+`; `DEFAULT_PHONE_REGION` env, else DE. */
export function defaultPhoneRegion(): CountryCode {
  const region = process.env.DEFAULT_PHONE_REGION?.trim().toUpperCase();
  return region && /^[A-Z]{2}$/.test(region) && isSupportedCountry(region) ? (region as CountryCode) : 'DE';
}

/**
 * Masks every device id, phone number and e-mail address inside free text (Knox reasons, log
 * messages, alert bodies):
 * - e-mail addresses with `maskEmail`;
 * - IMEIs/MEIDs in digits however grouped or prefixed (`IMEI356938035643809`,
 *   `35-693803-564380-9`, `35 693803 564380 9`): any run of 14+ digits with single separators;
 * - serials and hex MEIDs after a label (`S/N R58M123ABCD`, `Serial No.`, `MEID`); a bare serial
 *   cannot be told apart from a word, so ids we know are masked with `maskDeviceId` where used;
 * - phone numbers found by libphonenumber-js (`findPhoneNumbersInText`, "min" metadata), national
 *   ones (`0151 23456789`, `0049 151 23456789`) read in `region` (`defaultPhoneRegion()`), plus
 *   anything that starts with `+` and looks like a number.
 *
 * Source for the phone rules: https://gitlab.com/catamphetamine/libphonenumber-js#findphonenumbersintext
 *
 * @example
 * maskText('IMEI356938035643809 not found, call 0151 23456789'); // 'IMEI35*********3809 not found, call 01*********89'
 */
export function maskText(text: string, region: CountryCode = defaultPhoneRegion()): string {
  // NFKC first: full-width digits and plus signs (`３５６９３８０３５６４３８０９`, `＋４９…`) match none
  // of the patterns, and the e-mail and SMS renderers fold them to ASCII afterwards.
  // Digit runs before e-mail addresses: in `356938/035643809@host` the e-mail pattern would take
  // only `035643809@host` and keep the first half of the IMEI readable.
  const withoutIds = text
    .normalize('NFKC')
    .replace(DIGIT_RUN, (run) => maskDeviceId(run.replace(/[ ./-]/g, '')))
    .replace(EMAIL_OR_WORD, (run) => (run.includes('@') ? maskEmail(run) : run))
    .replace(
      LABELLED_ID,
      (_match, label: string, gap: string, id: string) => `${label}${gap}${maskDeviceId(id)}`,
    );
  return maskPhones(withoutIds, region).replace(PHONE_LIKE, maskPhone);
}

function maskPhones(text: string, region: CountryCode): string {
  if (!SOME_DIGITS.test(text)) return text;
  let found: ReturnType<typeof findPhoneNumbersInText>;
  try {
    found = findPhoneNumbersInText(text, region);
  } catch {
    return text;
  }
  let out = text;
  // From the end, so earlier offsets stay valid.
  // A valid German number can be 4 digits ("1000"); a count in a log line must stay readable, and
  // a number that short identifies no one. Written without `+`/`00`, a number needs the area code
  // to reach anyone (9+ digits in DE, GB, FR, US); Knox Guard codes are 7-8 digits (4030000,
  // 40122050) and must stay readable in alerts and reports.
  const numbers = found.filter((match) => {
    const written = text.slice(match.startsAt, match.endsAt);
    const digits = written.match(/\d/g)?.length ?? 0;
    return /^\s*(?:\+|00)/.test(written) ? digits >= 7 : digits >= 9;
  });
  for (const match of numbers.sort((a, b) => b.startsAt - a.startsAt)) {
    out = `${out.slice(0, match.startsAt)}${maskPhone(out.slice(match.startsAt, match.endsAt))}${out.slice(match.endsAt)}`;
  }
  return out;
}

/**
 * `maskText` for text that will be shown cut to `maxChars` characters (an error echoed in a 400,
 * a reason in an alert, a field in a log line): masks only the start of a long text, then cuts.
 * The cost stays bounded by `maxChars` whatever the input's length (a 1 MiB request field, a
 * 250 KB Lambda `errorMessage`). The masked window is `4 x maxChars + 1,024` characters, so an id
 * cut at the window's edge lies far beyond `maxChars` even after masking shortened the text
 * (phone numbers lose their separators), and only fully masked text is kept.
 *
 * @param maxChars the longest result, in UTF-16 code units; a cut text ends in `...` within it
 *   (ASCII, so it survives the SMS renderer).
 * @example
 * maskExcerpt(`IMEI 356938035643809 ${'x'.repeat(1_000_000)}`, 40); // 'IMEI 35*********3809 xxxxxxxxxxxxxxxx...'
 */
export function maskExcerpt(text: string, maxChars: number, region?: CountryCode): string {
  const window = text.length > 4 * maxChars + 1024 ? text.slice(0, 4 * maxChars + 1024) : text;
  const masked = maskText(window, region);
  return excerpt(masked, maxChars);
}
