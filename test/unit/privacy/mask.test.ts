import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskDeviceId, maskText, redactForLog } from '../../../lib/privacy';
import { maskEmail, maskPhone } from '../../../lib/privacy/mask';

describe('masking', () => {
  it.each([
    ['356938035643809', '35*********3809'],
    ['R58M12ABCDE', 'R5*****BCDE'],
    ['12345', '*****'],
  ])('masks device id %s as %s', (id, masked) => {
    expect(maskDeviceId(id)).toBe(masked);
  });

  it('masks phones and e-mails', () => {
    expect(maskPhone('+49 151 1234567')).toBe('+49********67');
    expect(maskPhone('01511234567')).toBe('01*******67');
    expect(maskEmail('jane.doe@example.com')).toBe('j*******@example.com');
  });

  it('masks ids, phones and e-mails inside free text', () => {
    const text = maskText('Device 356938035643809 not found; call +491511234567 or mail ops@example.com');
    expect(text).toBe('Device 35*********3809 not found; call +49********67 or mail o**@example.com');
  });

  it.each([
    [
      'AUTHENTICATION_FAIL (4030000, HTTP 403): no API key',
      'AUTHENTICATION_FAIL (4030000, HTTP 403): no API key',
    ],
    ['Knox code: 40122050 ACCESS_TOKEN_BAD_REQUEST', 'Knox code: 40122050 ACCESS_TOKEN_BAD_REQUEST'],
    ['call 0151 23456789 now', 'call 01********89 now'],
    ['call 0049 151 23456789 now', 'call 00*********6789 now'],
  ])('keeps Knox codes readable and masks national numbers: %s', (text, masked) => {
    expect(maskText(text, 'DE')).toBe(masked);
  });

  it('never leaves a 15-digit IMEI readable in any text', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^\d{15}$/), fc.string(), (before, imei, after) => {
        const masked = maskText(`${before} ${imei} ${after}`);
        expect(masked).not.toContain(imei);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('redactForLog', () => {
  it('redacts credentials and masks personal data anywhere in a log record', () => {
    const record = {
      message: 'locking 356938035643809',
      headers: { 'x-knox-apitoken': 'eyJhbGciOi', Authorization: 'Bearer x' },
      certificate: { Public: 'MIIB', Private: 'MIIE' },
      nested: [{ accessToken: 'tok', contact: '+491511234567', ok: true }],
      count: 3,
    };
    const text = JSON.stringify(record, redactForLog);
    for (const secret of [
      'eyJhbGciOi',
      'Bearer x',
      'MIIB',
      'MIIE',
      'tok"',
      '356938035643809',
      '+491511234567',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(text)).toMatchObject({
      message: 'locking 35*********3809',
      count: 3,
      nested: [{ ok: true }],
    });
  });
});
