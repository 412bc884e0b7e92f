import { KnoxError } from '../errors';

/**
 * The tenant check could not start: the credentials secret is missing, unreadable or not
 * `{clientIdentifier, certificate}`. The message names the secret, never its value.
 *
 * @example
 * throw new KnoxCheckSetupError('secret kgs/prod/knox-credentials has no clientIdentifier', { cause });
 */
export class KnoxCheckSetupError extends KnoxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnoxCheckSetupError';
  }
}
