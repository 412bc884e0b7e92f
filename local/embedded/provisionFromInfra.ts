import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parse, type Tags } from 'yaml';
import { CFN_TAG_NAMES } from '../../scripts/serverlessManifest';
import { createAlertStateTable, createInbox, type Inbox, type LocalAws } from '../aws';

/** What the local stack holds, named as serverless.yml's CloudFormation declares it. */
export interface ProvisionedStack {
  readonly service: string;
  readonly stage: string;
  readonly params: Readonly<Record<string, string>>;
  readonly tableName: string;
  readonly topicArn: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly maxReceiveCount: number;
  readonly bucket: string;
  /** Where runs write their failed-device lists (RunReportsBucket, infra/run-reports-bucket.yml). */
  readonly reportsBucket: string;
  /** scheduledRun's on-failure destination (ScheduledRunFailuresQueue) and its DLQ. */
  readonly runFailures: {
    readonly queueUrl: string;
    readonly queueArn: string;
    readonly dlqUrl: string;
  };
  /** The Knox events queue (webhook -> knoxEvents) and its DLQ, with knoxEvents' event source settings. */
  readonly knoxEvents: {
    readonly queueUrl: string;
    readonly queueArn: string;
    readonly dlqUrl: string;
    /** serverless.yml's `functions.knoxEvents`: timeout (ms), SQS batch size, maximum concurrency. */
    readonly consumer: {
      readonly timeoutMs: number;
      readonly batchSize: number;
      readonly concurrency: number;
    };
  };
  /** scheduledRun's asynchronous-invocation settings from serverless.yml (EventInvokeConfig). */
  readonly scheduledRunAsync: { readonly maximumRetryAttempts: number; readonly maximumEventAge: number };
  /** Queues standing in for the e-mail and SMS subscriptions, with the template's filter policies. */
  readonly inboxes: { readonly email: Inbox; readonly sms: Inbox };
}

// CloudFormation's short-form intrinsics (!Ref, !GetAtt, ...) kept as `{ fn, value }` so the
// templates parse; only the parts the local stack needs are resolved.
const intrinsic = (tag: string, kind: 'scalar' | 'seq'): Tags[number] =>
  ({
    tag: `!${tag}`,
    collection: kind === 'seq' ? 'seq' : undefined,
    resolve: (value: unknown) => ({
      fn: tag,
      value: (value as { toJSON?: () => unknown })?.toJSON?.() ?? value,
    }),
  }) as Tags[number];
const CFN_TAGS: Tags = CFN_TAG_NAMES.flatMap((tag) => [intrinsic(tag, 'scalar'), intrinsic(tag, 'seq')]);

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Intrinsic = { fn: string; value: unknown };
interface Template {
  readonly Resources?: Record<string, Resource>;
  readonly Conditions?: Record<string, unknown>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
}

async function readTemplate(root: URL, file: string, vars: (text: string) => string): Promise<Template> {
  const text = vars(await readFile(new URL(file, root), 'utf8'));
  return (parse(text, { customTags: CFN_TAGS }) as Template | null) ?? {};
}

const isIntrinsic = (value: unknown): value is Intrinsic =>
  typeof value === 'object' && value !== null && 'fn' in value && 'value' in value;

/**
 * Resolves the few intrinsics a subscription filter policy uses (`!If` on a condition built from
 * `!Equals`, `!Not`, `!Ref` to a parameter's default), as CloudFormation would for a deploy that
 * passes no parameters: what the CLI does.
 */
function resolveWith(template: Template) {
  const resolveValue = (value: unknown): unknown => {
    if (!isIntrinsic(value)) return value;
    const args = value.value as unknown[];
    switch (value.fn) {
      case 'Ref':
        return template.Parameters?.[value.value as string]?.Default;
      case 'Equals':
        return String(resolveValue(args[0])) === String(resolveValue(args[1]));
      case 'Not':
        return !resolveValue(args[0]);
      case 'If':
        return resolveValue(
          resolveValue(template.Conditions?.[args[0] as string]) === true ? args[1] : args[2],
        );
      default:
        throw new Error(`infra: the local stack cannot resolve !${value.fn}`);
    }
  };
  return resolveValue;
}

