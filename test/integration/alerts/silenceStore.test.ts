// The DynamoDB adapters of run-time silences and acknowledgements against dynalite (real SDK
// client, conditional writes as DynamoDB has them).
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertPipeline, createDynamoAlertStateStore, loadAlertRules } from '../../../lib/alerts';
import { createDynamoSilenceStore, silencesPk } from '../../../lib/alerts/createDynamoSilenceStore';
import { createMemorySilenceStore } from '../../../lib/alerts/createMemorySilenceStore';
import type { NewSilence } from '../../../lib/alerts/SilenceStore';
import type { AlertMessage } from '../../../lib/alerts/types';
import { createAlertStateTable, type LocalAws, startLocalAws } from '../../../local/aws';
import { failureOf, failures, HOUR, T0 } from '../../helpers/awsAlerts';

let local: LocalAws;
let dynamo: DynamoDBClient;
let counter = 0;

beforeAll(async () => {
  local = await startLocalAws({ dynamodbOnly: true });
  dynamo = new DynamoDBClient(local.clientConfig('dynamodb'));
});
afterAll(async () => {
  dynamo.destroy();
  await local.close();
});

async function table() {
  counter += 1;
  const tableName = `silences-${counter}`;
  await createAlertStateTable(local, tableName);
  return tableName;
}

const silence = (n: number): NewSilence => ({
  stage: 'prod',
  code: 'LICENSE_IS_LACK',
  now: T0,
  until: T0 + (n + 1) * HOUR,
  author: `admin-${n}`,
  comment: `ticket ${n}`,
});

describe('createDynamoSilenceStore', () => {
  it('admins adding silences at the same time all land (conditional writes on a version)', async () => {
    const tableName = await table();
    const stores = Array.from({ length: 4 }, () => createDynamoSilenceStore({ client: dynamo, tableName }));
    const added = await Promise.all(stores.map((store, n) => store.add(silence(n))));
    const active = await createDynamoSilenceStore({ client: dynamo, tableName }).active('prod', T0);
    expect(active.map((s) => s.id).sort()).toEqual(added.map((s) => s.id).sort());
    expect(active.find((s) => s.author === 'admin-2')).toMatchObject({
      comment: 'ticket 2',
      until: T0 + 3 * HOUR,
    });
  });

  it('one item per stage whose ttl is the latest end; expire drops the silence and the ended ones', async () => {
    const tableName = await table();
    const store = createDynamoSilenceStore({ client: dynamo, tableName });
    const first = await store.add(silence(0));
    const second = await store.add(silence(3));
    const item = async () =>
      (
        await dynamo.send(
          new GetItemCommand({ TableName: tableName, Key: { pk: { S: silencesPk('prod') } } }),
        )
      ).Item;
    expect(Number((await item())?.ttl?.N)).toBe(Math.ceil((T0 + 4 * HOUR) / 1000));

    expect(await store.expire('prod', second.id, T0 + 2 * HOUR)).toMatchObject({ id: second.id });
    // The first had ended by then: the item holds nothing active and expires at once.
    expect(await store.active('prod', T0)).toEqual([]);
    expect((await item())?.silences?.L).toEqual([]);
    await expect(store.expire('prod', first.id, T0 + 2 * HOUR)).rejects.toMatchObject({
      reason: 'not-found',
    });
  });

  it('a DynamoDB failure is a SilenceError with reason store and the SDK error as cause', async () => {
    const store = createDynamoSilenceStore({ client: dynamo, tableName: 'no-such-table' });
    await expect(store.active('prod', T0)).rejects.toMatchObject({
      name: 'SilenceError',
      reason: 'store',
      cause: expect.objectContaining({ name: 'ResourceNotFoundException' }),
    });
  });
});

