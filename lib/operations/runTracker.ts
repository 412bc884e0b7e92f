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
  // the redelivered chunk. Each call updates and reads the item in one request.
  async function updateAndCheck(
    run: RunRef,
    expression: string,
    names: Record<string, string>,
    values: Record<string, { N: string } | { NS: string[] }>,
  ): Promise<{ complete: boolean }> {
    const answer = await options.client.send(
      new UpdateItemCommand({
        TableName: options.tableName,
        Key: key(run),
        UpdateExpression: expression,
        ExpressionAttributeNames: { ...names, '#ttl': 'ttl' },
        ExpressionAttributeValues: { ...values, ':ttl': ttl() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = answer.Attributes as Record<string, { N?: string; NS?: string[] }> | undefined;
    const total = item?.total?.N === undefined ? undefined : Number(item.total.N);
    const done = item?.done?.NS?.length ?? 0;
    return { complete: total !== undefined && done >= total };
  }

  return {
    queued: (run, total) =>
      updateAndCheck(
        run,
        'SET #total = :total, #ttl = :ttl',
        { '#total': 'total' },
        { ':total': { N: String(total) } },
      ),
    chunkDone: (run, chunk) =>
      updateAndCheck(run, 'ADD done :chunk SET #ttl = :ttl', {}, { ':chunk': { NS: [String(chunk)] } }),
  };
}
