// valibot: its functions tree-shake and a schema is a plain object, so building these costs
// next to nothing at cold start (docs/performance.md has what zod cost here).
import * as v from 'valibot';
import { KNOX_BULK_LIMIT } from '../knox/constants';
import { formatIssues } from '../validation';
import { ConfigError } from './errors';

const nonEmpty = v.pipe(v.string(), v.minLength(1));

// As zod's `z.url()` did: trimmed, and tabs and newlines inside dropped as the URL parser does.
const url = v.pipe(
  v.string(),
  v.trim(),
  v.url(),
  v.transform((text: string) => text.replace(/[\t\n\r]/g, '')),
);

// An environment number as zod's `z.coerce.number()` read it: `Number(text)`, finite.
const envNumber = v.pipe(v.string(), v.transform(Number), v.number(), v.finite());

/**
 * The environment `loadServiceConfig` accepts, variable by variable. Exported so the stage params
 * that become these variables (serverless.yml `provider.environment`) are refused at packaging
 * time by the same rule (checkStageParams), not first at a cold start.
 */
export const serviceEnvSchema = v.object({
  STAGE: nonEmpty,
  STATE_TABLE: nonEmpty,
  ALERT_TOPIC_ARN: nonEmpty,
  OPERATIONS_QUEUE_URL: nonEmpty,
  /** The Knox events queue: the webhook hands admitted Knox callback events to the knoxEvents function. */
  KNOX_EVENTS_QUEUE_URL: v.optional(nonEmpty),
  TARGETS_BUCKET: v.optional(nonEmpty),
  /** Where runs with failed devices write their CSV lists (`reports/<job>/<runId>/`); unset: none written. */
  RUN_REPORTS_BUCKET: v.optional(nonEmpty),
  KNOX_BASE_URL: v.optional(url, 'https://eu-kcs-api.samsungknox.com'),
  /** Secrets Manager secret (name or ARN): the Knox Guard API credentials {clientIdentifier, certificate}. */
  KNOX_CREDENTIALS_SECRET_ID: v.optional(nonEmpty),
  /** Secrets Manager secret: the `POST /operations` HMAC secret (comma-separated while rotating). */
  OPERATIONS_HMAC_SECRET_ID: v.optional(nonEmpty),
  /** Secrets Manager secret: the Samsung Knox validation certificate (PEM) callbacks are verified against. */
  KNOX_VALIDATION_CERT_SECRET_ID: v.optional(nonEmpty),
  KNOX_CONSOLE_URL: v.optional(url, 'https://central.samsungknox.com'),
  /**
   * Requests per second Knox Guard tolerates for this tenant: `planCapacity` (lib/operations)
   * splits it into the scheduler's and each worker's client-side rate limit.
   */
  KNOX_RATE_LIMIT_PER_SECOND: v.optional(v.pipe(envNumber, v.gtValue(0)), '10'),
  /** Typical Knox Guard response time in ms, for the same plan (how many requests one client keeps busy). */
  KNOX_LATENCY_MS: v.optional(v.pipe(envNumber, v.gtValue(0)), '300'),
  KNOX_BULK_LIMIT: v.optional(
    v.pipe(envNumber, v.integer(), v.minValue(1), v.maxValue(KNOX_BULK_LIMIT)),
    String(KNOX_BULK_LIMIT),
  ),
  /** The Knox Guard API prefix (`/kcs/v1.1/kg-integration` for Samsung's test environment). */
  KNOX_API_PREFIX: v.optional(v.pipe(v.string(), v.regex(/^(\/[A-Za-z0-9._-]+)+$/)), '/kcs/v1.1/kg'),
  /** 'true': call the licence paths, which no source confirms (licence-health needs them). */
  KNOX_UNVERIFIED_LICENCE_API: v.optional(v.picklist(['true', 'false']), 'false'),
  /**
   * The stage parameters config/jobs.yml references (`${param:...}`: messages, contacts,
   * approvePendingEnabled) as a JSON object; serverless.yml sets it (scripts/stage-config.cjs).
   * Unset in local runs, which take jobs.yml's `stages.local.params`.
   */
  JOB_PARAMS: v.optional(
    v.pipe(
      v.string(),
      v.parseJson(),
      v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.null()])),
    ),
  ),
  /** Where a packaged handler finds jobs.yml (bundled next to it by default). */
  JOBS_CONFIG_PATH: v.optional(v.string()),
  /** AWS endpoint override for local runs (fauxqs, dynalite); never set in AWS. */
  AWS_ENDPOINT_URL_SNS: v.optional(v.string()),
  AWS_ENDPOINT_URL_SQS: v.optional(v.string()),
  AWS_ENDPOINT_URL_S3: v.optional(v.string()),
  AWS_ENDPOINT_URL_DYNAMODB: v.optional(v.string()),
  /** Local runs only: the three secrets' values themselves instead of their Secrets Manager ids. */
  KNOX_CREDENTIALS_JSON: v.optional(v.string()),
  OPERATIONS_HMAC_SECRET: v.optional(v.string()),
  KNOX_VALIDATION_CERT_PEM: v.optional(v.string()),
});

export type ServiceConfig = Readonly<v.InferOutput<typeof serviceEnvSchema>>;

/** Missing or malformed environment; lists each variable at fault. */
export class ServiceConfigError extends ConfigError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super(`Invalid service environment: ${issues.join('; ')}`, options);
    this.name = 'ServiceConfigError';
    this.issues = issues;
  }
}

/**
 * Reads and validates the environment a handler runs with (names as serverless.yml sets them),
 * applying defaults. Called once per cold start; throws a `ServiceConfigError` naming every
 * missing or malformed variable so a broken deployment fails loudly on its first invocation.
 *
 * @example
 * const config = loadServiceConfig(process.env);
 * config.KNOX_BASE_URL; // 'https://eu-kcs-api.samsungknox.com' unless set
 */
export function loadServiceConfig(env: Readonly<Record<string, string | undefined>>): ServiceConfig {
  const result = v.safeParse(serviceEnvSchema, env);
  if (!result.success) throw new ServiceConfigError(formatIssues(result.issues));
  return result.output;
}

/**
 * Every variable `loadServiceConfig` reads, with the default it applies when the variable is
 * unset (`undefined`: none). For the generated environment table (`npm run docs:params`); a
 * function, not a constant, so the bundles drop it.
 *
 * @example
 * serviceEnvDefaults().KNOX_LATENCY_MS; // '300'
 */
export function serviceEnvDefaults(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(serviceEnvSchema.entries).map(([name, schema]) => [
      name,
      v.getDefault(schema as v.OptionalSchema<v.GenericSchema, unknown>) as string | undefined,
    ]),
  );
}
