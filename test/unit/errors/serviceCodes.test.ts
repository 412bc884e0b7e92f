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

describe('service codes declare the scope of what broke', () => {
  // A condition of one job's targets file or scheduled run is not tenant-wide: declared tenant, it
  // would group across jobs and a second job's failure would be suppressed as "notified recently".
  it.each([
    ['TOKEN_CLOCK_SKEW', 'tenant'],
    ['LICENSE_SEATS_LOW', 'tenant'],
    ['TARGETS_UNREADABLE', 'job'],
    ['TARGETS_ROWS_SKIPPED', 'job'],
    ['NOT_FINISHED', 'device'],
    ['BULK_PATH_UNAVAILABLE', 'tenant'],
    ['SCHEDULED_RUN_FAILED', 'job'],
    ['RUN_REPORT_UNWRITABLE', 'tenant'],
    ['KNOX_UNAVAILABLE', 'tenant'],
  ])('%s is %s-scope', (codeName, scope) => {
    expect(SERVICE_CODES.find((entry) => entry.codeName === codeName)?.scope).toBe(scope);
  });

  it('covers every service code', () => {
    expect(SERVICE_CODES.map((entry) => entry.codeName).sort()).toEqual(
      [
        'TOKEN_CLOCK_SKEW',
        'LICENSE_SEATS_LOW',
        'TARGETS_UNREADABLE',
        'TARGETS_ROWS_SKIPPED',
        'NOT_FINISHED',
        'BULK_PATH_UNAVAILABLE',
        'SCHEDULED_RUN_FAILED',
        'RUN_REPORT_UNWRITABLE',
        'KNOX_UNAVAILABLE',
      ].sort(),
    );
  });
});
