import type { AlertLogger } from './createSendGuard';
import type { Silence } from './loadAlertRules';
import type { SilenceStore } from './SilenceStore';

/**
 * The jobs.yml silences plus the stored ones of `stage`, read on first use and then kept. A failed
 * read is logged and treated as "no stored silences": an alert an admin meant to mute is better
 * than a lost one.
 *
 * @example
 * const silences = silencesOnce({ configured: rules.silences, stored, logger }, 'prod', now);
 * findSilence(await silences(), labels, failure, now);
 */
export function silencesOnce(
  sources: {
    readonly configured: readonly Silence[];
    readonly stored?: SilenceStore | undefined;
    readonly logger?: AlertLogger | undefined;
  },
  stage: string,
  now: number,
): () => Promise<readonly Silence[]> {
  let loaded: Promise<readonly Silence[]> | undefined;
  return () => {
    loaded ??= (sources.stored?.active(stage, now) ?? Promise.resolve([])).then(
      (stored) => [...sources.configured, ...stored],
      (error: unknown) => {
        sources.logger?.warn('stored silences unreadable; only the jobs.yml silences apply', {
          error: String(error),
        });
        return sources.configured;
      },
    );
    return loaded;
  };
}
