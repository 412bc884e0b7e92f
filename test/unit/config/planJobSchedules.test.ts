import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { JobsConfigError, planJobSchedules } from '../../../lib/config';
import { PlaceholderValueError, StageParamError } from '../../../lib/config/planJobSchedules';

const jobs = parse(await readFile(new URL('../../../config/jobs.yml', import.meta.url), 'utf8'));

// Values an operator would really set (no documentation domain, no sample number).
const REAL = {
  overdueLockMessage: 'Your instalment is overdue. Pay in the app or call us to unlock this device.',
  paymentReminderMessage: 'Your next instalment is due in 3 days.',
  lockedNoticeMessage: 'This device is locked because of an overdue payment.',
  lockContactTel: '+49 89 2024 7710',
  lockContactEmail: 'inkasso@acme-finanz.de',
  approvePendingEnabled: false,
};
const UNSET = {
  overdueLockMessage: '',
  paymentReminderMessage: '',
  lockedNoticeMessage: '',
  lockContactTel: '',
  lockContactEmail: '',
  approvePendingEnabled: false,
};

function planOrError(params: Record<string, string | boolean>): PlaceholderValueError {
  try {
    planJobSchedules({ jobs, stage: 'prod', params, alertParams: ['alertEmails', 'alertPhones'] });
  } catch (error) {
    if (error instanceof PlaceholderValueError) return error;
    throw error;
  }
  throw new Error('expected a PlaceholderValueError');
}

