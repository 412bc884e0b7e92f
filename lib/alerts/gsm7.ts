// GSM 03.38 default alphabet and its extension table (escape + char: two septets each).
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '^{}\\[~]|€\f';
const basic = new Set(BASIC);
const extension = new Set(EXTENSION);

// Common typography that would otherwise push an SMS into UCS-2 (70 characters per segment).
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '‘': "'",
  '’': "'",
  '‚': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '–': '-',
  '—': '-',
  '−': '-',
  '…': '...',
  '•': '*',
  '·': '.',
  '\u00a0': ' ',
  '\t': ' ',
  '×': 'x',
  '«': '"',
  '»': '"',
};

/** One SMS segment in the GSM-7 alphabet. */
export const SMS_SEGMENT_SEPTETS = 160;

/**
 * Rewrites text into the GSM-7 alphabet so an SMS stays in 160-character segments: typographic
 * quotes and dashes become ASCII, accented letters lose accents GSM-7 lacks (`ó` → `o`, `ê` →
 * `e`), and anything else (emoji, CJK) becomes `?`. Characters GSM-7 has are kept as they are.
 *
 * @example
 * toGsm7('Licences – “prod” ✅ Kraków'); // 'Licences - "prod" ? Krakow'
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const char of text) {
    if (basic.has(char) || extension.has(char)) {
      out += char;
      continue;
    }
    const replacement = REPLACEMENTS[char];
    if (replacement !== undefined) {
      out += replacement;
      continue;
    }
    const base = char.normalize('NFKD').replace(/\p{M}/gu, '');
    out += [...base].every((c) => basic.has(c) || extension.has(c)) && base !== '' ? base : '?';
  }
  return out;
}

/**
 * The number of GSM-7 septets a text needs (extension characters such as `€`, `[` or `|` count
 * two), or `undefined` if it contains a character GSM-7 cannot encode.
 *
 * @example
 * gsm7Length('Price: 5€'); // 10
 */
export function gsm7Length(text: string): number | undefined {
  let septets = 0;
  for (const char of text) {
    if (basic.has(char)) septets += 1;
    else if (extension.has(char)) septets += 2;
    else return undefined;
  }
  return septets;
}

/**
 * Converts text to GSM-7 and cuts it to fit `max` septets, ending a cut text with `...`.
 *
 * @example
 * fitGsm7('x'.repeat(200)).length; // 160
 */
export function fitGsm7(text: string, max: number = SMS_SEGMENT_SEPTETS): string {
  const gsm = toGsm7(text);
  if ((gsm7Length(gsm) ?? Number.POSITIVE_INFINITY) <= max) return gsm;
  let out = '';
  let septets = 0;
  for (const char of gsm) {
    const size = extension.has(char) ? 2 : 1;
    if (septets + size > max - 3) break;
    out += char;
    septets += size;
  }
  return `${out.trimEnd()}...`;
}
