import * as z from 'zod';

const envSchema = z.object({
  STAGE: z.string().min(1),
  STATE_TABLE: z.string().min(1),
  ALERT_TOPIC_ARN: z.string().min(1),
  OPERATIONS_QUEUE_URL: z.string().min(1),
  TARGETS_BUCKET: z.string().min(1).optional(),
  KNOX_BASE_URL: z.url().default('https://eu-kcs-api.samsungknox.com'),
  KNOX_CREDENTIALS_SECRET_ID: z.string().min(1).optional(),
  OPERATIONS_HMAC_SECRET_PARAM: z.string().min(1).optional(),
  KNOX_VALIDATION_CERT_PARAM: z.string().min(1).optional(),
  KNOX_CONSOLE_URL: z.url().default('https://central.samsungknox.com'),
  /**
   * Requests per second Knox Guard tolerates for this tenant: `planCapacity` (lib/operations)
   * splits it into the scheduler's and each worker's client-side rate limit.
   */
  KNOX_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(10),
  /** Typical Knox Guard response time in ms, for the same plan (how many requests one client keeps busy). */
  KNOX_LATENCY_MS: z.coerce.number().positive().default(300),
  KNOX_BULK_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10_000),
  /** Where a packaged handler finds jobs.yml (bundled next to it by default). */
  JOBS_CONFIG_PATH: z.string().optional(),
  /** AWS endpoint override for local runs (fauxqs, dynalite); never set in AWS. */
  AWS_ENDPOINT_URL_SNS: z.string().optional(),
  AWS_ENDPOINT_URL_SQS: z.string().optional(),
  AWS_ENDPOINT_URL_S3: z.string().optional(),
  AWS_ENDPOINT_URL_DYNAMODB: z.string().optional(),
  /** Local runs only: a JSON certificate.json + client id instead of Secrets Manager. */
  KNOX_CREDENTIALS_JSON: z.string().optional(),
  OPERATIONS_HMAC_SECRET: z.string().optional(),
  KNOX_VALIDATION_CERT_PEM: z.string().optional(),
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
