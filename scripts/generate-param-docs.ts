import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  type JobParams,
  OPERATION_REQUIRES,
  planJobSchedules,
  referencedJobParams,
  resolveJobsConfig,
  serviceEnvDefaults,
} from '../lib/config';
import { MESSAGE_RULES } from '../lib/knox/operationRules';
import { parseScriptArgs } from './parseScriptArgs';
import {
  isIntrinsic,
  parseCloudFormationYaml,
  readServerlessManifest,
  type ServerlessManifest,
  stageParams,
} from './serverlessManifest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What each serverless.yml param means; a param missing here fails the docs build (and its test). */
export const PARAM_DOCS: Readonly<Record<string, string>> = {
  knoxBaseUrl: 'Knox Guard API host: the EU tenant default, or `https://us-kcs-api.samsungknox.com`',
  knoxConsoleUrl: 'Knox console link in alerts',
  scheduledRunRetryAttempts:
    "Lambda's asynchronous retries of a scheduled run that throws (0-2); then the on-failure queue and a SCHEDULED_RUN_FAILED alert",
  scheduledRunMaxEventAgeSeconds: "how long a scheduled-run event may wait in Lambda's queue (60-21600 s)",
  webhookReservedConcurrency: 'concurrency reserved for the webhook function',
  httpApiRateLimit: 'HTTP API default-route steady rate (requests per second)',
  httpApiBurstLimit: 'HTTP API default-route burst (requests)',
  queueAgeAlarmSeconds: 'alarm when the oldest message of the operations or on-failure queue is older (s)',
  smsIncludeReminders:
    '`true`: SMS subscriptions also get the "still failing" reminders (true or false, quoted or not)',
  defaultPhoneRegion:
    'ISO 3166-1 region for masking phone numbers written without `+` in alerts and logs (e.g. DE, GB, US)',
  knoxApiPrefix: "Knox Guard API path prefix; `/kcs/v1.1/kg-integration` is Samsung's test environment",
  knoxUnverifiedLicenceApi:
    '"true": licence-health calls the licence paths no public source confirms (check them with `npm run knox:check`); otherwise its schedule stays `DISABLED`',
  knoxCredentialsSecretId:
    'Secrets Manager secret: Knox Guard API credentials `{"clientIdentifier", "certificate"}`',
  operationsHmacSecretId: 'Secrets Manager secret: the `POST /operations` HMAC secret',
  knoxValidationCertSecretId:
    'Secrets Manager secret: the Samsung Knox validation certificate (PEM) callbacks are verified with',
  logLevel: 'Powertools log level',
  logRetentionDays: 'CloudWatch Logs retention (days)',
  tracing: 'AWS X-Ray tracing of the functions',
  alertEmails:
    "alert e-mail subscribers: comma-separated, no spaces, up to 5 (infra/alerts.yml's slots: more is refused)",
  alertPhones:
    'critical-alert SMS subscribers: comma-separated international numbers (`+4915112345678`, spaces allowed; SNS gets E.164), up to 3 (more is refused)',
  knoxRateLimitPerSecond:
    "the tenant's Knox Guard rate limit (requests/s; measure it: Knox publishes none); the worker params below are planned from it",
  workerBatchSize: 'SQS messages (chunks) per worker invocation',
  workerMaxConcurrency: "SQS event source's maximum concurrency",
  workerReservedConcurrency: "the worker's reserved concurrency",
  maxReceiveCount: 'deliveries before a chunk moves to the operations DLQ',
  scheduleTimezone: 'IANA time zone of the schedule expressions',
  schedulesState:
    '`ENABLED` lets schedules run (a device job still waits for its params); an `ENABLED` stage refuses sample values',
  approvePendingEnabled:
    '`true` runs approve-pending (approves every Pending device, one licence seat each); opt-in',
  overdueLockMessage: `lock-screen message of overdue-lock (at most ${MESSAGE_RULES.lock.maxLength} characters)`,
  paymentReminderMessage: `message payment-reminder blinks (at most ${MESSAGE_RULES.blink.maxLength} characters)`,
  lockedNoticeMessage: `message locked-notice sends (at most ${MESSAGE_RULES.sendMessage.maxLength} characters, a limit no source confirms; the job is also \`enabled: false\`)`,
  lockContactTel: 'phone number a locked or reminded device shows',
  lockContactEmail: 'e-mail address a locked device shows',
  approvePendingSchedule: 'when approve-pending runs',
  overdueLockSchedule: 'when overdue-lock runs',
  paymentReminderSchedule: 'when payment-reminder runs',
  licenceHealthSchedule: 'when licence-health runs',
  targetsExpirationDays: 'days before device lists in the targets bucket expire',
  runReportRetentionDays:
    'days before the failed-device lists of runs (CSV, full ids) in the run-reports bucket expire (docs/run-reports.md)',
  dataDeletionPolicy:
    '`Retain` keeps the state table, the targets bucket and the run-reports bucket when the stack is removed',
  billingAccessPolicy:
    '`true` creates the IAM managed policy for the billing system (infra/billing-access.yml; true or false, quoted or not)',
};

