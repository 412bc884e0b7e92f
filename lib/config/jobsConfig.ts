// valibot: its functions tree-shake and a schema is a plain object, so building these costs
// next to nothing at cold start (docs/performance.md has what zod cost here).
import * as v from 'valibot';
import { parseDeviceId } from '../devices';
import { DEVICE_STATUSES, type DeviceOperation, KNOX_BULK_LIMIT } from '../knox/constants';
import { messageProblems, operationOptionIssues } from '../knox/operationRules';
import { maskDeviceId } from '../privacy';
import { emailAddress, formatIssues, issuePath, nonArray, sqsText } from '../validation';
import { ConfigError } from './errors';
import { isUnsetParam, type JobParams, type JobParamValue, resolveJobParams } from './jobParams';

// The device operations a scheduled job may run, named as lib/knox names them (the rest, such as
// reject or cancelComplete, answer one device's situation, not a schedule's).
const JOB_DEVICE_OPERATIONS = [
  'lock',
  'unlock',
  'blink',
  'sendMessage',
  'approve',
  'complete',
  'delete',
] as const satisfies readonly DeviceOperation[];

/** Operations a job may run. Device operations go to Knox Guard per device; licence-health checks seats. */
export const JobOperation = {
  ...(Object.fromEntries(JOB_DEVICE_OPERATIONS.map((operation) => [operation, operation])) as {
    readonly [O in (typeof JOB_DEVICE_OPERATIONS)[number]]: O;
  }),
  licenceHealth: 'licence-health',
} as const;
export type JobOperation = (typeof JobOperation)[keyof typeof JobOperation];
export type DeviceJobOperation = Exclude<JobOperation, 'licence-health'>;

// The same reading of a device id as every other entry point (lib/devices): an inline target is
// sent to Knox Guard in its normalised form, and a typo fails the deploy, not the 3 a.m. run.
const deviceUid = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const parsed = parseDeviceId(dataset.value);
    if (parsed.ok) return parsed.value;
    addIssue({ message: `"${maskDeviceId(dataset.value.trim())}" is ${parsed.reason}` });
    return NEVER;
  }),
);

const targetsSchema = v.variant('source', [
  v.strictObject({
    source: v.literal('inline'),
    deviceUids: v.pipe(v.array(deviceUid), v.minLength(1)),
  }),
  v.strictObject({
    source: v.literal('s3'),
    key: v.pipe(v.string(), v.minLength(1)),
    /** Defaults to the key's extension. */
    format: v.optional(v.picklist(['csv', 'json'])),
    /** CSV column holding the device id (default: the first column named deviceUid/imei/serial, else the first). */
    column: v.optional(v.string()),
    /** CSV separator; detected from the header line (`,` `;` or tab) when not set. */
    delimiter: v.optional(
      v.pipe(
        v.picklist([',', ';', '\t', 'tab'], 'delimiter must be ",", ";" or "tab"'),
        v.transform((d) => (d === 'tab' ? '\t' : d) as ',' | ';' | '\t'),
      ),
    ),
  }),
  v.strictObject({
    source: v.literal('knox'),
    filter: nonArray(
      v.strictObject({
        status: v.optional(v.pipe(v.array(v.picklist(DEVICE_STATUSES)), v.minLength(1))),
        simControlEnabled: v.optional(v.boolean()),
        search: v.optional(v.string()),
      }),
    ),
  }),
]);
export type JobTargets = v.InferOutput<typeof targetsSchema>;

// Shared by a job's own chunkSize / inlineLimit and the file's defaults for them.
const chunkSize = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(KNOX_BULK_LIMIT));
const inlineLimit = v.pipe(v.number(), v.integer(), v.minValue(0));

const contactSchema = nonArray(
  v.strictObject({
    tel: v.optional(
      // The message describes the format: an example number would be one the placeholder check
      // refuses (lib/config/findPlaceholder.ts), and an operator copies examples.
      v.pipe(
        v.string(),
        v.regex(
          /^\+?[\d\s().-]{6,20}$/,
          'tel must be a phone number: E.164, e.g. +<country code><number>, spaces allowed (6-20 characters)',
        ),
      ),
    ),
    email: v.optional(v.pipe(v.string(), emailAddress())),
  }),
);

// `enabled: ${param:approvePendingEnabled}` arrives as a boolean from serverless.yml and as the
// text "true"/"false" from `--param`.
const enabledFlag = v.union(
  [
    v.boolean(),
    v.pipe(
      v.picklist(['true', 'false'], 'enabled must be true or false'),
      v.transform((text) => text === 'true'),
    ),
  ],
  'enabled must be true or false',
);

