import type { AlertPipeline } from '../alerts';
import { knoxEventObservation } from './knoxEventObservation';
import type { KnoxNotificationEvent } from './parseKnoxNotification';

/**
 * Hands one admitted Knox callback event to the alert pipeline: its observation (one contribution,
 * so processing it again after a failed publish counts it once), then a flush of its run, so its
 * per-device failures go out as that run's digest now. Throws what the pipeline throws (the
 * caller's SQS message is then redelivered).
 *
 * @returns the number of failures the event reported (per device and event-level).
 * @example
 * const { failures } = await alertKnoxEvent(event, { pipeline, stage: 'prod' });
 */
export async function alertKnoxEvent(
  event: KnoxNotificationEvent,
  deps: { readonly pipeline: Pick<AlertPipeline, 'process' | 'flush'>; readonly stage: string },
): Promise<{ failures: number }> {
  const { run, observation } = knoxEventObservation(event, deps.stage);
  await deps.pipeline.process(observation);
  await deps.pipeline.flush(run);
  return { failures: observation.failures.length };
}