/** What each environment variable the functions read means. */
export const ENV_DOCS: Readonly<Record<string, string>> = {
  STAGE: 'the stage (alert labels, jobs.yml stage overrides)',
  STATE_TABLE: 'DynamoDB table: alert state, idempotency records, run tracking',
  ALERT_TOPIC_ARN: 'SNS alert topic',
  OPERATIONS_QUEUE_URL: 'SQS queue of chunk messages',
  KNOX_EVENTS_QUEUE_URL: 'SQS queue of admitted Knox callback events (docs/knox-callbacks.md)',
  TARGETS_BUCKET: 'S3 bucket the billing system drops device lists into',
  AWS_REGION:
    "set by Lambda itself: the region named in the run reports' S3 console links (`us-east-1` when unset)",
  RUN_REPORTS_BUCKET:
    'S3 bucket runs write their failed-device lists to (`reports/<job>/<runId>/chunk-<n>.csv`); unset: none written',
  KNOX_BASE_URL: 'Knox Guard API host',
  KNOX_CREDENTIALS_SECRET_ID: 'Secrets Manager secret id of the Knox Guard credentials',
  OPERATIONS_HMAC_SECRET_ID: 'Secrets Manager secret id of the `POST /operations` HMAC secret',
  KNOX_VALIDATION_CERT_SECRET_ID: 'Secrets Manager secret id of the Knox validation certificate',
  KNOX_CONSOLE_URL: 'Knox console link in alerts',
  KNOX_RATE_LIMIT_PER_SECOND:
    "the tenant's Knox Guard rate limit: each client's request rate is planned from it",
  KNOX_LATENCY_MS: 'typical Knox Guard response time, for the same plan',
  KNOX_BULK_LIMIT: 'devices per Knox Guard bulk request',
  DEFAULT_PHONE_REGION:
    'ISO 3166-1 region in which phone numbers written without `+` are recognised for masking (default DE)',
  KNOX_API_PREFIX: "Knox Guard API path prefix (`/kcs/v1.1/kg-integration` for Samsung's test environment)",
  KNOX_UNVERIFIED_LICENCE_API:
    "'true' calls the licence paths no source confirms (the licence-health job needs them; docs/knox-api-contract.md)",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: jobs.yml's own reference syntax, shown in the docs
  JOB_PARAMS: 'the params config/jobs.yml references (`${param:...}`), as JSON',
  JOBS_CONFIG_PATH: 'read jobs.yml (YAML or JSON) from this file instead of the embedded copy',
  POWERTOOLS_SERVICE_NAME: 'Powertools service name (logs, metrics)',
  POWERTOOLS_METRICS_NAMESPACE: 'CloudWatch metrics namespace',
  POWERTOOLS_LOG_LEVEL: 'Powertools log level',
  NODE_OPTIONS: 'stack traces through the bundled source maps',
  LAMBDA_TASK_ROOT: 'where jobs.yml is looked for when no embedded copy exists',
  AWS_ENDPOINT_URL_SNS: 'AWS SDK endpoint override (fauxqs)',
  AWS_ENDPOINT_URL_SQS: 'AWS SDK endpoint override (fauxqs)',
  AWS_ENDPOINT_URL_S3: 'AWS SDK endpoint override (fauxqs)',
  AWS_ENDPOINT_URL_DYNAMODB: 'AWS SDK endpoint override (dynalite)',
  KNOX_CREDENTIALS_JSON: 'the Knox Guard credentials themselves instead of their secret',
  OPERATIONS_HMAC_SECRET: 'the HMAC secret itself instead of its secret id',
  KNOX_VALIDATION_CERT_PEM: 'the validation certificate itself instead of its secret id',
};

