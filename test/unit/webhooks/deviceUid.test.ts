import { describe, expect, it } from 'vitest';
import { hasValidLuhnCheckDigit, isDeviceUid } from '../../../lib/webhooks';
import { withCheckDigit } from './helpers';

describe('isDeviceUid', () => {
  it.each([
    ['356938035643809', true, 'IMEI with a valid check digit'],
    ['490154203237518', true, 'the textbook IMEI'],
    ['356938035643808', false, 'IMEI with a wrong check digit'],
    ['35693803564380', true, '14 digits read as a serial-like id (MEID without check digit)'],
    ['R58M12ABCDE', true, 'Samsung-style serial'],
    ['ABCDEFGH', true, '8-character serial'],
    ['ABCDEFGHIJKLMNOPQRST', true, '20-character serial'],
    ['ABCDEFG', false, '7 characters'],
    ['ABCDEFGHIJKLMNOPQRSTU', false, '21 characters'],
    ['R58M-12ABCDE', false, 'punctuation'],
    ['', false, 'empty'],
    ['３５６９３８０３５６４３８０９', false, 'full-width digits'],
  ])('%s -> %s (%s)', (value, expected) => {
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
