import { describe, expect, it } from 'vitest';
import { loadAlertRules } from '../../../lib/alerts';
import { TENANT_WIDE_JOB } from '../../../lib/alerts/constants';
import { findInhibitor } from '../../../lib/alerts/findInhibitor';

const rules = loadAlertRules({});
const blocked = { stage: 'prod', job: TENANT_WIDE_JOB, code: '4030104', codeName: 'USER_BLOCKED_STATE' };

describe('findInhibitor with tenant-wide groups', () => {
  it.each([
    // a tenant-wide source spans jobs: it inhibits device failures of any job of its stage
    [
      'a device failure of another job',
      { stage: 'prod', job: 'overdue-lock' },
      { code: '4040300', codeName: 'DEVICE_NOT_FOUND', scope: 'device' as const },
      'USER_BLOCKED_STATE',
    ],
    // and SCHEDULED_RUN_FAILED, whose inhibition requires an equal job
    [
      'a failed run of any job',
      { stage: 'prod', job: 'approve-pending' },
      { code: 'SCHEDULED_RUN_FAILED', codeName: 'SCHEDULED_RUN_FAILED', scope: 'job' as const },
      'USER_BLOCKED_STATE',
    ],
    // but not across stages
    [
      'another stage',
      { stage: 'dev', job: 'overdue-lock' },
      { code: '4040300', codeName: 'DEVICE_NOT_FOUND', scope: 'device' as const },
      undefined,
    ],
    // nor a tenant-wide code that is no target (LICENSE_IS_LACK is its own problem)
    [
      'a tenant-wide code',
      { stage: 'prod', job: 'overdue-lock' },
      { code: '4001809', codeName: 'LICENSE_IS_LACK', scope: 'tenant' as const },
      undefined,
    ],
  ])('%s', (_name, labels, failure, expected) => {
    expect(findInhibitor(rules.inhibitions, labels, failure, [{ ...blocked, stage: 'prod' }])?.codeName).toBe(
      expected,
    );
  });
});
