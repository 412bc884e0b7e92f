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
 * Converts text to GSM-7 and cuts it to fit `max` septets. A cut text ends at a word boundary
 * (never mid-word, no dangling comma) followed by `...`; a single word longer than the room is
 * cut where it must be.
 *
 * @example
 * fitGsm7('x'.repeat(200)).length; // 160
 * fitGsm7('Do: open the Knox Admin Portal, then re-run', 30); // 'Do: open the Knox Admin...'
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
  const next = gsm.charAt(out.length);
  const cutInWord = next !== '' && !/\s/.test(next) && !/\s$/.test(out);
  if (cutInWord) {
    const boundary = out.search(/\s\S*$/);
    // Only one long word fits: keep its head rather than an empty message.
    if (boundary > 0) out = out.slice(0, boundary);
  }
  return `${out.trimEnd().replace(/(?<![\s,;:(-])[\s,;:(-]+$/, '')}...`;
}

/** The GSM-7 septets a text takes once converted with `toGsm7`. */
export function smsLength(text: string): number {
  return gsm7Length(toGsm7(text)) ?? Number.POSITIVE_INFINITY;
}

/**
 * Builds an SMS of one GSM-7 segment from a head, context parts (most important first) and an
 * action ("Do: ..."). The action is never cut mid-word: in order of preference the message keeps
 * (1) every context part and the whole action, dropping context from the end down to the first
 * part; (2) the first context part and the action's leading clauses (cut after a `,` or `;`);
 * (3) the whole action alone, then its leading clauses alone; only when even the head and the
 * action's first clause are too long is the text cut, at a word boundary.
 *
 * @example
 * fitSmsParts('KG prod CRITICAL: USER_BLOCKED_STATE, tenant-wide.', ['Job overdue-lock.', 'Since 11-30 14:23 UTC.'], 'Do: Unblock the API user.');
 * // 'KG prod CRITICAL: USER_BLOCKED_STATE, tenant-wide. Job overdue-lock. Since 11-30 14:23 UTC. Do: Unblock the API user.'
 */
export function fitSmsParts(
  head: string,
  context: readonly string[],
  action: string,
  max: number = SMS_SEGMENT_SEPTETS,
): string {
  const shorter = leadingClauses(action);
  const candidates: string[][] = [];
  for (let keep = context.length; keep >= 1; keep -= 1) candidates.push([...context.slice(0, keep), action]);
  for (const clause of shorter) candidates.push([...context.slice(0, 1), clause]);
  candidates.push([action], ...shorter.map((clause) => [clause]));
  for (const parts of candidates) {
    const text = [head, ...parts].join(' ');
    if (smsLength(text) <= max) return toGsm7(text);
  }
  return fitGsm7(`${head} ${action}`, max);
}

/** `a, b, then c.` -> [`a, b.`, `a.`]: the action cut after whole clauses, longest first. */
function leadingClauses(action: string): string[] {
  const out: string[] = [];
  const cuts = [...action.matchAll(/[,;](?=\s)/g)].map((match) => match.index ?? 0).reverse();
  for (const cut of cuts) out.push(`${action.slice(0, cut).trimEnd()}.`);
  return out;
}
