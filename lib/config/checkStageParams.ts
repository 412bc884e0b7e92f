import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import * as v from 'valibot';
import { emailAddress } from '../validation';
import type { JobParams, JobParamValue } from './jobParams';
import { StageParamError } from './StageParamError';
import { serviceEnvSchema } from './serviceConfig';

// Every rule below is what AWS (or this service's own runtime config) accepts for the place the
// param reaches in serverless.yml / infra/*.yml: a value outside it packages fine and cfn-lint
// passes, but the deploy fails (or the function fails at its first cold start).

/** A param as YAML (number, boolean) or `--param` (always text) gives it, as a number; NaN if neither. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return Number.NaN;
}

/** An integer from `min` to `max` (either form); `what` says which AWS limit, with its source. */
function integerParam(min: number, max: number, what: string) {
  const range = max === Number.POSITIVE_INFINITY ? `${min} or more` : `from ${min} to ${max}`;
  return v.pipe(
    v.unknown(),
    v.check((value) => {
      const n = toNumber(value);
      return Number.isInteger(n) && n >= min && n <= max;
    }, `must be a whole number ${range} (${what})`),
  );
}

/** A number above `above` (either form). */
function positiveNumberParam(what: string) {
  return v.pipe(
    v.unknown(),
    v.check((value) => toNumber(value) > 0, `must be a number above 0 (${what})`),
  );
}

/** One of `values` exactly (text). */
function oneOfParam(values: readonly string[], what: string) {
  return v.pipe(
    v.unknown(),
    v.check(
      (value) => typeof value === 'string' && values.includes(value),
      `must be exactly one of ${values.join(', ')} (${what})`,
    ),
  );
}

/**
 * `true`/`false` as YAML booleans or as the text "true"/"false", normalised to the text a
 * CloudFormation parameter with `AllowedValues: ["true", "false"]` needs (an unquoted YAML boolean
 * would reach the template as a boolean: cfn-lint E2015).
 */
function booleanTextParam(what: string) {
  return v.pipe(
    v.unknown(),
    v.check(
      (value) => value === true || value === false || value === 'true' || value === 'false',
      `must be true or false (${what})`,
    ),
    v.transform((value) => String(value) as 'true' | 'false'),
  );
}

/** A param that becomes a service environment variable: refused by that variable's own rule. */
function envParam(variable: keyof typeof serviceEnvSchema.entries) {
  const schema = serviceEnvSchema.entries[variable];
  const parse = (value: unknown) =>
    ['string', 'number', 'boolean'].includes(typeof value)
      ? v.safeParse(schema, String(value))
      : v.safeParse(schema, value);
  return v.pipe(
    v.unknown(),
    v.check(
      (value) => parse(value).success,
      (issue) =>
        `the functions would refuse it at their first start (${variable}, lib/config/serviceConfig.ts: ${parse(issue.input).issues?.[0]?.message})`,
    ),
  );
}

// EventBridge Scheduler's three forms:
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
const CRON = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/;
const RATE = /^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/;

/** True for a schedule expression EventBridge Scheduler accepts in form (not every field's range). */
export function isScheduleExpression(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (RATE.test(value) || AT.test(value)) return true;
  const cron = CRON.exec(value);
  // "You can't specify the Day-of-month and Day-of-week fields in the same cron expression":
  // exactly one of the two is "?".
  return cron !== null && (cron[3] === '?') !== (cron[5] === '?');
}

const scheduleParam = () =>
  v.pipe(
    v.unknown(),
    v.check(
      isScheduleExpression,
      'must be an EventBridge Scheduler expression: cron(minutes hours day-of-month month day-of-week year) with 6 fields and "?" in exactly one of day-of-month and day-of-week, e.g. cron(0 7 * * ? *); rate(<n> minutes|hours|days); or at(yyyy-mm-ddThh:mm:ss) (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html)',
    ),
  );

