import { describe, expect, it } from 'vitest';
import { parseOperationRequest } from '../../../lib/webhooks';
import { withCheckDigit } from './helpers';

const IMEI = '356938035643809';
const BAD_IMEI = '356938035643808';

describe('parseOperationRequest', () => {
  it('accepts a lock with a message and a contact (Prepare / Act / Assess)', () => {
    const body = {
      operation: 'lock',
      deviceUids: [IMEI, 'R58M12ABCDE'],
      message: 'Payment overdue',
      tel: '+49 151 1234567',
    };

    const result = parseOperationRequest(body);

    expect(result).toEqual({ ok: true, value: body });
  });

  it.each([
    ['unlock', { operation: 'unlock', deviceUids: [IMEI] }],
    [
      'blink with e-mail',
      { operation: 'blink', deviceUids: [IMEI], message: 'Reminder', email: 'billing@example.com' },
    ],
    ['sendMessage without contact', { operation: 'sendMessage', deviceUids: [IMEI], message: 'Hello' }],
    ['approve with requestedBy', { operation: 'approve', deviceUids: [IMEI], requestedBy: 'billing-system' }],
    ['cancelComplete', { operation: 'cancelComplete', deviceUids: ['ABCDEFG1'] }],
    ['delete', { operation: 'delete', deviceUids: [IMEI] }],
    [
      'lock at 350 characters',
      { operation: 'lock', deviceUids: [IMEI], message: 'x'.repeat(350), email: 'a@b.co' },
    ],
    [
      'blink at 200 emoji (code points)',
      { operation: 'blink', deviceUids: [IMEI], message: '💳'.repeat(200), tel: '+15550100' },
    ],
  ])('accepts %s', (_label, body) => {
    expect(parseOperationRequest(body).ok).toBe(true);
  });

  it('trims device ids and drops duplicates, keeping order', () => {
    const result = parseOperationRequest({
      operation: 'unlock',
      deviceUids: [` ${IMEI} `, 'R58M12ABCDE', IMEI],
    });
    expect(result.ok && result.value.deviceUids).toEqual([IMEI, 'R58M12ABCDE']);
  });

  it('accepts 10,000 devices and refuses 10,001', () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => withCheckDigit(String(35693803000000 + i)));
    expect(parseOperationRequest({ operation: 'unlock', deviceUids: ids.slice(0, 10_000) }).ok).toBe(true);
    const result = parseOperationRequest({ operation: 'unlock', deviceUids: ids });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual(['deviceUids: name at most 10000 devices per request']);
  });

  it.each([
    ['not an object', 'lock', ['body: must be a JSON object']],
    ['null', null, ['body: must be a JSON object']],
    ['an array', [], ['body: must be a JSON object']],
    ['no devices', { operation: 'unlock', deviceUids: [] }, ['deviceUids: name at least one device']],
    [
      'lock without message',
      { operation: 'lock', deviceUids: [IMEI], tel: '+15550100' },
      ['message: lock needs a message'],
    ],
    [
      'lock without contact',
      { operation: 'lock', deviceUids: [IMEI], message: 'Pay' },
      ['tel/email: lock needs at least one contact (tel or email)'],
    ],
    [
      'blink over 200 characters',
      { operation: 'blink', deviceUids: [IMEI], message: 'x'.repeat(201), tel: '+15550100' },
      ['message: 201 characters; blink allows at most 200'],
    ],
    [
      'lock over 350 characters',
      { operation: 'lock', deviceUids: [IMEI], message: 'x'.repeat(351), tel: '+15550100' },
      ['message: 351 characters; lock allows at most 350'],
    ],
    [
      'sendMessage without message',
      { operation: 'sendMessage', deviceUids: [IMEI] },
      ['message: sendMessage needs a message'],
    ],
    [
      'a bad IMEI, masked',
      { operation: 'unlock', deviceUids: [IMEI, BAD_IMEI] },
      ['deviceUids[1]: "35*********3808" is not a valid IMEI (wrong check digit)'],
    ],
    [
      'a bad serial',
      { operation: 'unlock', deviceUids: ['R58-M12'] },
      [
        'deviceUids[0]: "R5*-M12" is neither an IMEI (15 digits) nor a serial number (8-20 letters and digits, both)',
      ],
    ],
  ])('refuses %s with a clear issue', (_label, body, issues) => {
    expect(parseOperationRequest(body)).toEqual({ ok: false, issues, apiError: 'VALIDATION_FAILED' });
  });

  it('answers UNKNOWN_OPERATION for an operation Knox Guard does not have', () => {
    const result = parseOperationRequest({ operation: 'wipe', deviceUids: [IMEI] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.apiError).toBe('UNKNOWN_OPERATION');
    expect(!result.ok && result.issues[0]).toContain('expected one of lock, unlock, blink');
  });

  it('refuses unknown fields (a misspelt contact must not vanish silently), masking ids in keys', () => {
    const result = parseOperationRequest({
      operation: 'unlock',
      deviceUids: [IMEI],
      telephone: '+15550100',
      [IMEI]: 1,
    });
    expect(result.ok).toBe(false);
    const text = !result.ok ? result.issues.join('\n') : '';
    expect(text).toContain('telephone');
    expect(text).not.toContain(IMEI);
  });

  // Break-it pass, 2026-12-01: a 60 KB unknown key took 4.3 s to mask and was echoed twice.
  it('keeps each issue short whatever the length of a key or a device id', () => {
    const key = `${IMEI}${'k'.repeat(300_000)}`;
    const result = parseOperationRequest({
      operation: 'unlock',
      deviceUids: [IMEI, `x${'9'.repeat(300_000)}`],
      [key]: 1,
    });
    expect(result.ok).toBe(false);
    const issues = !result.ok ? result.issues : [];
    expect(issues.length).toBeGreaterThanOrEqual(2);
    for (const issue of issues) expect(issue.length).toBeLessThanOrEqual(300);
    expect(issues.join('\n')).not.toContain(IMEI);
    expect(issues.some((issue) => issue.startsWith('deviceUids[1]: '))).toBe(true);
  });

  it('names the path of type errors', () => {
    const result = parseOperationRequest({
      operation: 'lock',
      deviceUids: [IMEI, 42],
      message: 7,
      email: 'nope',
    });
    expect(result.ok).toBe(false);
    const issues = !result.ok ? result.issues : [];
    expect(issues.some((i) => i.startsWith('deviceUids[1]: '))).toBe(true);
    expect(issues.some((i) => i.startsWith('message: '))).toBe(true);
    expect(issues).toContain('email: must be an e-mail address');
  });

  it('caps the issue list and never echoes a full IMEI', () => {
    const bad = Array.from(
      { length: 500 },
      (_, i) =>
        `${String(35693803564380 + i)}${(Number(withCheckDigit(String(35693803564380 + i)).at(-1)) + 1) % 10}`,
    );
    const result = parseOperationRequest({ operation: 'unlock', deviceUids: bad });
    expect(result.ok).toBe(false);
    const issues = !result.ok ? result.issues : [];
    expect(issues).toHaveLength(21);
    expect(issues.at(-1)).toBe('deviceUids: ... and 480 more invalid device ids');
    for (const id of bad) expect(issues.join('\n')).not.toContain(id);
  });
});

