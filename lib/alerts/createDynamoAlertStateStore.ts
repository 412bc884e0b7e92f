import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AlertStateStore, DigestState } from './AlertStateStore';
import { type AlertKind, GroupStatus } from './constants';
import { AlertStateError } from './errors';
import type { ActiveCondition } from './findInhibitor';
import type { DigestEntry } from './renderDigest';
import type { AlertFailureInfo, GroupKey, GroupState } from './types';

export interface DynamoAlertStateStoreOptions {
  readonly client: DynamoDBClient;
  /** The table serverless.yml declares: hash key `pk` (String), TTL attribute `ttl` (epoch seconds). */
  readonly tableName: string;
}

type Item = Record<string, AttributeValue>;

// Races between workers end in a conditional check failing; re-reading and trying again converges
// within a few rounds because each failure means another worker's write went through.
const MAX_ROUNDS = 8;

/**
 * The partition key of an alert group's item.
 *
 * @example
 * groupPk({ stage: 'prod', job: 'overdue-lock', codeName: 'LICENSE_IS_LACK' }); // 'alert#prod#overdue-lock#LICENSE_IS_LACK'
 */
export function groupPk(key: GroupKey): string {
  return `alert#${key.stage}#${key.job}#${key.codeName}`;
}

/**
 * The DynamoDB adapter of `AlertStateStore`, written against `@aws-sdk/client-dynamodb` directly.
 * Items: `alert#<stage>#<job>#<code>` (one per group), `index#<stage>` (open groups of a stage, for
 * inhibition and resolution), `digest#<stage>#<job>#<runId>` and `run#<stage>#<job>` (per-run
 * digests). Every item carries `ttl`; items past it count as absent, because DynamoDB deletes
 * expired items only eventually. Group and digest items keep the run's `contributions` (a string
 * set of `<chunk>.<attempt>` ids) and add a contribution's counts only when its id is not in the
 * set yet, in the same conditional update: a retried run or redelivered chunk counts once. The set
 * holds a few bytes per chunk of the current run (1,000 chunks, 10 M devices at chunkSize 10,000,
 * are ~8 KB) and is replaced when the next run starts.
 *
 * @example
 * const store = createDynamoAlertStateStore({ client: new DynamoDBClient({}), tableName: process.env.ALERT_STATE_TABLE! });
 */
