/**
 * `text` cut to at most `maxChars` characters (UTF-16 code units), ending in `...` when cut
 * (ASCII, so it survives the SMS renderer). Cuts only: text that may hold personal data goes
 * through `maskExcerpt`, which masks before it cuts.
 *
 * @example
 * excerpt('arn:aws:lambda:eu-central-1:123456789012:function:x', 20); // 'arn:aws:lambda:eu...'
 */
export function excerpt(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 3))}...`;
}
