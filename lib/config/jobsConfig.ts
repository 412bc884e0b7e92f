// zod/mini: its functions tree-shake where classic zod's methods kept ~99 KB in every bundle;
// lib/validation gives it classic zod's English messages.
import * as z from 'zod/mini';
import '../validation';

/** Operations a job may run. Device operations go to Knox Guard per device; licence-health checks seats. */
export const JobOperation = {
  lock: 'lock',
  unlock: 'unlock',
  blink: 'blink',
  sendMessage: 'sendMessage',
  approve: 'approve',
  complete: 'complete',
  delete: 'delete',
  licenceHealth: 'licence-health',
} as const;
export type JobOperation = (typeof JobOperation)[keyof typeof JobOperation];
export type DeviceJobOperation = Exclude<JobOperation, 'licence-health'>;

const KNOX_STATES = [
  'Pending',
  'Accepted',
  'Enrolled',
  'Locked',
  'Completing',
  'Completed',
  'Rejected',
] as const;

const deviceUid = z.string().check(z.trim(), z.minLength(4), z.maxLength(64));

const targetsSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('inline'), deviceUids: z.array(deviceUid).check(z.minLength(1)) }),
  z.strictObject({
    source: z.literal('s3'),
    key: z.string().check(z.minLength(1)),
    /** Defaults to the key's extension. */
    format: z.optional(z.enum(['csv', 'json'])),
    /** CSV column holding the device id (default: the first column named deviceUid/imei/serial, else the first). */
    column: z.optional(z.string()),
  }),
  z.strictObject({
    source: z.literal('knox'),
    filter: z.strictObject({
      status: z.optional(z.array(z.enum(KNOX_STATES)).check(z.minLength(1))),
      simControlEnabled: z.optional(z.boolean()),
      search: z.optional(z.string()),
    }),
  }),
]);
export type JobTargets = z.infer<typeof targetsSchema>;

// Shared by a job's own chunkSize / inlineLimit and the file's defaults for them.
const chunkSize = z.number().check(z.int(), z.gte(1), z.lte(10_000));
const inlineLimit = z.number().check(z.int(), z.gte(0));

const contactSchema = z.strictObject({
  tel: z.optional(
    z.string().check(z.regex(/^\+?[\d\s().-]{6,20}$/, 'tel must be a phone number like +49 30 1234567')),
  ),
  email: z.optional(z.email()),
});

const jobSchema = z
  .strictObject({
    description: z.optional(z.string()),
    operation: z.enum(Object.values(JobOperation) as [JobOperation, ...JobOperation[]]),
    enabled: z._default(z.boolean(), true),
    targets: z.optional(targetsSchema),
    message: z.optional(z.string().check(z.minLength(1))),
    contact: z.optional(contactSchema),
    /** licence-health: alert when fewer free seats than this remain. */
    minFreeSeats: z.optional(z.number().check(z.int(), z.nonnegative())),
    /** Devices per chunk (SQS message); at most the Knox Guard bulk limit. */
    chunkSize: z.optional(chunkSize),
    /** Jobs with at most this many targets run inline in the scheduled invocation. */
    inlineLimit: z.optional(inlineLimit),
    /** Alert routing overrides for this job, validated by lib/alerts. */
    alerts: z.optional(z.unknown()),
  })
  .check(
    z.superRefine((job, ctx) => {
      if (job.operation === 'licence-health') return;
      if (!job.targets)
        ctx.addIssue({ code: 'custom', path: ['targets'], message: `${job.operation} needs targets` });
      if (job.operation === 'lock' || job.operation === 'blink' || job.operation === 'sendMessage') {
        const max = job.operation === 'lock' ? 350 : 200;
        if (!job.message)
          ctx.addIssue({ code: 'custom', path: ['message'], message: `${job.operation} needs a message` });
        else if (job.message.length > max)
          ctx.addIssue({
            code: 'custom',
            path: ['message'],
            message: `${job.operation} message is over ${max} characters`,
          });
      }
      if (
        (job.operation === 'lock' || job.operation === 'blink') &&
        !job.contact?.tel &&
        !job.contact?.email
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['contact'],
          message: `${job.operation} needs a contact tel or email`,
        });
      }
    }),
  );
export type JobConfig = z.infer<typeof jobSchema> & { readonly name: string };

const defaultsSchema = z.strictObject({
  chunkSize: z._default(chunkSize, 1_000),
  inlineLimit: z._default(inlineLimit, 2_000),
  alerts: z.optional(z.unknown()),
});

const fileSchema = z.strictObject({
  defaults: z._default(defaultsSchema, { chunkSize: 1_000, inlineLimit: 2_000 }),
  jobs: z.record(
    z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'job names are lower-case kebab-case')),
    z.unknown(),
  ),
  stages: z._default(
    z.record(
      z.string(),
      z.strictObject({
        jobs: z.optional(z.record(z.string(), z.unknown())),
        alerts: z.optional(z.unknown()),
      }),
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
export class JobsConfigError extends Error {
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super(`Invalid jobs configuration:\n  - ${issues.join('\n  - ')}`, options);
    this.name = 'JobsConfigError';
    this.issues = issues;
  }
}

/**
 * Validates an already parsed jobs configuration (the YAML document as plain data) for one
 * stage: the stage's `jobs` entries are merged over the base jobs key by key, defaults are
 * applied, and every problem is reported at once as a `JobsConfigError` listing paths such as
 * `jobs.overdue-lock.message`. Bundles use this on the copy the build embedded, without a YAML parser.
 *
 * @example
 * const config = resolveJobsConfig({ jobs: { 'licence-health': { operation: 'licence-health' } } }, 'prod');
 * config.defaults.chunkSize; // 1000
 */
export function resolveJobsConfig(raw: unknown, stage: string): JobsConfig {
  const file = fileSchema.safeParse(raw);
  if (!file.success) throw new JobsConfigError(formatIssues(file.error, []));
  const stageOverrides = file.data.stages[stage];
  const issues: string[] = [];
  const jobs = new Map<string, JobConfig>();
  for (const [name, base] of Object.entries(file.data.jobs)) {
    const override = stageOverrides?.jobs?.[name];
    const merged = isRecord(base) && isRecord(override) ? { ...base, ...override } : (override ?? base);
    const parsed = jobSchema.safeParse(merged);
    if (parsed.success) jobs.set(name, { ...parsed.data, name });
    else issues.push(...formatIssues(parsed.error, ['jobs', name]));
  }
  for (const name of Object.keys(stageOverrides?.jobs ?? {})) {
    if (!(name in file.data.jobs)) issues.push(`stages.${stage}.jobs.${name}: no such job in jobs`);
  }
  if (issues.length > 0) throw new JobsConfigError(issues);
  return {
    stage,
    defaults: file.data.defaults,
    alerts: mergeAlerts(file.data.defaults.alerts, stageOverrides?.alerts),
    jobs,
  };
}

function mergeAlerts(base: unknown, override: unknown): unknown {
  if (isRecord(base) && isRecord(override)) return { ...base, ...override };
  return override ?? base;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatIssues(error: z.core.$ZodError, prefix: readonly (string | number)[]): string[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)].join('.');
    return `${path || '(root)'}: ${issue.message}`;
  });
}