// Variables nothing in serverless.yml sets, and who does.
const SET_ELSEWHERE: Readonly<Record<string, string>> = {
  LAMBDA_TASK_ROOT: 'the Lambda runtime',
  JOBS_CONFIG_PATH: 'local runs only (`local/embedded`)',
  AWS_ENDPOINT_URL_SNS: 'local runs only (`local/embedded`)',
  AWS_ENDPOINT_URL_SQS: 'local runs only (`local/embedded`)',
  AWS_ENDPOINT_URL_S3: 'local runs only (`local/embedded`)',
  AWS_ENDPOINT_URL_DYNAMODB: 'local runs only (`local/embedded`)',
  KNOX_CREDENTIALS_JSON: 'local runs only (`local/embedded`)',
  OPERATIONS_HMAC_SECRET: 'local runs only (`local/embedded`)',
  KNOX_VALIDATION_CERT_PEM: 'local runs only (`local/embedded`)',
};

const code = (text: string): string => `\`${text.replaceAll('|', '\\|')}\``;

function formatValue(value: unknown): string {
  if (value === undefined) return '';
  if (value === '') return 'empty';
  if (isIntrinsic(value)) return code(`${value.tag} ${formatValue(value.value).replaceAll('`', '')}`);
  if (Array.isArray(value)) return value.map(formatValue).join(', ');
  return code(String(value));
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** Inputs of the generated tables, read from the repository. */
export interface ParamDocsSources {
  readonly manifest: ServerlessManifest;
  /** config/jobs.yml as data. */
  readonly jobs: unknown;
  /** infra/schedules.yml text (to map each job to its schedule param). */
  readonly schedules: string;
  /** Source files whose `process.env.X` reads count: functions/** and lib/config/*. */
  readonly sources: readonly { readonly path: string; readonly text: string }[];
}

/**
 * The stage-parameter table: every param of serverless.yml with its default, each stage's
 * override and what it means. Throws when a param has no entry in {@link PARAM_DOCS}.
 *
 * @example
 * renderParamTable(await readParamDocsSources()); // '| param | default | dev | ci | prod | meaning |\n...'
 */
export function renderParamTable({ manifest, jobs }: ParamDocsSources): string {
  const stages = Object.keys(manifest.params).filter((stage) => stage !== 'default');
  const names = [...new Set(Object.values(manifest.params).flatMap((params) => Object.keys(params)))];
  const usedBy = jobsByParam(jobs);
  const undocumented = names.filter((name) => PARAM_DOCS[name] === undefined);
  if (undocumented.length > 0) {
    throw new Error(`serverless.yml params without a description in PARAM_DOCS: ${undocumented.join(', ')}`);
  }
  const rows = names.map((name) => {
    const jobsUsing = usedBy.get(name);
    const meaning = jobsUsing
      ? `${PARAM_DOCS[name]}; unset keeps ${jobsUsing.join(', ')} disabled`
      : (PARAM_DOCS[name] as string);
    return [
      code(name),
      formatValue(manifest.params.default?.[name]),
      ...stages.map((stage) => formatValue(manifest.params[stage]?.[name])),
      meaning,
    ];
  });
  return table(['param', 'default', ...stages, 'meaning'], rows);
}

/**
 * The jobs table: each job of config/jobs.yml, its operation, its schedule param and the params
 * it needs before it runs (a `${param:...}` it references, or a param its operation requires,
 * `OPERATION_REQUIRES`), with what each serverless.yml stage would do with it as shipped: the
 * schedule state `planJobSchedules` gives (the same decision `serverless package` makes), and
 * why it is off when `schedulesState` alone does not say.
 *
 * @example
 * renderJobTable(await readParamDocsSources());
 */
export function renderJobTable({ manifest, jobs, schedules }: ParamDocsSources): string {
  const stages = Object.keys(manifest.params).filter((stage) => stage !== 'default');
  const scheduleParam = scheduleParamsByJob(schedules);
  const base = resolveJobsConfig(jobs, 'default-docs');
  const plans = new Map(
    stages.map((stage) => {
      // A value that is itself a serverless variable (`${sls:stage}`) is known only at deploy time.
      const params = Object.fromEntries(
        Object.entries(stageParams(manifest, stage)).filter(([, value]) => !String(value).includes('${')),
      ) as JobParams;
      return [stage, planJobSchedules({ jobs, stage, params })] as const;
    }),
  );
  const rows = [...base.jobs.values()].map((job) => {
    const requires = OPERATION_REQUIRES[job.operation];
    const needs = [
      ...new Set(Object.values(job.paramFields ?? {}).flat()),
      ...(requires ? [`${requires.param}: "${requires.value}"`] : []),
    ];
    const runs = stages.map((stage) => {
      const plan = plans.get(stage);
      if (!scheduleParam.has(job.name) || !plan) return 'no schedule';
      if (plan.states[job.name] === 'ENABLED') return 'runs';
      return plan.schedulesEnabled ? `off: ${plan.disabledBecause[job.name]}` : 'off';
    });
    return [
      code(job.name),
      code(job.operation),
      scheduleParam.has(job.name) ? code(scheduleParam.get(job.name) as string) : 'none',
      needs.length > 0 ? needs.map(code).join(', ') : '-',
      ...runs,
    ];
  });
  return table(
    ['job', 'operation', 'schedule param', 'needs params', ...stages.map((s) => `${s} as shipped`)],
    rows,
  );
}

/**
 * The environment table: every variable the functions read (the lib/config service schema, and
 * `process.env.X` anywhere in functions/ and lib/), where it is set and its default.
 *
 * @example
 * renderEnvTable(await readParamDocsSources());
 */
export function renderEnvTable({ manifest, sources }: ParamDocsSources): string {
  const readers = new Map<string, Set<string>>();
  const note = (name: string, reader: string): void => {
    const set = readers.get(name) ?? new Set<string>();
    set.add(reader);
    readers.set(name, set);
  };
  const defaults = serviceEnvDefaults();
  for (const name of Object.keys(defaults)) note(name, '`lib/config` (validated)');
  for (const { path, text } of sources) {
    // Code only: TSDoc examples name variables the service never reads.
    const program = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const match of program.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) {
      note(match[1] as string, `\`${path}\``);
    }
  }
  for (const name of Object.keys(manifest.environment))
    if (!readers.has(name)) note(name, 'Powertools / Node.js');
  const undocumented = [...readers.keys()].filter((name) => ENV_DOCS[name] === undefined);
  if (undocumented.length > 0) {
    throw new Error(`environment variables without a description in ENV_DOCS: ${undocumented.join(', ')}`);
  }
  const rows = [...readers.keys()].sort().map((name) => {
    const value = manifest.environment[name];
    const perFunction = Object.entries(manifest.functionEnvironment)
      .filter(([, env]) => name in env)
      .map(([fn, env]) => `serverless.yml \`functions.${fn}\`: ${formatValue(env[name])}`);
    const where =
      value !== undefined
        ? `serverless.yml: ${formatValue(value)}`
        : perFunction.length > 0
          ? perFunction.join('; ')
          : (SET_ELSEWHERE[name] ?? 'nothing: the default applies');
    const fallback = defaults[name];
    return [
      code(name),
      ENV_DOCS[name] as string,
      where,
      fallback === undefined ? '' : code(fallback),
      [...(readers.get(name) ?? [])].join(', '),
    ];
  });
  return table(['variable', 'meaning', 'set by', 'default', 'read by'], rows);
}

function jobsByParam(jobs: unknown): Map<string, string[]> {
  const byParam = new Map<string, string[]>();
  const names = Object.keys((jobs as { jobs?: Record<string, unknown> }).jobs ?? {});
  for (const job of names) {
    const entry = (jobs as { jobs: Record<string, unknown> }).jobs[job];
    for (const param of referencedJobParams(entry)) byParam.set(param, [...(byParam.get(param) ?? []), job]);
  }
  return byParam;
}

function scheduleParamsByJob(schedules: string): Map<string, string> {
  const byJob = new Map<string, string>();
  const template = parseCloudFormationYaml(schedules) as {
    Resources: Record<
      string,
      { Type: string; Properties: { ScheduleExpression: string; Target: { Input: string } } }
    >;
  };
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Scheduler::Schedule') continue;
    // The input names the job; the expression is `${param:<name>}`.
    const { job } = JSON.parse(resource.Properties.Target.Input) as { job: string };
    const param = /^\$\{param:(\w+)\}$/.exec(resource.Properties.ScheduleExpression)?.[1];
    if (param) byJob.set(job, param);
  }
  return byJob;
}

