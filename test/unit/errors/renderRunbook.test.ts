import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KNOX_CODES, renderRunbook } from '../../../lib/errors';

describe('docs/error-codes.md', () => {
  it('is current with the catalog (run `npm run docs:errors` when this fails)', async () => {
    const committed = await readFile(new URL('../../../docs/error-codes.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderRunbook());
  });

  it('has one row per catalog code with its remediation', () => {
    const runbook = renderRunbook();
    for (const entry of KNOX_CODES) {
      expect(runbook).toContain(`| ${entry.code} | \`${entry.codeName}\` | ${entry.httpStatus} |`);
      expect(runbook).toContain(entry.remediation.replaceAll('|', '\\|'));
    }
  });
});
