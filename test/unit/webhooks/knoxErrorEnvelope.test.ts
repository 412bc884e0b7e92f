import { describe, expect, it } from 'vitest';
import { decode } from '../../../lib/errors';
import { apiError, knoxErrorEnvelope } from '../../../lib/webhooks';
import { ApiErrorCode, type ApiErrorName } from '../../../lib/webhooks/knoxErrorEnvelope';

describe('knoxErrorEnvelope', () => {
  it('builds the Knox-style body with the code as a string', () => {
    expect(knoxErrorEnvelope(400, 4000001, 'INVALID_JSON', 'Body is not JSON.')).toEqual({
      statusCode: 400,
      headers: { 'content-type': 'application/json' },
      body: {
        result: 'FAIL',
        error: { code: '4000001', message: 'INVALID_JSON', reason: 'Body is not JSON.' },
      },
    });
  });

  it.each(Object.keys(ApiErrorCode) as ApiErrorName[])(
    '%s: 7 digits whose first three are its HTTP status',
    (name) => {
      const response = apiError(name, 'why');
      expect(ApiErrorCode[name]).toMatch(/^[45]\d{6}$/);
      expect(String(response.statusCode)).toBe(ApiErrorCode[name].slice(0, 3));
      expect(response.body.error).toEqual({ code: ApiErrorCode[name], message: name, reason: 'why' });
    },
  );

  it('has unique codes', () => {
    const codes = Object.values(ApiErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('is read back by our own Knox Guard decoder like a Knox error', () => {
    const response = apiError('SIGNATURE_INVALID', 'Signature does not match.');
    const decoded = decode({ status: response.statusCode, body: JSON.stringify(response.body) });
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error).toMatchObject({
      code: '4010001',
      codeName: 'SIGNATURE_INVALID',
      httpStatus: 401,
      reason: 'Signature does not match.',
    });
  });
});