const MARKERS = {
  params: 'stage-params',
  jobs: 'job-params',
  env: 'env-vars',
} as const;

/**
 * Replaces the text between `<!-- generated:<name> -->` and `<!-- /generated:<name> -->` with
 * `body`; throws when the markers are missing, so a moved heading cannot silently stop the docs
 * from updating.
 *
 * @example
 * replaceBetweenMarkers(guide, 'env-vars', renderEnvTable(sources));
 */
export function replaceBetweenMarkers(text: string, name: string, body: string): string {
  const begin = `<!-- generated:${name} (npm run docs:params; do not edit) -->`;
  const end = `<!-- /generated:${name} -->`;
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`markers ${begin} ... ${end} not found`);
  return `${text.slice(0, start + begin.length)}\n${body}\n${text.slice(stop)}`;
}

/**
 * The file the generated tables live in (docs/operator-guide.md: parameters, jobs, environment),
 * as it should read.
 */
export async function renderParamDocs(
  sources: ParamDocsSources,
  files: { readonly guide: string },
): Promise<{ guide: string }> {
  let guide = replaceBetweenMarkers(files.guide, MARKERS.params, renderParamTable(sources));
  guide = replaceBetweenMarkers(guide, MARKERS.jobs, renderJobTable(sources));
  guide = replaceBetweenMarkers(guide, MARKERS.env, renderEnvTable(sources));
  return { guide };
}

