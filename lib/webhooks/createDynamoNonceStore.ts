import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { NonceStore } from './NonceStore';

export interface DynamoNonceStoreOptions {
  readonly client: DynamoDBClient;
  /** The state table (infra/state-table.yml): String hash key `pk`, TTL attribute `ttl` (epoch s). */
  readonly tableName: string;
  /** Prefix of the `pk` values, keeping nonces apart from the table's other records. */
  readonly keyPrefix?: string;
}

/**
 * A `NonceStore` in the state table: one item per nonce, `pk = knox-nonce#<sha256 of the nonce>`
 * (the nonce is sent by the caller, unsigned and of any length; its hash is a key of fixed size
 * and alphabet), `ttl` the expiry in epoch seconds for DynamoDB's TTL deletion. `remember` is a
 * conditional PutItem (`attribute_not_exists(pk)`), so of two concurrent deliveries one wins.
 * `seen` reads consistently and counts an item that expired but is not yet deleted (TTL deletion
 * lags by up to days): stricter, never looser, than the window.
 * Needs `dynamodb:GetItem` and `dynamodb:PutItem` on the table (the webhook role has both).
 *
 * @example
 * const nonces = createDynamoNonceStore({ client: new DynamoDBClient({}), tableName: 'kgs-prod-state' });
 * if (await nonces.seen(nonce)) return duplicate();
 */
export function createDynamoNonceStore(options: DynamoNonceStoreOptions): NonceStore {
  const prefix = options.keyPrefix ?? 'knox-nonce#';
  const keyOf = (nonce: string) => `${prefix}${createHash('sha256').update(nonce).digest('hex')}`;
  return {
    async seen(nonce) {
      const { Item } = await options.client.send(
        new GetItemCommand({
          TableName: options.tableName,
          Key: { pk: { S: keyOf(nonce) } },
          ConsistentRead: true,
          ProjectionExpression: 'pk',
        }),
      );
      return Item !== undefined;
    },
    async remember(nonce, expiresAtMs) {
      try {
        await options.client.send(
          new PutItemCommand({
            TableName: options.tableName,
            Item: {
              pk: { S: keyOf(nonce) },
              ttl: { N: String(Math.ceil(expiresAtMs / 1000)) },
              kind: { S: 'knox-nonce' },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (
          error instanceof ConditionalCheckFailedException ||
          (error as Error | undefined)?.name === 'ConditionalCheckFailedException'
        ) {
          return false;
        }
        throw error;
      }
    },
  };
}
