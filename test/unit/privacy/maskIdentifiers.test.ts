import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskText, redactForLog } from '../../../lib/privacy';
import { defaultPhoneRegion } from '../../../lib/privacy/mask';
import { withCheckDigit } from '../webhooks/helpers';

// Issue 13 item 15: each of these appeared verbatim in alert e-mails and WARN logs.
describe('maskText finds ids and phone numbers however they are written', () => {
  it.each([
    ['IMEI356938035643809 not found', 'IMEI35*********3809 not found'],
    ['IMEI: 356938035643809', 'IMEI: 35*********3809'],
    ['device 35-693803-564380-9 locked', 'device 35*********3809 locked'],
    ['device 35 693803 564380 9 locked', 'device 35*********3809 locked'],
    ['device 35/693803/564380/9', 'device 35*********3809'],
    ['IMEISV 3569380356438091', 'IMEISV 35**********8091'],
    // Found by the property below (CI, seed -1117344483): the e-mail rule took `035643809@0.0`
    // first and left `356938/0` readable.
    ['from 356938/035643809@0.0', 'from 35*********3***@0.0'],
    ['MEID A0000012345678 unknown', 'MEID A0********5678 unknown'],
    ['S/N R58M123ABCD', 'S/N R5*****ABCD'],
    ['Serial No. R58M123ABCD', 'Serial No. R5*****ABCD'],
    // Break-it pass, 2026-12-01: the hyphenated label and full-width digits stayed readable (the
    // renderers fold full-width to ASCII afterwards, so `３５６…` reached SMS as `356…`).
    ['Serial-No R58M123ABCD', 'Serial-No R5*****ABCD'],
    ['Serial-No.: R58M123ABCD', 'Serial-No.: R5*****ABCD'],
    ['IMEI ３５６９３８０３５６４３８０９', 'IMEI 35*********3809'],
    ['call ＋４９ １５１ ２３４５６７８９', 'call +49*********89'],
    ['call 0151 23456789', 'call 01********89'],
    // 15 digits: masked as a possible IMEI before the phone rules see it; masked either way.
    ['call 0049 151 23456789', 'call 00*********6789'],
    ['call (0151) 234-56789 today', 'call 01********89 today'],
    ['call +49 151 23456789', 'call +49*********89'],
    ['call +1 555 0100', 'call +15****00'],
  ])('%s', (input, expected) => {
    expect(maskText(input, 'DE')).toBe(expected);
  });

  it('leaves counts, dates and times readable', () => {
    const text = 'chunk 3 of 12: 1000 devices, 2 failed at 2026-11-30 07:00; HTTP 503';
    expect(maskText(text, 'DE')).toBe(text);
  });

  it('reads national numbers in the configured region', () => {
    expect(maskText('appelez 06 12 34 56 78', 'FR')).toBe('appelez 06******78');
    const saved = process.env.DEFAULT_PHONE_REGION;
    try {
      process.env.DEFAULT_PHONE_REGION = 'fr';
      expect(defaultPhoneRegion()).toBe('FR');
      process.env.DEFAULT_PHONE_REGION = 'XX';
      expect(defaultPhoneRegion()).toBe('DE');
      delete process.env.DEFAULT_PHONE_REGION;
      expect(defaultPhoneRegion()).toBe('DE');
    } finally {
      if (saved === undefined) delete process.env.DEFAULT_PHONE_REGION;
      else process.env.DEFAULT_PHONE_REGION = saved;
    }
  });

  it('masks them in log records too (redactForLog)', () => {
    const line = JSON.stringify({ reason: 'IMEI356938035643809 / 0151 23456789' }, redactForLog);
    expect(line).not.toMatch(/356938035643809|23456789/);
  });
});

// Any IMEI, in any of the ways people write one, inside any text, never survives masking.
describe('maskText property', () => {
  const imei = fc.stringMatching(/^\d{14}$/).map(withCheckDigit);
  const separator = fc.constantFrom('', '-', ' ', '/', '.');
  const prefix = fc.constantFrom('', 'IMEI', 'IMEI:', 'IMEI ', 'IMEI: ', 'imei#', 'S/N ');
  // The common groupings (2-6-6-1, as printed on boxes) and arbitrary cut points.
  const grouping = fc.oneof(
    fc.constant([2, 8, 14]),
    fc
      .uniqueArray(fc.integer({ min: 1, max: 14 }), { maxLength: 6 })
      .map((cuts) => cuts.sort((a, b) => a - b)),
  );
  const formatted = fc.tuple(imei, prefix, separator, grouping).map(([id, pre, sep, cuts]) => {
    let text = '';
    let from = 0;
    for (const cut of cuts) {
      text += `${id.slice(from, cut)}${sep}`;
      from = cut;
    }
    return { id, text: `${pre}${text}${id.slice(from)}` };
  });

  it('never leaves an IMEI readable, whatever the prefix, separators and surrounding text', () => {
    fc.assert(
      fc.property(fc.string(), formatted, fc.string(), (before, { id, text }, after) => {
        const masked = maskText(`${before}${text}${after}`, 'DE');
        expect(masked).not.toContain(text.replace(/^\D+/, ''));
        expect(masked.replace(/[ ./-]/g, '')).not.toContain(id);
        // The middle digits, the part that identifies the device, are gone.
        expect(masked.replace(/\D/g, '')).not.toContain(id.slice(2, 11));
      }),
      { numRuns: 3_000 },
    );
  });
});
