import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalAws } from './startLocalAws';

/**
 * Creates (or finds: CreateTopic is idempotent) the admins' alert topic and answers its ARN.
 *
 * @example
 * const topicArn = await createAlertTopic(local);
 */
export async function createAlertTopic(local: LocalAws, name = 'knox-guard-alerts'): Promise<string> {
  const sns = new SNSClient(local.clientConfig('sns'));
  try {
    const answer = await sns.send(new CreateTopicCommand({ Name: name }));
    if (!answer.TopicArn) throw new Error(`CreateTopic ${name} answered no TopicArn`);
    return answer.TopicArn;
  } finally {
    sns.destroy();
  }
}

export interface Inbox {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly subscriptionArn: string;
}

/**
 * Creates an "admin inbox": an SQS queue subscribed to the topic, standing in for an e-mail
 * address or phone number (fauxqs has no e-mail/SMS delivery). A filter policy on the message
 * attributes (`severity`, `code`, `category`, `stage`, `job`, `kind`) works as it does on AWS,
 * e.g. `{ severity: ['critical'] }` for an SMS subscription.
 *
 * @example
 * const sms = await createInbox(local, { topicArn, name: 'admin-sms', filterPolicy: { severity: ['critical'] } });
 */
export async function createInbox(
  local: LocalAws,
  options: { topicArn: string; name: string; filterPolicy?: Record<string, unknown> },
): Promise<Inbox> {
  const sqs = new SQSClient(local.clientConfig('sqs'));
  const sns = new SNSClient(local.clientConfig('sns'));
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: options.name }));
    if (!QueueUrl) throw new Error(`CreateQueue ${options.name} answered no QueueUrl`);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = Attributes?.QueueArn;
    if (!queueArn) throw new Error(`Queue ${options.name} has no QueueArn`);
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({
        TopicArn: options.topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        ReturnSubscriptionArn: true,
        ...(options.filterPolicy
          ? {
              Attributes: {
                FilterPolicy: JSON.stringify(options.filterPolicy),
                FilterPolicyScope: 'MessageAttributes',
              },
            }
          : {}),
      }),
    );
    return { queueUrl: QueueUrl, queueArn, subscriptionArn: SubscriptionArn ?? '' };
  } finally {
    sqs.destroy();
    sns.destroy();
  }
}

/**
 * Creates the alert state table as serverless.yml declares it: hash key `pk` (String), no sort
 * key, on-demand, TTL on `ttl`. dynalite does not implement UpdateTimeToLive (nor expiry), so
 * that step is skipped there; the store treats items past `ttl` as absent either way. A table kept
 * from an earlier run (`startLocalAws({ dynamodbPath })`) is used as it is.
 *
 * @example
 * await createAlertStateTable(local, 'knox-guard-alert-state');
 */
export async function createAlertStateTable(local: LocalAws, tableName: string): Promise<void> {
  const dynamo = new DynamoDBClient(local.clientConfig('dynamodb'));
  try {
    if (await tableExists(dynamo, tableName)) return;
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    try {
      await dynamo.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'UnknownOperationException') throw error;
    }
  } finally {
    dynamo.destroy();
  }
}

/** One alert as an admin's inbox received it, with the per-protocol variants unpacked. */
export interface InboxMessage {
  readonly messageId: string;
  readonly subject: string | undefined;
  /** What an e-mail subscriber gets. */
  readonly email: string;
  /** What an SMS subscriber gets. */
  readonly sms: string;
  readonly default: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Drains an inbox queue: receives until it is empty, deletes what it read and unpacks each SNS
 * envelope. fauxqs delivers the whole `MessageStructure: 'json'` document, so the `email` and
 * `sms` variants are read out of it here, as AWS would pick them per protocol.
 *
 * @example
 * for (const alert of await readInbox(local, inbox.queueUrl)) console.log(alert.subject, alert.sms);
 */
export async function readInbox(local: LocalAws, queueUrl: string): Promise<InboxMessage[]> {
  const sqs = new SQSClient(local.clientConfig('sqs'));
  const messages: InboxMessage[] = [];
  try {
    for (;;) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!Messages || Messages.length === 0) break;
      for (const message of Messages) messages.push(unpack(message.Body ?? '{}'));
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  } finally {
    sqs.destroy();
  }
  return messages;
}

function unpack(body: string): InboxMessage {
  const envelope = JSON.parse(body) as {
    MessageId?: string;
    Subject?: string;
    Message?: string;
    MessageAttributes?: Record<string, { Value?: string }>;
  };
  const text = envelope.Message ?? '';
  let variants: { default?: string; email?: string; sms?: string } = {};
  try {
    variants = JSON.parse(text) as typeof variants;
  } catch {
    variants = { default: text };
  }
  const fallback = variants.default ?? text;
  return {
    messageId: envelope.MessageId ?? '',
    subject: envelope.Subject,
    email: variants.email ?? fallback,
    sms: variants.sms ?? fallback,
    default: fallback,
    attributes: Object.fromEntries(
      Object.entries(envelope.MessageAttributes ?? {}).map(([name, value]) => [name, value.Value ?? '']),
    ),
  };
}

async function tableExists(dynamo: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException')
      return false;
    throw error;
  }
}
