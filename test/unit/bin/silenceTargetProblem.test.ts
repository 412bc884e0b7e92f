import { describe, expect, it } from 'vitest';
import { silenceTargetProblem } from '../../../bin/silenceTargetProblem';

const known = { jobs: ['overdue-lock', 'licence-health'], openCodes: [] as string[] };

describe('silenceTargetProblem', () => {
  it.each([
    [{ code: 'LICENSE_IS_LACK' }],
    [{ code: 'LICENSE_IS_LACK', job: 'overdue-lock' }],
    [{ code: '4010000' }],
    [{ code: 'HTTP_418' }],
    [{ code: 'HTTP_503', job: 'licence-health' }],
  ])('accepts %j', (silence) => {
    expect(silenceTargetProblem(silence, known)).toBeUndefined();
  });

  it('refuses a job config/jobs.yml lacks, naming the jobs it has', () => {
    expect(silenceTargetProblem({ code: 'LICENSE_IS_LACK', job: 'nope' }, known)).toBe(
      'unknown job "nope": config/jobs.yml has overdue-lock, licence-health (a silence for another job would match nothing; leave out --job for a tenant-wide alert)',
    );
  });

  it('refuses a numeric code neither the catalog nor an open alert has', () => {
    expect(silenceTargetProblem({ code: '9999999' }, known)).toBe(
      'unknown Knox code "9999999": not in the catalog (docs/error-codes.md) and no open alert carries it, so a silence would match nothing',
    );
  });

  it('accepts an uncatalogued numeric code an open alert carries (Knox sent it)', () => {
    expect(
      silenceTargetProblem({ code: '4009999' }, { ...known, openCodes: ['4009999', '4009999'] }),
    ).toBeUndefined();
  });

  it('refuses HTTP_nnn outside 100-599 and reports every problem at once', () => {
    expect(silenceTargetProblem({ code: 'HTTP_999', job: 'x' }, known)).toBe(
      'unknown job "x": config/jobs.yml has overdue-lock, licence-health (a silence for another job would match nothing; leave out --job for a tenant-wide alert); unknown code "HTTP_999": HTTP_nnn takes an HTTP status, 100 to 599',
    );
  });
});
