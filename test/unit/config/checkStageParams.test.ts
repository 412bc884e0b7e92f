import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  ALERT_SLOTS,
  checkedStageParams,
  checkStageParams,
  isScheduleExpression,
  isTimeZone,
} from '../../../lib/config/checkStageParams';
import { StageParamError } from '../../../lib/config/StageParamError';
import { loadServiceConfig, ServiceConfigError } from '../../../lib/config/serviceConfig';
import { readServerlessManifest, stageParams } from '../../../scripts/serverlessManifest';

const manifest = await readServerlessManifest();

function refusal(params: Record<string, unknown>, stage = 'prod'): StageParamError {
  try {
    checkStageParams(stage, params as never);
  } catch (error) {
    if (error instanceof StageParamError) return error;
    throw error;
  }
  throw new Error('expected a StageParamError');
}

describe('checkStageParams: what AWS refuses at deploy is refused at packaging, naming stage and param', () => {
  it('accepts every stage serverless.yml defines, as written there', () => {
    for (const stage of Object.keys(manifest.params).filter((name) => name !== 'default')) {
      const params = stageParams(manifest, stage);
      const resolved = Object.fromEntries(
        Object.entries(params).filter(([, value]) => !String(value).includes('${')),
      );
      expect(() => checkStageParams(stage, resolved as never), stage).not.toThrow();
    }
  });

  it('checks every param serverless.yml passes to the template or the environment, except those checked elsewhere', () => {
    const elsewhere = new Set([
      'schedulesState', // planJobSchedules
      // config/jobs.yml's ${param:...} values: resolveJobsConfig
      'approvePendingEnabled',
      'overdueLockMessage',
      'paymentReminderMessage',
      'lockedNoticeMessage',
      'lockContactTel',
      'lockContactEmail',
    ]);
    const expected = Object.keys(manifest.params.default ?? {}).filter((name) => !elsewhere.has(name));
    expect([...checkedStageParams()].sort()).toEqual(expected.sort());
  });

  it.each([
    'cron(0 7 * * *)', // 5 fields: EventBridge Scheduler needs 6
    'cron(0 7 * * * *)', // day-of-month and day-of-week both set
    'cron(0 7 ? * ? *)', // both "?"
    '0 7 * * ? *',
    'rate(0 minutes)',
    'rate(5 weeks)',
    'at(2026-12-01 07:00:00)',
  ])('refuses the schedule expression %s', (expression) => {
    const error = refusal({ overdueLockSchedule: expression });
    expect(error.stage).toBe('prod');
    expect(error.params).toEqual(['overdueLockSchedule']);
    expect(error.message).toContain(
      `Stage prod: this param holds a value AWS would refuse at deploy (or the functions at their first start):\n  - param overdueLockSchedule is ${JSON.stringify(expression)}: must be an EventBridge Scheduler expression: cron(minutes hours day-of-month month day-of-week year) with 6 fields`,
    );
    expect(error.message).toContain(
      'https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html',
    );
  });

  it('checks every schedule-expression param', () => {
    const error = refusal({
      approvePendingSchedule: 'cron(15 * * * *)',
      overdueLockSchedule: 'cron(0 7 * * *)',
      paymentReminderSchedule: 'cron(0 10 * * *)',
      licenceHealthSchedule: 'hourly',
    });
    expect(error.params).toEqual([
      'approvePendingSchedule',
      'overdueLockSchedule',
      'paymentReminderSchedule',
      'licenceHealthSchedule',
    ]);
  });

  it.each([
    'cron(0 7 * * ? *)',
    'cron(15 * * * ? *)',
    'cron(0 9 ? * MON-FRI *)',
    'rate(1 hour)',
    'rate(5 minutes)',
    'at(2026-12-01T07:00:00)',
  ])('accepts the schedule expression %s', (expression) => {
    expect(isScheduleExpression(expression)).toBe(true);
    expect(() => checkStageParams('prod', { overdueLockSchedule: expression })).not.toThrow();
  });

  it('refuses a time zone that is not IANA (Europe/Berln), accepts Europe/Berlin and UTC', () => {
    const error = refusal({ scheduleTimezone: 'Europe/Berln' });
    expect(error.params).toEqual(['scheduleTimezone']);
    expect(error.message).toContain(
      'param scheduleTimezone is "Europe/Berln": must be an IANA time zone such as Europe/Berlin or UTC',
    );
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('Berlin')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it.each([0, 1001, 2.5, '0', 'five'])('refuses maxReceiveCount %j (SQS redrive policy: 1-1000)', (value) => {
    const error = refusal({ maxReceiveCount: value });
    expect(error.params).toEqual(['maxReceiveCount']);
    expect(error.message).toContain(
      `param maxReceiveCount is ${JSON.stringify(value)}: must be a whole number from 1 to 1000 (SQS redrive policy maxReceiveCount)`,
    );
  });

  it('accepts maxReceiveCount as a YAML number or --param text', () => {
    expect(() => checkStageParams('prod', { maxReceiveCount: 1 })).not.toThrow();
    expect(() => checkStageParams('prod', { maxReceiveCount: '1000' })).not.toThrow();
  });

  it.each(['targetsExpirationDays', 'runReportRetentionDays'])(
    'refuses %s 0 (S3 lifecycle ExpirationInDays is a positive integer)',
    (param) => {
      const error = refusal({ [param]: 0 });
      expect(error.params).toEqual([param]);
      expect(error.message).toContain(
        `param ${param} is 0: must be a whole number 1 or more (S3 lifecycle ExpirationInDays)`,
      );
    },
  );

  it("refuses knoxRateLimitPerSecond 0 by the functions' own rule (KNOX_RATE_LIMIT_PER_SECOND)", () => {
    // The rule checkStageParams reuses: the worker would throw this at its first cold start.
    expect(() =>
      loadServiceConfig({
        STAGE: 'prod',
        STATE_TABLE: 't',
        ALERT_TOPIC_ARN: 'a',
        OPERATIONS_QUEUE_URL: 'q',
        KNOX_RATE_LIMIT_PER_SECOND: '0',
      }),
    ).toThrow(ServiceConfigError);

    const error = refusal({ knoxRateLimitPerSecond: 0 });
    expect(error.params).toEqual(['knoxRateLimitPerSecond']);
    expect(error.message).toContain(
      'param knoxRateLimitPerSecond is 0: the functions would refuse it at their first start (KNOX_RATE_LIMIT_PER_SECOND, lib/config/serviceConfig.ts: Invalid value: Expected >0 but received 0)',
    );
    expect(() => checkStageParams('prod', { knoxRateLimitPerSecond: '12.5' })).not.toThrow();
  });

  it('refuses an alert phone that is not an international number, without repeating it; hands SNS E.164', () => {
    const error = refusal({ alertPhones: '0151 2024 7710' });
    expect(error.params).toEqual(['alertPhones']);
    expect(error.message).toContain(
      'param alertPhones: entry 1 of 1 is not an international phone number (+<country code><number>; SNS SMS subscriptions get it as E.164)',
    );
    expect(error.message).not.toContain('2024');
    expect(refusal({ alertPhones: '+4915120247710,+49 (151) 2024-7710' }).message).toContain(
      'param alertPhones: entry 2 of 2 is not an international phone number',
    );
    expect(refusal({ alertPhones: '+49 1' }).params).toEqual(['alertPhones']);
    // Spaces are fine: the stack parameter gets E.164.
    expect(checkStageParams('prod', { alertPhones: '+49 151 2024 7710,+4989202477101' }).alertPhones).toBe(
      '+4915120247710,+4989202477101',
    );
  });

  it('refuses an alert e-mail without a domain with a dot, naming its position only', () => {
    const error = refusal({ alertEmails: 'ops@acme-finanz.de,ops@acme-finanz' });
    expect(error.params).toEqual(['alertEmails']);
    expect(error.message).toContain('param alertEmails: entry 2 of 2 is not an e-mail address');
    expect(error.message).not.toContain('acme-finanz');
    expect(refusal({ alertEmails: 'ops@acme-finanz.de, it@acme-finanz.de' }).params).toEqual(['alertEmails']);
  });

  it('refuses more alert subscribers than infra/alerts.yml has slots (5 e-mails, 3 phones), naming the limit', () => {
    const emails = 'abcdef'
      .split('')
      .map((c) => `${c}@acme-finanz.de`)
      .join(',');
    const phones = '+4989202477101,+4989202477102,+4989202477103,+4989202477104';
    const error = refusal({ alertEmails: emails, alertPhones: phones });
    expect(error.params).toEqual(['alertEmails', 'alertPhones']);
    expect(error.message).toContain(
      'param alertEmails: has 6 entries, but infra/alerts.yml subscribes only the first 5 (the others would silently get nothing): at most 5',
    );
    expect(error.message).toContain(
      'param alertPhones: has 4 entries, but infra/alerts.yml subscribes only the first 3 (the others would silently get nothing): at most 3',
    );
    expect(() =>
      checkStageParams('prod', {
        alertEmails: emails.split(',').slice(0, 5).join(','),
        alertPhones: phones.split(',').slice(0, 3).join(','),
      }),
    ).not.toThrow();
  });

  it('ALERT_SLOTS matches the subscription slots infra/alerts.yml creates', async () => {
    const alerts = await readFile(new URL('../../../infra/alerts.yml', import.meta.url), 'utf8');
    expect({
      alertEmails: alerts.match(/^ {2}HasAlertEmail\d+:/gm)?.length,
      alertPhones: alerts.match(/^ {2}HasAlertPhone\d+:/gm)?.length,
    }).toEqual(ALERT_SLOTS);
  });

  it('accepts empty alert params (no subscriber: planJobSchedules decides)', () => {
    expect(() => checkStageParams('prod', { alertEmails: '', alertPhones: '' })).not.toThrow();
  });

  it.each(['smsIncludeReminders', 'billingAccessPolicy'])(
    'accepts %s as a YAML boolean or as text, and hands the stack parameter "true"/"false"',
    (param) => {
      expect(checkStageParams('prod', { [param]: true })[param]).toBe('true');
      expect(checkStageParams('prod', { [param]: false })[param]).toBe('false');
      expect(checkStageParams('prod', { [param]: 'true' })[param]).toBe('true');
      const error = refusal({ [param]: 'yes' });
      expect(error.params).toEqual([param]);
      expect(error.message).toContain(`param ${param} is "yes": must be true or false`);
    },
  );

  it('lists every param at fault in one error, and passes the others through unchanged', () => {
    const error = refusal({
      overdueLockSchedule: 'cron(0 7 * * *)',
      scheduleTimezone: 'Europe/Berln',
      maxReceiveCount: 0,
      knoxRateLimitPerSecond: 0,
      logLevel: 'INFO',
    });
    expect(error.params).toEqual([
      'knoxRateLimitPerSecond',
      'maxReceiveCount',
      'scheduleTimezone',
      'overdueLockSchedule',
    ]);
    expect(error.message.match(/^ {2}- param /gm)).toHaveLength(4);
    expect(error.message).toContain('Set each in serverless.yml (params.prod.<name>, or params.default)');
    expect(checkStageParams('dev', { logLevel: 'DEBUG', overdueLockMessage: 'x' })).toEqual({
      logLevel: 'DEBUG',
      overdueLockMessage: 'x',
    });
  });

  it.each([
    ['logRetentionDays', 10, 'CloudWatch Logs RetentionInDays'],
    ['workerBatchSize', 11, 'SQS event source BatchSize'],
    ['workerMaxConcurrency', 1, 'MaximumConcurrency'],
    ['scheduledRunRetryAttempts', 3, 'Lambda MaximumRetryAttempts'],
    ['scheduledRunMaxEventAgeSeconds', 30, 'Lambda MaximumEventAgeInSeconds'],
    ['dataDeletionPolicy', 'Snapshot', 'DeletionPolicy'],
    ['knoxCredentialsSecretId', 'knox-guard-sentinel/prod/creds-abcdef', 'hyphen and six characters'],
    ['knoxBaseUrl', 'eu-kcs-api.samsungknox.com', 'KNOX_BASE_URL, lib/config/serviceConfig.ts: Invalid URL'],
    ['defaultPhoneRegion', 'XX', 'ISO 3166-1'],
    ['logLevel', 'VERBOSE', 'Powertools'],
    ['queueAgeAlarmSeconds', 0, 'Threshold'],
  ])('refuses %s %j (%s)', (param, value, rule) => {
    const error = refusal({ [param]: value });
    expect(error.params).toEqual([param]);
    expect(error.message).toContain(`param ${param} is ${JSON.stringify(value)}: `);
    expect(error.message).toContain(rule);
  });
});
