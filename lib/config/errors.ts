/**
 * The base of the errors lib/config throws (the service environment, config/jobs.yml, stage params): catch it to tell this folder's failures from
 * others'. Every subclass ends in `Error`, sets `name` and keeps the original error as `cause`.
 *
 * @example
 * try { ... } catch (error) { if (error instanceof ConfigError) console.log(error.name, error.cause); }
 */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}
