import { describe, expect, it } from 'vitest';
import { createMemorySilenceStore } from '../../../lib/alerts/createMemorySilenceStore';
import { SilenceError } from '../../../lib/alerts/errors';
import { checkNewSilence, type NewSilence, SILENCE_LIMITS } from '../../../lib/alerts/SilenceStore';
import { HOUR, T0 } from '../../helpers/awsAlerts';

const valid: NewSilence = {
  stage: 'prod',
  code: 'LICENSE_IS_LACK',
  job: 'overdue-lock',
  now: T0,
  until: T0 + 4 * HOUR,
  author: 'ana',
  comment: 'seats ordered, ticket 4711',
};

describe('checkNewSilence', () => {
  it('builds the silence with a fresh id, trimmed author and comment', () => {
    expect(checkNewSilence({ ...valid, author: ' ana ' }, () => 's-000000000001')).toEqual({
      id: 's-000000000001',
      stage: 'prod',
      code: 'LICENSE_IS_LACK',
      job: 'overdue-lock',
      createdAt: T0,
      until: T0 + 4 * HOUR,
      author: 'ana',
      comment: 'seats ordered, ticket 4711',
    });
  });

  it.each<[string, Partial<NewSilence>, RegExp]>([
    ['a typo in the code', { code: 'LICENCE_IS_LACK' }, /unknown code "LICENCE_IS_LACK"/],
    ['a job that is no job name', { job: 'Overdue Lock' }, /is not a job name/],
    ['an end before the start', { until: T0 - 1 }, /must end after it starts/],
    ['longer than 30 days', { until: T0 + SILENCE_LIMITS.maxDurationMs + 1 }, /at most 30d/],
    ['no author', { author: '  ' }, /author must be 1 to 100/],
    ['no comment', { comment: '' }, /comment must be 1 to 500/],
    ['an over-long comment', { comment: 'x'.repeat(501) }, /comment must be 1 to 500/],
  ])('refuses %s (SilenceError, reason invalid)', (_name, patch, message) => {
    const attempt = () => checkNewSilence({ ...valid, ...patch });
    expect(attempt).toThrow(SilenceError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as SilenceError).reason).toBe('invalid');
    }
  });

  it('takes a numeric Knox code and no job (every job of the stage)', () => {
    const silence = checkNewSilence({ ...valid, code: '4001809', job: undefined });
    expect(silence.code).toBe('4001809');
    expect('job' in silence).toBe(false);
    expect(silence.id).toMatch(/^s-[0-9a-f]{12}$/);
  });
});

describe('createMemorySilenceStore', () => {
  it('lists a silence while it lasts, per stage', async () => {
    const store = createMemorySilenceStore();
    const added = await store.add(valid);
    expect(await store.active('prod', T0 + HOUR)).toEqual([added]);
    expect(await store.active('dev', T0 + HOUR)).toEqual([]);
    expect(await store.active('prod', T0 + 4 * HOUR)).toEqual([]);
  });

  it('expire ends a silence; expiring it again is not-found', async () => {
    const store = createMemorySilenceStore();
    const added = await store.add(valid);
    expect(await store.expire('prod', added.id, T0 + HOUR)).toEqual(added);
    expect(await store.active('prod', T0 + HOUR)).toEqual([]);
    await expect(store.expire('prod', added.id, T0 + HOUR)).rejects.toMatchObject({
      name: 'SilenceError',
      reason: 'not-found',
    });
  });

  it(`keeps at most ${SILENCE_LIMITS.maxActive} active silences per stage; ended ones do not count`, async () => {
    const store = createMemorySilenceStore();
    for (let n = 0; n < SILENCE_LIMITS.maxActive; n += 1) await store.add(valid);
    await expect(store.add(valid)).rejects.toMatchObject({ name: 'SilenceError', reason: 'limit' });
    // Once they ended, new ones fit again.
    await expect(store.add({ ...valid, now: T0 + 4 * HOUR, until: T0 + 5 * HOUR })).resolves.toMatchObject({
      until: T0 + 5 * HOUR,
    });
  });
});
