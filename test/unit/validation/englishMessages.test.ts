import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { useEnglishMessages } from '../../../lib/validation';

describe('useEnglishMessages', () => {
  const before = z.config().localeError;
  afterEach(() => {
    z.config({ localeError: before });
  });

  it('is in effect once lib/validation is imported: zod/mini words its defaults as classic zod does', () => {
    const schema = z.object({ name: z.string().check(z.minLength(1)), n: z.number().check(z.int()) });
    const issues = schema.safeParse({ name: '', n: 1.5 }).error?.issues.map((i) => i.message);
    expect(issues).toEqual([
      'Too small: expected string to have >=1 characters',
      'Invalid input: expected int, received number',
    ]);
    expect(z.strictObject({}).safeParse({ extra: 1 }).error?.issues[0]?.message).toBe(
      'Unrecognized key: "extra"',
    );
  });

  it('keeps a locale configured before it', () => {
    const mine = () => 'mine';
    z.config({ localeError: mine });
    useEnglishMessages();
    expect(z.config().localeError).toBe(mine);
    expect(z.string().safeParse(1).error?.issues[0]?.message).toBe('mine');
  });

  it('sets English when no locale is configured', () => {
    z.config({ localeError: undefined });
    useEnglishMessages();
    expect(z.string().safeParse(1).error?.issues[0]?.message).toBe(
      'Invalid input: expected string, received number',
    );
  });
});