// Issue 13 items 13 and 15: what can never be queued is a 400; ids arrive in Knox Guard's form.
describe('parseOperationRequest at the edge', () => {
  it.each([
    ['message', { message: 'Bitte zahlen\uFFFF', email: 'a@b.co' }, 'message: contains U+FFFF'],
    ['message', { message: 'Bitte\uFFFE zahlen', email: 'a@b.co' }, 'message: contains U+FFFE'],
    ['message', { message: 'Bitte\u0001 zahlen', email: 'a@b.co' }, 'message: contains U+0001'],
    [
      'requestedBy',
      { message: 'Pay', email: 'a@b.co', requestedBy: 'ops\uD800' },
      'requestedBy: contains U+D800',
    ],
  ])('refuses a %s holding a character SQS does not accept', (_field, extra, issue) => {
    const result = parseOperationRequest({ operation: 'lock', deviceUids: ['356938035643809'], ...extra });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.apiError).toBe('VALIDATION_FAILED');
    expect(!result.ok && result.issues[0]).toContain(issue);
  });

  it('normalises prefixed and grouped ids and drops the duplicates they hid', () => {
    const result = parseOperationRequest({
      operation: 'delete',
      deviceUids: ['IMEI356938035643809', '35-693803-564380-9', 'S/N r58m123abcd'],
    });
    expect(result).toEqual({
      ok: true,
      value: { operation: 'delete', deviceUids: ['356938035643809', 'R58M123ABCD'] },
    });
  });

  it.each([
    ['3569380356438', /13 digits/],
    ['3569380356438091', /16 digits/],
    ['constructor', /neither an IMEI/],
  ])('refuses %s as a device id', (id, reason) => {
    const result = parseOperationRequest({ operation: 'delete', deviceUids: [id] });
    expect(!result.ok && result.issues[0]).toMatch(reason);
  });

  it.each([
    [{ operation: 'blink', message: 'Due soon', tel: '+4915112345678', options: { interval: 30 } }, []],
    [{ operation: 'approve', options: { approveComment: 'contract 4711' } }, []],
    [
      { operation: 'blink', message: 'Due soon', tel: '+4915112345678', options: { interval: '30' } },
      ['options: interval must be a number'],
    ],
    [
      { operation: 'approve', options: { approveId: 'INV-4711' } },
      ['options: approveId is per device: only for one device'],
    ],
    [
      { operation: 'lock', message: 'Overdue', tel: '+4915112345678', options: { interval: 30 } },
      ['options: lock has no option interval (it takes: none)'],
    ],
  ])('checks options against OPERATION_RULES: %j', (request, issues) => {
    const result = parseOperationRequest({ deviceUids: [IMEI, 'R58M12ABCDE'], ...request });

    if (issues.length === 0) expect(result).toMatchObject({ ok: true, value: { options: request.options } });
    else expect(result).toMatchObject({ ok: false, issues, apiError: 'VALIDATION_FAILED' });
  });

  it('accepts approveId for a request about one device', () => {
    const result = parseOperationRequest({
      operation: 'approve',
      deviceUids: [IMEI],
      options: { approveId: 'INV-4711' },
    });

    expect(result).toMatchObject({ ok: true, value: { options: { approveId: 'INV-4711' } } });
  });
});
