import { describe, expect, it } from 'vitest';
import { type DeviceOperation, KnoxRequestError, validateOperation } from '../../../lib/knox';

const ids = ['356938035643809'];

function errorOf(fn: () => unknown): KnoxRequestError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KnoxRequestError) return error;
    throw error;
  }
  throw new Error('expected a KnoxRequestError');
}

describe('validateOperation', () => {
  it('accepts a lock with a 350-character message and one contact, trimming contacts', () => {
    const message = 'x'.repeat(350);
    expect(validateOperation('lock', ids, { message, tel: ' +15550100 ', email: '' })).toEqual({
      message,
      tel: '+15550100',
    });
  });

  it.each([
    ['lock', { message: 'x'.repeat(351), tel: '+1555' }, 'message'],
    ['lock', { message: 'Pay now' }, 'contact'],
    ['lock', { tel: '+1555' }, 'message'],
    ['blink', { message: 'y'.repeat(201), email: 'a@b.example' }, 'message'],
    ['blink', { message: 'Pay', tel: '  ' }, 'contact'],
    ['sendMessage', { message: '' }, 'message'],
  ] as const)('rejects %s with %j (field %s)', (operation, params, field) => {
    const error = errorOf(() => validateOperation(operation, ids, params));
    expect(error.name).toBe('KnoxRequestError');
    expect(error.field).toBe(field);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(() => validateOperation('blink', ids, { message: '💳'.repeat(200), tel: '+1555' })).not.toThrow();
    expect(() => validateOperation('blink', ids, { message: '💳'.repeat(201), tel: '+1555' })).toThrow(
      KnoxRequestError,
    );
  });

  it('rejects unknown operations and empty device ids', () => {
    expect(errorOf(() => validateOperation('wipe' as DeviceOperation, ids)).field).toBe('operation');
    expect(errorOf(() => validateOperation('unlock', ['356938035643809', ' '])).field).toBe('deviceUids');
  });

  it('sends only the fields the operation takes (OPERATION_RULES)', () => {
    expect(validateOperation('reject', ids, { message: 'ignored', tel: '+1555' })).toEqual({});
    expect(validateOperation('unlock', ids, { message: 'Thanks for paying', tel: '+1555' })).toEqual({
      message: 'Thanks for paying',
    });
    expect(validateOperation('approve', ids, { approveId: ' INV-42 ', approveComment: 'ok' })).toEqual({
      approveId: 'INV-42',
      approveComment: 'ok',
    });
    expect(validateOperation('accept', ids, { approveId: 'INV-43' })).toEqual({ approveId: 'INV-43' });
  });

  it('gives blink its required interval (default when absent) and checks the optional limits', () => {
    expect(validateOperation('blink', ids, { message: 'Pay', tel: '+1555' })).toMatchObject({ interval: 10 });
    expect(
      validateOperation('blink', ids, { message: 'Pay', tel: '+1555', interval: 3, timeLimit: [9, 17] }),
    ).toMatchObject({ interval: 3, timeLimit: [9, 17] });
    expect(
      errorOf(() => validateOperation('blink', ids, { message: 'Pay', tel: '+1', timeLimit: [Number.NaN] }))
        .field,
    ).toBe('timeLimit');
    expect(
      errorOf(() =>
        validateOperation('sendMessage', ids, {
          message: 'Hi',
          enableFullscreen: 'yes' as unknown as boolean,
        }),
      ).field,
    ).toBe('enableFullscreen');
  });
});
