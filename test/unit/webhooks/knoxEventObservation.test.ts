import { describe, expect, it } from 'vitest';
import { groupFailures } from '../../../lib/alerts/groupFailures';
import {
  countKnoxEventFailures,
  KNOX_CALLBACK_JOB,
  knoxEventObservation,
  knoxEventRunId,
} from '../../../lib/webhooks/knoxEventObservation';
import { parseKnoxNotification } from '../../../lib/webhooks/parseKnoxNotification';

const IMEI = '356938035643809';

function eventOf(json: unknown) {
  const parsed = parseKnoxNotification(json, { nonce: 'evt-nonce-1' });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.events;
}

describe('knoxEventObservation', () => {
  it('names the event type and the masked device in the run id, not the evt-… id', () => {
    const [event] = eventOf({
      eventId: 'evt-123',
      event: 'KG_DEVICE_LOCKED',
      payload: { deviceUid: IMEI, result: 'FAIL', error: { code: 4040300, message: 'DEVICE_NOT_FOUND' } },
    });
    if (!event) throw new Error('no event');

    const { run, observation } = knoxEventObservation(event, 'prod');

    expect(run.job).toBe(KNOX_CALLBACK_JOB);
    expect(run.runId).toMatch(/^KG_DEVICE_LOCKED 35\*{9}3809 ref [a-z]{10}$/);
    expect(run.runId).not.toContain('evt-');
    expect(run.runId).not.toContain(IMEI);
    expect(observation).toMatchObject({
      stage: 'prod',
      operation: 'KG_DEVICE_LOCKED',
      contribution: 'event',
      successes: 0,
      failures: [{ deviceId: IMEI, error: { codeName: 'DEVICE_NOT_FOUND' } }],
    });
  });

  it('gives every event its own run id, the same on every read of the same event', () => {
    const events = eventOf([
      { event: 'KG_DEVICE_LOCKED', payload: { deviceUid: IMEI, lastUpdatedAt: 1 } },
      { event: 'KG_DEVICE_LOCKED', payload: { deviceUid: IMEI, lastUpdatedAt: 2 } },
    ]);
    const ids = events.map(knoxEventRunId);
    expect(new Set(ids).size).toBe(2);
    expect(
      eventOf([{ event: 'KG_DEVICE_LOCKED', payload: { deviceUid: IMEI, lastUpdatedAt: 1 } }, {}]).map(
        knoxEventRunId,
      )[0],
    ).toBe(ids[0]);
  });

  it('says how many more devices a bulk event holds, and "no device" when none is named', () => {
    const [bulk] = eventOf({
      event: 'KG_DEVICE_UNLOCKED',
      resultList: [{ deviceUid: IMEI }, { deviceUid: '356938035643817' }, { objectId: 'obj-9' }],
    });
    expect(knoxEventRunId(bulk as never)).toMatch(/^KG_DEVICE_UNLOCKED 35\*{9}3809 \+2 more ref [a-z]{10}$/);
    const [none] = eventOf({ event: 'KG_DEVICE_ENROLLED', result: 'FAIL', error: { code: 4030104 } });
    expect(knoxEventRunId(none as never)).toMatch(/^KG_DEVICE_ENROLLED no device ref [a-z]{10}$/);
  });

  // A reason may name a device by the id the failure does not use: Knox's objectId next to the
  // deviceUid (break-it pass, 2026-12-01).
  it('hands every id a device is known by to the pipeline, which masks them in the reason', () => {
    const [event] = eventOf({
      event: 'KG_DEVICE_LOCKED',
      payload: {
        deviceUid: 'R58M123ABCD',
        objectId: 'OBJ7788990011',
        result: 'FAIL',
        error: { code: 4030104, message: 'USER_BLOCKED_STATE', reason: 'Object OBJ7788990011 is blocked' },
      },
    });
    if (!event) throw new Error('no event');
    const { observation } = knoxEventObservation(event, 'prod');
    expect(observation.failures[0]?.knownIds).toEqual(['R58M123ABCD', 'OBJ7788990011']);
    const reason = [...groupFailures(observation, 5).values()][0]?.failure.reason ?? '';
    expect(reason).not.toContain('OBJ7788990011');
    expect(reason).toContain('OB*******0011');
  });

  it('counts device and event-level failures', () => {
    const events = eventOf([
      {
        event: 'KG_DEVICE_LOCKED',
        resultList: [{ deviceUid: IMEI, result: 'FAIL', error: { code: 4040300 } }, { deviceUid: '1' }],
      },
      { event: 'KG_DEVICE_ENROLLED', result: 'FAIL', error: { code: 4030104 } },
      { event: 'KG_DEVICE_LOCKED', payload: { deviceUid: IMEI } },
    ]);
    expect(countKnoxEventFailures(events)).toBe(2);
  });
});
