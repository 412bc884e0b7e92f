import { describe, expect, it } from 'vitest';
import { loadAlertRules } from '../../../lib/alerts';
import { AlertRulesError } from '../../../lib/alerts/errors';
import { resolveRule } from '../../../lib/alerts/resolveRule';
import { failureOf, HOUR, MINUTE } from '../../helpers/awsAlerts';

const labels = { stage: 'prod', job: 'overdue-lock' };

describe('loadAlertRules', () => {
  it('applies the defaults', () => {
    const rules = loadAlertRules({});
    expect(rules.defaults).toMatchObject({
      repeatInterval: 4 * HOUR,
      resolveAfter: 15 * MINUTE,
      sendResolved: true,
      maxSamples: 3,
    });
    expect(rules.inhibitions[0]?.sources).toContain('USER_BLOCKED_STATE');
  });

  it("accepts the service's own codes in rules", () => {
    const rules = loadAlertRules({
      codes: { LICENSE_SEATS_LOW: { repeatInterval: '1d' }, TARGETS_UNREADABLE: { action: 'alert' } },
    });
    expect(rules.codes.LICENSE_SEATS_LOW?.repeatInterval).toBe(24 * HOUR);
  });

  it.each([
    [{ defaults: { repeatInterval: 'soon' } }, "defaults.repeatInterval: expected a duration such as '90s'"],
    [
      { codes: { LICENCE_IS_LACK: { action: 'alert' } } },
      'codes.LICENCE_IS_LACK: unknown code "LICENCE_IS_LACK"',
    ],
    [{ codes: { LICENSE_IS_LACK: { action: 'page' } } }, 'codes.LICENSE_IS_LACK.action:'],
    [
      { silences: [{ code: 'LICENSE_IS_LACK', until: 'next week' }] },
      'silences.0.until: expected an ISO date',
    ],
    [{ silences: [{ job: 'overdue-lock', until: '2026-12-01' }] }, 'silences.0.code:'],
    [
      { overrides: [{ job: 'x', repeatIntervall: '1h' }] },
      'overrides.0.repeatIntervall: Invalid key: Expected never but received "repeatIntervall"',
    ],
    [{ inhibitions: [{ sources: [] }] }, 'inhibitions.0.sources:'],
    [{ codes: [{ action: 'ignore' }] }, 'codes: Invalid type: Expected Object but received Array'],
  ])('rejects %j with a clear message', (raw, message) => {
    expect(() => loadAlertRules(raw)).toThrow(AlertRulesError);
    try {
      loadAlertRules(raw);
    } catch (error) {
      expect((error as AlertRulesError).issues.join('\n')).toContain(message);
      expect((error as AlertRulesError).name).toBe('AlertRulesError');
    }
  });
});

describe('resolveRule', () => {
  const rules = loadAlertRules({
    codes: { DEVICE_NOT_FOUND: { action: 'ignore' }, '4040400': { repeatInterval: '1h' } },
    overrides: [
      { job: 'overdue-lock', stage: 'prod', code: 'LICENSE_IS_LACK', repeatInterval: '30m' },
      { stage: 'dev', action: 'ignore' },
    ],
  });

  it.each([
    ['LICENSE_IS_LACK', labels, 'alert', 30 * MINUTE, 0],
    ['USER_BLOCKED_STATE', labels, 'alert', 4 * HOUR, 0],
    ['DEVICE_STATE_INVALID', labels, 'digest', 4 * HOUR, 0],
    ['DEVICE_NOT_FOUND', labels, 'ignore', 4 * HOUR, 0],
    ['PROFILE_NOT_FOUND', labels, 'alert', HOUR, 0],
    ['LICENSE_INTERNAL_SERVER_FAILED', labels, 'alert', 4 * HOUR, 30 * MINUTE],
    ['LICENSE_IS_LACK', { stage: 'dev', job: 'overdue-lock' }, 'ignore', 4 * HOUR, 0],
  ] as const)('%s in %j: %s', (name, where, action, repeatInterval, persistFor) => {
    expect(resolveRule(rules, where, failureOf(name))).toMatchObject({ action, repeatInterval, persistFor });
  });
});
