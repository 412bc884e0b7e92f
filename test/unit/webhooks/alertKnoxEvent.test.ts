import { describe, expect, it } from 'vitest';
import type { RunObservation } from '../../../lib/alerts';
import { alertKnoxEvent, knoxEventLogFields } from '../../../lib/webhooks';
import { knoxEventObservation } from '../../../lib/webhooks/knoxEventObservation';
import { parseKnoxNotification } from '../../../lib/webhooks/parseKnoxNotification';

const IMEI = '356938035643809';

function eventOf(json: unknown) {
  const parsed = parseKnoxNotification(json, { nonce: 'n-1' });
  const event = parsed.ok ? parsed.events[0] : undefined;
  if (!event) throw new Error('no event');
  return event;
}

const failed = eventOf({
  eventId: 'evt-1',
  event: 'KG_DEVICE_LOCKED',
  payload: { deviceUid: IMEI, result: 'FAIL', error: { code: 4040300, message: 'DEVICE_NOT_FOUND' } },
});

describe('alertKnoxEvent', () => {
  it("processes the event's observation, then flushes its run, and counts its failures", async () => {
    const calls: string[] = [];
    const observed: RunObservation[] = [];
    const pipeline = {
      process: async (observation: RunObservation) => {
        calls.push('process');
        observed.push(observation);
        return { published: 0 } as never;
      },
      flush: async (run: { runId: string }) => {
        calls.push(`flush ${run.runId}`);
        return { published: 0 } as never;
      },
    };

    const result = await alertKnoxEvent(failed, { pipeline, stage: 'prod' });

    const { run, observation } = knoxEventObservation(failed, 'prod');
    expect(result).toEqual({ failures: 1 });
    expect(observed).toEqual([observation]);
    expect(calls).toEqual(['process', `flush ${run.runId}`]);
  });

  it('does not flush when processing fails (the message is redelivered)', async () => {
    let flushed = false;
    const pipeline = {
      process: async () => {
        throw new Error('state table down');
      },
      flush: async () => {
        flushed = true;
        return {} as never;
      },
    };

    await expect(alertKnoxEvent(failed, { pipeline, stage: 'prod' })).rejects.toThrow('state table down');
    expect(flushed).toBe(false);
  });
});

describe('knoxEventLogFields', () => {
  it('masks the deviceUid and lists at most 20 devices', () => {
    const bulk = eventOf({
      eventId: 'evt-2',
      eventType: 'KG_DEVICE_UNLOCKED',
      resultList: Array.from({ length: 25 }, (_, i) => ({
        deviceUid: `S${String(i).padStart(9, '0')}X`,
        result: 'SUCCESS',
      })),
    });

    const fields = knoxEventLogFields(failed);
    const many = knoxEventLogFields(bulk);

    expect(fields).toMatchObject({
      eventId: 'evt-1',
      eventType: 'KG_DEVICE_LOCKED',
      devices: [{ ok: false }],
    });
    expect(JSON.stringify(fields)).not.toContain(IMEI);
    expect(fields.devices[0]?.deviceUid).toBe('35*********3809');
    expect(many.devices).toHaveLength(20);
  });
});
