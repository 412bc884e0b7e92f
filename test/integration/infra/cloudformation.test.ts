import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJobsConfig } from '../../../lib/config';
import { type PackagedService, packageService } from '../../../scripts/package';
import { type DashboardBody, metricRefsOf } from '../../../scripts/render-dashboard';
import { emitServiceMetrics } from '../../helpers/emittedMetrics';
import { readZip } from '../../helpers/readZip';

// Packages the service for real (esbuild bundles + `serverless package --stage ci`, offline, no
// AWS account) into a temporary folder and reads the CloudFormation template it produced.

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; Condition?: string };

const FUNCTIONS = {
  scheduledRun: { logicalId: 'ScheduledRunLambdaFunction', dir: 'scheduled-run', timeout: 300 },
  operationWorker: { logicalId: 'OperationWorkerLambdaFunction', dir: 'operation-worker', timeout: 120 },
  webhook: { logicalId: 'WebhookLambdaFunction', dir: 'webhook', timeout: 10 },
  runFailures: { logicalId: 'RunFailuresLambdaFunction', dir: 'run-failures', timeout: 30 },
  knoxEvents: { logicalId: 'KnoxEventsLambdaFunction', dir: 'knox-events', timeout: 120 },
} as const;
type FunctionKey = keyof typeof FUNCTIONS;

const ENV_VARS = [
  'STAGE',
  'STATE_TABLE',
  'ALERT_TOPIC_ARN',
  'OPERATIONS_QUEUE_URL',
  'KNOX_EVENTS_QUEUE_URL',
  'TARGETS_BUCKET',
  'RUN_REPORTS_BUCKET',
  'KNOX_BASE_URL',
  'KNOX_CREDENTIALS_SECRET_ID',
  'OPERATIONS_HMAC_SECRET_ID',
  'KNOX_VALIDATION_CERT_SECRET_ID',
  'KNOX_CONSOLE_URL',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
];

const EVERY_FUNCTION = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];
// No dynamodb:Query: no code queries the state table (every access is by its pk).
const STATE = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const ALERTS = ['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt'];
// Powertools idempotency (every function that executes chunks or requests idempotently: the
// scheduler's inline chunks, the worker, the webhook) deletes its in-progress record when the call fails.
const IDEMPOTENCY = ['dynamodb:DeleteItem'];
const ALLOWED_ACTIONS: Record<FunctionKey, string[]> = {
  scheduledRun: [
    ...EVERY_FUNCTION,
    // chunks to the operations queue, and (Lambda, with this role) the on-failure record
    'sqs:SendMessage',
    's3:GetObject',
    // the failed-device lists of inline chunks (reports/ only)
    's3:PutObject',
    ...STATE,
    ...IDEMPOTENCY,
    ...ALERTS,
    'secretsmanager:GetSecretValue',
  ],
  operationWorker: [
    ...EVERY_FUNCTION,
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    // follow-up chunks go back on the queue
    'sqs:SendMessage',
    // each chunk's failed-device list (reports/ only)
    's3:PutObject',
    ...STATE,
    ...IDEMPOTENCY,
    ...ALERTS,
    'secretsmanager:GetSecretValue',
  ],
  // Queues operation chunks and admitted Knox callback events; alerts nothing itself.
  webhook: [...EVERY_FUNCTION, 'sqs:SendMessage', ...STATE, ...IDEMPOTENCY, 'secretsmanager:GetSecretValue'],
  // Reads the Knox events queue, processes each event once (idempotency records) and alerts.
  knoxEvents: [
    ...EVERY_FUNCTION,
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    ...STATE,
    ...IDEMPOTENCY,
    ...ALERTS,
  ],
  // Reads the on-failure queue and alerts: no Knox Guard, no secrets, no idempotency records.
  runFailures: [
    ...EVERY_FUNCTION,
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    ...ALERTS,
  ],
};
// The Secrets Manager secrets (names as serverless.yml's params give them for stage ci) each
// function may read: the Knox Guard credentials for the two that call Knox Guard, the HMAC secret
// and the callback validation certificate for the webhook.
const SECRETS: Record<FunctionKey, string[]> = {
  scheduledRun: ['knox-guard-sentinel/ci/knox-credentials'],
  operationWorker: ['knox-guard-sentinel/ci/knox-credentials'],
  webhook: [
    'knox-guard-sentinel/ci/operations-hmac-key',
    'knox-guard-sentinel/ci/knox-validation-certificate',
  ],
  runFailures: [],
  knoxEvents: [],
};
// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub variables
const QUEUE_ARN_PREFIX = 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:';
// X-Ray has no resource-level permissions; everything else must name its resource.
const RESOURCE_WILDCARD_OK = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

