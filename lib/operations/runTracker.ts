import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * Knows when every chunk of a fanned-out run has been processed, so the run's digest goes out
 * then (and not only when the job next runs). Chunks are recorded as a set, so a redelivered
 * chunk is not counted twice; whichever call completes the set (the last worker, or the
 * scheduler if the workers were faster) is told `complete` exactly once.
 */
export interface RunTracker {
  /** The scheduler has queued all `total` chunks of the run. */
  queued(run: RunRef, total: number): Promise<{ readonly complete: boolean }>;
  /** A worker finished the first attempt of `chunk`. */
  chunkDone(run: RunRef, chunk: number): Promise<{ readonly complete: boolean }>;
}

export interface RunRef {
  readonly stage: string;
  readonly job: string;
  readonly runId: string;
}

/**
 * A `RunTracker` on the state table (item `runprogress#<stage>#<job>#<runId>`, `pk` key, `ttl`
 * expiry): ADD to a number set and a conditional claim of the `flushed` flag, so concurrent
 * workers agree on the one call that completes the run.
 *
 * @example
 * const tracker = createDynamoRunTracker({ client: new DynamoDBClient({}), tableName: process.env.STATE_TABLE! });
 * if ((await tracker.chunkDone(run, 7)).complete) await alerts.flush(run);
 */
export function createDynamoRunTracker(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly ttlSeconds?: number;
  readonly now?: () => number;
}): RunTracker {
  const ttlSeconds = options.ttlSeconds ?? 14 * 24 * 3600;
  const now = options.now ?? Date.now;
  const key = (run: RunRef) => ({ pk: { S: `runprogress#${run.stage}#${run.job}#${run.runId}` } });
  const ttl = () => ({ N: String(Math.floor(now() / 1000) + ttlSeconds) });

  async function claimIfComplete(
    run: RunRef,
    item: Record<string, { N?: string; NS?: string[] }> | undefined,
  ) {
    const total = item?.total?.N === undefined ? undefined : Number(item.total.N);
    const done = item?.done?.NS?.length ?? 0;
    if (total === undefined || done < total) return { complete: false };
    try {
      await options.client.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: key(run),
          UpdateExpression: 'SET flushed = :true',
          ConditionExpression: 'attribute_not_exists(flushed)',
          ExpressionAttributeValues: { ':true': { BOOL: true } },
        }),
      );
      return { complete: true };
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return { complete: false };
      throw error;
    }
  }

  return {
    async queued(run, total) {
      const answer = await options.client.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: key(run),
          UpdateExpression: 'SET #total = :total, #ttl = :ttl',
          ExpressionAttributeNames: { '#total': 'total', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':total': { N: String(total) }, ':ttl': ttl() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return claimIfComplete(
        run,
        answer.Attributes as Record<string, { N?: string; NS?: string[] }> | undefined,
      );
    },
    async chunkDone(run, chunk) {
      const answer = await options.client.send(
        new UpdateItemCommand({
          TableName: options.tableName,
          Key: key(run),
          UpdateExpression: 'ADD done :chunk SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':chunk': { NS: [String(chunk)] }, ':ttl': ttl() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return claimIfComplete(
        run,
        answer.Attributes as Record<string, { N?: string; NS?: string[] }> | undefined,
      );
    },
  };
}
