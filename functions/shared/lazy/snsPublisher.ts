import { SNSClient } from '@aws-sdk/client-sns';
import { createSnsAlertPublisher } from '../../../lib/alerts/createSnsAlertPublisher';
import type { AlertPublisher } from '../../../lib/alerts/types';
import { AWS_CLIENT_CONFIG, boundByInvocation } from '../awsClientConfig';

// Loaded with `await import(...)` by ./alertPipeline.ts on the first publish: a chunk holding the
// SNS client, parsed only by invocations that send an alert or a digest.

/**
 * Alert messages to the SNS topic.
 *
 * @example
 * await snsPublisher(process.env.ALERT_TOPIC_ARN).publish(messages);
 */
export function snsPublisher(topicArn: string): AlertPublisher {
  return createSnsAlertPublisher({
    client: boundByInvocation(new SNSClient({ ...AWS_CLIENT_CONFIG })),
    topicArn,
  });
}
