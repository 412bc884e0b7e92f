import { describe, expect, it } from 'vitest';
import { ASYNC_ID_LIST_FIELD, KNOX_REGIONS, knoxPaths } from '../../../lib/knox';
import { pathEntries } from '../../../lib/knox/contract';
import { KNOX_PATHS, KNOX_TEST_API_PREFIX } from '../../../lib/knox/paths';

describe('KNOX_PATHS', () => {
  it('puts every Knox Guard path under /kcs/v1.1/kg and the token request under /ams', () => {
    const entries = pathEntries(KNOX_PATHS);
    expect(KNOX_PATHS.accessToken).toBe('/ams/v1/users/accesstoken');
    for (const [key, path] of entries) {
      if (key !== 'accessToken') expect(path).toMatch(/^\/kcs\/v1\.1\/kg\/[A-Za-z/{}]+$/);
    }
    const paths = entries.map(([, path]) => path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('names the ...Async path after its sync path, and none for cancelComplete (no source)', () => {
    for (const [operation, paths] of Object.entries(KNOX_PATHS.operations)) {
      if (operation === 'cancelComplete') expect(paths.async).toBeUndefined();
      else expect(paths.async).toBe(`${paths.sync}Async`);
    }
    expect(Object.keys(KNOX_PATHS.operations)).not.toContain('accept');
  });

  it('builds the same table under another prefix, e.g. the kg-integration test environment', () => {
    const test = knoxPaths(KNOX_TEST_API_PREFIX);
    expect(test.operations.lock.async).toBe('/kcs/v1.1/kg-integration/devices/lockAsync');
    expect(test.accessToken).toBe(KNOX_PATHS.accessToken);
    expect(() => knoxPaths('not a path')).toThrow(RangeError);
  });

  it('sends the async id list under deviceUid (the one public bulk caller)', () => {
    expect(ASYNC_ID_LIST_FIELD).toBe('deviceUid');
  });

  it('names the two production hosts', () => {
    expect(KNOX_REGIONS).toEqual({
      us: 'https://us-kcs-api.samsungknox.com',
      eu: 'https://eu-kcs-api.samsungknox.com',
    });
  });
});
