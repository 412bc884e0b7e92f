import { describe, expect, it } from 'vitest';
import { toRow } from '../../../bin/adminCli';
import { TENANT_WIDE_JOB } from '../../../lib/alerts/constants';
import type { GroupState } from '../../../lib/alerts/types';
import { Category, Scope, Severity } from '../../../lib/errors';

const NOW = Date.parse('2026-12-01T04:00:00Z');

function group(
  overrides: Partial<GroupState> & Pick<GroupState, 'job' | 'codeName'>,
  scope: string,
): GroupState {
  return {
    stage: 'local',
    code: '4001809',
    status: 'active',
    firstSeenAt: NOW - 3_600_000,
    lastSeenAt: NOW,
    runId: 'run-1',
    runCount: 1,
    failures: 1,
    samples: [],
    notifications: 1,
    failure: {
      code: '4001809',
      codeName: overrides.codeName,
      httpStatus: 0,
      reason: 'x',
      description: 'x',
      category: Category.configuration,
      severity: Severity.critical,
      remediation: 'x',
      actor: 'x',
      scope: scope as GroupState['failure']['scope'],
    },
    ...overrides,
  } as GroupState;
}

// Break-it pass, 2026-12-01: `alerts list` showed "DEVICES 1" for TARGETS_UNREADABLE, which
// concerns no device; the column now shows what the alert itself says.
describe('alerts list rows', () => {
  it.each([
    [
      'a job’s own condition',
      group({ job: 'overdue-lock', codeName: 'TARGETS_UNREADABLE' }, Scope.job),
      null,
    ],
    [
      'a tenant-wide condition seen once',
      group({ job: TENANT_WIDE_JOB, codeName: 'USER_BLOCKED_STATE' }, Scope.tenant),
      null,
    ],
    [
      'a tenant-wide condition on 23 devices',
      group({ job: TENANT_WIDE_JOB, codeName: 'LICENSE_IS_LACK', runCount: 23 }, Scope.tenant),
      23,
    ],
    [
      'a per-device code on one device',
      group({ job: 'overdue-lock', codeName: 'DEVICE_NOT_FOUND' }, Scope.device),
      1,
    ],
  ])('%s: devices %s', (_name, state, devices) => {
    expect(toRow(state, [], NOW).devices).toBe(devices);
  });
});
