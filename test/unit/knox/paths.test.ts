import { describe, expect, it } from 'vitest';
import { DEVICE_OPERATIONS, KNOX_PATHS, KNOX_REGIONS } from '../../../lib/knox';

const allPaths = (): string[] => {
  const { operations, ...single } = KNOX_PATHS;
  return [...Object.values(single), ...Object.values(operations).flatMap((p) => [p.sync, p.async])];
};

describe('KNOX_PATHS', () => {
  it('puts every Knox Guard path under /kcs/v1.1/kg and the token request under /ams', () => {
    const [token, ...rest] = [
      KNOX_PATHS.accessToken,
      ...allPaths().filter((p) => p !== KNOX_PATHS.accessToken),
    ];
    expect(token).toBe('/ams/v1/users/accesstoken');
    for (const path of rest) expect(path).toMatch(/^\/kcs\/v1\.1\/kg\/[A-Za-z/]+$/);
  });

  it('has a sync and an ...Async path for every operation, all distinct', () => {
    for (const operation of DEVICE_OPERATIONS) {
      const paths = KNOX_PATHS.operations[operation];
      expect(paths.async).toBe(`${paths.sync}Async`);
    }
    const paths = allPaths();
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('names the two production hosts', () => {
    expect(KNOX_REGIONS).toEqual({
      us: 'https://us-kcs-api.samsungknox.com',
      eu: 'https://eu-kcs-api.samsungknox.com',
    });
  });
});
