import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { SilenceError } from './errors';
import {
  checkNewSilence,
  type SilenceStore,
  type StoredSilence,
  withoutSilence,
  withSilence,
} from './SilenceStore';

export interface DynamoSilenceStoreOptions {
  readonly client: DynamoDBClient;
  /** The state table (hash key `pk`, TTL attribute `ttl`), the one the alert state lives in. */
  readonly tableName: string;
  /** Silence ids; injected for deterministic tests. */
  readonly newId?: () => string;
}

// Two admins writing at once: the loser's conditional put fails and it re-reads; a handful of
// rounds is plenty for people typing commands.
const MAX_ROUNDS = 5;

/**
 * The partition key of a stage's silences item.
 *
 * @example
 * silencesPk('prod'); // 'silences#prod'
 */
export function silencesPk(stage: string): string {
  return `silences#${stage}`;
}

/**
 * The DynamoDB adapter of `SilenceStore`, in the alert state table: one item per stage,
 * `silences#<stage>`, holding the stage's active silences as a list (at most
 * `SILENCE_LIMITS.maxActive`, ~64 KB, far under DynamoDB's 400 KB item limit) with a `version`
 * number. So the pipeline reads them with one strongly consistent GetItem per observation (the
 * functions need no Scan or Query), and an admin's write is a read-modify-PutItem conditional on the
 * version, which drops the silences that ended. The item's `ttl` is the latest end: once every
 * silence has ended, DynamoDB's TTL deletes it (expired silences are ignored before that).
 * Attributes are (un)marshalled with `@aws-sdk/util-dynamodb`.
 *
 * @throws SilenceError with reason `store` when DynamoDB fails (its error as `cause`).
 * @example
 * const silences = createDynamoSilenceStore({ client: new DynamoDBClient({}), tableName: process.env.STATE_TABLE! });
 * const active = await silences.active('prod', Date.now());
 */
export function createDynamoSilenceStore(options: DynamoSilenceStoreOptions): SilenceStore {
  const { client, tableName } = options;

  async function read(stage: string): Promise<{ silences: StoredSilence[]; version: number | undefined }> {
    let item: Record<string, AttributeValue> | undefined;
    try {
      ({ Item: item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: silencesPk(stage) } },
          ConsistentRead: true,
        }),
      ));
    } catch (error) {
      throw new SilenceError(`Reading the silences of stage ${stage} failed`, 'store', { cause: error });
    }
    if (!item) return { silences: [], version: undefined };
    const data = unmarshall(item) as { silences?: StoredSilence[]; version?: number };
    return { silences: data.silences ?? [], version: data.version ?? 0 };
  }

  /** Writes the stage's silences if nobody else did since `version`; `false` when somebody did. */
  async function write(stage: string, silences: StoredSilence[], version: number | undefined, now: number) {
    const ends = silences.map((silence) => silence.until);
    const item = marshall(
      {
        pk: silencesPk(stage),
        silences,
        version: (version ?? 0) + 1,
        ttl: Math.ceil(Math.max(now, ...ends) / 1000),
      },
      { removeUndefinedValues: true },
    );
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: item,
          ...(version === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :version',
                ExpressionAttributeValues: marshall({ ':version': version }),
              }),
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error)?.name === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw new SilenceError(`Writing the silences of stage ${stage} failed`, 'store', { cause: error });
    }
  }

  async function change<T>(
    stage: string,
    now: number,
    apply: (current: StoredSilence[]) => { silences: StoredSilence[]; answer: T },
  ) {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const { silences, version } = await read(stage);
      const next = apply(silences);
      if (await write(stage, next.silences, version, now)) return next.answer;
    }
    throw new SilenceError(
      `The silences of stage ${stage} kept changing under this write; try again`,
      'store',
    );
  }

  return {
    async active(stage, now) {
      const { silences } = await read(stage);
      return silences.filter((silence) => silence.until > now);
    },
    async add(input) {
      const silence = checkNewSilence(input, options.newId);
      return change(input.stage, input.now, (current) => ({
        silences: withSilence(current, silence, input.now),
        answer: silence,
      }));
    },
    async expire(stage, id, now) {
      return change(stage, now, (current) => {
        const { silences, expired } = withoutSilence(current, stage, id, now);
        return { silences, answer: expired };
      });
    },
  };
}