/** True for an IANA time zone name (`Europe/Berlin`, `UTC`), as Node's ICU knows them. */
export function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

// Secrets Manager names: letters, digits and /_+=.@-, at most 512, and not ending in a hyphen and
// six characters (Secrets Manager appends exactly that to its ARNs; infra/iam.yml grants
// `<name>-??????`). https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
const secretIdParam = () =>
  v.pipe(
    v.unknown(),
    v.check(
      (value) =>
        typeof value === 'string' && /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(value) && !/-[^/]{6}$/.test(value),
      'must be a Secrets Manager secret name: 1-512 of A-Z a-z 0-9 / _ + = . @ -, not ending in a hyphen and six characters (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html)',
    ),
  );

/** Alert subscription slots infra/alerts.yml creates (HasAlertEmail1..5, HasAlertPhone1..3). */
export const ALERT_SLOTS = { alertEmails: 5, alertPhones: 3 } as const;

const isEmail = (entry: string): boolean => v.is(v.pipe(v.string(), emailAddress()), entry);

/** `entry` as E.164 (`+4989202477101`) when it is an international number (spaces allowed); else undefined. */
function toE164(entry: string): string | undefined {
  if (!/^\+\d[\d ]*$/.test(entry)) return undefined;
  const number = parsePhoneNumberFromString(entry);
  return number?.isPossible() ? number.number : undefined;
}

/**
 * A comma-separated subscriber list (no empty entries) of at most `slots` entries, each of which
 * `normalise` accepts (and rewrites: phone numbers to E.164). The messages name entries by position, never by value: they are personal data.
 */
function subscriberListParam(slots: number, normalise: (entry: string) => string | undefined, what: string) {
  const valid = (entry: string) => normalise(entry) !== undefined;
  // Empty: no subscriber (planJobSchedules decides whether that is allowed).
  const entries = (value: unknown) => (String(value) === '' ? [] : String(value).split(','));
  return v.pipe(
    v.unknown(),
    v.check((value) => typeof value === 'string', `must be text: ${what}`),
    v.check(
      (value) => entries(value).length <= slots,
      (issue) =>
        `has ${entries(issue.input).length} entries, but infra/alerts.yml subscribes only the first ${slots} (the others would silently get nothing): at most ${slots}`,
    ),
    v.check(
      (value) => entries(value).every(valid),
      (issue) => {
        const bad = entries(issue.input)
          .map((entry, index) => (valid(entry) ? undefined : index + 1))
          .filter((index) => index !== undefined);
        return `entry ${bad.join(', ')} of ${entries(issue.input).length} is not ${what} (comma-separated)`;
      },
    ),
    v.transform((value) => entries(value).map(normalise).join(',')),
  );
}

// CloudWatch Logs' retention values: AWS::Logs::LogGroup RetentionInDays,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

// Built on first use, not at import: lib/config's index re-exports this file, and a schema built
// at module level would land in every function bundle (esbuild keeps top-level calls).
let schema: ReturnType<typeof buildStageParamsSchema> | undefined;

/**
 * Each stage param serverless.yml hands to the template or to a function's environment, with
 * what AWS (or lib/config's service environment) accepts for it. Params config/jobs.yml references
 * (messages, contacts, `approvePendingEnabled`) are checked by `resolveJobsConfig`, and
 * `schedulesState` by `planJobSchedules`.
 */
