import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { redactForLog } from '../../lib/privacy';
import { search } from './jmespathFields';

// Created once per execution environment (module scope), as Powertools recommends: the logger
// and the metrics buffer are reused across invocations; middy's middlewares flush them.

/** Structured JSON logs; credentials redacted, IMEIs/phones/e-mails masked in every record. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'knox-guard-sentinel',
  jsonReplacerFn: redactForLog,
  // Evaluates a handler's `correlationIdPath` (the webhook's HTTP API request id). Without it the
  // logger warns "correlationIdPath is set but no search function was provided" and drops the id
  // (Logger docs, "Setting a correlation ID": pass `correlationIdSearchFn`,
  // https://docs.powertools.aws.dev/lambda/typescript/latest/features/logger/#setting-a-correlation-id).
  // Not Powertools' `search` from `@aws-lambda-powertools/logger/correlationId`: it needs the
  // optional peer @aws-lambda-powertools/jmespath (not installed at the top level). This
  // field-path subset answers as JMESPath does for the dotted paths it accepts
  // (test/unit/functions/jmespathFields.test.ts).
  correlationIdSearchFn: search,
});

/**
 * The correlation id path of API Gateway HTTP API events: Powertools' own
 * `correlationPaths.API_GATEWAY_HTTP` (`@aws-lambda-powertools/logger/correlationId`), spelt out
 * here because that module imports the JMESPath package this project does not install.
 */
export const HTTP_API_CORRELATION_PATH = 'requestContext.requestId';

/** Namespace, service and the `stage` dimension of every EMF record this service writes. */
export const metricsOptions = {
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'KnoxGuardSentinel',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'knox-guard-sentinel',
  defaultDimensions: { stage: process.env.STAGE ?? 'local' },
} as const;

/** CloudWatch EMF metrics: operations, failures by code, alerts (./serviceMetrics.ts, infra/dashboard.yml). */
export const metrics = new Metrics(metricsOptions);

/**
 * middy middleware: logs whatever escapes the handler (masked and redacted by the logger) and lets
 * it propagate, so Lambda's retries, the on-failure destination and the DLQs still see it.
 */
export function logErrors(): {
  onError: (request: { error: unknown; context?: { awsRequestId?: string } }) => Promise<void>;
} {
  return {
    onError: async function logErrorsOnError(request) {
      logger.error('invocation failed', { error: request.error as Error });
    },
  };
}