const optionValue = v.union([v.string(), v.number(), v.boolean(), v.array(v.unknown())]);
/** Problems of a job's `options` against the operation's row of `OPERATION_RULES`. */
function optionIssues(operation: JobOperation, options: Readonly<Record<string, unknown>>): string[] {
  if (operation === 'licence-health') return ['licence-health takes no options'];
  // One value for every device of a job would tie them all to one billing record.
  return operationOptionIssues(operation, options, { perDevice: false });
}

const jobSchema = v.pipe(
  v.strictObject({
    description: v.optional(v.string()),
    operation: v.picklist(Object.values(JobOperation) as [JobOperation, ...JobOperation[]]),
    enabled: v.optional(enabledFlag, true),
    targets: v.optional(targetsSchema),
    message: v.optional(v.pipe(v.string(), v.minLength(1), sqsText())),
    contact: v.optional(contactSchema),
    /**
     * The operation's other optional body fields (blink `interval`, `timeLimit`, sendMessage
     * `enableFullscreen`, approve `approveComment`, ...): names, types and lengths as
     * `OPERATION_RULES` (lib/knox/operationRules.ts) has them for the job's operation.
     */
    options: v.optional(nonArray(v.record(v.string(), optionValue))),
    /** licence-health: alert when fewer free seats than this remain. */
    minFreeSeats: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    /** Devices per chunk (SQS message); at most the Knox Guard bulk limit. */
    chunkSize: v.optional(chunkSize),
    /** Jobs with at most this many targets run inline in the scheduled invocation. */
    inlineLimit: v.optional(inlineLimit),
    /** Alert routing overrides for this job, validated by lib/alerts. */
    alerts: v.optional(v.unknown()),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    // Only once every field has its type, so the rules below can rely on them.
    if (!dataset.typed) return;
    const job = dataset.value;
    const at = (key: 'targets' | 'message' | 'contact' | 'options', message: string): void =>
      addIssue({
        message,
        path: [{ type: 'object', origin: 'value', input: job, key, value: job[key] }],
      });
    // Wrong option names are wrong whether the job runs or not.
    if (job.options) for (const issue of optionIssues(job.operation, job.options)) at('options', issue);
    // A disabled job never runs: what it would need is checked once a stage enables it.
    if (job.operation === 'licence-health' || !job.enabled) return;
    if (!job.targets) at('targets', `${job.operation} needs targets`);
    // One table of limits for client, config, webhook and simulator (lib/knox/operationRules.ts).
    const { message, contact } = job;
    for (const problem of messageProblems(job.operation, {
      message,
      tel: contact?.tel,
      email: contact?.email,
    })) {
      if (problem.kind === 'missing') at('message', `${job.operation} needs a message`);
      else if (problem.kind === 'tooLong')
        at('message', `${job.operation} message is over ${problem.maxLength} characters`);
      else at('contact', `${job.operation} needs a contact tel or email`);
    }
  }),
);
export type JobConfig = v.InferOutput<typeof jobSchema> & {
  readonly name: string;
  /** Set by `resolveJobsConfig`: field path -> the `${param:...}` names its value came from. */
  readonly paramFields?: Readonly<Record<string, readonly string[]>>;
  /** Set by `resolveJobsConfig`: referenced parameters without a value; the job is then disabled. */
  readonly unsetParams?: readonly string[];
};

const defaultsSchema = nonArray(
  v.strictObject({
    chunkSize: v.optional(chunkSize, 1_000),
    inlineLimit: v.optional(inlineLimit, 2_000),
    alerts: v.optional(v.unknown()),
  }),
);

const fileSchema = v.strictObject({
  defaults: v.optional(defaultsSchema, { chunkSize: 1_000, inlineLimit: 2_000 }),
  jobs: nonArray(
    v.record(
      v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'job names are lower-case kebab-case')),
      v.unknown(),
    ),
  ),
  stages: v.optional(
    nonArray(
      v.record(
        v.string(),
        nonArray(
          v.strictObject({
            jobs: v.optional(nonArray(v.record(v.string(), v.unknown()))),
            alerts: v.optional(v.unknown()),
            /** Values for `${param:...}` in this stage when the deployment gives none (local runs). */
            params: v.optional(
              nonArray(v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.null()]))),
            ),
          }),
        ),
      ),
    ),
    {},
  ),
});

export interface JobsConfig {
  readonly stage: string;
  readonly defaults: { readonly chunkSize: number; readonly inlineLimit: number };
  /** Alert rules for the whole stage (defaults, then the stage's own), validated by lib/alerts. */
  readonly alerts: unknown;
  readonly jobs: ReadonlyMap<string, JobConfig>;
}

