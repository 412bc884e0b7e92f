import { describe, expect, it } from 'vitest';
import {
  Category,
  classifyHttpStatus,
  HTTP_STATUSES,
  KNOX_CODES,
  knoxCode,
  Scope,
  Severity,
  TOKEN_SERVICE_CODES,
  tokenServiceCode,
} from '../../../lib/errors';
import { lookupKnoxCode, TOKEN_SERVICE_SOURCES } from '../../../lib/errors/catalog';

// The troubleshooting table as the seed lists it: code, name, HTTP status. Kept here literally so
// the catalog cannot drift from it without a test failing.
const SEED: ReadonlyArray<readonly [string, string, number]> = [
  ['4010000', 'AUTHORIZATION_FAIL', 401],
  ['4002102', 'API_KEY_RESTRICTION_INVALID', 400],
  ['4042101', 'API_KEY_RESTRICTION_NOT_FOUND', 404],
  ['4040100', 'USER_NOT_FOUND', 404],
  ['4040900', 'TENANT_NOT_FOUND', 404],
  ['4000000', 'RESOURCE_INVALID_PARAM', 400],
  ['4001809', 'LICENSE_IS_LACK', 400],
  ['4040300', 'DEVICE_NOT_FOUND', 404],
  ['4000310', 'DEVICE_STATE_INVALID', 400],
  ['4000316', 'DEVICE_BULK_OPERATION_LIMIT_EXCEEDED', 400],
  ['4040400', 'PROFILE_NOT_FOUND', 404],
  ['4001807', 'LICENSE_MAX_COUNT_REACHED', 400],
  ['4001805', 'LICENSE_NAME_ALREADY_EXISTS', 400],
  ['5001804', 'LICENSE_INTERNAL_SERVER_FAILED', 500],
  ['4001813', 'LICENSE_KEY_ALREADY_EXISTS_IN_OTHER_REGION', 400],
  ['4001802', 'LICENSE_MAX_TRIAL_LICENSE_COUNT_REACHED', 400],
  ['4041800', 'LICENSE_NOT_FOUND', 404],
  ['4001806', 'LICENSE_DEVICE_MAPPING_FOUND', 400],
  ['4001812', 'LICENSE_ALREADY_DELETED', 400],
  ['4030102', 'USER_IN_INVALID_STATE', 403],
  ['4030107', 'USER_REJECTED_STATE', 403],
  ['4030104', 'USER_BLOCKED_STATE', 403],
  ['4030106', 'USER_PENDING_STATE', 403],
  ['4120000', 'PRECONDITION_FAILED_EXCEPTION', 412],
];

const CATEGORIES = new Set<string>(Object.values(Category));
const SEVERITIES = new Set<string>(Object.values(Severity));
const SCOPES = new Set<string>(Object.values(Scope));

describe('Knox Guard code catalog', () => {
  it('holds exactly the 24 seed codes, in table order', () => {
    expect(KNOX_CODES.map((entry) => entry.code)).toEqual(SEED.map(([code]) => code));
  });

  it.each(SEED)('%s is %s with HTTP %i and a full classification', (code, name, httpStatus) => {
    const entry = lookupKnoxCode(code);
    expect(entry?.codeName).toBe(name);
    expect(entry?.httpStatus).toBe(httpStatus);
    expect(Number(code.slice(0, 3))).toBe(httpStatus);
    expect(lookupKnoxCode(Number(code))).toBe(entry);
    expect(lookupKnoxCode(name)).toBe(entry);
    expect(CATEGORIES.has(entry?.category ?? '')).toBe(true);
    expect(SEVERITIES.has(entry?.severity ?? '')).toBe(true);
    expect(SCOPES.has(entry?.scope ?? '')).toBe(true);
    expect(typeof entry?.retryable).toBe('boolean');
    expect(typeof entry?.actionable).toBe('boolean');
    expect(entry?.remediation.length).toBeGreaterThan(20);
    expect(entry?.remediation).not.toMatch(/\n/);
    expect(entry?.description.length).toBeGreaterThan(10);
  });

  it.each([
    ['LICENSE_IS_LACK', 'license', 'critical', 'tenant'],
    ['USER_BLOCKED_STATE', 'account', 'critical', 'tenant'],
    ['PRECONDITION_FAILED_EXCEPTION', 'configuration', 'critical', 'tenant'],
    ['AUTHORIZATION_FAIL', 'auth', 'critical', 'tenant'],
    ['DEVICE_NOT_FOUND', 'device', 'warning', 'device'],
    ['DEVICE_STATE_INVALID', 'device', 'info', 'device'],
  ] as const)('routes %s as %s/%s/%s', (name, category, severity, scope) => {
    const entry = knoxCode(name);
    expect([entry.category, entry.severity, entry.scope]).toEqual([category, severity, scope]);
  });

  it('marks only transient conditions retryable and never a critical one', () => {
    const retryable = KNOX_CODES.filter((entry) => entry.retryable).map((entry) => entry.codeName);
    expect(retryable.sort()).toEqual([
      'DEVICE_BULK_OPERATION_LIMIT_EXCEEDED',
      'LICENSE_INTERNAL_SERVER_FAILED',
    ]);
    for (const entry of KNOX_CODES) {
      if (entry.severity === 'critical') expect(entry.actionable).toBe(true);
    }
  });

  it('returns undefined for unknown codes and throws on an unknown name', () => {
    expect(lookupKnoxCode('4002999')).toBeUndefined();
    expect(() => knoxCode('NOT_A_CODE' as never)).toThrow(RangeError);
  });
});

