import { createHash } from 'node:crypto';
import type { ObservedFailure, RunObservation } from '../alerts';
import { maskDeviceId } from '../privacy';
import type { KnoxNotificationEvent } from './parseKnoxNotification';

/** The job name Knox callback events are alerted under. */
export const KNOX_CALLBACK_JOB = 'knox-webhook';

/**
 * What one Knox callback event tells the alert pipeline: a run of its own (its per-device
 * failures go out as that run's digest), one contribution (`event`), so processing the event
 * again after a failed publish counts it once.
 *
 * The run id is what the admins read in the digest ("run KG_DEVICE_LOCKED 35*********3809 …"), so
 * it names the event type and the first device (masked with lib/privacy; "+N more" for bulk
 * events), not Knox's opaque `evt-…` id or a nonce; a short hash of the event's dedupe key (ten letters) keeps
 * it unique per event and the same for every redelivery, as the digest's dedupe record needs.
 * Pure.
 *
 * @example
 * const { run, observation } = knoxEventObservation(event, 'prod');
 * // run.runId === 'KG_DEVICE_LOCKED 35*********3809 ref qhzkcwmdta'
 * await pipeline.process(observation);
 * await pipeline.flush(run);
 */
export function knoxEventObservation(
  event: KnoxNotificationEvent,
  stage: string,
): { run: { stage: string; job: string; runId: string }; observation: RunObservation } {
  const failures: ObservedFailure[] = [];
  let successes = 0;
  // Every id a device is known by is masked inside Knox's reason text (groupFailures): a reason may
  // name the objectId of a device the failure calls by its deviceUid.
  const idsOf = (device: (typeof event.devices)[number]) =>
    [device.deviceUid, device.objectId].filter((id): id is string => id !== undefined);
  for (const device of event.devices) {
    if (device.result.ok) successes += 1;
    else {
      const deviceId = device.deviceUid ?? device.objectId;
      failures.push({
        ...(deviceId === undefined ? {} : { deviceId }),
        error: device.result.error.toJSON(),
        knownIds: idsOf(device),
      });
    }
  }
  if (event.error) failures.push({ error: event.error.toJSON(), knownIds: event.devices.flatMap(idsOf) });
  const run = { stage, job: KNOX_CALLBACK_JOB, runId: knoxEventRunId(event) };
  return {
    run,
    observation: { ...run, operation: event.eventType, contribution: 'event', failures, successes },
  };
}

/**
 * The readable, unique run id of a Knox callback event (see `knoxEventObservation`).
 *
 * @example
 * knoxEventRunId(event); // 'KG_DEVICE_UNLOCKED 35*********3809 +2 more ref qhzkcwmdta'
 */
export function knoxEventRunId(event: KnoxNotificationEvent): string {
  const first = event.devices.find((device) => device.deviceUid ?? device.objectId);
  const firstId = first?.deviceUid ?? first?.objectId;
  const device =
    firstId === undefined
      ? 'no device'
      : `${maskDeviceId(firstId)}${event.devices.length > 1 ? ` +${event.devices.length - 1} more` : ''}`;
  // Letters only: a digit run could read as a phone number or serial to the maskers downstream.
  const ref = [...createHash('sha256').update(event.dedupeKey).digest().subarray(0, 10)]
    .map((byte) => String.fromCharCode(97 + (byte % 26)))
    .join('');
  return `${event.eventType.slice(0, 60)} ${device} ref ${ref}`;
}

/** Device failures (per device and event-level) a callback's events report, for the webhook's answer. */
export function countKnoxEventFailures(events: readonly KnoxNotificationEvent[]): number {
  let failures = 0;
  for (const event of events) {
    for (const device of event.devices) if (!device.result.ok) failures += 1;
    if (event.error) failures += 1;
  }
  return failures;
}