describe('planJobSchedules (the committed config/jobs.yml)', () => {
  it('a first prod deploy with nothing set runs nothing, and warns that alerts reach no one', () => {
    const plan = planJobSchedules({
      jobs,
      stage: 'prod',
      params: { schedulesState: 'ENABLED', knoxUnverifiedLicenceApi: 'false', ...UNSET },
      alertParams: ['alertEmails', 'alertPhones'],
    });

    expect(plan.states).toEqual({
      'approve-pending': 'DISABLED',
      'overdue-lock': 'DISABLED',
      'payment-reminder': 'DISABLED',
      'locked-notice': 'DISABLED',
      'licence-health': 'DISABLED',
    });
    expect(plan.disabledBecause['overdue-lock']).toBe(
      'param overdueLockMessage, lockContactTel, lockContactEmail are not set',
    );
    expect(plan.disabledBecause['payment-reminder']).toBe(
      'param paymentReminderMessage, lockContactTel are not set',
    );
    expect(plan.disabledBecause['approve-pending']).toBe('the job is disabled (enabled: false)');
    expect(plan.disabledBecause['licence-health']).toMatch(
      /^param knoxUnverifiedLicenceApi is not "true" \(.*npm run knox:check/,
    );
    expect(plan.jobParams).toEqual(UNSET);
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^no alert subscriber: alertEmails and alertPhones are empty/),
    ]);
  });

  it.each([
    ['"true" (a --param)', 'true', 'ENABLED'],
    ['true (YAML)', true, 'ENABLED'],
    ['"false"', 'false', 'DISABLED'],
    ['unset', undefined, 'DISABLED'],
  ] as const)(
    'licence-health is scheduled only when knoxUnverifiedLicenceApi is "true": %s',
    (_, value, state) => {
      const plan = planJobSchedules({
        jobs,
        stage: 'prod',
        params: { schedulesState: 'ENABLED', knoxUnverifiedLicenceApi: value, ...UNSET },
      });

      expect(plan.states['licence-health']).toBe(state);
    },
  );

  it('refuses a stage whose device job would run with no alert subscriber, naming both params', () => {
    const plan = (params: Record<string, string | boolean>) =>
      planJobSchedules({
        jobs,
        stage: 'prod',
        params: { schedulesState: 'ENABLED', ...REAL, ...params },
        alertParams: ['alertEmails', 'alertPhones'],
      });

    let caught: unknown;
    try {
      plan({ alertEmails: '', alertPhones: '' });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(StageParamError);
    expect((caught as StageParamError).params).toEqual(['alertEmails', 'alertPhones']);
    expect((caught as Error).message).toMatch(
      /^Stage prod: overdue-lock, payment-reminder would run on real devices, but no one would get its alerts: alertEmails and alertPhones are empty/,
    );
    expect(plan({ alertEmails: 'ops@acme-finanz.de', alertPhones: '' }).warnings).toEqual([]);
    expect(plan({ alertEmails: '', alertPhones: '+49 89 2024 7711' }).states['overdue-lock']).toBe('ENABLED');
    // schedules off: nothing runs, nothing to warn about
    expect(plan({ schedulesState: 'DISABLED' }).warnings).toEqual([]);
  });

  it('real values enable the device jobs; approve-pending only with approvePendingEnabled', () => {
    const off = planJobSchedules({ jobs, stage: 'prod', params: { schedulesState: 'ENABLED', ...REAL } });
    const on = planJobSchedules({
      jobs,
      stage: 'prod',
      params: { schedulesState: 'ENABLED', ...REAL, approvePendingEnabled: 'true' },
    });

    expect(off.states['overdue-lock']).toBe('ENABLED');
    expect(off.states['payment-reminder']).toBe('ENABLED');
    expect(off.states['approve-pending']).toBe('DISABLED');
    expect(off.states['locked-notice']).toBe('DISABLED'); // enabled: false in jobs.yml
    expect(on.states['approve-pending']).toBe('ENABLED');
    expect(on.jobParams.approvePendingEnabled).toBe('true');
  });

  it('schedulesState DISABLED keeps every schedule off and accepts the samples', () => {
    const plan = planJobSchedules({
      jobs,
      stage: 'dev',
      params: {
        schedulesState: 'DISABLED',
        ...REAL,
        lockContactTel: '+49 30 1234567',
        lockContactEmail: 'collections@example.com',
        approvePendingEnabled: true,
      },
    });

    expect(new Set(Object.values(plan.states))).toEqual(new Set(['DISABLED']));
    expect(plan.disabledBecause['licence-health']).toBe('schedulesState is DISABLED');
  });

  it.each([
    [
      'lockContactEmail',
      'collections@example.com',
      'param lockContactEmail (jobs.overdue-lock.contact.email) uses example.com',
    ],
    [
      'lockContactTel',
      '+49 30 1234567',
      'param lockContactTel (jobs.overdue-lock.contact.tel) is a sample number',
    ],
    [
      'lockContactTel',
      '+1 202 555 0143',
      'param lockContactTel (jobs.payment-reminder.contact.tel) is a 555-01xx number',
    ],
    [
      'overdueLockMessage',
      'TODO',
      'param overdueLockMessage (jobs.overdue-lock.message) contains the placeholder "TODO"',
    ],
    [
      'paymentReminderMessage',
      'Call <number>',
      'param paymentReminderMessage (jobs.payment-reminder.message) contains the template slot <number>',
    ],
    [
      'lockedNoticeMessage',
      'CHANGEME',
      'param lockedNoticeMessage (jobs.locked-notice.message) contains the placeholder "CHANGEME"',
    ],
    ['alertEmails', 'ops@acme-finanz.de,oncall@example.org', 'param alertEmails uses example.org'],
    ['alertPhones', '+15550100', 'param alertPhones is a 555-01xx number'],
  ])('an ENABLED stage refuses %s = %j, naming the parameter', (param, value, issue) => {
    const error = planOrError({ schedulesState: 'ENABLED', ...REAL, [param]: value });

    expect(error.stage).toBe('prod');
    expect(error.issues.some((text) => text.startsWith(issue))).toBe(true);
    expect(error.message).toContain(`--param="<name>=<value>"`);
    expect(error.message).toContain('params.prod.<name>');
  });

  it('names the config/jobs.yml path when the sample is written there, not in a param', () => {
    const edited = structuredClone(jobs);
    edited.jobs['overdue-lock'].contact.email = 'collections@example.com';

    expect(() =>
      planJobSchedules({ jobs: edited, stage: 'prod', params: { schedulesState: 'ENABLED', ...REAL } }),
    ).toThrow(/config\/jobs\.yml jobs\.overdue-lock\.contact\.email uses example\.com/);
  });

  it.each(['enabled', 'Enabled', ' ENABLED', 'on', ''])(
    'refuses schedulesState %j with an error naming the param, not as a placeholder',
    (value) => {
      let caught: unknown;
      try {
        planJobSchedules({ jobs, stage: 'prod', params: { schedulesState: value, ...REAL } });
      } catch (error) {
        caught = error;
      }

      expect(caught).toBeInstanceOf(StageParamError);
      expect((caught as StageParamError).params).toEqual(['schedulesState']);
      expect((caught as Error).message).toContain(
        `Stage prod: param schedulesState is ${JSON.stringify(value)}; it must be exactly ENABLED or DISABLED`,
      );
      expect((caught as Error).message).not.toMatch(/placeholder|runs its schedules/);
    },
  );

  it('a jobs file that does not validate is a JobsConfigError, not a plan', () => {
    expect(() =>
      planJobSchedules({
        jobs: { jobs: { x: { operation: 'explode' } } },
        stage: 'prod',
        params: { schedulesState: 'ENABLED' },
      }),
    ).toThrow(JobsConfigError);
  });
});
