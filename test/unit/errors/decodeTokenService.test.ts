import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, KNOX_CODES, TOKEN_SERVICE_CODES, tokenServiceCode } from '../../../lib/errors';

const STATUSES = [200, 401, 403] as const;

function failureOf(status: number, body: unknown) {
  const result = decode({ status, body: JSON.stringify(body) });
  if (result.ok) throw new Error(`expected a failure at HTTP ${status}, got success`);
  return result.failure;
}

// Every token-service row, sent as Knox Cloud Authentication sends it: the object form, the
// KBA-1242 form with one-element arrays, codes as numbers and as strings.
const shapes = TOKEN_SERVICE_CODES.flatMap(
  (entry) =>
    [
      ['object, number code', entry, { code: Number(entry.code), message: entry.codeName, data: 'detail' }],
      ['object, string code', entry, { code: entry.code, message: entry.codeName, data: 'detail' }],
      ['arrays, string code', entry, { code: [entry.code], message: [entry.codeName], data: ['detail'] }],
      [
        'arrays, number code',
        entry,
        { code: [Number(entry.code)], message: [entry.codeName], data: ['detail'] },
      ],
    ] as const,
);

describe('decode: Knox Cloud Authentication (token service) envelope', () => {
  describe.each(STATUSES)('at HTTP %i', (status) => {
    it.each(shapes)('%s: %s decodes to its named code', (_shape, entry, body) => {
      const failure = failureOf(status, body);
      expect(failure).toMatchObject({
        code: entry.code,
        codeName: entry.codeName,
        httpStatus: entry.httpStatus,
        receivedStatus: status,
        reason: 'detail',
        known: true,
        remediation: entry.remediation,
      });
    });
  });

  it('decodes the KBA-1242 body verbatim at HTTP 200 as AUTHENTICATION_FAIL, not success', () => {
    const body =
      '{"code":[4030000],"message":["AUTHENTICATION_FAIL"],"data":["Failed to parse jwt token for user ops@acme.example with any user public key: access token has expired"]}';
    const result = decode({ status: 200, body });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.failure).toMatchObject({
        code: '4030000',
        codeName: 'AUTHENTICATION_FAIL',
        httpStatus: 403,
      });
      expect(result.failure.reason).toMatch(/access token has expired/);
    }
  });

  it('gives the token service row for a number both services use, the Knox Guard row for the name alone', () => {
    expect(failureOf(403, { code: 4042252, message: 'API_KEY_RESTRICTION_INVALID' }).httpStatus).toBe(404);
    expect(failureOf(400, { message: 'API_KEY_RESTRICTION_INVALID' }).code).toBe('4002102');
    expect(failureOf(401, { message: ['ACCESS_TOKEN_EXPIRED'] }).code).toBe('4032251');
    expect(failureOf(401, { code: 4012250, message: 'ACCESS_TOKEN_BAD_REQUEST' }).code).toBe('4012250');
    expect(tokenServiceCode('ACCESS_TOKEN_BAD_REQUEST').code).toBe('40122050');
  });

  it('reads a body that only names a token-service failure at HTTP 200 as that failure', () => {
    expect(failureOf(200, { message: ['ACCESS_TOKEN_EXPIRED'], data: ['detail'] })).toMatchObject({
      code: '4032251',
      reason: 'detail',
    });
  });

  it('keeps 2xx bodies without an error code successes (no code, a success code, result SUCCESS)', () => {
    for (const body of [
      { accessToken: 'abc' },
      { code: 2000000, message: 'SUCCESS', data: [] },
      { result: 'SUCCESS', code: 4000000 },
      { code: ['OK'] },
      { message: 'Payment overdue, call +15550100' },
    ]) {
      expect(decode({ status: 200, body: JSON.stringify(body) }).ok).toBe(true);
    }
  });

  it('reads the first of several codes: a list of codes at HTTP 200 is a failure, not a success', () => {
    const failure = failureOf(403, { code: ['4032251', '4030000'], message: 'ACCESS_TOKEN_EXPIRED' });
    expect(failure.code).toBe('4032251');
    const at200 = decode({ status: 200, body: JSON.stringify({ code: ['4030000', '4032251'] }) });
    expect(at200.ok).toBe(false);
    if (!at200.ok) expect(at200.failure).toMatchObject({ code: '4030000', codeName: 'AUTHENTICATION_FAIL' });
  });
});

describe('decode (property): one-element arrays', () => {
  const scalar = fc.oneof(
    fc.constantFrom(...[...KNOX_CODES, ...TOKEN_SERVICE_CODES].map((entry) => entry.code)),
    fc.constantFrom(...[...KNOX_CODES, ...TOKEN_SERVICE_CODES].map((entry) => Number(entry.code))),
    fc.constantFrom(...[...KNOX_CODES, ...TOKEN_SERVICE_CODES].map((entry) => entry.codeName)),
    fc.constantFrom('FAIL', 'SUCCESS', ''),
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const field = fc.constantFrom('code', 'message', 'data', 'reason', 'result', 'errorCode');
  const flat = fc.dictionary(field, scalar, { minKeys: 1 });
  const nested = fc.record({
    result: fc.option(scalar, { nil: undefined }),
    error: fc.dictionary(fc.constantFrom('code', 'message', 'reason', 'data'), scalar, { minKeys: 1 }),
  });
  const status = fc.constantFrom(200, 201, 400, 401, 403, 404, 500);

  it('wrapping any scalar field in a one-element array decodes the same', () => {
    fc.assert(
      fc.property(status, fc.oneof(flat, nested), fc.array(fc.nat()), (s, body, picks) => {
        const wrapped = structuredClone(body) as Record<string, unknown>;
        const target = (
          'error' in wrapped && typeof wrapped.error === 'object' ? wrapped.error : wrapped
        ) as Record<string, unknown>;
        const keys = Object.keys(target).filter((key) => target[key] !== undefined);
        for (const pick of picks) {
          const key = keys[pick % Math.max(keys.length, 1)];
          if (key !== undefined && !Array.isArray(target[key])) target[key] = [target[key]];
        }
        if (wrapped.result !== undefined && !Array.isArray(wrapped.result) && picks.length % 2 === 1)
          wrapped.result = [wrapped.result];
        const plain = decode({ status: s, body: JSON.stringify(body) });
        const boxed = decode({ status: s, body: JSON.stringify(wrapped) });
        expect(boxed.ok).toBe(plain.ok);
        if (!plain.ok && !boxed.ok) expect(boxed.failure).toEqual(plain.failure);
      }),
      { numRuns: 5_000 },
    );
  });
});
