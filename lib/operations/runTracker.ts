import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * Knows when every chunk of a fanned-out run has been processed, so the run's digest goes out
 * then (and not only when the job next runs). Chunks are recorded as a set, so a redelivered
 * chunk is not counted twice; every call made once the set is complete (the last worker, the
 * scheduler if the workers were faster, a redelivered chunk) is told `complete`.
 */
export interface RunTracker {
  /** The scheduler has queued all `total` chunks of the run. */
  queued(run: RunRef, total: number): Promise<{ readonly complete: boolean }>;
  /**
   * A worker finished the first attempt of `chunk`; `tally` (its succeeded devices and failures
   * per code) is added to the run's totals once per chunk, so a redelivered chunk adds nothing.
   */
  chunkDone(run: RunRef, chunk: number, tally?: ChunkTally): Promise<{ readonly complete: boolean }>;
  /** The run's progress and the totals of the chunks done so far; `undefined` for an unknown run. */
  totals(run: RunRef): Promise<RunTotals | undefined>;
}

/** What the first attempt of one chunk did. */
export interface ChunkTally {
  readonly succeeded: number;
  readonly failuresByCode: Readonly<Record<string, number>>;
}

/** A fanned-out run's totals across its chunks' first attempts (`npm start` prints them). */
export interface RunTotals {
  readonly chunks: number | undefined;
  readonly done: number;
  readonly complete: boolean;
  readonly succeeded: number;
  readonly failed: number;
  readonly failuresByCode: Readonly<Record<string, number>>;
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
    values: Record<string, AttributeValue>,
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
    return { complete: totalsOf(answer.Attributes).complete };
  }

  return {
    queued: (run, total) =>
      updateAndCheck(
        run,
        'SET #total = :total, #ttl = :ttl',
        { '#total': 'total' },
        { ':total': { N: String(total) } },
      ),
    async chunkDone(run, chunk, tally) {
      if (tally) {
        // The tally and the chunk in one conditional write: a chunk already done adds nothing.
        const names: Record<string, string> = { '#ttl': 'ttl' };
        const values: Record<string, AttributeValue> = {
          ':chunk': { NS: [String(chunk)] },
          ':one': { N: String(chunk) },
          ':succeeded': { N: String(tally.succeeded) },
          ':ttl': ttl(),
        };
        const adds = ['done :chunk', 'succeeded :succeeded'];
        Object.entries(tally.failuresByCode).forEach(([code, count], index) => {
          names[`#f${index}`] = `fail#${code}`;
          values[`:f${index}`] = { N: String(count) };
          adds.push(`#f${index} :f${index}`);
        });
        try {
          const answer = await options.client.send(
            new UpdateItemCommand({
              TableName: options.tableName,
              Key: key(run),
              UpdateExpression: `ADD ${adds.join(', ')} SET #ttl = :ttl`,
              ConditionExpression: 'attribute_not_exists(done) OR NOT contains(done, :one)',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          );
          return { complete: totalsOf(answer.Attributes).complete };
        } catch (error) {
          if (
            !(error instanceof ConditionalCheckFailedException) &&
            (error as Error)?.name !== 'ConditionalCheckFailedException'
          )
            throw error;
        }
      }
      return updateAndCheck(
        run,
        'ADD done :chunk SET #ttl = :ttl',
        {},
        { ':chunk': { NS: [String(chunk)] } },
      );
    },
    async totals(run) {
      const answer = await options.client.send(
        new GetItemCommand({ TableName: options.tableName, Key: key(run), ConsistentRead: true }),
      );
      return answer.Item ? totalsOf(answer.Item) : undefined;
    },
  };
}

function totalsOf(item: Record<string, AttributeValue> | undefined): RunTotals {
  const chunks = item?.total?.N === undefined ? undefined : Number(item.total.N);
  const done = item?.done?.NS?.length ?? 0;
  const failuresByCode: Record<string, number> = {};
  for (const [name, value] of Object.entries(item ?? {})) {
    if (name.startsWith('fail#') && value.N !== undefined) failuresByCode[name.slice(5)] = Number(value.N);
  }
  return {
    chunks,
    done,
    complete: chunks !== undefined && done >= chunks,
    succeeded: Number(item?.succeeded?.N ?? 0),
    failed: Object.values(failuresByCode).reduce((sum, count) => sum + count, 0),
    failuresByCode,
  };
}