/** A configuration file that does not validate; `issues` lists every problem with its path. */
export class JobsConfigError extends ConfigError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super(`Invalid jobs configuration:\n  - ${issues.join('\n  - ')}`, options);
    this.name = 'JobsConfigError';
    this.issues = issues;
  }
}

/**
 * Validates an already parsed jobs configuration (the YAML document as plain data) for one
 * stage: the stage's `jobs` entries are merged over the base jobs key by key, `${param:<name>}`
 * references are replaced with the stage's parameters, defaults are applied, and every problem
 * is reported at once as a `JobsConfigError` listing paths such as `jobs.overdue-lock.message`;
 * a problem with a value that came from a parameter names the parameter first (`param
 * overdueLockMessage (jobs.overdue-lock.message): lock message is over 350 characters`).
 * Bundles use this on the copy the build embedded, without a YAML parser.
 *
 * Parameters come from `params` (a deployment's serverless.yml params, handed to the functions as
 * `JOB_PARAMS`), falling back on the file's own `stages.<stage>.params` for values `params`
 * leaves unset (how local runs get their sample values). A job that references a parameter
 * without a value is disabled (`enabled: false`, the names in `unsetParams`): a device job never
 * runs with a missing message or contact.
 *
 * @example
 * const config = resolveJobsConfig({ jobs: { 'licence-health': { operation: 'licence-health' } } }, 'prod');
 * config.defaults.chunkSize; // 1000
 */
export function resolveJobsConfig(raw: unknown, stage: string, params: JobParams = {}): JobsConfig {
  const file = v.safeParse(fileSchema, raw);
  if (!file.success) throw new JobsConfigError(formatIssues(file.issues));
  const stageOverrides = file.output.stages[stage];
  const effective: Record<string, JobParamValue | undefined> = { ...stageOverrides?.params };
  for (const [key, value] of Object.entries(params)) if (!isUnsetParam(value)) effective[key] = value;
  const issues: string[] = [];
  const jobs = new Map<string, JobConfig>();
  for (const [name, base] of Object.entries(file.output.jobs)) {
    const override = stageOverrides?.jobs?.[name];
    const merged = isRecord(base) && isRecord(override) ? { ...base, ...override } : (override ?? base);
    const resolved = isRecord(merged) ? resolveJobParams(merged, effective) : undefined;
    const candidate =
      resolved && resolved.unset.length > 0 ? { ...resolved.job, enabled: false } : (resolved?.job ?? merged);
    const parsed = v.safeParse(jobSchema, candidate);
    if (parsed.success) {
      jobs.set(name, {
        ...parsed.output,
        name,
        paramFields: resolved?.fields ?? {},
        unsetParams: resolved?.unset ?? [],
      });
    } else {
      // A field the stage sets is reported where the operator typed it (stages.<stage>.jobs...).
      const fromStage = (key: string | undefined): boolean =>
        override !== undefined && (!isRecord(override) || key === undefined || key in override);
      issues.push(...describeJobIssues(parsed.issues, name, resolved?.fields ?? {}, fromStage, stage));
    }
  }
  for (const name of Object.keys(stageOverrides?.jobs ?? {})) {
    if (!(name in file.output.jobs)) issues.push(`stages.${stage}.jobs.${name}: no such job in jobs`);
  }
  if (issues.length > 0) throw new JobsConfigError(issues);
  return {
    stage,
    defaults: file.output.defaults,
    alerts: mergeAlerts(file.output.defaults.alerts, stageOverrides?.alerts),
    jobs,
  };
}

// An issue about a field the stage's override sets is at `stages.<stage>.jobs.<job>.<field>`, where
// the operator typed it. An issue about a value that came from `${param:x}` names the param first: the operator sets
// `--param="x=..."`, not the jobs.yml path (`param lockContactTel (jobs.overdue-lock.contact.tel):
// tel must be ...`).
function describeJobIssues(
  issues: readonly v.BaseIssue<unknown>[],
  job: string,
  fields: Readonly<Record<string, readonly string[]>>,
  fromStage: (key: string | undefined) => boolean,
  stage: string,
): string[] {
  return issues.map((issue) => {
    const keys = issuePath(issue).map(String);
    const at = [...(fromStage(keys[0]) ? ['stages', stage] : []), 'jobs', job, ...keys].join('.');
    const field = keys
      .map((_, index) => keys.slice(0, keys.length - index).join('.'))
      .find((p) => p in fields);
    const params = field === undefined ? undefined : fields[field];
    return params && params.length > 0
      ? `param ${params.join(', ')} (${at}): ${issue.message}`
      : `${at}: ${issue.message}`;
  });
}

function mergeAlerts(base: unknown, override: unknown): unknown {
  if (isRecord(base) && isRecord(override)) return { ...base, ...override };
  return override ?? base;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
