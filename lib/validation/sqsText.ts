import * as v from 'valibot';

// The characters SQS accepts in a message body, from the SendMessage API reference:
// "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. Any characters not
// included in this list will be rejected."
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
// With the `u` flag a lone surrogate is its own code point (U+D800-U+DFFF), so it is caught too.
const OUTSIDE_SQS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * The first character of `text` that SQS refuses in a message body, as `U+XXXX`, or `undefined`
 * when all of it can be queued. JSON.stringify escapes control characters and lone surrogates but
 * writes U+FFFE and U+FFFF as they are, which SQS then refuses: a request holding one can never
 * succeed, however often it is retried, so every text field is checked before it is accepted
 * (and a control character has no business on a locked device's screen either).
 *
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 *
 * @example
 * findCharOutsideSqs('Bitte zahlen'); // undefined
 * findCharOutsideSqs('pay\uFFFF');    // 'U+FFFF'
 */
export function findCharOutsideSqs(text: string): string | undefined {
  const match = OUTSIDE_SQS.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The problem line for a field holding a character SQS refuses, or `undefined`. */
export function sqsTextIssue(text: string): string | undefined {
  const found = findCharOutsideSqs(text);
  return found === undefined
    ? undefined
    : `contains ${found}, a character Amazon SQS does not accept (allowed: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF)`;
}

/**
 * A valibot validation action (for a string in a `v.pipe`) refusing characters SQS does not
 * accept, with the `sqsTextIssue` wording.
 *
 * @example
 * const message = v.pipe(v.string(), sqsText());
 * v.is(message, 'pay\uFFFF'); // false
 */
export function sqsText() {
  return v.check(
    (text: string) => findCharOutsideSqs(text) === undefined,
    (issue: v.CheckIssue<string>) =>
      sqsTextIssue(String(issue.input)) ?? 'contains a character Amazon SQS does not accept',
  );
}
