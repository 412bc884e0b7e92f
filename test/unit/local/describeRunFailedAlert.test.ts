import { describe, expect, it } from 'vitest';
import { describeRunFailedAlert } from '../../../local/describeRunFailedAlert';

describe('describeRunFailedAlert', () => {
  it('points below when the alert was sent', () => {
    expect(describeRunFailedAlert({ sent: true, openCodes: ['USER_BLOCKED_STATE'] })).toBe(
      ' -> a SCHEDULED_RUN_FAILED alert to the admins (below)',
    );
  });

  it('names the open condition that inhibits it (USER_BLOCKED_STATE, by design)', () => {
    expect(
      describeRunFailedAlert({ sent: false, openCodes: ['LICENSE_IS_LACK', 'USER_BLOCKED_STATE'] }),
    ).toBe(
      ' -> no SCHEDULED_RUN_FAILED alert: the open USER_BLOCKED_STATE alert inhibits it (the cause is alerted, not the symptom)',
    );
  });

  it('otherwise says it was notified before, silenced or acknowledged', () => {
    expect(describeRunFailedAlert({ sent: false, openCodes: ['LICENSE_IS_LACK'] })).toBe(
      ' -> no new SCHEDULED_RUN_FAILED alert: its group was already notified (repeat interval), silenced or acknowledged (npx knox-guard-sentinel alerts list)',
    );
  });
});
