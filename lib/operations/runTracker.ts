import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * Knows when every chunk of a fanned-out run has been processed, so the run's digest goes out
 * then (and not only when the job next runs). Chunks are recorded as a set, so a redelivered
 * chunk is not counted twice; every call made once the set is complete (the last worker, the
 * scheduler if the workers were faster, a redelivered chunk) is told `complete`.
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
 * expiry): an atomic ADD to a number set, read back in the same request, so concurrent workers
 * never miss the moment the set is complete.
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

  // No claim is needed: the digest flush is itself deduplicated by the alert pipeline, so every
  // call that sees the run complete may flush, and a flush that failed is simply tried again by
  // the redelivered chunk.
  function isComplete(item: Record<string, { N?: string; NS?: string[] }> | undefined) {
    const total = item?.total?.N === undefined ? undefined : Number(item.total.N);
    const done = item?.done?.NS?.length ?? 0;
    return { complete: total !== undefined && done >= total };
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
      return isComplete(answer.Attributes as Record<string, { N?: string; NS?: string[] }> | undefined);
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
      return isComplete(answer.Attributes as Record<string, { N?: string; NS?: string[] }> | undefined);
    },
  };
}