describe('AlertStateStore#acknowledge (DynamoDB)', () => {
  it('marks the open episode; a new episode starts without it; no open group answers undefined', async () => {
    const tableName = await table();
    const store = createDynamoAlertStateStore({ client: dynamo, tableName });
    const key = { stage: 'prod', job: 'overdue-lock', codeName: 'LICENSE_IS_LACK' };
    expect(await store.acknowledge(key, { now: T0, at: T0, by: 'ana' })).toBeUndefined();

    const record = (now: number, runId: string) =>
      store.recordFailures({
        key,
        code: '4001809',
        runId,
        count: 2,
        samples: [],
        failure: { ...failureOf('LICENSE_IS_LACK'), actor: 'Knox Guard admin' },
        now,
        expiresAt: Math.floor((now + HOUR) / 1000),
      });
    await record(T0, 'run-1');
    const acked = await store.acknowledge(key, {
      now: T0 + 1000,
      at: T0 + 1000,
      by: 'ana',
      comment: 'on it',
      until: T0 + 2 * HOUR,
    });
    expect(acked?.acknowledged).toEqual({ at: T0 + 1000, by: 'ana', comment: 'on it', until: T0 + 2 * HOUR });
    // Acknowledged again without a comment or end: the old ones do not linger.
    const again = await store.acknowledge(key, { now: T0 + 2000, at: T0 + 2000, by: 'ben' });
    expect(again?.acknowledged).toEqual({ at: T0 + 2000, by: 'ben', comment: undefined, until: undefined });
    expect((await record(T0 + 60_000, 'run-2')).acknowledged).toMatchObject({ by: 'ben' });

    // The state expired (TTL): the next failure is a new episode, unacknowledged.
    const fresh = await record(T0 + 3 * HOUR, 'run-3');
    expect(fresh.firstSeenAt).toBe(T0 + 3 * HOUR);
    expect(fresh.acknowledged).toBeUndefined();
  });
});

describe('the alert pipeline honours stored silences', () => {
  async function run(
    silences: Parameters<typeof createAlertPipeline>[0]['silences'],
    rules = loadAlertRules({}),
  ) {
    const tableName = await table();
    const sent: AlertMessage[] = [];
    const warnings: string[] = [];
    const pipeline = createAlertPipeline({
      rules,
      store: createDynamoAlertStateStore({ client: dynamo, tableName }),
      ...(silences ? { silences } : {}),
      publisher: { publish: async (messages) => void sent.push(...messages) },
      clock: { now: () => T0 + 1000 },
      logger: { info: () => undefined, warn: (message) => void warnings.push(message) },
    });
    const report = await pipeline.process({
      stage: 'prod',
      job: 'overdue-lock',
      runId: 'run-1',
      failures: [...failures('LICENSE_IS_LACK', 2), ...failures('USER_BLOCKED_STATE', 1, 10)],
      successes: 0,
    });
    return { report, sent, warnings };
  }

  it('a stored silence mutes its code next to the jobs.yml silences; other codes are sent', async () => {
    const silences = createMemorySilenceStore();
    await silences.add({ ...silence(0), comment: 'seats ordered' });
    const rules = loadAlertRules({
      silences: [
        { code: 'USER_BLOCKED_STATE', until: new Date(T0 + HOUR).toISOString(), comment: 'from jobs.yml' },
      ],
    });
    const { report, sent } = await run(silences, rules);
    expect(sent).toEqual([]);
    expect(report.groups.map((group) => [group.codeName, group.reason, group.detail])).toEqual([
      ['LICENSE_IS_LACK', 'silenced', 'seats ordered'],
      ['USER_BLOCKED_STATE', 'silenced', 'from jobs.yml'],
    ]);
  });

  it('unreadable stored silences: the alerts are sent (none lost) and a warning is logged', async () => {
    const broken = createDynamoSilenceStore({ client: dynamo, tableName: 'no-such-table' });
    const { sent, warnings } = await run(broken);
    expect(sent.map((message) => message.attributes.code).sort()).toEqual([
      'LICENSE_IS_LACK',
      'USER_BLOCKED_STATE',
    ]);
    expect(warnings).toContain('stored silences unreadable; only the jobs.yml silences apply');
  });
});
