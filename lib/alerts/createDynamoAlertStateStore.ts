import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AlertStateStore } from './AlertStateStore';
import { createAlertStateStore } from './createAlertStateStore';
import { AlertStateError } from './errors';
import type { StateItem, StateTable } from './StateTable';
import { toDynamoUpdate } from './toDynamoUpdate';

export { groupPk } from './createAlertStateStore';

export interface DynamoAlertStateStoreOptions {
  readonly client: DynamoDBClient;
  /** The table serverless.yml declares: hash key `pk` (String), TTL attribute `ttl` (epoch seconds). */
  readonly tableName: string;
}

/**
 * The DynamoDB adapter of `AlertStateStore`: the state logic of `createAlertStateStore` on a table
 * read with strongly consistent GetItem and written with conditional UpdateItem calls, attributes
 * (un)marshalled with `@aws-sdk/util-dynamodb`. A failed condition is an answer (another worker
 * won); any other failure throws `AlertStateError` with the SDK's error as `cause`.
 *
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 *
 * @example
 * const store = createDynamoAlertStateStore({ client: new DynamoDBClient({}), tableName: process.env.ALERT_STATE_TABLE! });
 */
export function createDynamoAlertStateStore(options: DynamoAlertStateStoreOptions): AlertStateStore {
  return createAlertStateStore(dynamoStateTable(options));
}

function dynamoStateTable({ client, tableName }: DynamoAlertStateStoreOptions): StateTable {
  return {
    async get(pk) {
      try {
        const answer = await client.send(
          new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
        );
        return answer.Item ? (unmarshall(answer.Item) as StateItem) : undefined;
      } catch (error) {
        throw new AlertStateError(`Reading alert state ${pk} failed`, { cause: error });
      }
    },

    async update(pk, update) {
      try {
        const answer = await client.send(
          new UpdateItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ...toDynamoUpdate(update) }),
        );
        return answer.Attributes ? (unmarshall(answer.Attributes) as StateItem) : null;
      } catch (error) {
        if (
          error instanceof ConditionalCheckFailedException ||
          (error as Error)?.name === 'ConditionalCheckFailedException'
        ) {
          return undefined;
        }
        throw new AlertStateError(`Writing alert state ${pk} failed`, { cause: error });
      }
    },
  };
}
