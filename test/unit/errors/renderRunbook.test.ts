import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KNOX_CODES, renderRunbook, SERVICE_CODES, TOKEN_SERVICE_CODES } from '../../../lib/errors';

describe('docs/error-codes.md', () => {
  it('is current with the catalog (run `npm run docs:errors` when this fails)', async () => {
    const committed = await readFile(new URL('../../../docs/error-codes.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderRunbook());
  });

  it('has one row per catalog code with its remediation', () => {
    const runbook = renderRunbook();
    for (const entry of [...KNOX_CODES, ...TOKEN_SERVICE_CODES]) {
      expect(runbook).toContain(`| ${entry.code} | \`${entry.codeName}\` | ${entry.httpStatus} |`);
      expect(runbook).toContain(entry.remediation.replaceAll('|', '\\|'));
    }
  });

  it('lists the token service codes in their own section, and the clock-skew line', () => {
    const runbook = renderRunbook();
    const start = runbook.indexOf('## Knox Cloud Authentication (token service) codes');
    expect(start).toBeGreaterThan(runbook.indexOf('## Knox Guard codes'));
    const section = runbook.slice(start, runbook.indexOf('\n## ', start + 1));
    for (const code of [
      '4030000',
      '4032251',
      '4032252',
      '4002250',
      '4002251',
      '4010011',
      '40122050',
      '4012250',
      '4042251',
      '4042252',
    ]) {
      expect(section).toContain(`| ${code} | `);
    }
    const skew = SERVICE_CODES.find((entry) => entry.codeName === 'TOKEN_CLOCK_SKEW');
    expect(skew).toBeDefined();
    expect(runbook).toContain(`| \`TOKEN_CLOCK_SKEW\` | ${skew?.description}`);
  });
});