/**
 * Creates on the local AWS servers what `serverless.yml` and `infra/*.yml` declare for a stage:
 * the state table, the alert topic, the operations queue with its DLQ and maxReceiveCount, the
 * scheduled run's on-failure queue with its DLQ (and the run's retry settings from serverless.yml),
 * the Knox events queue with its DLQ, the targets and run-reports buckets, and one inbox queue
 * each for the e-mail and SMS subscriptions with the
 * template's own filter policies. Names follow the templates (`${self:service}-${sls:stage}-...`).
 *
 * @example
 * const stack = await provisionFromInfra(local, { stage: 'local' });
 * process.env.OPERATIONS_QUEUE_URL = stack.queueUrl;
 */
export async function provisionFromInfra(
  local: LocalAws,
  options: { stage: string; root?: URL },
): Promise<ProvisionedStack> {
  const root = options.root ?? new URL('../../', import.meta.url);
  const manifest = parse(await readFile(new URL('serverless.yml', root), 'utf8'), {
    customTags: CFN_TAGS,
  }) as {
    service: string;
    params: Record<string, Record<string, unknown>>;
    functions?: Record<string, unknown>;
  };
  const service = manifest.service;
  const stage = options.stage;
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries({
    ...manifest.params.default,
    ...(manifest.params[stage] ?? {}),
  })) {
    params[key] = String(value);
  }
  // Serverless variables in the templates, not JavaScript template strings.
  const vars = (text: string) =>
    text
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a serverless variable
      .replaceAll('${self:service}', service)
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a serverless variable
      .replaceAll('${sls:stage}', stage)
      .replace(/\$\{param:(\w+)\}/g, (_, name: string) => params[name] ?? '');
  const alertsTemplate = await readTemplate(root, 'infra/alerts.yml', vars);
  const resources: Record<string, Resource> = {
    ...(await readTemplate(root, 'infra/queues.yml', vars)).Resources,
    ...(await readTemplate(root, 'infra/knox-events.yml', vars)).Resources,
    ...(await readTemplate(root, 'infra/state-table.yml', vars)).Resources,
    ...(await readTemplate(root, 'infra/targets-bucket.yml', vars)).Resources,
    ...(await readTemplate(root, 'infra/run-reports-bucket.yml', vars)).Resources,
    ...alertsTemplate.Resources,
  };
  const scheduledRun = (manifest.functions?.scheduledRun ?? {}) as Record<string, unknown>;
  const asyncSetting = (name: string): number => {
    const value = Number(vars(String(scheduledRun[name] ?? '')));
    if (!Number.isInteger(value))
      throw new Error(`serverless.yml: functions.scheduledRun.${name} is not set`);
    return value;
  };
  const scheduledRunAsync = {
    maximumRetryAttempts: asyncSetting('maximumRetryAttempts'),
    maximumEventAge: asyncSetting('maximumEventAge'),
  };
  const prop = <T>(logicalId: string, name: string): T => {
    const value = resources[logicalId]?.Properties?.[name];
    if (value === undefined) throw new Error(`infra: ${logicalId}.${name} is not declared`);
    return value as T;
  };

  const sqs = new SQSClient(local.clientConfig('sqs'));
  const sns = new SNSClient(local.clientConfig('sns'));
  const s3 = new S3Client({ ...local.clientConfig('s3'), forcePathStyle: true });
  const dynamo = new DynamoDBClient(local.clientConfig('dynamodb'));
  try {
    const tableName = prop<string>('StateTable', 'TableName');
    const keySchema = prop<{ AttributeName: string }[]>('StateTable', 'KeySchema');
    if (keySchema.length !== 1 || keySchema[0]?.AttributeName !== 'pk')
      throw new Error('infra: StateTable must have the pk hash key');
    await createAlertStateTable(local, tableName);

    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: prop<string>('OperationsDLQ', 'QueueName') }),
    );
    const dlqUrl = dlq.QueueUrl as string;
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    const redrive = prop<{ maxReceiveCount: number | string }>('OperationsQueue', 'RedrivePolicy');
    const maxReceiveCount = Number(redrive.maxReceiveCount);
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: prop<string>('OperationsQueue', 'QueueName'),
        Attributes: {
          VisibilityTimeout: String(prop<number>('OperationsQueue', 'VisibilityTimeout')),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
        },
      }),
    );
    const queueUrl = queue.QueueUrl as string;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;

    const createWithDlq = async (queueId: string, dlqId: string) => {
      const dead = await sqs.send(new CreateQueueCommand({ QueueName: prop<string>(dlqId, 'QueueName') }));
      const deadArn = await arnOf(dead.QueueUrl as string);
      const redrivePolicy = prop<{ maxReceiveCount: number | string }>(queueId, 'RedrivePolicy');
      const created = await sqs.send(
        new CreateQueueCommand({
          QueueName: prop<string>(queueId, 'QueueName'),
          Attributes: {
            VisibilityTimeout: String(prop<number>(queueId, 'VisibilityTimeout')),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: deadArn,
              maxReceiveCount: Number(redrivePolicy.maxReceiveCount),
            }),
          },
        }),
      );
      const url = created.QueueUrl as string;
      return { queueUrl: url, queueArn: await arnOf(url), dlqUrl: dead.QueueUrl as string };
    };
    const arnOf = async (url: string) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn as string;
    const runFailures = await createWithDlq('ScheduledRunFailuresQueue', 'ScheduledRunFailuresDLQ');
    const knoxEventsFunction = (manifest.functions?.knoxEvents ?? {}) as {
      timeout?: unknown;
      events?: { sqs?: { batchSize?: unknown; maximumConcurrency?: unknown } }[];
    };
    const knoxEventsSource = knoxEventsFunction.events?.find((event) => event.sqs)?.sqs ?? {};
    const knoxEvents = {
      ...(await createWithDlq('KnoxEventsQueue', 'KnoxEventsDLQ')),
      consumer: {
        timeoutMs: Number(knoxEventsFunction.timeout ?? 120) * 1000,
        batchSize: Number(vars(String(knoxEventsSource.batchSize ?? 1))),
        concurrency: Number(vars(String(knoxEventsSource.maximumConcurrency ?? 2))),
      },
    };

    const topicArn = (
      await sns.send(new CreateTopicCommand({ Name: prop<string>('AlertTopic', 'TopicName') }))
    ).TopicArn as string;
    const resolveValue = resolveWith(alertsTemplate);
    const filterOf = (protocol: string) =>
      resolveValue(
        Object.values(resources).find(
          (r) => r.Type === 'AWS::SNS::Subscription' && r.Properties?.Protocol === protocol,
        )?.Properties?.FilterPolicy,
      ) as Record<string, unknown> | undefined;
    const email = await createInbox(local, {
      topicArn,
      name: `${service}-${stage}-inbox-email`,
      filterPolicy: filterOf('email'),
    });
    const sms = await createInbox(local, {
      topicArn,
      name: `${service}-${stage}-inbox-sms`,
      filterPolicy: filterOf('sms'),
    });

    // The template lets CloudFormation name the bucket; locally a readable name does.
    const bucket = `${service}-${stage}-targets`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    if (!resources.RunReportsBucket) throw new Error('infra: RunReportsBucket is not declared');
    const reportsBucket = `${service}-${stage}-run-reports`;
    await s3.send(new CreateBucketCommand({ Bucket: reportsBucket }));

    return {
      service,
      stage,
      params,
      tableName,
      topicArn,
      queueUrl,
      queueArn,
      dlqUrl,
      maxReceiveCount,
      bucket,
      reportsBucket,
      runFailures,
      knoxEvents,
      scheduledRunAsync,
      inboxes: { email, sms },
    };
  } finally {
    sqs.destroy();
    sns.destroy();
    s3.destroy();
    dynamo.destroy();
  }
}
