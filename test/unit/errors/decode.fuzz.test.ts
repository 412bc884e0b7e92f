import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, decodeBulk, KNOX_CODES, KnoxGuardError } from '../../../lib/errors';

const RUNS = 10_000;

const status = fc.oneof(
  fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 406, 412, 422, 429, 500, 501, 502, 503, 504),
  fc.integer({ min: -1, max: 1000 }),
  fc.double(),
);
const headerValue = fc.oneof(
  fc.string(),
  fc.nat().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
);
const headers = fc.option(
  fc.dictionary(
    fc.constantFrom('retry-after', 'Retry-After', 'content-type', 'x-other'),
    fc.oneof(headerValue, fc.array(headerValue)),
  ),
  { nil: undefined },
);
const code = fc.oneof(
  fc.constantFrom(...KNOX_CODES.map((entry) => entry.code)),
  fc.constantFrom(...KNOX_CODES.map((entry) => Number(entry.code))),
  fc.integer(),
  fc.string(),
  fc.double(),
  fc.constant(null),
  fc.anything(),
);
const envelope = fc.record(
  {
    result: fc.oneof(fc.constantFrom('FAIL', 'SUCCESS', 'fail'), fc.anything()),
    error: fc.oneof(
      fc.record(
        { code, message: fc.oneof(fc.string(), fc.anything()), reason: fc.anything() },
        { requiredKeys: [] },
      ),
      fc.anything(),
    ),
    code,
    message: fc.anything(),
    data: fc.anything(),
    resultList: fc.array(fc.anything(), { maxLength: 5 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.string(),
  fc.json(),
  envelope.map((value) => JSON.stringify(value)),
  envelope
    .map((value) => JSON.stringify(value))
    .chain((text) => fc.nat({ max: text.length }).map((cut) => text.slice(0, cut))),
  fc.constantFrom(
    '<html><body>502 Bad Gateway</body></html>',
    '',
    'null',
    '[]',
    '"FAIL"',
    '{}',
    '{"error":null}',
  ),
  fc.constant(undefined),
);

describe('decode (property)', () => {
  it(`never throws and always returns a result over ${RUNS} arbitrary responses`, () => {
    fc.assert(
      fc.property(status, headers, body, (s, h, b) => {
        const result = decode({ status: s, headers: h, body: b });
        if (result.ok) {
          expect(result.status).toBeGreaterThanOrEqual(200);
          expect(result.status).toBeLessThanOrEqual(299);
        } else {
          expect(result.error).toBeInstanceOf(KnoxGuardError);
          expect(result.error.code.length).toBeGreaterThan(0);
          expect(result.error.codeName.length).toBeGreaterThan(0);
          expect(result.error.remediation.length).toBeGreaterThan(0);
          expect(typeof result.error.retryable).toBe('boolean');
          if (result.error.retryAfter !== undefined)
            expect(result.error.retryAfter).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a 2xx answer that reports FAIL is never decoded as success', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 299 }), envelope, (s, value) => {
        const failing = { ...value, result: 'FAIL' };
        expect(decode({ status: s, body: JSON.stringify(failing) }).ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('every catalog code decodes to its own entry however it is sent', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KNOX_CODES), fc.boolean(), fc.string(), (entry, asNumber, reason) => {
        const sent = asNumber ? Number(entry.code) : entry.code;
        const result = decode({
          status: entry.httpStatus,
          body: JSON.stringify({ result: 'FAIL', error: { code: sent, message: entry.codeName, reason } }),
        });
        expect(result.ok ? undefined : result.error.codeName).toBe(entry.codeName);
      }),
      { numRuns: RUNS },
    );
  });

  it('decodeBulk never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), envelope), (value) => {
        const outcome = decodeBulk(value);
        expect(outcome.results.length).toBeGreaterThanOrEqual(0);
        expect(outcome.count).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: RUNS },
    );
  });
});
