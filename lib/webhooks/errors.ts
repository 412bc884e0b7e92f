/**
 * The base of the errors lib/webhooks throws (Knox event messages and their queue): catch it to tell this folder's failures from
 * others'. Every subclass ends in `Error`, sets `name` and keeps the original error as `cause`.
 *
 * @example
 * try { ... } catch (error) { if (error instanceof WebhookError) console.log(error.name, error.cause); }
 */
export class WebhookError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookError';
  }
}
