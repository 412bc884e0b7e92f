import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  type AlertPipeline,
  createAlertPipeline,
  createDynamoAlertStateStore,
  createSnsAlertPublisher,
  loadAlertRules,
} from '../../../lib/alerts';
import type { JobsConfig } from '../../../lib/config';

// Loaded with `await import(...)` by functions/shared/runtime.ts, so the alert pipeline and the
// SNS client sit in a chunk of their own that a cold start parses only when an alert path runs.
// A module of its own rather than importing the packages dynamically: `import('pkg')` keeps every
// export of the package (every SNS command), this keeps what is used.

/**
 * The service's alert pipeline: rules from jobs.yml, state in the DynamoDB state table, messages
 * to the SNS alert topic.
 *
 * @example
 * const pipeline = snsAlertPipeline({ dynamo, tableName, topicArn, alerts: jobs.alerts });
 */
export function snsAlertPipeline(options: {
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly topicArn: string;
  readonly alerts: JobsConfig['alerts'];
  readonly consoleUrl?: string | undefined;
}): AlertPipeline {
  return createAlertPipeline({
    rules: loadAlertRules(options.alerts ?? {}),
    store: createDynamoAlertStateStore({ client: options.dynamo, tableName: options.tableName }),
    publisher: createSnsAlertPublisher({ client: new SNSClient({}), topicArn: options.topicArn }),
    clock: { now: () => Date.now() },
    ...(options.consoleUrl === undefined ? {} : { consoleUrl: options.consoleUrl }),
  });
}