let outdir: string;
let packaged: PackagedService;
let resources: Record<string, Resource>;
let template: {
  Resources: Record<string, Resource>;
  Parameters: Record<string, Json>;
  Conditions: Record<string, unknown>;
};

/** Metric names functions/ emits: every `addMetric('Name', ...)` call in its sources. */
function metricNamesInFunctions(): Set<string> {
  const root = new URL('../../../functions/', import.meta.url);
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts'));
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(new URL(file, root), 'utf8');
    for (const match of text.matchAll(/\.addMetric\(\s*'([A-Za-z0-9_]+)'/g)) names.add(match[1] as string);
  }
  return names;
}

/** Logical ids of the queues something dead-letters into (SQS redrive, SNS, Scheduler). */
function deadLetterQueueIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) deadLetterQueueIds(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const target =
        key === 'deadLetterTargetArn' ? inner : key === 'DeadLetterConfig' ? (inner as Json).Arn : undefined;
      const getAtt = (target as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
      if (getAtt) found.add(getAtt[0]);
      deadLetterQueueIds(inner, found);
    }
  }
  return found;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const resource = (id: string): Resource => {
  const found = resources[id];
  if (!found) throw new Error(`resource ${id} missing from the template`);
  return found;
};
const statementsOf = (role: Resource): Json[] =>
  asList(role.Properties.Policies).flatMap(
    (policy) => asList((policy as Json & { PolicyDocument: Json }).PolicyDocument.Statement) as Json[],
  );

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'sentinel-package-'));
  packaged = await packageService({ stage: 'ci', outdir });
  template = JSON.parse(await readFile(packaged.template, 'utf8')) as typeof template;
  resources = template.Resources;
}, 120_000);

