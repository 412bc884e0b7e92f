import { describe, expect, it } from 'vitest';
import { isKnownCodeReference } from '../../../lib/alerts/knownCodes';
import {
  decode,
  malformedResponseError,
  SERVICE_CODES,
  SyntheticCode,
  transportError,
} from '../../../lib/errors';
import { SYNTHETIC_CODES, syntheticFailure } from '../../../lib/errors/serviceCodes';

const classification = (failure: object) => {
  const {
    code,
    codeName,
    description,
    category,
    severity,
    retryable,
    actionable,
    scope,
    actor,
    remediation,
  } = failure as Record<string, unknown>;
  return {
    code,
    codeName,
    description,
    category,
    severity,
    retryable,
    actionable,
    scope,
    actor,
    remediation,
  };
};

describe('synthetic codes are catalog rows', () => {
  it('has one row per SyntheticCode, none shared with the service conditions', () => {
    expect(SYNTHETIC_CODES.map((entry) => entry.code).sort()).toEqual(Object.values(SyntheticCode).sort());
    for (const entry of SYNTHETIC_CODES) {
      expect(entry.codeName).toBe(entry.code);
      expect(SERVICE_CODES.some((service) => service.codeName === entry.codeName)).toBe(false);
      expect(isKnownCodeReference(entry.codeName)).toBe(true);
    }
  });

  it.each([
    ['timeout', SyntheticCode.timeout],
    ['transport', SyntheticCode.transport],
  ] as const)('transportError(%s) is classified by the %s row', (kind, code) => {
    const cause = new Error('socket hang up');
    const error = transportError(kind, cause);
    const row = SYNTHETIC_CODES.find((entry) => entry.code === code);
    expect(classification(error.toJSON())).toEqual(classification(row ?? {}));
    expect(error.httpStatus).toBe(0);
    expect(error.known).toBe(false);
    expect(error.reason).toBe('Error: socket hang up');
    expect(error.cause).toBe(cause);
  });

  it('classifies an unreadable 2xx body by the MALFORMED_RESPONSE row, keeping the status it came with', () => {
    const row = SYNTHETIC_CODES.find((entry) => entry.code === SyntheticCode.malformed);
    const decoded = decode({ status: 200, body: '<html>proxy</html>' });
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(classification(decoded.failure)).toEqual(classification(row ?? {}));
    expect(decoded.failure.httpStatus).toBe(200);
    expect(decoded.failure.receivedStatus).toBe(200);
    expect(malformedResponseError(206, 'cut off').toJSON()).toMatchObject({
      ...classification(row ?? {}),
      httpStatus: 206,
    });
  });

  it('builds a failure whose reason and statuses are this occurrence', () => {
    expect(syntheticFailure(SyntheticCode.timeout, 0, 'aborted after 15000 ms')).toMatchObject({
      code: 'TIMEOUT',
      receivedStatus: 0,
      reason: 'aborted after 15000 ms',
      retryable: true,
      known: false,
    });
  });
});
