import { describe, expect, it } from 'vitest';
import { decode, decodeBulk, KnoxGuardError, transportError } from '../../../lib/errors';

const fail = (code: unknown, message: unknown, reason?: unknown) =>
  JSON.stringify({ result: 'FAIL', error: { code, message, reason } });

function decodeError(status: number, body?: string, headers?: Record<string, string>) {
  const result = decode({ status, body, headers }, { now: () => Date.parse('2026-11-25T08:00:00Z') });
  if (result.ok) throw new Error(`expected a failure, got success ${JSON.stringify(result.body)}`);
  return result.error;
}

describe('decode', () => {
  it('passes success bodies through', () => {
    const result = decode({ status: 200, body: '{"result":"SUCCESS","objectId":"O1","requestedId":"R1"}' });
    expect(result).toEqual({
      ok: true,
      status: 200,
      body: { result: 'SUCCESS', objectId: 'O1', requestedId: 'R1' },
    });
  });

  it('treats an empty 2xx body as success without a body', () => {
    expect(decode({ status: 204, body: '' })).toEqual({ ok: true, status: 204, body: undefined });
  });

  it('decodes the live DEVICE_STATE_INVALID example', () => {
    const error = decodeError(
      400,
      '{"result":"FAIL","error":{"code":4000310,"message":"DEVICE_STATE_INVALID","reason":"Current status is \'Enrolled\'."}}',
    );
    expect(error).toBeInstanceOf(KnoxGuardError);
    expect(error.name).toBe('KnoxGuardError');
    expect(error).toMatchObject({
      code: '4000310',
      codeName: 'DEVICE_STATE_INVALID',
      httpStatus: 400,
      reason: "Current status is 'Enrolled'.",
      category: 'device',
      scope: 'device',
      known: true,
    });
  });

  it.each([
    ['a number', 4001809],
    ['a string', '4001809'],
    ['a padded string', ' 4001809 '],
  ])('accepts the code as %s', (_label, code) => {
    expect(decodeError(400, fail(code, 'LICENSE_IS_LACK', 'No licence')).codeName).toBe('LICENSE_IS_LACK');
  });

  it("treats result FAIL on HTTP 200 as a failure with the code's HTTP status", () => {
    const error = decodeError(200, fail(4030104, 'USER_BLOCKED_STATE', 'blocked'));
    expect(error).toMatchObject({ codeName: 'USER_BLOCKED_STATE', httpStatus: 403, receivedStatus: 200 });
  });

  it("falls back on the code's first three digits for an unknown code", () => {
    const error = decodeError(
      400,
      fail(4002999, 'SOME_NEWER_CODE', 'Something Knox added after the catalog was written.'),
    );
    expect(error).toMatchObject({
      code: '4002999',
      codeName: 'SOME_NEWER_CODE',
      httpStatus: 400,
      category: 'request',
      known: false,
      reason: 'Something Knox added after the catalog was written.',
    });
  });

  it('falls back on the HTTP status when the code is missing', () => {
    const error = decodeError(429, '{"result":"FAIL"}', { 'Retry-After': '7' });
    expect(error).toMatchObject({
      code: 'HTTP_429',
      codeName: 'TOO_MANY_REQUESTS',
      retryable: true,
      retryAfter: 7,
    });
  });

  it('reads Retry-After as an HTTP date against the injected clock', () => {
    const error = decodeError(503, '', { 'retry-after': 'Wed, 25 Nov 2026 08:00:30 GMT' });
    expect(error.retryAfter).toBe(30);
    expect(error.retryable).toBe(true);
  });

  it('looks the name up when the code is missing', () => {
    expect(decodeError(403, fail(undefined, 'USER_PENDING_STATE')).code).toBe('4030106');
  });

  it('decodes the token endpoint shape {code, message, data}', () => {
    const error = decodeError(
      400,
      '{"code":4002250,"message":"API_KEY_NON_UNIQUE_JWTID","data":"reused jwt"}',
    );
    expect(error).toMatchObject({ code: '4002250', reason: 'reused jwt' });
  });

  it.each([
    [
      'an HTML gateway page',
      502,
      '<html><body><h1>502 Bad Gateway</h1></body></html>',
      'BAD_GATEWAY',
      /HTML page.*502 Bad Gateway/,
    ],
    ['plain text', 503, 'upstream connect error', 'SERVICE_UNAVAILABLE', /plain text/],
    [
      'truncated JSON',
      500,
      '{"result":"FAIL","error":{"code":500',
      'INTERNAL_SERVER_ERROR',
      /truncated or invalid JSON/,
    ],
    ['an empty body', 500, '', 'INTERNAL_SERVER_ERROR', /Empty response body/],
  ])('decodes %s', (_label, status, body, codeName, reason) => {
    const error = decodeError(status, body);
    expect(error.codeName).toBe(codeName);
    expect(error.reason).toMatch(reason);
    expect(error.retryable).toBe(true);
  });

  it.each([
    { label: 'a UTF-8 BOM', body: '\uFEFF{"accessToken":"t"}' },
    { label: 'trailing NULs', body: '{"accessToken":"t"}\u0000\u0000' },
    { label: 'a BOM, CRLF and NUL padding', body: '\uFEFF{"accessToken":"t"}\r\n\u0000' },
  ])('reads a success body with $label as that success', ({ body }) => {
    expect(decode({ status: 200, body })).toMatchObject({ ok: true, body: { accessToken: 't' } });
  });

  it('reads an error body with a BOM as its Knox code', () => {
    expect(decodeError(400, `\uFEFF${fail(4001809, 'LICENSE_IS_LACK', 'No licence')}`).codeName).toBe(
      'LICENSE_IS_LACK',
    );
  });

  it.each(['-5', '+5', '1.5'])('ignores Retry-After %s (not delta-seconds, not an HTTP-date)', (value) => {
    expect(decodeError(429, '', { 'retry-after': value }).retryAfter).toBeUndefined();
  });

  it('reports a non-JSON 2xx body as MALFORMED_RESPONSE, retryable', () => {
    const error = decodeError(200, '{"result":"SUCC');
    expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE', retryable: true });
  });

  it('ignores extra fields and missing error objects', () => {
    expect(decodeError(404, '{"result":"FAIL","extra":{"x":1}}').codeName).toBe('NOT_FOUND');
    const result = decode({ status: 200, body: '{"result":"SUCCESS","extra":[1,2]}' });
    expect(result.ok).toBe(true);
  });

  it('accepts fetch Headers as well as records', () => {
    const result = decode({ status: 429, headers: new Headers({ 'retry-after': '3' }), body: '' });
    expect(result.ok ? undefined : result.error.retryAfter).toBe(3);
  });

  it('carries the failure as plain data and builds the same error on demand', () => {
    const result = decode({ status: 403, body: fail(4030104, 'USER_BLOCKED_STATE', 'blocked') });
    if (result.ok) throw new Error('expected a failure');
    expect(result.failure).toMatchObject({ codeName: 'USER_BLOCKED_STATE', scope: 'tenant' });
    expect(result.error.toJSON()).toEqual(result.failure);
    expect(result.error).toBe(result.error);
  });

  it('serialises to plain data for logs', () => {
    const json = JSON.parse(JSON.stringify(decodeError(400, fail(4001809, 'LICENSE_IS_LACK', 'x'))));
    expect(json).toMatchObject({
      code: '4001809',
      codeName: 'LICENSE_IS_LACK',
      remediation: expect.any(String),
    });
  });
});

