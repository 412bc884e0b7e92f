import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { JobsConfigError, loadJobsConfig } from '../../../lib/config';

describe('loadJobsConfig', () => {
  it('loads the committed config/jobs.yml for every stage', async () => {
    const text = await readFile(new URL('../../../config/jobs.yml', import.meta.url), 'utf8');
    for (const stage of ['dev', 'prod', 'ci']) {
      const config = loadJobsConfig(text, stage);
      expect(config.jobs.get('overdue-lock')?.operation).toBe('lock');
      expect(config.jobs.get('licence-health')?.operation).toBe('licence-health');
    }
    expect(loadJobsConfig(text, 'dev').jobs.get('overdue-lock')?.chunkSize).toBe(100);
    expect(loadJobsConfig(text, 'prod').jobs.get('overdue-lock')?.chunkSize).toBeUndefined();
  });

  it('merges stage overrides over the base job and applies defaults', () => {
    const config = loadJobsConfig(
      {
        jobs: {
          remind: {
            operation: 'blink',
            targets: { source: 'inline', deviceUids: ['356938035643809'] },
            message: 'Pay',
            contact: { tel: '+4930123456' },
          },
        },
        stages: { prod: { jobs: { remind: { message: 'Please pay' } } } },
      },
      'prod',
    );
    expect(config.defaults).toEqual({ chunkSize: 1000, inlineLimit: 2000 });
    expect(config.jobs.get('remind')).toMatchObject({ name: 'remind', message: 'Please pay', enabled: true });
  });

  it.each([
    [
      { jobs: { x: { operation: 'lock' } } },
      [
        'jobs.x.targets: lock needs targets',
        'jobs.x.message: lock needs a message',
        'jobs.x.contact: lock needs a contact tel or email',
      ],
    ],
    [{ jobs: { x: { operation: 'explode' } } }, ['jobs.x.operation']],
    [
      { jobs: { X_bad: { operation: 'licence-health' } } },
      ['jobs.X_bad: job names are lower-case kebab-case'],
    ],
    [{ jobs: [{ operation: 'licence-health' }] }, ['jobs: Invalid type: Expected Object but received Array']],
    [
      { jobs: { x: { operation: 'licence-health' } }, defaults: [] },
      ['defaults: Invalid type: Expected Object but received Array'],
    ],
    [
      {
        jobs: {
          x: {
            operation: 'blink',
            targets: { source: 'inline', deviceUids: ['356938035643809'] },
            message: 'm'.repeat(201),
            contact: { email: 'a@b.co' },
          },
        },
      },
      ['over 200 characters'],
    ],
    [{ jobs: { x: { operation: 'unlock', targets: { source: 'ftp' } } } }, ['jobs.x.targets']],
    [{ jobs: {}, stages: { prod: { jobs: { ghost: {} } } } }, ['stages.prod.jobs.ghost: no such job']],
  ])('rejects %j naming the problem', (raw, fragments) => {
    let caught: unknown;
    try {
      loadJobsConfig(raw, 'prod');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JobsConfigError);
    for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
  });

  it('reports YAML syntax errors as JobsConfigError', () => {
    expect(() => loadJobsConfig('jobs: [unclosed', 'dev')).toThrow(JobsConfigError);
  });
});
