import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderKnoxContract } from '../../../lib/knox';
import { KNOX_CONTRACT, pathEntries } from '../../../lib/knox/contract';
import { KNOX_PATHS } from '../../../lib/knox/paths';

describe('KNOX_CONTRACT', () => {
  it('has a row for every KNOX_PATHS entry and names no path the table lacks', () => {
    const keys = new Set(pathEntries(KNOX_PATHS).map(([key]) => key));
    const named = new Set(KNOX_CONTRACT.map((row) => row.pathKey));
    expect([...keys].filter((key) => !named.has(key))).toEqual([]);
    expect([...named].filter((key) => !keys.has(key))).toEqual([]);
  });

  it('gives every row a stable, unique id and an evidence level', () => {
    const ids = KNOX_CONTRACT.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const row of KNOX_CONTRACT) {
      expect(row.id).toBe(`${row.pathKey}:${row.method}`);
      expect(['official', '2+ clients', '1 client', 'assumed']).toContain(row.evidence);
    }
  });

  it('marks every unverified path as such', () => {
    for (const row of KNOX_CONTRACT)
      expect(row.unverified === true).toBe(row.pathKey.startsWith('unverified.'));
  });

  it('is what docs/knox-api-contract.md says (npm run docs:knox)', () => {
    const file = readFileSync(new URL('../../../docs/knox-api-contract.md', import.meta.url), 'utf8');
    expect(file).toBe(renderKnoxContract());
  });
});
