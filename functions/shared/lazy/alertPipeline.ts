import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type AlertPipeline,
  type AlertPipelineDeps,
  createAlertPipeline,
} from '../../../lib/alerts/createAlertPipeline';
import { createDynamoAlertStateStore } from '../../../lib/alerts/createDynamoAlertStateStore';
import { createDynamoSilenceStore } from '../../../lib/alerts/createDynamoSilenceStore';
import { loadAlertRules } from '../../../lib/alerts/loadAlertRules';
import type { AlertPublisher } from '../../../lib/alerts/types';
import type { JobsConfig } from '../../../lib/config';
import { remainingTime } from '../invocation';
import { onceAsync } from '../once';

// Loaded with `await import(...)` by functions/shared/runtime.ts, so the alert pipeline sits in a
// chunk of its own that a cold start parses only when an alert path runs; the SNS client is one
// step lazier still (./snsPublisher, on the first publish), as most runs record their state and
// publish nothing. lib/alerts is imported file by file, not through its index: the index reaches
// the SNS publisher, and a module a chunk reaches is parsed with it.

/**
 * The service's alert pipeline: rules from jobs.yml, state and stored silences in the DynamoDB state table, messages
 * to the SNS alert topic (its client loaded on the first publish).
 *
 * @example
 * const pipeline = alertPipeline({ dynamo, tableName, topicArn, alerts: jobs.alerts });
 */
export function alertPipeline(options: {
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly topicArn: string;
  readonly alerts: JobsConfig['alerts'];
  readonly consoleUrl?: string | undefined;
  readonly runReports?: AlertPipelineDeps['runReports'] | undefined;
}): AlertPipeline {
  const loadPublisher = onceAsync(async () =>
    (await import('./snsPublisher')).snsPublisher(options.topicArn),
  );
  const publisher: AlertPublisher = {
    publish: async (messages, publishOptions) => (await loadPublisher()).publish(messages, publishOptions),
  };
  return createAlertPipeline({
    rules: loadAlertRules(options.alerts ?? {}),
    store: createDynamoAlertStateStore({ client: options.dynamo, tableName: options.tableName }),
    // Silences admins stored with `knox-guard-sentinel alerts silence`, next to jobs.yml's.
    silences: createDynamoSilenceStore({ client: options.dynamo, tableName: options.tableName }),
    publisher,
    clock: { now: () => Date.now() },
    remainingTime,
    ...(options.consoleUrl === undefined ? {} : { consoleUrl: options.consoleUrl }),
    ...(options.runReports === undefined ? {} : { runReports: options.runReports }),
  });
}
