/**
 * An HTTP answer of a webhook route as plain data (status, JSON body, extra headers); the handler
 * maps it onto its framework's response (functions/shared/http.ts `respond`). A
 * `KnoxErrorResponse` is one.
 */
export interface WebhookAnswer {
  readonly statusCode: number;
  /** Serialised as JSON by the handler. */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where a webhook route's logic logs; Powertools' Logger is one. */
export interface WebhookLogger {
  info(message: string, data: Record<string, unknown>): void;
  warn(message: string, data: Record<string, unknown>): void;
  error(message: string, data: Record<string, unknown>): void;
}

/** Adds `value` to the count metric `name` (CloudWatch EMF through Powertools Metrics in the handler). */
export type WebhookMetric = (name: string, value: number) => void;
