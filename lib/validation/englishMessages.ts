import { en } from 'zod/locales';
import { config } from 'zod/mini';

/**
 * Makes zod/mini word its default issue messages in English, as classic zod does, so config,
 * chunk and request errors read "Too small: expected string to have >=1 characters" and not a bare
 * "Invalid input". zod/mini ships no locale of its own (that is part of why it is small) and this
 * adds only the English one (~3 KB). Idempotent, and a locale someone configured first wins, the
 * same rule classic zod follows. Every module that parses with zod/mini imports `lib/validation`,
 * which calls this once at load.
 *
 * @example
 * useEnglishMessages();
 * z.string().check(z.minLength(1)).safeParse('').error?.issues[0]?.message;
 * // 'Too small: expected string to have >=1 characters'
 */
export function useEnglishMessages(): void {
  if (!config().localeError) config(en());
}
