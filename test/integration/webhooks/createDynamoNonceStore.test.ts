// The nonce store against dynalite, with the state table as infra/state-table.yml declares it.
import { createHash } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoNonceStore } from '../../../lib/webhooks/createDynamoNonceStore';
import { createAlertStateTable, type LocalAws, startLocalAws } from '../../../local/aws';

let local: LocalAws;
let client: DynamoDBClient;
beforeAll(async () => {
  local = await startLocalAws();
  await createAlertStateTable(local, 'state');
  client = new DynamoDBClient(local.clientConfig('dynamodb'));
});
afterAll(async () => {
  client?.destroy();
  await local?.close();
});

describe('createDynamoNonceStore against dynalite', () => {
  it('remembers a nonce once, under its SHA-256 with the expiry as ttl in epoch seconds (Prepare / Act / Assess)', async () => {
    const store = createDynamoNonceStore({ client, tableName: 'state' });
    const nonce = `nonce-${'x'.repeat(3000)}`; // longer than a DynamoDB key may be (2048 bytes)

    const before = await store.seen(nonce);
    const first = await store.remember(nonce, 1_800_000_000_500);
    const second = await store.remember(nonce, 1_900_000_000_000);
    const after = await store.seen(nonce);

    expect([before, first, second, after]).toEqual([false, true, false, true]);
    const key = `knox-nonce#${createHash('sha256').update(nonce).digest('hex')}`;
    const { Item } = await client.send(new GetItemCommand({ TableName: 'state', Key: { pk: { S: key } } }));
    // The first expiry stays: a second remember changes nothing. Rounded up to whole seconds.
    expect(Item).toEqual({ pk: { S: key }, ttl: { N: '1800000001' }, kind: { S: 'knox-nonce' } });
  });

  it('lets exactly one of many concurrent deliveries remember the same nonce', async () => {
    const store = createDynamoNonceStore({ client, tableName: 'state' });
    const results = await Promise.all(Array.from({ length: 8 }, () => store.remember('race', 2e12)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('rejects on store errors instead of answering "not seen"', async () => {
    const store = createDynamoNonceStore({ client, tableName: 'no-such-table' });
    await expect(store.seen('n')).rejects.toThrow();
    await expect(store.remember('n', 2e12)).rejects.toThrow();
  });
});
