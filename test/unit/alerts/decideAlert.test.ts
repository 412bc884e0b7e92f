import { describe, expect, it } from 'vitest';
import { type AlertDecision, decideAlert } from '../../../lib/alerts/decideAlert';
import type { GroupState } from '../../../lib/alerts/types';
import { activeGroup, HOUR, MINUTE, T0 } from '../../helpers/awsAlerts';

const base = activeGroup;
const rule = { persistFor: 0, repeatInterval: 4 * HOUR };
const transient = { persistFor: 30 * MINUTE, repeatInterval: 4 * HOUR };
const silence = { code: 'LICENSE_IS_LACK', until: T0 + HOUR };
const inhibitor = { stage: 'prod', job: 'x', code: '4030104', codeName: 'USER_BLOCKED_STATE' };

const cases: [string, Partial<GroupState>, typeof rule, number, object, AlertDecision][] = [
  ['new condition fires at once', {}, rule, T0, {}, { action: 'notify', kind: 'firing' }],
  [
    'acknowledged: no reminder after 4 h',
    { lastNotifiedAt: T0, acknowledged: { at: T0 + MINUTE, by: 'ana' } },
    rule,
    T0 + 5 * HOUR,
    {},
    { action: 'suppress', reason: 'acknowledged' },
  ],
  [
    'acknowledged for 2 h: reminded once that ended',
    { lastNotifiedAt: T0, acknowledged: { at: T0 + MINUTE, by: 'ana', until: T0 + 2 * HOUR } },
    rule,
    T0 + 5 * HOUR,
    {},
    { action: 'notify', kind: 'reminder' },
  ],
  [
    'acknowledged and silenced: the silence is the reason',
    { lastNotifiedAt: T0, acknowledged: { at: T0, by: 'ana' } },
    rule,
    T0 + 5 * MINUTE,
    { silence },
    { action: 'suppress', reason: 'silenced' },
  ],
  [
    'notified 1 h ago: suppressed',
    { lastNotifiedAt: T0 },
    rule,
    T0 + HOUR,
    {},
    { action: 'suppress', reason: 'notified-recently' },
  ],
  [
    'notified just under 4 h ago: suppressed',
    { lastNotifiedAt: T0 },
    rule,
    T0 + 4 * HOUR - 1,
    {},
    { action: 'suppress', reason: 'notified-recently' },
  ],
  [
    'notified 4 h ago: reminder',
    { lastNotifiedAt: T0 },
    rule,
    T0 + 4 * HOUR,
    {},
    { action: 'notify', kind: 'reminder' },
  ],
  [
    'transient below its threshold: pending',
    {},
    transient,
    T0 + 29 * MINUTE,
    {},
    { action: 'suppress', reason: 'pending' },
  ],
  [
    'transient past its threshold: fires',
    {},
    transient,
    T0 + 30 * MINUTE,
    {},
    { action: 'notify', kind: 'firing' },
  ],
  [
    'claim held by another worker',
    { claimUntil: T0 + MINUTE },
    rule,
    T0,
    {},
    { action: 'suppress', reason: 'claimed-elsewhere' },
  ],
  ['claim lapsed: fires', { claimUntil: T0 - 1 }, rule, T0, {}, { action: 'notify', kind: 'firing' }],
  ['silenced', {}, rule, T0, { silence }, { action: 'suppress', reason: 'silenced' }],
  ['inhibited', {}, rule, T0, { inhibitor }, { action: 'suppress', reason: 'inhibited' }],
];

describe('decideAlert', () => {
  it.each(cases)('%s', (_name, patch, settings, now, extra, expected) => {
    expect(decideAlert({ state: { ...base, ...patch }, rule: settings, now, ...extra })).toEqual(expected);
  });
});