function buildStageParamsSchema() {
  return v.object({
    knoxBaseUrl: v.optional(envParam('KNOX_BASE_URL')),
    knoxConsoleUrl: v.optional(envParam('KNOX_CONSOLE_URL')),
    knoxApiPrefix: v.optional(envParam('KNOX_API_PREFIX')),
    knoxUnverifiedLicenceApi: v.optional(envParam('KNOX_UNVERIFIED_LICENCE_API')),
    knoxRateLimitPerSecond: v.optional(envParam('KNOX_RATE_LIMIT_PER_SECOND')),
    defaultPhoneRegion: v.optional(
      v.pipe(
        v.unknown(),
        v.check(
          (value) => typeof value === 'string' && isSupportedCountry(value.trim().toUpperCase()),
          'must be an ISO 3166-1 alpha-2 region libphonenumber-js knows, e.g. DE, GB, US (lib/privacy masks phone numbers with it)',
        ),
      ),
    ),
    knoxCredentialsSecretId: v.optional(secretIdParam()),
    operationsHmacSecretId: v.optional(secretIdParam()),
    knoxValidationCertSecretId: v.optional(secretIdParam()),
    logLevel: v.optional(
      v.pipe(
        v.unknown(),
        v.check(
          (value) =>
            typeof value === 'string' &&
            ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'].includes(value.toUpperCase()),
          'must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT (Powertools log levels)',
        ),
      ),
    ),
    logRetentionDays: v.optional(
      v.pipe(
        v.unknown(),
        v.check(
          (value) => (LOG_RETENTION_DAYS as readonly number[]).includes(toNumber(value)),
          `must be one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs RetentionInDays)`,
        ),
      ),
    ),
    tracing: v.optional(
      v.pipe(
        v.unknown(),
        v.check(
          (value) => [true, false, 'true', 'false', 'Active', 'PassThrough'].includes(value as string),
          'must be true, false, Active or PassThrough (serverless provider.tracing.lambda)',
        ),
      ),
    ),
    alertEmails: v.optional(
      subscriberListParam(
        ALERT_SLOTS.alertEmails,
        (entry) => (isEmail(entry) ? entry : undefined),
        'an e-mail address (name@domain.tld)',
      ),
    ),
    alertPhones: v.optional(
      subscriberListParam(
        ALERT_SLOTS.alertPhones,
        toE164,
        'an international phone number (+<country code><number>; SNS SMS subscriptions get it as E.164)',
      ),
    ),
    workerBatchSize: v.optional(integerParam(1, 10, 'SQS event source BatchSize without a batching window')),
    workerMaxConcurrency: v.optional(
      integerParam(2, 1000, 'SQS event source ScalingConfig MaximumConcurrency'),
    ),
    workerReservedConcurrency: v.optional(
      integerParam(0, Number.POSITIVE_INFINITY, 'Lambda reserved concurrency'),
    ),
    webhookReservedConcurrency: v.optional(
      integerParam(0, Number.POSITIVE_INFINITY, 'Lambda reserved concurrency'),
    ),
    maxReceiveCount: v.optional(integerParam(1, 1000, 'SQS redrive policy maxReceiveCount')),
    scheduleTimezone: v.optional(
      v.pipe(
        v.unknown(),
        v.check(
          isTimeZone,
          'must be an IANA time zone such as Europe/Berlin or UTC (EventBridge Scheduler ScheduleExpressionTimezone)',
        ),
      ),
    ),
    approvePendingSchedule: v.optional(scheduleParam()),
    overdueLockSchedule: v.optional(scheduleParam()),
    paymentReminderSchedule: v.optional(scheduleParam()),
    licenceHealthSchedule: v.optional(scheduleParam()),
    targetsExpirationDays: v.optional(
      integerParam(1, Number.POSITIVE_INFINITY, 'S3 lifecycle ExpirationInDays'),
    ),
    runReportRetentionDays: v.optional(
      integerParam(1, Number.POSITIVE_INFINITY, 'S3 lifecycle ExpirationInDays'),
    ),
    // S3 buckets take no Snapshot (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html).
    dataDeletionPolicy: v.optional(
      oneOfParam(
        ['Delete', 'Retain', 'RetainExceptOnDelete'],
        'CloudFormation DeletionPolicy of the table and buckets',
      ),
    ),
    billingAccessPolicy: v.optional(booleanTextParam('stack parameter BillingAccessPolicyEnabled')),
    smsIncludeReminders: v.optional(booleanTextParam('stack parameter SmsIncludeReminders')),
    scheduledRunRetryAttempts: v.optional(integerParam(0, 2, 'Lambda MaximumRetryAttempts')),
    scheduledRunMaxEventAgeSeconds: v.optional(integerParam(60, 21600, 'Lambda MaximumEventAgeInSeconds')),
    httpApiRateLimit: v.optional(
      v.pipe(
        v.unknown(),
        v.check(
          (value) => toNumber(value) >= 0,
          'must be a number, 0 or more (HTTP API ThrottlingRateLimit)',
        ),
      ),
    ),
    httpApiBurstLimit: v.optional(integerParam(0, Number.POSITIVE_INFINITY, 'HTTP API ThrottlingBurstLimit')),
    queueAgeAlarmSeconds: v.optional(positiveNumberParam('CloudWatch alarm Threshold, seconds')),
  });
}

