import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJobsConfig } from '../../../lib/config';
import { type PackagedService, packageService } from '../../../scripts/package';
import { readZip } from '../../helpers/readZip';

// Packages the service for real (esbuild bundles + `serverless package --stage ci`, offline, no
// AWS account) into a temporary folder and reads the CloudFormation template it produced.

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; Condition?: string };

const FUNCTIONS = {
  scheduledRun: { logicalId: 'ScheduledRunLambdaFunction', dir: 'scheduled-run', timeout: 300 },
  operationWorker: { logicalId: 'OperationWorkerLambdaFunction', dir: 'operation-worker', timeout: 120 },
  webhook: { logicalId: 'WebhookLambdaFunction', dir: 'webhook', timeout: 10 },
} as const;
type FunctionKey = keyof typeof FUNCTIONS;

const ENV_VARS = [
  'STAGE',
  'STATE_TABLE',
  'ALERT_TOPIC_ARN',
  'OPERATIONS_QUEUE_URL',
  'TARGETS_BUCKET',
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
const STATE = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];
const ALERTS = ['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt'];
// Powertools idempotency (worker, webhook) deletes its in-progress record when the call fails.
const IDEMPOTENCY = ['dynamodb:DeleteItem'];
const ALLOWED_ACTIONS: Record<FunctionKey, string[]> = {
  scheduledRun: [
    ...EVERY_FUNCTION,
    'sqs:SendMessage',
    's3:GetObject',
    ...STATE,
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
    ...STATE,
    ...IDEMPOTENCY,
    ...ALERTS,
    'secretsmanager:GetSecretValue',
  ],
  webhook: [
    ...EVERY_FUNCTION,
    'sqs:SendMessage',
    ...STATE,
    ...IDEMPOTENCY,
    ...ALERTS,
    'secretsmanager:GetSecretValue',
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
};
// X-Ray has no resource-level permissions; everything else must name its resource.
const RESOURCE_WILDCARD_OK = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

let outdir: string;
let packaged: PackagedService;
let resources: Record<string, Resource>;

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
  const template = JSON.parse(await readFile(packaged.template, 'utf8')) as {
    Resources: Record<string, Resource>;
  };
  resources = template.Resources;
}, 120_000);

afterAll(async () => {
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

describe('packaged CloudFormation (stage ci)', () => {
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
    for (const id of ['OperationsQueue', 'OperationsDLQ', 'SchedulesDLQ']) {
      expect(resource(id).Properties.SqsManagedSseEnabled).toBe(true);
    }
  });

  it('worker event source: ReportBatchItemFailures, batch 1..10, bounded concurrency', () => {
    const [mapping] = ofType('AWS::Lambda::EventSourceMapping');
    const props = mapping?.[1].Properties ?? {};
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

  it('alert topic: encrypted with the customer-managed key that lets SNS and CloudWatch use it', () => {
    expect(resource('AlertTopic').Properties.KmsMasterKeyId).toEqual({ Ref: 'AlertTopicKey' });
    const statements = (resource('AlertTopicKey').Properties.KeyPolicy as { Statement: Json[] }).Statement;
    const services = statements.map((s) => (s.Principal as Json).Service).filter(Boolean);
    expect(services).toEqual(expect.arrayContaining(['sns.amazonaws.com', 'cloudwatch.amazonaws.com']));
  });

  it('subscriptions: conditional slots; SMS critical-only, e-mail critical+warning+info', () => {
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
    for (const s of sms) expect(s.Properties.FilterPolicy).toEqual({ severity: ['critical'] });
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

  it('alarms: depth of both DLQs and errors of each function, notifying the alert topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const dimensionsOf = (metric: string) =>
      alarms
        .filter((a) => a.MetricName === metric)
        .map((a) => (a.Dimensions as { Value: unknown }[])[0]?.Value);
    expect(dimensionsOf('ApproximateNumberOfMessagesVisible')).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': ['OperationsDLQ', 'QueueName'] },
        { 'Fn::GetAtt': ['SchedulesDLQ', 'QueueName'] },
      ]),
    );
    expect(dimensionsOf('Errors')).toEqual(
      expect.arrayContaining(Object.values(FUNCTIONS).map((fn) => ({ Ref: fn.logicalId }))),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
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
      'operationWorker',
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