afterAll(async () => {
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

describe('packaged CloudFormation (stage ci)', () => {
  it("answers the stage and the CLI's warnings, which npm run package prints on success", () => {
    expect(packaged.stage).toBe('ci');
    // Stage ci's CLI output has no `Warning:` line (stage prod's does: test/integration/infra/stageConfig.test.ts).
    expect(packaged.warnings).toEqual([]);
  });

  it.each(Object.entries(FUNCTIONS))(
    '%s: nodejs22.x on arm64, its bundle as handler, its timeout',
    (_name, fn) => {
      const props = resource(fn.logicalId).Properties;
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Handler).toBe(`dist/functions/${fn.dir}/index.handler`);
      expect(props.Timeout).toBe(fn.timeout);
      expect(props.MemorySize).toBe(256);
    },
  );

  it.each(Object.entries(FUNCTIONS))('%s: has every environment variable the handlers read', (_name, fn) => {
    const variables = (resource(fn.logicalId).Properties.Environment as { Variables: Json }).Variables;
    for (const name of ENV_VARS) expect(variables, name).toHaveProperty(name);
    expect(variables.STAGE).toBe('ci');
    expect(variables.KNOX_BASE_URL).toBe('https://eu-kcs-api.samsungknox.com');
    expect(variables.STATE_TABLE).toEqual({ Ref: 'StateTable' });
    expect(variables.NODE_OPTIONS).toContain('--enable-source-maps');
  });

  it('operations queue: redrive to its DLQ, visibility >= 6x the worker timeout, SSE on', () => {
    const queue = resource('OperationsQueue').Properties;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['OperationsDLQ', 'Arn'] },
      maxReceiveCount: 5,
    });
    const workerTimeout = resource('OperationWorkerLambdaFunction').Properties.Timeout as number;
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * workerTimeout);
    expect(resource('OperationsDLQ').Properties.RedriveAllowPolicy).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [{ 'Fn::Sub': `${QUEUE_ARN_PREFIX}knox-guard-sentinel-ci-operations` }],
    });
    // E3006 once: the redrive allow policy is a queue property, never a resource of its own.
    expect(ofType('AWS::SQS::QueueRedriveAllowPolicy')).toEqual([]);
  });

  it('every queue: SSE on, and a queue policy that denies requests without TLS', () => {
    const queues = ofType('AWS::SQS::Queue').map(([id]) => id);
    expect(queues.sort()).toEqual([
      'AlertDeliveryDLQ',
      'KnoxEventsDLQ',
      'KnoxEventsQueue',
      'OperationsDLQ',
      'OperationsQueue',
      'ScheduledRunFailuresDLQ',
      'ScheduledRunFailuresQueue',
      'SchedulesDLQ',
    ]);
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, r]) => r.Properties);
    for (const id of queues) {
      expect(resource(id).Properties.SqsManagedSseEnabled, id).toBe(true);
      const covering = policies.filter((p) =>
        asList(p.Queues).some((q) => JSON.stringify(q) === JSON.stringify({ Ref: id })),
      );
      expect(covering, id).toHaveLength(1);
      const statements = (covering[0]?.PolicyDocument as { Statement: Json[] } | undefined)?.Statement ?? [];
      const deny = statements.find((st) => st.Effect === 'Deny');
      expect(deny, id).toMatchObject({
        Principal: '*',
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      expect(asList(deny?.Resource), id).toContainEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    }
  });

  it('scheduledRun async invocation: Lambda retries, a maximum event age, then the on-failure queue', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    expect(configs).toHaveLength(1);
    expect(configs[0]).toEqual({
      FunctionName: { Ref: 'ScheduledRunLambdaFunction' },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['ScheduledRunFailuresQueue', 'Arn'] } },
      },
    });
    // Lambda sends the record with the function's own role.
    const send = statementsOf(resource('ScheduledRunRole')).filter((st) =>
      asList(st.Action).includes('sqs:SendMessage'),
    );
    expect(send.flatMap((st) => asList(st.Resource))).toContainEqual({
      'Fn::GetAtt': ['ScheduledRunFailuresQueue', 'Arn'],
    });
    // The on-failure queue dead-letters what runFailures cannot alert; runFailures consumes it.
    const queue = resource('ScheduledRunFailuresQueue').Properties;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['ScheduledRunFailuresDLQ', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(
      6 * (resource('RunFailuresLambdaFunction').Properties.Timeout as number),
    );
    const mapping = ofType('AWS::Lambda::EventSourceMapping')
      .map(([, r]) => r.Properties)
      .find((m) => JSON.stringify(m.EventSourceArn).includes('ScheduledRunFailuresQueue'));
    expect(mapping).toMatchObject({
      FunctionName: { 'Fn::GetAtt': ['RunFailuresLambdaFunction', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('Knox events: the webhook queues admitted callbacks; knoxEvents consumes them with partial batch responses, a DLQ behind', () => {
    const queue = resource('KnoxEventsQueue').Properties;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['KnoxEventsDLQ', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(
      6 * (resource('KnoxEventsLambdaFunction').Properties.Timeout as number),
    );
    expect(resource('KnoxEventsDLQ').Properties.RedriveAllowPolicy).toMatchObject({
      redrivePermission: 'byQueue',
    });
    const mapping = ofType('AWS::Lambda::EventSourceMapping')
      .map(([, r]) => r.Properties)
      .find((m) => JSON.stringify(m.EventSourceArn).includes('KnoxEventsQueue'));
    expect(mapping).toMatchObject({
      FunctionName: { 'Fn::GetAtt': ['KnoxEventsLambdaFunction', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // Only the webhook sends to it, only knoxEvents reads it.
    const touching = (action: string) =>
      ofType('AWS::IAM::Role')
        .filter(([, role]) =>
          statementsOf(role).some(
            (st) =>
              asList(st.Action).includes(action) &&
              asList(st.Resource).some((r) => JSON.stringify(r).includes('KnoxEventsQueue')),
          ),
        )
        .map(([id]) => id);
    expect(touching('sqs:SendMessage')).toEqual(['WebhookRole']);
    expect(touching('sqs:ReceiveMessage')).toEqual(['KnoxEventsRole']);
    expect(resource('WebhookLambdaFunction').Properties.Environment).toMatchObject({
      Variables: { KNOX_EVENTS_QUEUE_URL: { Ref: 'KnoxEventsQueue' } },
    });
  });

  it('alerts: every subscription dead-letters to AlertDeliveryDLQ, which only this topic may fill', () => {
    const subscriptions = ofType('AWS::SNS::Subscription').map(([, r]) => r.Properties);
    for (const subscription of subscriptions) {
      expect(subscription.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': ['AlertDeliveryDLQ', 'Arn'] },
      });
    }
    const policy = resource('AlertDeliveryDLQPolicy').Properties;
    const statements = (policy.PolicyDocument as { Statement: Json[] }).Statement;
    expect(statements).toContainEqual({
      Sid: 'SnsDeadLettersAlertDeliveries',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['AlertDeliveryDLQ', 'Arn'] },
      Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'AlertTopic' } } },
    });
  });

  it('HTTP API: default-route throttling and JSON access logs kept logRetentionDays', () => {
    const stage = resource('HttpApiStage').Properties;
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 });
    const logs = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(logs.DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    expect(Object.keys(JSON.parse(logs.Format))).toEqual(
      expect.arrayContaining(['requestId', 'routeKey', 'status', 'integrationError']),
    );
    expect(resource('HttpApiLogGroup').Properties.RetentionInDays).toBe(1);
  });

  it('webhook: reserved concurrency of its own', () => {
    expect(resource('WebhookLambdaFunction').Properties.ReservedConcurrentExecutions).toBe(10);
  });

  it('worker event source: ReportBatchItemFailures, batch 1..10, bounded concurrency', () => {
    const props =
      ofType('AWS::Lambda::EventSourceMapping')
        .map(([, r]) => r.Properties)
        .find((m) => JSON.stringify(m.EventSourceArn).includes('"OperationsQueue"')) ?? {};
    expect(props.EventSourceArn).toEqual({ 'Fn::GetAtt': ['OperationsQueue', 'Arn'] });
    expect(props.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(props.BatchSize as number).toBeGreaterThanOrEqual(1);
    expect(props.BatchSize as number).toBeLessThanOrEqual(10);
    expect((props.ScalingConfig as Json).MaximumConcurrency as number).toBeGreaterThanOrEqual(2);
    expect(
      resource('OperationWorkerLambdaFunction').Properties.ReservedConcurrentExecutions,
    ).toBeGreaterThanOrEqual(1);
  });

  it('state table: hash key pk (S) only, on-demand, TTL on ttl, point-in-time recovery', () => {
    const table = resource('StateTable').Properties;
    expect(table.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('targets bucket: private, encrypted, expiring', () => {
    const bucket = resource('TargetsBucket').Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption).toBeDefined();
    const rules = (bucket.LifecycleConfiguration as { Rules: Json[] }).Rules;
    expect(rules.some((rule) => typeof rule.ExpirationInDays === 'number')).toBe(true);
  });

  it('run-reports bucket: the stack KMS key, private, TLS-only, reports/ expiring after runReportRetentionDays', () => {
    const bucket = resource('RunReportsBucket').Properties;
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': ['AlertTopicKey', 'Arn'] },
          },
          BucketKeyEnabled: true,
        },
      ],
    });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    const rules = (bucket.LifecycleConfiguration as { Rules: Json[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Status: 'Enabled', Prefix: 'reports/', ExpirationInDays: 30 }),
    );
    const policy = resource('RunReportsBucketPolicy').Properties;
    expect(policy.Bucket).toEqual({ Ref: 'RunReportsBucket' });
    const statements = (policy.PolicyDocument as { Statement: Json[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    // Only the two functions that run chunks may write, and only under reports/.
    const writers = Object.entries(FUNCTIONS).filter(([, fn]) => {
      const roleId = (resource(fn.logicalId).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      return statementsOf(resource(roleId as string)).some((st) =>
        asList(st.Action).includes('s3:PutObject'),
      );
    });
    expect(writers.map(([name]) => name).sort()).toEqual(['operationWorker', 'scheduledRun']);
    for (const [, fn] of writers) {
      const roleId = (resource(fn.logicalId).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      const put = statementsOf(resource(roleId as string)).filter((st) =>
        asList(st.Action).includes('s3:PutObject'),
      );
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub variable
      expect(put.map((st) => st.Resource)).toEqual([{ 'Fn::Sub': '${RunReportsBucket.Arn}/reports/*' }]);
    }
    const variables = (
      resource('OperationWorkerLambdaFunction').Properties.Environment as { Variables: Json }
    ).Variables;
    expect(variables.RUN_REPORTS_BUCKET).toEqual({ Ref: 'RunReportsBucket' });
  });

  it('alert topic: encrypted with the customer-managed key that lets SNS and CloudWatch use it', () => {
    expect(resource('AlertTopic').Properties.KmsMasterKeyId).toEqual({ Ref: 'AlertTopicKey' });
    const statements = (resource('AlertTopicKey').Properties.KeyPolicy as { Statement: Json[] }).Statement;
    const services = statements.map((s) => (s.Principal as Json).Service).filter(Boolean);
    expect(services).toEqual(expect.arrayContaining(['sns.amazonaws.com', 'cloudwatch.amazonaws.com']));
  });

  it('subscriptions: conditional slots; SMS critical-only without reminders unless asked, e-mail critical+warning+info', () => {
    const subscriptions = ofType('AWS::SNS::Subscription').map(([, r]) => r);
    const sms = subscriptions.filter((s) => s.Properties.Protocol === 'sms');
    const email = subscriptions.filter((s) => s.Properties.Protocol === 'email');
    expect(sms.length).toBeGreaterThan(0);
    expect(email.length).toBeGreaterThan(0);
    for (const s of subscriptions) {
      expect(s.Condition).toMatch(/^HasAlert(Email|Phone)\d$/);
      expect(s.Properties.FilterPolicyScope).toBe('MessageAttributes');
      expect(s.Properties.TopicArn).toEqual({ Ref: 'AlertTopic' });
    }
    // smsIncludeReminders (default "false") -> the stack parameter -> the condition that picks the policy.
    for (const s of sms) {
      expect(s.Properties.FilterPolicy).toEqual({
        'Fn::If': [
          'SmsIncludesReminders',
          { severity: ['critical'] },
          { severity: ['critical'], kind: [{ 'anything-but': ['reminder'] }] },
        ],
      });
    }
    expect(template.Parameters.SmsIncludeReminders).toMatchObject({
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(template.Conditions.SmsIncludesReminders).toEqual({
      'Fn::Equals': [{ Ref: 'SmsIncludeReminders' }, 'true'],
    });
    for (const s of email) {
      const branches = (s.Properties.FilterPolicy as { $or: Json[] }).$or;
      expect(branches).toContainEqual({ severity: ['critical', 'warning', 'info'] });
    }
  });

  it('schedules: one per default job, time zone, flexible window, retries, DLQ, own role', () => {
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, r]) => r.Properties);
    const jobs = schedules.map((s) => JSON.parse((s.Target as Json).Input as string).job).sort();
    expect(jobs).toEqual(['approve-pending', 'licence-health', 'overdue-lock', 'payment-reminder']);
    // Every scheduled job exists in config/jobs.yml, and its run id is pinned to the scheduled
    // time so the scheduler's retries re-use the same chunk ids.
    const configured = loadJobsConfig(
      readFileSync(new URL('../../../config/jobs.yml', import.meta.url), 'utf8'),
      'ci',
    );
    for (const job of jobs) expect(configured.jobs.has(job)).toBe(true);
    for (const s of schedules) {
      const target = s.Target as Json;
      expect(s.ScheduleExpressionTimezone).toBe('Europe/Berlin');
      expect(s.ScheduleExpression).toMatch(/^(cron|rate)\(/);
      expect((s.FlexibleTimeWindow as Json).Mode).toBeDefined();
      expect(target.Arn).toEqual({ 'Fn::GetAtt': ['ScheduledRunLambdaFunction', 'Arn'] });
      expect(target.RoleArn).toEqual({ 'Fn::GetAtt': ['SchedulerRole', 'Arn'] });
      expect((target.RetryPolicy as Json).MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': ['SchedulesDLQ', 'Arn'] } });
      expect(JSON.parse(target.Input as string).scheduledTime).toBe('<aws.scheduler.scheduled-time>');
    }
    const hourly = schedules.find(
      (s) => JSON.parse((s.Target as Json).Input as string).job === 'licence-health',
    );
    expect(hourly?.ScheduleExpression).toMatch(/^cron\(\d+ \* \* \* \? \*\)$|^rate\(1 hour\)$/);
  });

  it('scheduler role: may only invoke scheduledRun (and dead-letter to its DLQ)', () => {
    const statements = statementsOf(resource('SchedulerRole'));
    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
      ['lambda:InvokeFunction', { 'Fn::GetAtt': ['ScheduledRunLambdaFunction', 'Arn'] }],
      ['sqs:SendMessage', { 'Fn::GetAtt': ['SchedulesDLQ', 'Arn'] }],
    ]);
  });

  it('alarms: every DLQ depth, queue age, failed-for-good runs, errors and throttles of each function, webhook 5xx', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const dimensionsOf = (metric: string) =>
      alarms
        .filter((a) => a.MetricName === metric)
        .map((a) => (a.Dimensions as { Value: unknown }[])[0]?.Value);
    const queueName = (id: string) => ({ 'Fn::GetAtt': [id, 'QueueName'] });
    expect(dimensionsOf('ApproximateNumberOfMessagesVisible')).toEqual(
      expect.arrayContaining(
        ['OperationsDLQ', 'SchedulesDLQ', 'ScheduledRunFailuresDLQ', 'AlertDeliveryDLQ', 'KnoxEventsDLQ'].map(
          queueName,
        ),
      ),
    );
    expect(dimensionsOf('ApproximateAgeOfOldestMessage')).toEqual(
      expect.arrayContaining(
        ['OperationsQueue', 'ScheduledRunFailuresQueue', 'KnoxEventsQueue'].map(queueName),
      ),
    );
    // Any record on the on-failure queue is a run Lambda gave up on, alerted even if runFailures is broken.
    const failed = alarms.find((a) => a.MetricName === 'NumberOfMessagesSent');
    expect(failed).toMatchObject({
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: queueName('ScheduledRunFailuresQueue') }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const everyFunction = Object.values(FUNCTIONS).map((fn) => ({ Ref: fn.logicalId }));
    expect(dimensionsOf('Errors')).toEqual(expect.arrayContaining(everyFunction));
    expect(dimensionsOf('Throttles')).toEqual(expect.arrayContaining(everyFunction));
    // The webhook turns exceptions into 503s: the HTTP API's 5xx count, not Lambda Errors, sees them.
    expect(alarms.find((a) => a.MetricName === '5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
    });
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
      expect(alarm.OKActions).toEqual([{ Ref: 'AlertTopic' }]);
    }
  });

  it('dashboard: named per stage, a JSON body, on a 24-column grid without overlaps', () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const props = dashboards[0]?.[1].Properties ?? {};
    expect(props.DashboardName).toBe('knox-guard-sentinel-ci');
    expect(typeof props.DashboardBody).toBe('string');
    const body = JSON.parse(props.DashboardBody as string) as DashboardBody;
    expect(body.widgets.length).toBeGreaterThanOrEqual(10);
    const cells = new Map<string, string>();
    for (const widget of body.widgets) {
      const title = widget.properties.title ?? widget.properties.markdown ?? '';
      expect(widget.x + widget.width, title).toBeLessThanOrEqual(24);
      if (widget.type === 'metric') expect(widget.properties.region, title).toBe('eu-central-1');
      for (let x = widget.x; x < widget.x + widget.width; x += 1)
        for (let y = widget.y; y < widget.y + widget.height; y += 1) {
          expect(cells.get(`${x},${y}`), `${title} overlaps`).toBeUndefined();
          cells.set(`${x},${y}`, title);
        }
    }
  });

  it('dashboard: every custom metric is one the functions emit, with the dimension set and values they emit', async () => {
    const body = JSON.parse(resource('Dashboard').Properties.DashboardBody as string) as DashboardBody;
    const refs = metricRefsOf(body);
    const env = (resource('WebhookLambdaFunction').Properties.Environment as { Variables: Json }).Variables;
    const custom = refs.filter((ref) => !ref.namespace.startsWith('AWS/'));
    expect(custom.length).toBeGreaterThan(0);
    const inCode = metricNamesInFunctions();
    const emitted = await emitServiceMetrics();
    for (const ref of custom) {
      const what = `${ref.widget}: ${ref.name} ${JSON.stringify(ref.dimensions)}`;
      expect(ref.namespace, what).toBe(env.POWERTOOLS_METRICS_NAMESPACE);
      expect(inCode, what).toContain(ref.name);
      // SEARCH matches exactly the schema's dimension set; an explicit metric exactly its pairs.
      const keys = Object.keys(ref.dimensions).sort();
      const same = emitted.filter(
        (m) => m.name === ref.name && JSON.stringify(m.dimensions) === JSON.stringify(keys),
      );
      expect(same.length, `${what}: no EMF record with these dimensions`).toBeGreaterThan(0);
      expect(ref.dimensions.stage, what).toBe('ci');
      if ('service' in ref.dimensions && ref.dimensions.service !== undefined)
        expect(ref.dimensions.service, what).toBe(env.POWERTOOLS_SERVICE_NAME);
      for (const [key, value] of Object.entries(ref.dimensions)) {
        if (value === undefined || key === 'stage' || key === 'service') continue;
        expect(
          same.map((m) => m.values[key]),
          `${what}: the code never emits ${key}=${value}`,
        ).toContain(value);
      }
    }
    const plotted = new Set(custom.map((ref) => ref.name));
    for (const name of [
      'DevicesSucceeded',
      'DevicesFailed',
      'DeviceFailures',
      'AlertsSent',
      'AlertsSuppressed',
      'KnoxRequests',
      'KnoxRequestLatency',
    ])
      expect(plotted, name).toContain(name);
  });

  it('dashboard: every queue of the template (depth, and age unless a DLQ), every DLQ, every function', () => {
    const body = JSON.parse(resource('Dashboard').Properties.DashboardBody as string) as DashboardBody;
    const refs = metricRefsOf(body);
    const onDashboard = (namespace: string, metric: string, key: string) =>
      new Set(
        refs.filter((r) => r.namespace === namespace && r.name === metric).map((r) => r.dimensions[key]),
      );
    const queues = ofType('AWS::SQS::Queue').map(([id, r]) => ({
      id,
      name: r.Properties.QueueName as string,
    }));
    const dlqs = deadLetterQueueIds(resources);
    expect([...dlqs].sort()).toEqual(
      queues
        .map((q) => q.id)
        .filter((id) => id.endsWith('DLQ'))
        .sort(),
    );
    const depth = onDashboard('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName');
    const age = onDashboard('AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName');
    for (const queue of queues) {
      expect(depth, queue.id).toContain(queue.name);
      if (!dlqs.has(queue.id)) expect(age, queue.id).toContain(queue.name);
    }
    // DLQs have their own widget, so an operator sees them apart from working queues.
    const dlqWidget = refs.filter((r) => r.widget.startsWith('DLQ depth')).map((r) => r.dimensions.QueueName);
    expect(dlqWidget.sort()).toEqual(
      queues
        .filter((q) => dlqs.has(q.id))
        .map((q) => q.name)
        .sort(),
    );
    const queueNames = new Set(queues.map((q) => q.name));
    for (const ref of refs.filter((r) => r.namespace === 'AWS/SQS'))
      expect(queueNames, `${ref.widget}: stale queue`).toContain(ref.dimensions.QueueName);
    const functionNames = ofType('AWS::Lambda::Function').map(([, r]) => r.Properties.FunctionName as string);
    expect(functionNames).toHaveLength(Object.keys(FUNCTIONS).length);
    for (const metric of ['Errors', 'Throttles', 'Invocations'])
      expect([...onDashboard('AWS/Lambda', metric, 'FunctionName')].sort(), metric).toEqual(
        [...functionNames].sort(),
      );
  });

  it('HTTP API: POST /knox/notifications and POST /operations, both to the webhook function', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual(['POST /knox/notifications', 'POST /operations']);
    const integrations = ofType('AWS::ApiGatewayV2::Integration').map(([, r]) => r.Properties.IntegrationUri);
    expect(integrations).toEqual([{ 'Fn::GetAtt': ['WebhookLambdaFunction', 'Arn'] }]);
  });

  it('IAM: no statement anywhere allows "*" on "*"', () => {
    const roles = [
      ...ofType('AWS::IAM::Role'),
      ...ofType('AWS::IAM::Policy'),
      ...ofType('AWS::IAM::ManagedPolicy'),
    ];
    expect(roles.length).toBeGreaterThanOrEqual(4);
    for (const [id, role] of roles) {
      const statements =
        role.Type === 'AWS::IAM::Role'
          ? statementsOf(role)
          : (asList((role.Properties.PolicyDocument as Json).Statement) as Json[]);
      for (const statement of statements) {
        const actions = asList(statement.Action);
        const everything = asList(statement.Resource).includes('*');
        expect(everything && actions.includes('*'), `${id}: ${JSON.stringify(statement)}`).toBe(false);
      }
    }
  });

  it.each(Object.entries(FUNCTIONS))(
    '%s: its own role with exactly the actions it needs, scoped',
    (name, fn) => {
      const roleRef = resource(fn.logicalId).Properties.Role as { 'Fn::GetAtt': [string, string] };
      const roleId = roleRef['Fn::GetAtt'][0];
      const statements = statementsOf(resource(roleId));
      const actions = statements.flatMap((s) => asList(s.Action) as string[]);
      expect(new Set(actions)).toEqual(new Set(ALLOWED_ACTIONS[name as FunctionKey]));
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const action of asList(statement.Action) as string[]) {
          expect(action).not.toContain('*');
          if (!RESOURCE_WILDCARD_OK.has(action))
            expect(asList(statement.Resource), action).not.toContain('*');
        }
      }
      // One role per function: no other function uses this role.
      const users = Object.values(FUNCTIONS).filter(
        (other) =>
          (resource(other.logicalId).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ===
          roleId,
      );
      expect(users).toHaveLength(1);
    },
  );

  it.each(Object.entries(FUNCTIONS))('%s: reads exactly its own secrets', (name, fn) => {
    const roleRef = resource(fn.logicalId).Properties.Role as { 'Fn::GetAtt': [string, string] };
    const statements = statementsOf(resource(roleRef['Fn::GetAtt'][0])).filter((s) =>
      asList(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    const arns = statements
      .flatMap((s) => asList(s.Resource))
      .map((r) => (r as { 'Fn::Sub': string })['Fn::Sub']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub variables
    const prefix = 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:';
    // Secrets Manager appends a 6-character suffix to every secret ARN: `-??????` matches it and nothing longer.
    expect(arns).toEqual(SECRETS[name as FunctionKey].map((secret) => `${prefix}${secret}-??????`));
    const variables = (resource(fn.logicalId).Properties.Environment as { Variables: Json }).Variables;
    expect(variables.KNOX_CREDENTIALS_SECRET_ID).toBe('knox-guard-sentinel/ci/knox-credentials');
    expect(variables.OPERATIONS_HMAC_SECRET_ID).toBe('knox-guard-sentinel/ci/operations-hmac-key');
    expect(variables.KNOX_VALIDATION_CERT_SECRET_ID).toBe(
      'knox-guard-sentinel/ci/knox-validation-certificate',
    );
  });

  it('zips: one per function holding only its own bundle and every chunk it loads; sizes reported, not enforced', async () => {
    expect(packaged.artifacts.map((a) => a.name).sort()).toEqual([
      'knoxEvents',
      'operationWorker',
      'runFailures',
      'scheduledRun',
      'webhook',
    ]);
    for (const artifact of packaged.artifacts) {
      const zip = (await readFile(artifact.file)).toString('latin1');
      const own = FUNCTIONS[artifact.name as FunctionKey].dir;
      expect(zip).toContain(`dist/functions/${own}/index.mjs`);
      expect(zip).toContain(`dist/functions/${own}/index.mjs.map`);
      // jobs.yml is validated at build time and embedded in the bundle as JSON; not shipped.
      expect(zip).not.toContain('config/jobs.yml');
      for (const other of Object.values(FUNCTIONS).filter((fn) => fn.dir !== own)) {
        expect(zip).not.toContain(`dist/functions/${other.dir}/`);
      }
      expect(zip).not.toContain('node_modules/');
      // Every chunk the handler loads, at start-up or lazily on first use, is in its zip.
      const files = readZip(await readFile(artifact.file));
      const code = [...files].filter(
        ([path]) => path.startsWith(`dist/functions/${own}/`) && path.endsWith('.mjs'),
      );
      const imported = new Set(
        code.flatMap(([, text]) =>
          [...text.toString('utf8').matchAll(/["'](\.\/chunk-[\w-]+\.mjs)["']/g)].map((m) => m[1]),
        ),
      );
      expect(imported.size, own).toBeGreaterThan(0);
      for (const chunk of imported) {
        expect(files.has(`dist/functions/${own}/${(chunk as string).slice(2)}`), `${own}: ${chunk}`).toBe(
          true,
        );
      }
      const kib = artifact.bytes / 1024;
      console.info(
        `[package size] ${artifact.name}: ${kib.toFixed(1)} KiB${kib > 350 ? ' (over the 350 KB target)' : ''}`,
      );
    }
  });
});
