import { maskDeviceId } from '../privacy';
import type { KnoxNotificationEvent } from './parseKnoxNotification';

/** Devices listed per event in a log line; the rest are counted in the alert, not logged. */
const MAX_LOGGED_DEVICES = 20;

/**
 * What a log line says about one Knox callback event: its id and type, and up to 20 devices with
 * the deviceUid masked (lib/privacy), Knox's objectId, the reported status and whether the device
 * succeeded. Pure.
 *
 * @example
 * logger.info('Knox event', knoxEventLogFields(event));
 * // { eventId: 'evt-1', eventType: 'KG_DEVICE_LOCKED', devices: [{ deviceUid: '35*********3809', ok: true }] }
 */
export function knoxEventLogFields(event: KnoxNotificationEvent) {
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    devices: event.devices.slice(0, MAX_LOGGED_DEVICES).map((device) => ({
      ...(device.deviceUid === undefined ? {} : { deviceUid: maskDeviceId(device.deviceUid) }),
      ...(device.objectId === undefined ? {} : { objectId: device.objectId }),
      ...(device.deviceStatus === undefined ? {} : { deviceStatus: device.deviceStatus }),
      ok: device.result.ok,
    })),
  };
}
