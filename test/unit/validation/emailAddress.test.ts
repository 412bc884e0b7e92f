import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { emailAddress } from '../../../lib/validation';

describe('emailAddress', () => {
  const email = v.pipe(v.string(), emailAddress());

  it.each([
    ['a@b.co', true, 'short'],
    ['first.last+tag@example.com', true, 'dots and a plus tag'],
    ["o'brien@example.com", true, 'apostrophe, refused by v.email()'],
    ['a@xn--bcher-kva.de', true, 'IDN (punycode) domain, refused by v.email()'],
    ['a_b@sub.x-y.com', true, 'underscore, subdomain, hyphen'],
    ['a@b.c', false, 'one-letter top-level domain'],
    ['a..b@x.com', false, 'consecutive dots'],
    ['.a@x.com', false, 'leading dot'],
    ['a.@x.com', false, 'trailing dot in the local part'],
    ['a@-x.com', false, 'domain label starting with a hyphen'],
    ['a b@x.com', false, 'space'],
    [' a@b.co', false, 'not trimmed'],
    ['a@x_y.com', false, 'underscore in the domain'],
  ])('%s -> %s %s', (address, valid) => {
    expect(v.is(email, address)).toBe(valid);
  });

  it("words its issue as valibot's v.email() does, or with the caller's message", () => {
    expect(v.safeParse(email, 'nope').issues?.[0]?.message).toBe('Invalid email: Received "nope"');
    expect(
      v.safeParse(v.pipe(v.string(), emailAddress('must be an e-mail address')), 'nope').issues?.[0]?.message,
    ).toBe('must be an e-mail address');
  });
});