/** Reads serverless.yml, config/jobs.yml, infra/schedules.yml and the sources that read `process.env`. */
export async function readParamDocsSources(root = ROOT): Promise<ParamDocsSources> {
  const manifest = await readServerlessManifest(join(root, 'serverless.yml'));
  const jobs: unknown = parseYaml(await readFile(join(root, 'config', 'jobs.yml'), 'utf8'));
  const schedules = await readFile(join(root, 'infra', 'schedules.yml'), 'utf8');
  const files = [
    ...(await readdir(join(root, 'functions'), { recursive: true })).map((file) => join('functions', file)),
    ...(await readdir(join(root, 'lib'), { recursive: true })).map((file) => join('lib', file)),
  ].filter((file) => file.endsWith('.ts'));
  const sources = await Promise.all(
    files.sort().map(async (path) => ({ path, text: await readFile(join(root, path), 'utf8') })),
  );
  return { manifest, jobs, schedules, sources };
}

export const DOC_FILES = {
  guide: join(ROOT, 'docs', 'operator-guide.md'),
} as const;

async function main(): Promise<void> {
  parseScriptArgs({}, 'usage: npm run docs:params');
  const sources = await readParamDocsSources();
  const current = {
    guide: await readFile(DOC_FILES.guide, 'utf8'),
  };
  const next = await renderParamDocs(sources, current);
  for (const key of ['guide'] as const) {
    await writeFile(DOC_FILES[key], next[key]);
    console.log(`wrote ${relative(ROOT, DOC_FILES[key])}`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
