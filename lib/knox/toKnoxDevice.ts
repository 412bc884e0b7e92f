import { malformedResponseError } from '../errors';
import type { KnoxDevice, KnoxLicense } from './types';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/**
 * Reads one `deviceList[]` entry defensively: ids and status are required (an entry without
 * them is a MALFORMED_RESPONSE, not a silently skipped device), everything else is optional and
 * the entry is kept whole in `raw`.
 *
 * @example
 * toKnoxDevice({ deviceUid: '356938035643809', objectId: 'KG1', status: 'Locked' }).status; // 'Locked'
 */
export function toKnoxDevice(entry: unknown): KnoxDevice {
  const raw = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
  const deviceUid = text(raw.deviceUid);
  const objectId = text(raw.objectId);
  const status = text(raw.status);
  if (deviceUid === undefined || objectId === undefined || status === undefined) {
    throw malformedResponseError(200, 'A deviceList entry has no deviceUid, objectId or status.');
  }
  const approveId = text(raw.approveId);
  const model = text(raw.model);
  return {
    deviceUid,
    objectId,
    status,
    ...(approveId === undefined ? {} : { approveId }),
    ...(typeof raw.simControlEnabled === 'boolean' ? { simControlEnabled: raw.simControlEnabled } : {}),
    ...(model === undefined ? {} : { model }),
    raw,
  };
}

/**
 * Reads one licence entry; seat counts that are missing or not numbers become 0.
 *
 * @example
 * toKnoxLicense({ licenseKey: 'KLM-1', name: 'Main', type: 'COMMERCIAL', totalSeats: 10, usedSeats: 9 }).usedSeats; // 9
 */
export function toKnoxLicense(entry: unknown): KnoxLicense {
  const raw = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
  const licenseKey = text(raw.licenseKey);
  if (licenseKey === undefined) throw malformedResponseError(200, 'A licence entry has no licenseKey.');
  const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  const expiresAt = text(raw.expiresAt);
  return {
    licenseKey,
    name: text(raw.name) ?? licenseKey,
    type: text(raw.type) ?? 'COMMERCIAL',
    totalSeats: count(raw.totalSeats),
    usedSeats: count(raw.usedSeats),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    raw,
  };
}
