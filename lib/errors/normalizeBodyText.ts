/**
 * The body text of an HTTP answer as every parser in this service reads it: a leading UTF-8 byte
 * order mark (U+FEFF, which `Buffer#toString('utf8')` keeps and `JSON.parse` refuses) removed, and
 * trailing NUL padding and whitespace removed. Some proxies and Windows-hosted gateways prefix a
 * BOM or pad the body; neither changes what the answer says, so a success stays a success. Called
 * once, at the single place each answer is parsed (`decode`).
 *
 * @example
 * JSON.parse(normalizeBodyText('\uFEFF{"accessToken":"t"}\0\0')); // { accessToken: 't' }
 */
export function normalizeBodyText(text: string): string {
  let start = 0;
  while (text.charCodeAt(start) === 0xfeff) start += 1;
  let end = text.length;
  for (;;) {
    const code = text.charCodeAt(end - 1);
    // NUL, tab, LF, CR, space: padding, never part of a JSON value's last token.
    if (end > start && (code === 0 || code === 9 || code === 10 || code === 13 || code === 32)) end -= 1;
    else break;
  }
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
