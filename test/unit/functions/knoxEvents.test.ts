// The knoxEvents handler makes its idempotent event processor once per execution environment (at
// module scope), not per record or invocation. Powertools' makeIdempotent is stubbed to count the
// wrappers made and the events they were called with; the real processing path is tested in
// test/e2e/knoxCallbacksAsync.test.ts.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { packKnoxEvents } from '../../../lib/webhooks/knoxEventsMessage';
import { parseKnoxNotification } from '../../../lib/webhooks/parseKnoxNotification';
import { lambdaContext, sqsEvent } from '../../../local/embedded';

const made = vi.hoisted(() => ({ wrappers: 0, keys: [] as string[] }));

vi.mock('@aws-lambda-powertools/idempotency', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@aws-lambda-powertools/idempotency')>();
  return {
    ...actual,
    makeIdempotent: () => {
      made.wrappers += 1;
      return async (payload: { key: string }) => {
        made.keys.push(payload.key);
        return { failures: 0 };
      };
    },
  };
});

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const savedEnv = { ...process.env };
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, {
    STAGE: 'unit',
    STATE_TABLE: 'unit-state',
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:unit-alerts',
    OPERATIONS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/unit-operations',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  vi.resetModules();
  ({ handler } = (await import('../../../functions/knox-events')) as unknown as { handler: Handler });
});

afterAll(() => {
  process.env = savedEnv;
});

function message(deviceUids: string[]): string {
  const parsed = parseKnoxNotification(
    deviceUids.map((deviceUid) => ({
      event: 'KG_DEVICE_LOCKED',
      payload: { deviceUid, deviceStatus: 'Locked' },
    })),
  );
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  const [body] = packKnoxEvents({ requestId: 'req-1', receivedAt: Date.now() }, parsed.records);
  return body ?? '';
}

describe('knoxEvents handler', () => {
  it('makes its idempotent processor once, when it loads, and uses it for every event', async () => {
    expect(made.wrappers).toBe(1);
    const arn = 'arn:aws:sqs:us-east-1:000000000000:unit-knox-events';

    for (const devices of [['356938035643809', '356938035643817'], ['356938035643825']]) {
      const response = await handler(
        sqsEvent(arn, [{ Body: message(devices) }]),
        lambdaContext('knoxEvents', 120_000),
      );
      expect(response.batchItemFailures).toEqual([]);
    }

    expect(made.wrappers).toBe(1);
    expect(made.keys).toHaveLength(3);
    expect(new Set(made.keys).size).toBe(3);
    expect(made.keys.every((key) => key.startsWith('knox-event#'))).toBe(true);
  });
});
