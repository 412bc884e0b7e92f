import { describe, expect, it } from 'vitest';
import { decideResolution, type ResolutionDecision } from '../../../lib/alerts/decideResolution';
import type { GroupState } from '../../../lib/alerts/types';
import { activeGroup, HOUR, MINUTE, T0 } from '../../helpers/awsAlerts';

const rule = { resolveAfter: 15 * MINUTE, sendResolved: true };
const notified = { lastNotifiedAt: T0, lastSeenAt: T0 };

const cases: [
  string,
  Partial<GroupState>,
  Partial<typeof rule>,
  number,
  number | undefined,
  object,
  ResolutionDecision,
][] = [
  [
    'success after quiet period resolves with a message',
    notified,
    {},
    T0 + HOUR,
    T0 + HOUR,
    {},
    { action: 'resolve', notify: true },
  ],
  [
    'no success seen: keeps firing',
    notified,
    {},
    T0 + HOUR,
    undefined,
    {},
    { action: 'keep', reason: 'no-success-since' },
  ],
  [
    'success before the last failure: keeps',
    notified,
    {},
    T0 + HOUR,
    T0 - 1,
    {},
    { action: 'keep', reason: 'no-success-since' },
  ],
  [
    'still inside the quiet period: keeps',
    notified,
    {},
    T0 + 10 * MINUTE,
    T0 + 10 * MINUTE,
    {},
    { action: 'keep', reason: 'quiet-period' },
  ],
  [
    'already resolved',
    { ...notified, status: 'resolved' },
    {},
    T0 + HOUR,
    T0 + HOUR,
    {},
    { action: 'keep', reason: 'not-active' },
  ],
  [
    'claim held elsewhere',
    { ...notified, claimUntil: T0 + 2 * HOUR },
    {},
    T0 + HOUR,
    T0 + HOUR,
    {},
    { action: 'keep', reason: 'claimed-elsewhere' },
  ],
  [
    'never notified: resolves quietly',
    { lastSeenAt: T0 },
    {},
    T0 + HOUR,
    T0 + HOUR,
    {},
    { action: 'resolve', notify: false },
  ],
  [
    'sendResolved off: resolves quietly',
    notified,
    { sendResolved: false },
    T0 + HOUR,
    T0 + HOUR,
    {},
    { action: 'resolve', notify: false },
  ],
  [
    'silenced: resolves quietly',
    notified,
    {},
    T0 + HOUR,
    T0 + HOUR,
    { silence: { code: 'LICENSE_IS_LACK', until: T0 + 9 * HOUR } },
    { action: 'resolve', notify: false },
  ],
];

describe('decideResolution', () => {
  it.each(cases)('%s', (_name, patch, rulePatch, now, lastSuccessAt, extra, expected) => {
    const state = { ...activeGroup, ...patch };
    expect(
      decideResolution({ state, rule: { ...rule, ...rulePatch }, now, lastSuccessAt, ...extra }),
    ).toEqual(expected);
  });
});
