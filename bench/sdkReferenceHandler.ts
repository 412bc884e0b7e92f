// A reference point for the cold-start figures, not a function we deploy: the smallest handler
// that uses the AWS SDK the way every one of ours must (the worker's idempotency records and the
// alert state live in DynamoDB): one DynamoDB client, created at import, and one GetItem against
// the local server on the first invocation. bench/run.ts bundles it with the functions' own
// esbuild settings and starts it next to them, so its overhead over the empty-handler floor is
// what the SDK alone costs a cold start on this machine.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async (): Promise<{ found: boolean }> => {
  const table = process.env.STATE_TABLE;
  if (!table) throw new Error('STATE_TABLE is not set: run the reference against the embedded stack');
  const answer = await client.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: 'bench#sdk-reference' } } }),
  );
  return { found: answer.Item !== undefined };
};
