// Factories for alert tests: catalog failures, IMEIs, a settable clock, and pipelines wired to the
// local AWS servers with their own SDK clients (as separate Lambda workers would have).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  type AlertPipeline,
  createAlertPipeline,
  createDynamoAlertStateStore,
  createSnsAlertPublisher,
  loadAlertRules,
  type ObservedFailure,
} from '../../lib/alerts';
import type { AlertRules } from '../../lib/alerts/loadAlertRules';
import type { GroupState } from '../../lib/alerts/types';
import { type KnoxCodeName, type KnoxGuardFailure, knoxCode } from '../../lib/errors';
import { createAlertStateTable, createAlertTopic, createInbox, type LocalAws } from '../../local/aws';

export const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** A failure exactly as `decode` produces it for a catalog code. */
export function failureOf(name: KnoxCodeName, reason?: string): KnoxGuardFailure {
  const entry = knoxCode(name);
  return { ...entry, receivedStatus: entry.httpStatus, reason: reason ?? entry.description, known: true };
}

/** A 15-digit IMEI-like id, unique per `n`. */
export function imei(n: number): string {
  return `35${String(n).padStart(13, '0')}`;
}

export function failures(name: KnoxCodeName, count: number, offset = 0): ObservedFailure[] {
  const error = failureOf(name);
  return Array.from({ length: count }, (_, index) => ({ deviceId: imei(offset + index), error }));
}

/** A clock tests move by hand. */
export function settableClock(start = T0): { now(): number; set(ms: number): void } {
  let current = start;
  return { now: () => current, set: (ms) => (current = ms) };
}

export interface WorkerOptions {
  readonly local: LocalAws;
  readonly tableName: string;
  readonly topicArn: string;
  readonly clock: { now(): number };
  readonly rules?: AlertRules;
  /** Lets a test inject faults into this worker's SNS client. */
  readonly configureSns?: (client: SNSClient) => void;
  readonly sleeps?: number[];
  readonly maxAttempts?: number;
}

/** One worker: its own DynamoDB and SNS clients, sharing the table and topic with the others. */
export function createWorker(options: WorkerOptions): { pipeline: AlertPipeline; destroy(): void } {
  const dynamo = new DynamoDBClient(options.local.clientConfig('dynamodb'));
  const sns = new SNSClient({ ...options.local.clientConfig('sns'), maxAttempts: 1 });
  options.configureSns?.(sns);
  const pipeline = createAlertPipeline({
    rules: options.rules ?? loadAlertRules({}),
    store: createDynamoAlertStateStore({ client: dynamo, tableName: options.tableName }),
    publisher: createSnsAlertPublisher({
      client: sns,
      topicArn: options.topicArn,
      sleep: async (ms) => {
        options.sleeps?.push(ms);
      },
      random: () => 0.5,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    }),
    clock: options.clock,
  });
  return {
    pipeline,
    destroy() {
      dynamo.destroy();
      sns.destroy();
    },
  };
}

/** An active LICENSE_IS_LACK group first seen at T0, never notified: the base row of decision tables. */
export const activeGroup: GroupState = {
  stage: 'prod',
  job: 'overdue-lock',
  codeName: 'LICENSE_IS_LACK',
  code: '4001809',
  status: 'active',
  firstSeenAt: T0,
  lastSeenAt: T0,
  runId: 'run-1',
  runCount: 10,
  failures: 10,
  samples: [],
  failure: {
    code: '4001809',
    codeName: 'LICENSE_IS_LACK',
    httpStatus: 400,
    reason: 'No licence',
    description: 'd',
    category: 'license',
    severity: 'critical',
    remediation: 'r',
    actor: 'Knox Guard admin',
  },
  notifications: 0,
};

let alertStacks = 0;

/**
 * A fresh alert state table, topic and subscribed inbox on the local servers, named
 * `<prefix>-<n>` (each call its own, so tests in one file share nothing).
 *
 * @example
 * const { tableName, topicArn, inbox } = await createAlertStack(local, 'per-job');
 */
export async function createAlertStack(
  local: LocalAws,
  prefix: string,
): Promise<{ tableName: string; topicArn: string; inbox: Awaited<ReturnType<typeof createInbox>> }> {
  alertStacks += 1;
  const tableName = `${prefix}-${alertStacks}`;
  await createAlertStateTable(local, tableName);
  const topicArn = await createAlertTopic(local, `${prefix}-${alertStacks}`);
  const inbox = await createInbox(local, { topicArn, name: `${prefix}-inbox-${alertStacks}` });
  return { tableName, topicArn, inbox };
}
