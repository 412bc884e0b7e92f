import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { redactForLog } from '../../lib/privacy';

// Created once per execution environment (module scope), as Powertools recommends: the logger
// and the metrics buffer are reused across invocations; middy's middlewares flush them.

/** Structured JSON logs; credentials redacted, IMEIs/phones/e-mails masked in every record. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'knox-guard-sentinel',
  jsonReplacerFn: redactForLog,
});

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
