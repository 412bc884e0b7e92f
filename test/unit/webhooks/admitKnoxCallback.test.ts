import { describe, expect, it } from 'vitest';
import { KNOX_CALLBACK_WINDOW, type KnoxNotificationEvent } from '../../../lib/webhooks';
import { admitKnoxCallback } from '../../../lib/webhooks/admitKnoxCallback';
import { KnoxCallbackIgnored } from '../../../lib/webhooks/constants';
import { createMemoryNonceStore } from '../../../lib/webhooks/createMemoryNonceStore';
import { parseKnoxNotification } from '../../../lib/webhooks/parseKnoxNotification';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-30T12:00:00Z');

function events(...times: (string | undefined)[]): readonly KnoxNotificationEvent[] {
  const parsed = parseKnoxNotification(
    times.map((lastUpdatedAt, i) => ({
      event: 'KG_DEVICE_LOCKED',
      payload: { deviceUid: `35693803564380${i}`, ...(lastUpdatedAt ? { lastUpdatedAt } : {}) },
    })),
  );
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.events;
}

describe('admitKnoxCallback', () => {
  it('refuses a nonce it has remembered, 26 hours later (Prepare / Act / Assess)', async () => {
    let clock = NOW;
    const nonces = createMemoryNonceStore(() => clock);
    const callback = events(new Date(NOW - 60_000).toISOString());
    const first = await admitKnoxCallback({ nonce: 'n-1', events: callback, nonces, now: clock });
    expect(first.ok && first.events).toHaveLength(1);
    if (first.ok) await first.remember();

    clock = NOW + 26 * HOUR;
    const replay = await admitKnoxCallback({ nonce: 'n-1', events: callback, nonces, now: clock });

    expect(replay).toEqual({ ok: false, reason: KnoxCallbackIgnored.replayedNonce });
  });

  it('does not remember a nonce until told to: a callback whose processing failed stays deliverable', async () => {
    const nonces = createMemoryNonceStore(() => NOW);
    const callback = events(undefined);
    const failed = await admitKnoxCallback({ nonce: 'n-2', events: callback, nonces, now: NOW });
    expect(failed.ok).toBe(true);
    const redelivered = await admitKnoxCallback({ nonce: 'n-2', events: callback, nonces, now: NOW });
    expect(redelivered.ok && redelivered.events).toHaveLength(1);
  });

  it('keeps a nonce for the whole window plus skew, so a replay is refused or outside the window', async () => {
    let clock = NOW;
    const nonces = createMemoryNonceStore(() => clock);
    // The latest time an admitted event may carry: the future skew.
    const callback = events(new Date(NOW + KNOX_CALLBACK_WINDOW.maxFutureSeconds * 1000).toISOString());
    const first = await admitKnoxCallback({ nonce: 'n-3', events: callback, nonces, now: clock });
    if (!first.ok) throw new Error('refused');
    expect(first.events).toHaveLength(1);
    expect(first.retentionSeconds).toBe(
      KNOX_CALLBACK_WINDOW.maxAgeSeconds + KNOX_CALLBACK_WINDOW.maxFutureSeconds,
    );
    await first.remember();
    for (const hours of [1, 26, 72]) {
      clock = NOW + hours * HOUR;
      expect((await admitKnoxCallback({ nonce: 'n-3', events: callback, nonces, now: clock })).ok).toBe(
        false,
      );
    }
    // Once the nonce record has expired, the event is outside the window: still nothing processed.
    clock = NOW + (first.retentionSeconds + 1) * 1000;
    const late = await admitKnoxCallback({ nonce: 'n-3', events: callback, nonces, now: clock });
    expect(late.ok && late.events).toEqual([]);
    expect(late.ok && late.ignored.map((i) => i.reason)).toEqual([KnoxCallbackIgnored.tooOld]);
  });

  it('leaves out events older than the window or too far ahead, and admits those without a time', async () => {
    const nonces = createMemoryNonceStore(() => NOW);
    const maxAge = KNOX_CALLBACK_WINDOW.maxAgeSeconds * 1000;
    const skew = KNOX_CALLBACK_WINDOW.maxFutureSeconds * 1000;
    const callback = events(
      new Date(NOW - maxAge).toISOString(), // exactly at the edge: in
      new Date(NOW - maxAge - 1000).toISOString(),
      new Date(NOW + skew + 1000).toISOString(),
      undefined,
      new Date(NOW + skew).toISOString(),
    );
    const admission = await admitKnoxCallback({ events: callback, nonces, now: NOW });
    if (!admission.ok) throw new Error('refused');
    expect(admission.events.map((e) => e.devices[0]?.deviceUid)).toEqual([
      '356938035643800',
      '356938035643803',
      '356938035643804',
    ]);
    expect(admission.ignored.map((i) => [i.event.devices[0]?.deviceUid, i.reason])).toEqual([
      ['356938035643801', KnoxCallbackIgnored.tooOld],
      ['356938035643802', KnoxCallbackIgnored.inFuture],
    ]);
  });

  it('admits callbacks without a nonce (older than KWN 25.04) and remembers nothing for them', async () => {
    const nonces = createMemoryNonceStore(() => NOW);
    const admission = await admitKnoxCallback({ events: events(undefined), nonces, now: NOW });
    if (!admission.ok) throw new Error('refused');
    await admission.remember();
    expect(nonces.size()).toBe(0);
  });
});

describe('createMemoryNonceStore', () => {
  it('remembers a nonce once until it expires', async () => {
    let clock = 0;
    const store = createMemoryNonceStore(() => clock);
    expect(await store.remember('a', 1000)).toBe(true);
    expect(await store.remember('a', 5000)).toBe(false);
    expect(await store.seen('a')).toBe(true);
    expect(await store.seen('b')).toBe(false);
    clock = 1000;
    expect(await store.seen('a')).toBe(false);
    expect(await store.remember('a', 2000)).toBe(true);
  });
});