describe('decodeBulk', () => {
  it('decodes per-device results with the same catalog', () => {
    const outcome = decodeBulk({
      count: 3,
      success: 1,
      fail: 2,
      resultList: [
        { result: 'SUCCESS', requestedId: '356938035643809', objectId: 'OBJ1' },
        {
          result: 'FAIL',
          requestedId: '356938035643817',
          error: { code: '4000000', message: 'RESOURCE_INVALID_PARAM', reason: 'RESOURCE_INVALID_PARAM' },
        },
        {
          result: 'FAIL',
          requestedId: '356938035643825',
          error: { code: 4001809, message: 'LICENSE_IS_LACK' },
        },
      ],
    });
    expect(outcome).toMatchObject({ count: 3, success: 1, fail: 2 });
    expect(outcome.results[0]).toEqual({ ok: true, requestedId: '356938035643809', objectId: 'OBJ1' });
    const [, second, third] = outcome.results;
    expect(second?.ok === false && second.error.codeName).toBe('RESOURCE_INVALID_PARAM');
    expect(third?.ok === false && third.error.requestedId).toBe('356938035643825');
  });

  it('turns malformed entries into per-device failures and derives counts', () => {
    const outcome = decodeBulk({
      resultList: [null, 'x', { requestedId: 'A' }, { result: 'FAIL', requestedId: 'B' }],
    });
    expect(outcome.count).toBe(4);
    expect(outcome.fail).toBe(4);
    expect(outcome.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'MALFORMED_RESPONSE',
      'MALFORMED_RESPONSE',
      'MALFORMED_RESPONSE',
      'HTTP_400',
    ]);
  });

  it('never throws on bodies of the wrong shape', () => {
    for (const body of [undefined, null, 1, 'x', [], { resultList: 'nope' }]) {
      expect(decodeBulk(body).results).toEqual([]);
    }
  });
});

describe('transportError', () => {
  it('keeps the cause and is retryable', () => {
    const cause = new Error('ECONNRESET');
    const error = transportError('transport', cause);
    expect(error).toMatchObject({ code: 'TRANSPORT_ERROR', retryable: true });
    expect(error.cause).toBe(cause);
    expect(transportError('timeout', 'slow').code).toBe('TIMEOUT');
  });
});
