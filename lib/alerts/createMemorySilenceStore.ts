import {
  checkNewSilence,
  type SilenceStore,
  type StoredSilence,
  withoutSilence,
  withSilence,
} from './SilenceStore';

/**
 * The in-memory `SilenceStore`, for unit tests and tools that need no persistence.
 *
 * @example
 * const silences = createMemorySilenceStore();
 * await silences.add({ stage: 'prod', code: 'LICENSE_IS_LACK', now, until: now + 3_600_000, author: 'ana', comment: 'seats ordered' });
 */
export function createMemorySilenceStore(options: { newId?: () => string } = {}): SilenceStore {
  const byStage = new Map<string, StoredSilence[]>();
  return {
    async active(stage, now) {
      return (byStage.get(stage) ?? []).filter((silence) => silence.until > now);
    },
    async add(input) {
      const silence = checkNewSilence(input, options.newId);
      byStage.set(input.stage, withSilence(byStage.get(input.stage) ?? [], silence, input.now));
      return silence;
    },
    async expire(stage, id, now) {
      const { silences, expired } = withoutSilence(byStage.get(stage) ?? [], stage, id, now);
      byStage.set(stage, silences);
      return expired;
    },
  };
}
