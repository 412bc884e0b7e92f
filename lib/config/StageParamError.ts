import { ConfigError } from './errors';

/**
 * A stage param holds a value its stage cannot deploy with (`schedulesState: enabled`), or params
 * that must be set together are all unset (no alert subscriber while a device job runs); `params`
 * names each one.
 */
export class StageParamError extends ConfigError {
  readonly stage: string;
  readonly params: readonly string[];
  constructor(stage: string, params: readonly string[], message: string, options?: { cause?: unknown }) {
    super(`Stage ${stage}: ${message}`, options);
    this.name = 'StageParamError';
    this.stage = stage;
    this.params = params;
  }
}
