import { describe, expect, it } from 'vitest';
import { excerpt, maskExcerpt, maskText, redactForLog } from '../../../lib/privacy';

// Break-it pass, 2026-12-01: `[\w.+-]+@...` rescanned a long run without `@` from each of its
// characters (100,000 characters: 5.9 s), and `\s*[:#=]?\s*` after a label split a long run of
// spaces every possible way. Each input below took seconds to minutes before; each is a whole
// answer now (test/unit/regexes.test.ts checks every pattern's complexity).
describe('maskText on long adversarial text', () => {
  it.each([
    ['a word of 200,000 address characters', 'a'.repeat(200_000)],
    ['a dotted token', 'a.'.repeat(100_000)],
    ['a label and 100,000 spaces', `SN${' '.repeat(100_000)}!`],
    ['a hyphenated label and 100,000 spaces', `Serial${' '.repeat(100_000)}-`],
  ])('leaves %s as it is', (_name, text) => {
    expect(maskText(text, 'DE')).toBe(text);
  });

  it('still masks the id after a long gap and an address after a long local part', () => {
    expect(maskText(`SN${' '.repeat(50_000)}R58M123ABCD`, 'DE')).toBe(`SN${' '.repeat(50_000)}R5*****ABCD`);
    const local = 'x'.repeat(100_000);
    expect(maskText(`mail ${local}@example.com`, 'DE')).toBe(`mail x${'*'.repeat(99_999)}@example.com`);
  });
});

describe('maskExcerpt', () => {
  it('masks, then cuts to maxChars ending in "..."', () => {
    const text = `IMEI 356938035643809 ${'x'.repeat(1_000_000)}`;
    const excerpt = maskExcerpt(text, 40, 'DE');
    expect(excerpt).toBe(`IMEI 35*********3809 ${'x'.repeat(16)}...`);
    expect(excerpt).toHaveLength(40);
  });

  it('keeps a short text whole', () => {
    expect(maskExcerpt('call +491511234567', 40, 'DE')).toBe('call +49********67');
  });

  it('never shows part of an id cut at the masked window edge', () => {
    // The IMEI straddles the window (4 x 40 + 1,024 characters): its head is not a 14-digit run,
    // so it is not masked there, and it lies far beyond what is kept.
    const text = `${'y'.repeat(4 * 40 + 1024 - 8)}356938035643809`;
    expect(maskExcerpt(text, 40, 'DE')).toBe(`${'y'.repeat(37)}...`);
  });

  it('bounds every string a log record carries (redactForLog)', () => {
    const line = JSON.stringify(
      { message: `bad key ${'k'.repeat(1_000_000)} 356938035643809` },
      redactForLog,
    );
    expect(line.length).toBeLessThan(16_500);
    expect(line).toContain('...');
    expect(line).not.toContain('356938035643809');
  });
});

describe('excerpt', () => {
  it('cuts without masking, ending in "..." within maxChars', () => {
    expect(excerpt('arn:aws:lambda:eu-central-1:123456789012:function:x', 20)).toBe('arn:aws:lambda:eu...');
    expect(excerpt('short', 20)).toBe('short');
    expect(excerpt('x'.repeat(21), 20)).toHaveLength(20);
  });
});