export function createDynamoAlertStateStore(options: DynamoAlertStateStoreOptions): AlertStateStore {
  const { client, tableName } = options;

  async function get(pk: string): Promise<Item | undefined> {
    try {
      const answer = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
      );
      return answer.Item;
    } catch (error) {
      throw new AlertStateError(`Reading alert state ${pk} failed`, { cause: error });
    }
  }

  /** Runs a conditional update; `undefined` when the condition did not hold. */
  async function update(input: Omit<UpdateItemCommandInput, 'TableName'>): Promise<Item | undefined | null> {
    try {
      const answer = await client.send(new UpdateItemCommand({ TableName: tableName, ...input }));
      return answer.Attributes ?? null;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error)?.name === 'ConditionalCheckFailedException'
      ) {
        return undefined;
      }
      throw new AlertStateError(`Writing alert state ${input.Key?.pk?.S ?? '?'} failed`, { cause: error });
    }
  }

  const indexPk = (stage: string) => `index#${stage}`;
  const indexRef = (key: GroupKey, code: string) => JSON.stringify([key.job, key.codeName, code]);
  const digestPk = (stage: string, job: string, runId: string) => `digest#${stage}#${job}#${runId}`;

  return {
    async recordFailures(input) {
      const pk = groupPk(input.key);
      const nowSec = Math.floor(input.now / 1000);
      const { contribution } = input;
      // The run's set of counted contributions: started afresh with a new run, grown by this one.
      const setContributions = contribution === undefined ? '' : ', contributions = :contributions';
      const removeContributions = contribution === undefined ? ' REMOVE contributions' : '';
      const newSet: Item = contribution === undefined ? {} : { ':contributions': { SS: [contribution] } };
      // The jobs that saw the condition in this episode and the ones still seeing it: one name per
      // configured job at most, so the item stays bounded by the jobs config.
      const jobSets = input.observedJob === undefined ? '' : ', jobs :jobs, failingJobs :jobs';
      const jobValues: Item = input.observedJob === undefined ? {} : { ':jobs': { SS: [input.observedJob] } };
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const item = await get(pk);
        const live = item !== undefined && num(item.ttl) > nowSec && str(item.status) === GroupStatus.active;
        const sameRun = live && str(item.runId) === input.runId;
        // A contribution already counted for this run (a retried run, a redelivered chunk): its
        // counts are in the item once, and stay so.
        if (sameRun && contribution !== undefined && item.contributions?.SS?.includes(contribution)) {
          return toGroupState(item);
        }
        let attributes: Item | undefined | null;
        if (sameRun) {
          attributes = await update({
            Key: { pk: { S: pk } },
            UpdateExpression: `SET lastSeenAt = :now, #ttl = :ttl ADD runCount :n, failures :n${jobSets}${contribution === undefined ? '' : ', contributions :contributions'}`,
            ConditionExpression: `#status = :active AND runId = :run AND #ttl > :nowSec${contribution === undefined ? '' : ' AND NOT contains(contributions, :contribution)'}`,
            ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ...values({
                now: input.now,
                ttl: input.expiresAt,
                n: input.count,
                active: GroupStatus.active,
                run: input.runId,
                nowSec,
              }),
              ...newSet,
              ...jobValues,
              ...(contribution === undefined ? {} : { ':contribution': { S: contribution } }),
            },
            ReturnValues: 'ALL_NEW',
          });
        } else if (live) {
          attributes = await update({
            Key: { pk: { S: pk } },
            UpdateExpression: `SET lastSeenAt = :now, #ttl = :ttl, runId = :run, runCount = :n, samples = :samples${setContributions} ADD failures :n${jobSets}${removeContributions}`,
            ConditionExpression: '#status = :active AND runId <> :run AND #ttl > :nowSec',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ...values({
                now: input.now,
                ttl: input.expiresAt,
                n: input.count,
                active: GroupStatus.active,
                run: input.runId,
                nowSec,
                samples: JSON.stringify(input.samples),
              }),
              ...newSet,
              ...jobValues,
            },
            ReturnValues: 'ALL_NEW',
          });
        } else {
          attributes = await update({
            Key: { pk: { S: pk } },
            UpdateExpression: `SET #status = :active, stage = :stage, job = :job, codeName = :codeName, code = :code, firstSeenAt = :now, lastSeenAt = :now, runId = :run, runCount = :n, failures = :n, samples = :samples, failure = :failure, notifications = :zero${setContributions}${input.observedJob === undefined ? '' : ', jobs = :jobs, failingJobs = :jobs'}, #ttl = :ttl REMOVE lastNotifiedAt, notifiedKind, notifiedCount, notifiedRunId, resolvedAt, claimToken, claimUntil, publishingAt, publishingKind, ackAt, ackBy, ackComment, ackUntil${contribution === undefined ? ', contributions' : ''}${input.observedJob === undefined ? ', jobs, failingJobs' : ''}`,
            ConditionExpression: 'attribute_not_exists(pk) OR #status <> :active OR #ttl <= :nowSec',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ...values({
                active: GroupStatus.active,
                stage: input.key.stage,
                job: input.key.job,
                codeName: input.key.codeName,
                code: input.code,
                now: input.now,
                run: input.runId,
                n: input.count,
                samples: JSON.stringify(input.samples),
                failure: JSON.stringify(input.failure),
                zero: 0,
                ttl: input.expiresAt,
                nowSec,
              }),
              ...newSet,
              ...jobValues,
            },
            ReturnValues: 'ALL_NEW',
          });
          if (attributes) {
            await update({
              Key: { pk: { S: indexPk(input.key.stage) } },
              UpdateExpression: 'ADD active :ref SET #ttl = :ttl',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':ref': { SS: [indexRef(input.key, input.code)] },
                ':ttl': { N: String(input.expiresAt) },
              },
            });
          }
        }
        if (attributes) return toGroupState(attributes);
      }
      throw new AlertStateError(`Recording failures for ${pk} lost ${MAX_ROUNDS} races in a row`);
    },

    async clearJob(key, job) {
      const answer = await update({
        Key: { pk: { S: groupPk(key) } },
        UpdateExpression: 'DELETE failingJobs :job',
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':job': { SS: [job] }, ':active': { S: GroupStatus.active } },
        ReturnValues: 'ALL_NEW',
      });
      return answer ? toGroupState(answer) : undefined;
    },

    async getGroup(key) {
      const item = await get(groupPk(key));
      return item ? toGroupState(item) : undefined;
    },

    async listActive(stage) {
      const item = await get(indexPk(stage));
      const refs = item?.active?.SS ?? [];
      return refs.map((ref) => {
        const [job, codeName, code] = JSON.parse(ref) as [string, string, string];
        return { stage, job, codeName, code } satisfies ActiveCondition;
      });
    },

    async claim(key, input) {
      const guard =
        input.guard.kind === 'notify'
          ? input.guard.lastNotifiedAt === undefined
            ? 'firstSeenAt = :first AND attribute_not_exists(lastNotifiedAt)'
            : 'firstSeenAt = :first AND lastNotifiedAt = :notified'
          : 'lastSeenAt = :seen';
      const guardValues: Record<string, number> =
        input.guard.kind === 'notify'
          ? {
              first: input.guard.firstSeenAt,
              ...(input.guard.lastNotifiedAt === undefined ? {} : { notified: input.guard.lastNotifiedAt }),
            }
          : { seen: input.guard.lastSeenAt };
      const answer = await update({
        Key: { pk: { S: groupPk(key) } },
        UpdateExpression: 'SET claimToken = :token, claimUntil = :until',
        // A lapsed claim may be taken over, unless its publish began: that one is settled first.
        ConditionExpression: `#status = :active AND attribute_not_exists(publishingAt) AND (attribute_not_exists(claimUntil) OR claimUntil <= :now) AND ${guard}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values({
          token: input.token,
          until: input.until,
          now: input.now,
          active: GroupStatus.active,
          ...guardValues,
        }),
      });
      return answer !== undefined;
    },

    async release(key, token) {
      await update({
        Key: { pk: { S: groupPk(key) } },
        UpdateExpression: 'REMOVE claimToken, claimUntil, publishingAt, publishingKind',
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeValues: values({ token }),
      });
    },

    async markPublishing(key, input) {
      const answer = await update({
        Key: { pk: { S: groupPk(key) } },
        UpdateExpression: 'SET publishingAt = :now, publishingKind = :kind',
        ConditionExpression: 'claimToken = :token AND claimUntil > :now',
        ExpressionAttributeValues: values({ token: input.token, now: input.now, kind: input.kind }),
      });
      return answer !== undefined;
    },

    async settleUnconfirmed(key, input) {
      const pk = groupPk(key);
      const item = await get(pk);
      if (!item?.publishingAt || str(item.claimToken) !== input.token) return false;
      const kind = str(item.publishingKind);
      const at = num(item.publishingAt);
      if (kind === 'resolved') {
        return this.markResolved(key, {
          token: input.token,
          now: at,
          notified: true,
          expiresAt: input.expiresAt,
        });
      }
      const answer = await update({
        Key: { pk: { S: pk } },
        UpdateExpression:
          'SET lastNotifiedAt = :at, notifiedKind = :kind, #ttl = :ttl ADD notifications :one REMOVE claimToken, claimUntil, publishingAt, publishingKind',
        ConditionExpression: 'claimToken = :token AND publishingAt = :at AND claimUntil <= :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: values({
          at,
          kind,
          ttl: input.expiresAt,
          one: 1,
          token: input.token,
          now: input.now,
        }),
      });
      return answer !== undefined;
    },

    async markNotified(key, input) {
      const answer = await update({
        Key: { pk: { S: groupPk(key) } },
        UpdateExpression: `SET lastNotifiedAt = :now, notifiedKind = :kind, #ttl = :ttl${input.count === undefined ? '' : ', notifiedCount = :count, notifiedRunId = :run'} ADD notifications :one REMOVE claimToken, claimUntil, publishingAt, publishingKind`,
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: values({
          now: input.now,
          kind: input.kind,
          ttl: input.expiresAt,
          one: 1,
          token: input.token,
          ...(input.count === undefined ? {} : { count: input.count.devices, run: input.count.runId }),
        }),
      });
      return answer !== undefined;
    },

    async markResolved(key, input) {
      const answer = await update({
        Key: { pk: { S: groupPk(key) } },
        UpdateExpression: input.notified
          ? 'SET #status = :resolved, resolvedAt = :now, lastNotifiedAt = :now, notifiedKind = :kind, #ttl = :ttl ADD notifications :one REMOVE claimToken, claimUntil, publishingAt, publishingKind'
          : 'SET #status = :resolved, resolvedAt = :now, #ttl = :ttl REMOVE claimToken, claimUntil, publishingAt, publishingKind',
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: values({
          resolved: GroupStatus.resolved,
          now: input.now,
          ttl: input.expiresAt,
          token: input.token,
          ...(input.notified ? { kind: 'resolved', one: 1 } : {}),
        }),
        ReturnValues: 'ALL_OLD',
      });
      if (answer === undefined) return false;
      const code = answer ? str(answer.code) : '';
      await update({
        Key: { pk: { S: indexPk(key.stage) } },
        UpdateExpression: 'DELETE active :ref',
        ExpressionAttributeValues: { ':ref': { SS: [indexRef(key, code)] } },
      });
      return true;
    },

    async recordDigest(input) {
      const names: Record<string, string> = { '#ttl': 'ttl' };
      const vals: Item = {
        ':stage': { S: input.stage },
        ':job': { S: input.job },
        ':run': { S: input.runId },
        ':now': { N: String(input.now) },
        ':ttl': { N: String(input.expiresAt) },
        ...(input.contribution === undefined
          ? {}
          : {
              ':contribution': { S: input.contribution },
              ':contributions': { SS: [input.contribution] },
            }),
      };
      const sets = [
        'stage = :stage',
        'job = :job',
        'runId = :run',
        'firstSeenAt = if_not_exists(firstSeenAt, :now)',
        '#ttl = :ttl',
      ];
      const adds: string[] = input.contribution === undefined ? [] : ['contributions :contributions'];
      input.entries.forEach((entry, index) => {
        names[`#c${index}`] = `count#${entry.codeName}`;
        names[`#i${index}`] = `info#${entry.codeName}`;
        vals[`:c${index}`] = { N: String(entry.count) };
        vals[`:i${index}`] = { S: JSON.stringify(entry) };
        adds.push(`#c${index} :c${index}`);
        sets.push(`#i${index} = if_not_exists(#i${index}, :i${index})`);
      });
      // Counted once per contribution: a repeated one fails the condition and adds nothing.
      await update({
        Key: { pk: { S: digestPk(input.stage, input.job, input.runId) } },
        UpdateExpression: `SET ${sets.join(', ')}${adds.length > 0 ? ` ADD ${adds.join(', ')}` : ''}`,
        ...(input.contribution === undefined
          ? {}
          : { ConditionExpression: 'NOT contains(contributions, :contribution)' }),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: vals,
      });
      const old = await update({
        Key: { pk: { S: `run#${input.stage}#${input.job}` } },
        UpdateExpression: 'SET runId = :run, #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':run': { S: input.runId }, ':ttl': { N: String(input.expiresAt) } },
        ReturnValues: 'UPDATED_OLD',
      });
      const previous = old ? str(old.runId) : '';
      return { previousRunId: previous && previous !== input.runId ? previous : undefined };
    },

    async getDigest(stage, job, runId) {
      const item = await get(digestPk(stage, job, runId));
      if (!item) return undefined;
      const entries: DigestEntry[] = [];
      for (const [name, value] of Object.entries(item)) {
        if (!name.startsWith('info#')) continue;
        const info = JSON.parse(value.S ?? '{}') as DigestEntry;
        entries.push({ ...info, count: num(item[`count#${info.codeName}`]) });
      }
      return {
        stage,
        job,
        runId,
        firstSeenAt: num(item.firstSeenAt),
        entries,
        sentAt: optionalNum(item.sentAt),
        claimUntil: optionalNum(item.claimUntil),
        publishingAt: optionalNum(item.publishingAt),
      } satisfies DigestState;
    },

    async claimDigest(stage, job, runId, input) {
      const answer = await update({
        Key: { pk: { S: digestPk(stage, job, runId) } },
        UpdateExpression: 'SET claimToken = :token, claimUntil = :until',
        ConditionExpression:
          // A digest whose publish outcome was lost (publishingAt left behind) counts as sent.
          'attribute_exists(pk) AND attribute_not_exists(sentAt) AND attribute_not_exists(publishingAt) AND (attribute_not_exists(claimUntil) OR claimUntil <= :now)',
        ExpressionAttributeValues: values({ token: input.token, until: input.until, now: input.now }),
      });
      return answer !== undefined;
    },

    async markDigestSent(stage, job, runId, input) {
      const answer = await update({
        Key: { pk: { S: digestPk(stage, job, runId) } },
        UpdateExpression: 'SET sentAt = :now REMOVE claimToken, claimUntil, publishingAt',
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeValues: values({ now: input.now, token: input.token }),
      });
      return answer !== undefined;
    },

    async markDigestPublishing(stage, job, runId, input) {
      const answer = await update({
        Key: { pk: { S: digestPk(stage, job, runId) } },
        UpdateExpression: 'SET publishingAt = :now',
        ConditionExpression: 'claimToken = :token AND claimUntil > :now',
        ExpressionAttributeValues: values({ token: input.token, now: input.now }),
      });
      return answer !== undefined;
    },

    async acknowledge(key, input) {
      const sets = ['ackAt = :at', 'ackBy = :by'];
      const removes: string[] = [];
      (input.comment === undefined ? removes : sets).push(
        input.comment === undefined ? 'ackComment' : 'ackComment = :comment',
      );
      (input.until === undefined ? removes : sets).push(
        input.until === undefined ? 'ackUntil' : 'ackUntil = :until',
      );
      const answer = await update({
        Key: { pk: { S: groupPk(key) } },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: '#status = :active AND #ttl > :nowSec',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: values({
          at: input.at,
          by: input.by,
          active: GroupStatus.active,
          nowSec: Math.floor(input.now / 1000),
          ...(input.comment === undefined ? {} : { comment: input.comment }),
          ...(input.until === undefined ? {} : { until: input.until }),
        }),
        ReturnValues: 'ALL_NEW',
      });
      return answer ? toGroupState(answer) : undefined;
    },

    async releaseDigest(stage, job, runId, token) {
      await update({
        Key: { pk: { S: digestPk(stage, job, runId) } },
        UpdateExpression: 'REMOVE claimToken, claimUntil, publishingAt',
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeValues: values({ token }),
      });
    },
  };
}

