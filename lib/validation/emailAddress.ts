import * as v from 'valibot';

// What zod's `z.email()` accepted, kept when validation moved to valibot: its `v.email()` refuses
// apostrophes in the local part (o'brien@...) and double hyphens in a domain (xn--... IDNs).
const EMAIL =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/**
 * A valibot validation action for an e-mail address (a string in a `v.pipe`), with valibot's
 * default wording unless `message` is given.
 *
 * @example
 * const email = v.pipe(v.string(), emailAddress('must be an e-mail address'));
 * v.is(email, "o'brien@example.com"); // true
 */
export function emailAddress(message?: string) {
  return v.regex(EMAIL, message ?? ((issue) => `Invalid email: Received ${issue.received}`));
}