/** {@link buildStageParamsSchema}, built once. */
export function stageParamsSchema(): ReturnType<typeof buildStageParamsSchema> {
  schema ??= buildStageParamsSchema();
  return schema;
}

/**
 * The params {@link checkStageParams} checks, in serverless.yml's order (scripts/stage-config.cjs
 * resolves each of them).
 *
 * @example
 * checkedStageParams().includes('maxReceiveCount'); // true
 */
export function checkedStageParams(): readonly string[] {
  return Object.keys(stageParamsSchema().entries);
}

/** What a stage's params become once checked: booleans for the stack's parameters as "true"/"false". */
export type CheckedStageParams = JobParams;

// Subscriber lists are personal data (lib/privacy): their values never go into an error.
const PERSONAL: readonly string[] = ['alertEmails', 'alertPhones'];

/**
 * Checks each stage param that reaches the template or a function's environment against what
 * AWS, or the functions' own config, accepts ({@link buildStageParamsSchema}); a param that is absent
 * (not resolvable yet, e.g. a `${ssm:...}` value at build time) is not checked.
 *
 * @returns the params with `billingAccessPolicy` and `smsIncludeReminders` as "true"/"false"
 *   (YAML booleans accepted), `alertPhones` in E.164 (`+49 89 2024 7711` -> `+498920247711`), the others as given.
 * @throws {StageParamError} one error for the stage, one line per param at fault (its value
 *   quoted, except alert subscribers').
 * @example
 * checkStageParams('prod', { maxReceiveCount: 0 });
 * // StageParamError: Stage prod: these params hold values AWS would refuse at deploy:
 * //   - param maxReceiveCount is 0: must be a whole number from 1 to 1000 (SQS redrive policy maxReceiveCount)
 */
export function checkStageParams(stage: string, params: JobParams): CheckedStageParams {
  const present = Object.fromEntries(
    checkedStageParams()
      .filter((name) => params[name] !== undefined)
      .map((name) => [name, params[name]]),
  );
  const result = v.safeParse(stageParamsSchema(), present, { abortPipeEarly: true });
  if (result.success) return { ...params, ...(result.output as Record<string, JobParamValue>) };
  const lines = new Map<string, string>();
  for (const issue of result.issues) {
    const name = String(issue.path?.[0]?.key ?? '');
    if (lines.has(name)) continue;
    const value = PERSONAL.includes(name) ? '' : ` is ${JSON.stringify(params[name])}`;
    lines.set(name, `param ${name}${value}: ${issue.message}`);
  }
  throw new StageParamError(
    stage,
    [...lines.keys()],
    [
      `${lines.size === 1 ? 'this param holds a value' : 'these params hold values'} AWS would refuse at deploy (or the functions at their first start):`,
      ...[...lines.values()].map((line) => `  - ${line}`),
      `Set each in serverless.yml (params.${stage}.<name>, or params.default) or with --param="<name>=<value>" (docs/operator-guide.md, "Setting parameters").`,
    ].join('\n'),
  );
}