function values(record: Record<string, string | number>): Item {
  return Object.fromEntries(
    Object.entries(record).map(([name, value]) => [
      `:${name}`,
      typeof value === 'number' ? { N: String(value) } : { S: value },
    ]),
  );
}

function str(value: AttributeValue | undefined): string {
  return value?.S ?? '';
}

function num(value: AttributeValue | undefined): number {
  return value?.N === undefined ? 0 : Number(value.N);
}

function optionalNum(value: AttributeValue | undefined): number | undefined {
  return value?.N === undefined ? undefined : Number(value.N);
}

function toGroupState(item: Item): GroupState {
  return {
    stage: str(item.stage),
    job: str(item.job),
    codeName: str(item.codeName),
    code: str(item.code),
    status: str(item.status) === GroupStatus.active ? GroupStatus.active : GroupStatus.resolved,
    firstSeenAt: num(item.firstSeenAt),
    lastSeenAt: num(item.lastSeenAt),
    runId: str(item.runId),
    runCount: num(item.runCount),
    failures: num(item.failures),
    samples: JSON.parse(item.samples?.S ?? '[]') as string[],
    failure: JSON.parse(item.failure?.S ?? '{}') as AlertFailureInfo,
    lastNotifiedAt: optionalNum(item.lastNotifiedAt),
    notifiedKind: item.notifiedKind?.S as GroupState['notifiedKind'],
    notifications: num(item.notifications),
    claimUntil: optionalNum(item.claimUntil),
    publishing: item.publishingAt?.N
      ? {
          at: num(item.publishingAt),
          kind: str(item.publishingKind) as AlertKind,
          token: str(item.claimToken),
        }
      : undefined,
    resolvedAt: optionalNum(item.resolvedAt),
    acknowledged: item.ackAt?.N
      ? {
          at: num(item.ackAt),
          by: str(item.ackBy),
          comment: item.ackComment?.S,
          until: optionalNum(item.ackUntil),
        }
      : undefined,
    jobs: item.jobs?.SS ? [...item.jobs.SS].sort() : undefined,
    failingJobs: item.jobs?.SS ? [...(item.failingJobs?.SS ?? [])].sort() : undefined,
    notifiedCount:
      item.notifiedCount?.N === undefined
        ? undefined
        : { devices: num(item.notifiedCount), runId: str(item.notifiedRunId) },
  };
}
