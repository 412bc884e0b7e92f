// zod/mini: its functions tree-shake where classic zod's methods kept ~99 KB in every bundle;
// lib/validation gives it classic zod's English messages.
import * as z from 'zod/mini';
import '../validation';

const nonEmpty = z.string().check(z.minLength(1));

const envSchema = z.object({
  STAGE: nonEmpty,
  STATE_TABLE: nonEmpty,
  ALERT_TOPIC_ARN: nonEmpty,
  OPERATIONS_QUEUE_URL: nonEmpty,
  TARGETS_BUCKET: z.optional(nonEmpty),
  KNOX_BASE_URL: z._default(z.url(), 'https://eu-kcs-api.samsungknox.com'),
  /** Secrets Manager secret (name or ARN): the Knox Guard API credentials {clientIdentifier, certificate}. */
  KNOX_CREDENTIALS_SECRET_ID: z.optional(nonEmpty),
  /** Secrets Manager secret: the `POST /operations` HMAC secret (comma-separated while rotating). */
  OPERATIONS_HMAC_SECRET_ID: z.optional(nonEmpty),
  /** Secrets Manager secret: the Samsung Knox validation certificate (PEM) callbacks are verified against. */
  KNOX_VALIDATION_CERT_SECRET_ID: z.optional(nonEmpty),
  KNOX_CONSOLE_URL: z._default(z.url(), 'https://central.samsungknox.com'),
  /**
   * Requests per second Knox Guard tolerates for this tenant: `planCapacity` (lib/operations)
   * splits it into the scheduler's and each worker's client-side rate limit.
   */
  KNOX_RATE_LIMIT_PER_SECOND: z._default(z.coerce.number().check(z.positive()), 10),
  /** Typical Knox Guard response time in ms, for the same plan (how many requests one client keeps busy). */
  KNOX_LATENCY_MS: z._default(z.coerce.number().check(z.positive()), 300),
  KNOX_BULK_LIMIT: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(10_000)), 10_000),
  /** Where a packaged handler finds jobs.yml (bundled next to it by default). */
  JOBS_CONFIG_PATH: z.optional(z.string()),
  /** AWS endpoint override for local runs (fauxqs, dynalite); never set in AWS. */
  AWS_ENDPOINT_URL_SNS: z.optional(z.string()),
  AWS_ENDPOINT_URL_SQS: z.optional(z.string()),
  AWS_ENDPOINT_URL_S3: z.optional(z.string()),
  AWS_ENDPOINT_URL_DYNAMODB: z.optional(z.string()),
  /** Local runs only: the three secrets' values themselves instead of their Secrets Manager ids. */
  KNOX_CREDENTIALS_JSON: z.optional(z.string()),
  OPERATIONS_HMAC_SECRET: z.optional(z.string()),
  KNOX_VALIDATION_CERT_PEM: z.optional(z.string()),
});

export type ServiceConfig = Readonly<z.infer<typeof envSchema>>;

/** Missing or malformed environment; lists each variable at fault. */
export class ServiceConfigError extends Error {
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
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ServiceConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  return result.data;
}
