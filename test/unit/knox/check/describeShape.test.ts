import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeShape } from '../../../../lib/knox/check/describeShape';

describe('describeShape', () => {
  it.each([
    [{ accessToken: 'eyJhbGciOi.eyJzdWIi.c2ln' }, '{accessToken: secret}'],
    [{ result: 'SUCCESS', count: 1 }, '{result: "SUCCESS", count: number}'],
    [{ deviceUid: '356938035643809' }, '{deviceUid: imei}'],
    [{ email: 'jane.doe@acme.test', phoneNumber: '+49 151 1234567' }, '{email: email, phoneNumber: phone}'],
    [{ createDate: '2026-11-25T08:00:00.000Z', serial: 'R58N12345AB' }, '{createDate: date, serial: string}'],
    [{ transactionId: '0f8fad5b-d9cb-469f-a165-70867728950e' }, '{transactionId: uuid}'],
    [{ status: 'Payment overdue, call us' }, '{status: string}'],
    [[], '[]'],
    ['<html>', 'string'],
    [null, 'null'],
    [{ lockPin: 123456 }, '{lockPin: secret}'],
  ])('%j is %s', (value, shape) => {
    expect(describeShape(value)).toBe(shape);
  });

  it('summarises arrays with their length, merged keys (optional ones marked) and the values of enumerations', () => {
    const shape = describeShape({
      resultList: [
        { result: 'SUCCESS', requestedId: '356938035643809' },
        {
          result: 'FAIL',
          requestedId: '356938035643817',
          error: { code: 4000310, message: 'DEVICE_STATE_INVALID' },
        },
      ],
    });
    expect(shape).toBe(
      '{resultList: [2 × {result: "SUCCESS" | "FAIL", requestedId: imei, error?: {code: number, message: "DEVICE_STATE_INVALID"}}]}',
    );
  });

  it('shows the one-element arrays of the token-service envelope (KBA-1242)', () => {
    expect(describeShape({ code: ['4030000'], message: ['AUTHENTICATION_FAIL'], data: ['x y'] })).toBe(
      '{code: [1 × "4030000"], message: [1 × "AUTHENTICATION_FAIL"], data: [1 × string]}',
    );
  });

  it('never prints a string value that is not a one-word enumeration, whatever the JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ minLength: 3 }), (json, secret) => {
        const value = { deviceUid: `${secret} x`, nested: [json, { email: `${secret}@x.io` }] };
        const shape = describeShape(value);
        expect(shape).not.toContain(`${secret} x`);
        expect(shape).not.toContain(`${secret}@x.io`);
      }),
      { numRuns: 500 },
    );
  });
});
