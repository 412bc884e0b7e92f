// Documentation-only names and numbers: a value like these in a stage that acts on real devices
// means the operator has not replaced a sample, and a Knox Guard lock screen would show it.

// RFC 2606 section 3 reserves example.com/.net/.org (and their subdomains) for documentation;
// section 2 (with RFC 6761) reserves the .example, .test, .invalid and .localhost top-level names.
const RESERVED_DOMAIN =
  /(?<![a-z0-9.-])((?:[a-z0-9-]+\.)*example\.(?:com|net|org)|(?:[a-z0-9-]+\.)+(?:example|test|invalid|localhost))\b/i;
// Registered domains that tutorials and forms use as filler (`test@test.com`, `you@yourdomain.com`):
// nobody's collections desk answers there.
const FILLER_DOMAIN = /@((?:test|domain|your-?domain|your-?company|company|email|sample)\.com)\b/i;

// Words people leave where a value belongs.
const PLACEHOLDER_WORD =
  /\b(TO[ _-]?DO|TBD|TBC|FIXME|PLACEHOLDER|DUMMY|CHANGE[ _-]?ME|REPLACE[ _-]?ME|YOUR[ _-]\w+[ _-]HERE|lorem ipsum)\b/i;
// "N/A" says "no value here", which a lock screen must not show.
const NOT_APPLICABLE = /(?:^|[^a-z0-9])(n\/a)(?:$|[^a-z0-9])/i;
// A template slot nobody filled in, in the syntaxes templates use: `<your number>`, `{{tel}}`,
// `{tel}`, `%TEL%`, `$TEL`, `[your number]`.
const TEMPLATE_SLOTS: readonly RegExp[] = [
  /<[^<>\n]{1,40}>/,
  /\{\{[^{}\n]{0,40}\}\}/,
  /\{[A-Za-z_][\w.-]{0,40}\}/,
  /%[A-Za-z_][\w-]{0,40}%/,
  /\$[A-Z_][A-Z0-9_]{1,40}\b/,
  /\[(?:your|insert|enter|add)\b[^[\]\n]{0,40}\]/i,
];
// An unresolved serverless / shell variable: `${param:x}`, `${env:X}`.
const UNRESOLVED_VARIABLE = /\$\{[^{}$]*\}/;
// Three or more x's as a word (`xxx`, `+49 XXX XXXXXXX`).
const XXX = /(?:^|[^a-z])x{3,}(?:$|[^a-z])/i;

// Phone numbers are compared by their digits only, so `+49 30 1234567` and `+49301234567` match.
const PHONE_SHAPED = /^[+\d\s().-]{6,}$/;
const FICTIONAL_DIGITS: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  // NANP: 555-0100 to 555-0199 are reserved for fictional use (North American Numbering Plan
  // Administrator, https://nationalnanpa.com/): `+1 202 555 0143`, `555-0100`, `+15550100`.
  { pattern: /55501\d\d/, why: 'a 555-01xx number, reserved for fictional use in North America' },
  // Ofcom reserves 07700 900000-900999 (UK mobile) for drama and documentation.
  { pattern: /(?:^|44|0)7700900\d{3}/, why: 'an Ofcom drama number (07700 900xxx)' },
  // The sample numbers docs use (`+49 30 1234567`, `+49 151 12345678`): a number holding six
  // consecutive digits in a row, up or down, or seven equal digits, is a sample. A real number
  // has such a run about once in 100,000.
  {
    pattern: /(?:012345|123456|234567|345678|456789|987654|876543|765432|654321|543210)/,
    why: 'a sample number (it holds a run of six consecutive digits, like 1-2-3-4-5-6)',
  },
  { pattern: /(\d)\1{6}/, why: 'a sample number (seven equal digits in a row)' },
];

/**
 * Says why `value` looks like an example or placeholder rather than a real operator value, or
 * returns `undefined` when it does not. Checked, in order:
 *
 * - domains reserved for documentation: `example.com`, `example.org`, `example.net` and their
 *   subdomains, and the `.example`, `.test`, `.invalid`, `.localhost` top-level names
 *   (RFC 2606, https://www.rfc-editor.org/rfc/rfc2606; RFC 6761);
 * - filler domains of tutorials and forms (`test@test.com`, `you@yourdomain.com`);
 * - placeholder words (`TODO`, `To-Do`, `TBD`, `TBC`, `FIXME`, `placeholder`, `dummy`,
 *   `CHANGEME`, `REPLACE_ME`, `N/A`, `lorem ipsum`), template slots (`<your number>`, `{{tel}}`,
 *   `{tel}`, `%TEL%`, `$TEL`, `[your number]`), unresolved variables (`${param:x}`) and `xxx`;
 * - phone-shaped values whose digits are fictional: North American 555-0100..555-0199, UK Ofcom
 *   drama numbers 07700 900xxx, or samples holding six consecutive digits (`123456`, `345678`,
 *   `654321`) or seven equal ones (`0000000`); the project's own samples are `+49 30 1234567` and
 *   `+4915112345678`. Inside longer text the same digit rules apply to each phone-like run, so a
 *   message saying "Call +49 30 1234567" is caught too.
 *
 * Never throws; the empty string is not a placeholder (it means "unset", which callers treat
 * separately).
 *
 * @example
 * findPlaceholder('collections@example.com'); // 'uses example.com, a domain reserved for documentation (RFC 2606)'
 * findPlaceholder('+49 30 1234567');          // 'is a sample number (it holds a run of six consecutive digits, like 1-2-3-4-5-6)'
 * findPlaceholder('+49 89 2024 7710');        // undefined
 */
export function findPlaceholder(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const domain = RESERVED_DOMAIN.exec(text)?.[1];
  if (domain) return `uses ${domain.toLowerCase()}, a domain reserved for documentation (RFC 2606)`;
  const variable = UNRESOLVED_VARIABLE.exec(text)?.[0];
  if (variable) return `contains the unresolved variable ${variable}`;
  const filler = FILLER_DOMAIN.exec(text)?.[1];
  if (filler) return `uses ${filler.toLowerCase()}, a filler domain of tutorials and forms`;
  const word = PLACEHOLDER_WORD.exec(text)?.[1] ?? NOT_APPLICABLE.exec(text)?.[1];
  if (word) return `contains the placeholder "${word}"`;
  for (const pattern of TEMPLATE_SLOTS) {
    const slot = pattern.exec(text)?.[0];
    if (slot) return `contains the template slot ${slot}`;
  }
  if (XXX.test(text)) return 'contains "xxx" where a value belongs';
  const phones = PHONE_SHAPED.test(text) ? [text] : (text.match(/\+?\d[\d\s().-]{5,}\d/g) ?? []);
  for (const phone of phones) {
    const digits = phone.replace(/\D/g, '');
    const fictional = FICTIONAL_DIGITS.find((rule) => rule.pattern.test(digits));
    if (fictional) return `is ${fictional.why}`;
  }
  return undefined;
}
