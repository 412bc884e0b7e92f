import { describe, expect, it } from 'vitest';
import { hasValidLuhnCheckDigit, isDeviceUid, parseDeviceId } from '../../../lib/devices';
import { withCheckDigit } from '../webhooks/helpers';

describe('parseDeviceId', () => {
  it.each([
    // The instances from issue 13 item 15: prefixes and separators normalised before Knox sees them.
    ['IMEI356938035643809', '356938035643809', 'imei'],
    ['IMEI: 356938035643809', '356938035643809', 'imei'],
    ['imei 35-693803-564380-9', '356938035643809', 'imei'],
    ['35-693803-564380-9', '356938035643809', 'imei'],
    ['35 693803 564380 9', '356938035643809', 'imei'],
    ['35/693803/564380/9', '356938035643809', 'imei'],
    ['  490154203237518 ', '490154203237518', 'imei'],
    ['R58M123ABCD', 'R58M123ABCD', 'serial'],
    ['S/N R58M123ABCD', 'R58M123ABCD', 'serial'],
    ['SN:r58m123abcd', 'R58M123ABCD', 'serial'],
    ['Serial No. R58M12ABCDE', 'R58M12ABCDE', 'serial'],
    ['ABCDEFG1', 'ABCDEFG1', 'serial'],
    ['ABCDEFGHIJKLMNOPQRS1', 'ABCDEFGHIJKLMNOPQRS1', 'serial'],
  ])('%s -> %s (%s)', (raw, value, kind) => {
    expect(parseDeviceId(raw)).toEqual({ ok: true, value, kind });
  });

  it.each([
    ['356938035643808', /wrong check digit/],
    ['IMEI356938035643808', /wrong check digit/],
    ['35693803564380', /14 digits/],
    ['3569380356438091', /16 digits/],
    ['35693803564380912345', /20 digits/],
    ['constructor', /neither/],
    ['__proto__', /neither/],
    ['ABCDEFGH', /neither/],
    ['ABCDEFG', /neither/],
    ['ABCDEFGHIJKLMNOPQRS12', /neither/],
    ['R58M-12ABCDE', /neither/],
    ['MEID A0000012345678', /MEID/],
    ['MEID:A0000012345678', /MEID/],
    ['', /empty/],
    ['   ', /empty/],
    ['３５６９３８０３５６４３８０９', /neither/],
    ['1'.repeat(65), /longer than 64/],
  ])('refuses %s', (raw, reason) => {
    const parsed = parseDeviceId(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('isDeviceUid (already normalised)', () => {
  it.each([
    ['356938035643809', true],
    ['R58M12ABCDE', true],
    ['IMEI356938035643809', false],
    ['r58m12abcde', false],
    ['35693803564380', false],
    ['constructor', false],
  ])('%s -> %s', (value, expected) => {
    expect(isDeviceUid(value)).toBe(expected);
  });

  it('accepts every IMEI built with an independently computed check digit, and rejects the other nine', () => {
    for (const body of ['35693803564380', '01234567890123', '99999999999999', '00000000000000']) {
      const imei = withCheckDigit(body);
      expect(isDeviceUid(imei)).toBe(true);
      const wrong = [...'0123456789']
        .filter((digit) => digit !== imei.at(-1))
        .map((digit) => `${body}${digit}`);
      for (const candidate of wrong) expect(isDeviceUid(candidate)).toBe(false);
    }
  });
});

describe('hasValidLuhnCheckDigit', () => {
  it.each([
    ['79927398713', true],
    ['79927398710', false],
    ['0', true],
    ['12a4', false],
    ['', false],
  ])('%s -> %s', (digits, expected) => {
    expect(hasValidLuhnCheckDigit(digits)).toBe(expected);
  });
});
