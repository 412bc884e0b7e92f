import { describe, expect, it } from 'vitest';
import { JobsConfigError } from '../../../lib/config/jobsConfig';
import { loadJobsConfig } from '../../../lib/config/loadJobsConfig';
import { parseJobsYaml } from '../../../lib/config/parseJobsYaml';

describe('parseJobsYaml', () => {
  it('answers the document as plain data', () => {
    expect(parseJobsYaml('jobs:\n  a:\n    operation: lock\n')).toEqual({
      jobs: { a: { operation: 'lock' } },
    });
  });

  it('refuses a job named twice as a JobsConfigError naming the key and its line, not a YAMLParseError', () => {
    const text = 'jobs:\n  overdue-lock:\n    operation: lock\n  overdue-lock:\n    operation: blink\n';
    let thrown: unknown;
    try {
      parseJobsYaml(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JobsConfigError);
    expect((thrown as JobsConfigError).issues).toEqual([
      'config/jobs.yml line 4: duplicate key "overdue-lock" (a job, stage or field may appear once in its map)',
    ]);
    expect((thrown as Error).message).not.toContain('^');
  });

  it('names the file and line of other YAML errors, without the parser source excerpt', () => {
    expect(() => parseJobsYaml('jobs: [\n', 'other.yml')).toThrow(
      /other\.yml line 2: not valid YAML: Flow sequence/,
    );
  });

  it('is what loadJobsConfig reads text with', () => {
    expect(() => loadJobsConfig('jobs:\n  a: {}\n  a: {}\n', 'prod')).toThrow(
      'config/jobs.yml line 3: duplicate key "a"',
    );
  });
});
