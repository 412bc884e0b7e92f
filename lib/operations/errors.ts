/**
 * The base of the errors lib/operations throws (chunk messages and their queue, targets, operation requests): catch it to tell this folder's failures from
 * others'. Every subclass ends in `Error`, sets `name` and keeps the original error as `cause`.
 *
 * @example
 * try { ... } catch (error) { if (error instanceof OperationsError) console.log(error.name, error.cause); }
 */
export class OperationsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OperationsError';
  }
}