// Knox Cloud Authentication's own table (token service), as Samsung's pages list it: code, name,
// HTTP status (the code's first three digits).
const TOKEN_SERVICE: ReadonlyArray<readonly [string, string, number]> = [
  ['4030000', 'AUTHENTICATION_FAIL', 403],
  ['4032251', 'ACCESS_TOKEN_EXPIRED', 403],
  ['4032252', 'ACCESS_TOKEN_INVALID', 403],
  ['4002250', 'API_KEY_NON_UNIQUE_JWTID', 400],
  ['4002251', 'ACCESS_TOKEN_TIMEOUT_VALIDITY_RESOURCE_INVALID_PARAM', 400],
  ['4010011', 'IDP_AUTHORIZATION_FAIL', 401],
  ['40122050', 'ACCESS_TOKEN_BAD_REQUEST', 401],
  ['4012250', 'ACCESS_TOKEN_BAD_REQUEST', 401],
  ['4042251', 'API_KEY_RESTRICTION_NOT_FOUND', 404],
  ['4042252', 'API_KEY_RESTRICTION_INVALID', 404],
];

describe('Knox Cloud Authentication (token service) codes', () => {
  it('are a group of their own, beside the 24 Knox Guard codes', () => {
    expect(TOKEN_SERVICE_CODES.map((entry) => entry.code)).toEqual(TOKEN_SERVICE.map(([code]) => code));
    const guard = new Set(KNOX_CODES.map((entry) => entry.code));
    for (const entry of TOKEN_SERVICE_CODES) expect(guard.has(entry.code)).toBe(false);
    for (const url of TOKEN_SERVICE_SOURCES) expect(url).toMatch(/^https:\/\/docs\.samsungknox\.com\//);
  });

  it.each(TOKEN_SERVICE)('%s is %s with HTTP %i and a full classification', (code, name, httpStatus) => {
    const entry = lookupKnoxCode(code);
    expect(entry?.codeName).toBe(name);
    expect(entry?.httpStatus).toBe(httpStatus);
    expect(Number(code.slice(0, 3))).toBe(httpStatus);
    expect(lookupKnoxCode(Number(code))).toBe(entry);
    expect([Category.auth, Category.configuration]).toContain(entry?.category);
    expect(SEVERITIES.has(entry?.severity ?? '')).toBe(true);
    expect(entry?.scope).toBe('tenant');
    expect(entry?.retryable).toBe(false); // the same JWT or token never succeeds when resent
    expect(entry?.remediation.length).toBeGreaterThan(20);
    expect(entry?.remediation).not.toMatch(/\n/);
    if (entry?.severity === 'critical') expect(entry.actionable).toBe(true);
  });

  it('leaves a name both services use to Knox Guard in lookups, to the token service in tokenServiceCode', () => {
    expect(lookupKnoxCode('API_KEY_RESTRICTION_INVALID')?.code).toBe('4002102');
    expect(tokenServiceCode('API_KEY_RESTRICTION_INVALID').code).toBe('4042252');
    expect(lookupKnoxCode('ACCESS_TOKEN_EXPIRED')?.code).toBe('4032251');
    expect(tokenServiceCode('ACCESS_TOKEN_BAD_REQUEST').code).toBe('40122050');
    expect(() => tokenServiceCode('USER_BLOCKED_STATE' as never)).toThrow(RangeError);
  });
});

describe('HTTP status catalog', () => {
  it('lists the ten documented statuses with descriptions', () => {
    expect(HTTP_STATUSES.map((entry) => entry.httpStatus)).toEqual([
      200, 400, 401, 403, 404, 406, 422, 429, 500, 501,
    ]);
    for (const entry of HTTP_STATUSES) expect(entry.description.length).toBeGreaterThan(10);
  });

  it.each([
    [429, 'rate-limit', true],
    [500, 'server', true],
    [502, 'server', true],
    [503, 'server', true],
    [501, 'server', false],
    [401, 'auth', false],
    [403, 'account', false],
    [418, 'request', false],
  ] as const)('classifies HTTP %i as %s (retryable %s)', (status, category, retryable) => {
    const entry = classifyHttpStatus(status);
    expect(entry.category).toBe(category);
    expect(entry.retryable).toBe(retryable);
    expect(entry.httpStatus).toBe(status);
  });
});
