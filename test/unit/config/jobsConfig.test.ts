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
    [
      { jobs: { x: { operation: 'lock', enabled: false, options: { interval: 10 } } } },
      ['jobs.x.options: lock has no option interval (it takes: none)'],
    ],
    [
      {
        jobs: { x: { operation: 'blink', enabled: false, options: { interval: '10', timeLimit: [8, 'x'] } } },
      },
      ['jobs.x.options: interval must be a number', 'jobs.x.options: timeLimit must be a number[]'],
    ],
    [
      { jobs: { x: { operation: 'sendMessage', enabled: false, options: { message: 'hi' } } } },
      ['jobs.x.options: message has a key of its own, not an option'],
    ],
    [
      { jobs: { x: { operation: 'approve', enabled: false, options: { approveComment: 'c'.repeat(501) } } } },
      ['jobs.x.options: approveComment is over 500 characters'],
    ],
    [
      { jobs: { x: { operation: 'approve', enabled: false, options: { approveId: 'B-1' } } } },
      ['jobs.x.options: approveId is per device: only for one device'],
    ],
    [
      { jobs: { x: { operation: 'licence-health', options: { interval: 1 } } } },
      ['jobs.x.options: licence-health takes no options'],
    ],
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

  it('device jobs take their values from the stage params and stay disabled without them', async () => {
    const text = await readFile(new URL('../../../config/jobs.yml', import.meta.url), 'utf8');

    const unset = loadJobsConfig(text, 'prod', { overdueLockMessage: '', lockContactTel: '' });
    const set = loadJobsConfig(text, 'prod', {
      overdueLockMessage: 'Overdue. Pay in the app.',
      lockContactTel: '+49 89 2024 7710',
      lockContactEmail: 'inkasso@acme-finanz.de',
      approvePendingEnabled: 'true',
    });
    // stage local (npm start, tests): the samples under stages.local.params
    const local = loadJobsConfig(text, 'local');

    expect(unset.jobs.get('overdue-lock')).toMatchObject({
      enabled: false,
      unsetParams: ['overdueLockMessage', 'lockContactTel', 'lockContactEmail'],
    });
    expect(unset.jobs.get('overdue-lock')?.message).toBeUndefined();
    expect(unset.jobs.get('approve-pending')?.enabled).toBe(false);
    expect(unset.jobs.get('licence-health')?.enabled).toBe(true);
    expect(set.jobs.get('overdue-lock')).toMatchObject({
      enabled: true,
      message: 'Overdue. Pay in the app.',
      contact: { tel: '+49 89 2024 7710', email: 'inkasso@acme-finanz.de' },
      paramFields: {
        message: ['overdueLockMessage'],
        'contact.tel': ['lockContactTel'],
        'contact.email': ['lockContactEmail'],
      },
    });
    expect(set.jobs.get('approve-pending')?.enabled).toBe(true);
    expect(local.jobs.get('overdue-lock')).toMatchObject({
      enabled: true,
      contact: { tel: '+49 30 1234567', email: 'collections@example.com' },
    });
    expect(local.jobs.get('approve-pending')?.enabled).toBe(true);
  });

  it('a deployment param wins over the file stage params; an empty one does not', () => {
    const raw = {
      jobs: {
        note: {
          operation: 'sendMessage',
          targets: { source: 'knox', filter: { status: ['Locked'] } },
          message: ['$', '{param:note}'].join(''),
        },
      },
      stages: { local: { params: { note: 'sample text' } } },
    };

    expect(loadJobsConfig(raw, 'local', { note: 'real text' }).jobs.get('note')?.message).toBe('real text');
    expect(loadJobsConfig(raw, 'local', { note: '' }).jobs.get('note')?.message).toBe('sample text');
    expect(loadJobsConfig(raw, 'prod').jobs.get('note')?.enabled).toBe(false);
  });

  it('an enabled flag from a parameter must read true or false', () => {
    const raw = {
      jobs: { x: { operation: 'licence-health', enabled: ['$', '{param:on}'].join('') } },
    };

    expect(loadJobsConfig(raw, 'prod', { on: 'false' }).jobs.get('x')?.enabled).toBe(false);
    expect(() => loadJobsConfig(raw, 'prod', { on: 'yes' })).toThrow(/jobs\.x\.enabled/);
  });

  it.each([
    [
      'lockContactTel',
      'TODO',
      'param lockContactTel (jobs.overdue-lock.contact.tel): tel must be a phone number: E.164, e.g. +<country code><number>',
    ],
    [
      'overdueLockMessage',
      'P'.repeat(400),
      'param overdueLockMessage (jobs.overdue-lock.message): lock message is over 350 characters',
    ],
    ['lockContactEmail', 'not an address', 'param lockContactEmail (jobs.overdue-lock.contact.email): '],
    [
      'approvePendingEnabled',
      'yes',
      'param approvePendingEnabled (jobs.approve-pending.enabled): enabled must be true or false',
    ],
  ])(
    'a bad value of param %s is reported under the param, not only its jobs.yml path',
    async (param, value, issue) => {
      const text = await readFile(new URL('../../../config/jobs.yml', import.meta.url), 'utf8');
      const params = {
        overdueLockMessage: 'Overdue. Pay in the app.',
        lockContactTel: '+49 89 2024 7710',
        lockContactEmail: 'inkasso@acme-finanz.de',
        [param]: value,
      };

      let caught: unknown;
      try {
        loadJobsConfig(text, 'prod', params);
      } catch (error) {
        caught = error;
      }

      expect(caught).toBeInstanceOf(JobsConfigError);
      expect((caught as JobsConfigError).issues.some((line) => line.startsWith(issue))).toBe(true);
      // The format is described, never shown as a number an operator could copy.
      expect((caught as Error).message).not.toMatch(/\+\d[\d ]{5,}/);
    },
  );

  it('names the stage for a field its override sets, and the base path for the others', () => {
    const raw = {
      jobs: {
        x: { operation: 'licence-health', chunkSize: 5 },
        y: { operation: 'licence-health', minFreeSeats: -1 },
      },
      stages: { dev: { jobs: { x: { chunkSize: 0 }, y: { description: 'dev' } } } },
    };
    let caught: unknown;
    try {
      loadJobsConfig(raw, 'dev');
    } catch (error) {
      caught = error;
    }
    expect((caught as JobsConfigError).issues).toEqual([
      'stages.dev.jobs.x.chunkSize: Invalid value: Expected >=1 but received 0',
      'jobs.y.minFreeSeats: Invalid value: Expected >=0 but received -1',
    ]);
    // Stage prod has no override: the same file fails only where the base is wrong.
    expect(() => loadJobsConfig(raw, 'prod')).toThrow(
      /^Invalid jobs configuration:\n {2}- jobs\.y\.minFreeSeats/,
    );
  });

  it('reports YAML syntax errors as JobsConfigError', () => {
    expect(() => loadJobsConfig('jobs: [unclosed', 'dev')).toThrow(JobsConfigError);
  });
});
