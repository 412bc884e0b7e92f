import { DeviceStatus } from '../../lib/knox';

/** One device as the simulator keeps it. */
export interface SimDevice {
  deviceUid: string;
  objectId: string;
  approveId?: string;
  status: DeviceStatus;
  simControlEnabled: boolean;
  model: string;
  /** The licence whose seat the device holds (Accepted, Enrolled, Locked, Completing). */
  licenseKey?: string;
  /** Sim-clock ms when `complete` started the two-day Completing window. */
  completingSince?: number;
  /** The status before `complete` (kept for tests; cancelComplete reverts to Enrolled). */
  statusBeforeComplete?: DeviceStatus;
  /** Sim-clock ms of the last lock (the API's `relockTimestamp`). */
  lockedAt?: number;
  /** Sim-clock ms of the last change (the API's `modifiedDate`). */
  modifiedAt?: number;
}

/** Relative weights of the statuses generated devices get. */
export type DeviceMix = Partial<Record<DeviceStatus, number>>;

export const DEFAULT_DEVICE_MIX: DeviceMix = {
  Enrolled: 60,
  Locked: 10,
  Accepted: 8,
  Pending: 8,
  Completing: 3,
  Completed: 6,
  Rejected: 5,
};

/** Statuses in which a device holds a licence seat. */
export const SEAT_HOLDING: ReadonlySet<DeviceStatus> = new Set<DeviceStatus>([
  DeviceStatus.accepted,
  DeviceStatus.enrolled,
  DeviceStatus.locked,
  DeviceStatus.completing,
]);

export interface DeviceFilter {
  status?: readonly string[];
  simControlEnabled?: boolean;
  search?: string;
}

export interface GenerateOptions {
  mix?: DeviceMix;
  /** Share of generated devices with SIM control enabled. Default 0.02. */
  simControlRatio?: number;
  /** The licence generated seat holders are assigned to. */
  licenseKey?: string;
  /** Sim-clock ms used as `completingSince` for generated Completing devices. */
  now?: number;
}

const MODELS = ['SM-A156B', 'SM-A256B', 'SM-S921B', 'SM-A057F', 'SM-M156B'] as const;

// A cheap, well-mixed 32-bit hash so statuses look random but are a pure function of the index.
function hash(index: number, salt: number): number {
  let h = (index ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The Luhn check digit of `35` + the 12-digit zero-padded `index`, computed on the number (no
 * string building: the simulator checks every id of a 10,000-device bulk request with it).
 */
function luhnOfIndex(index: number): number {
  // Digits from the right: the 12 index digits at positions 0-11 (even positions doubled), then
  // '5' at 12 (doubled: 10 -> 1) and '3' at 13: the prefix adds 4.
  let sum = 4;
  let rest = index;
  for (let position = 0; position < 12; position += 1) {
    let digit = rest % 10;
    rest = (rest - digit) / 10;
    if (position % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** The IMEI of generated device `index`: TAC-like prefix 35, 12 digits of index, Luhn check digit. */
export function generatedDeviceUid(index: number): string {
  // 35e13 + 10 x index + check is `35`, the index zero-padded to 12 digits and the check digit
  // (index < 1e12; below 2^53). One number-to-string conversion gives a flat string, as ids parsed
  // from JSON are, rather than a concatenation V8 flattens on first hashing.
  return String(35e13 + index * 10 + luhnOfIndex(index));
}

const HEX = '0123456789ABCDEF';

/** `KG` + the index as 12 upper-case hex digits. */
function generatedObjectId(index: number): string {
  let hex = '';
  let rest = index;
  for (let digit = 0; digit < 12; digit += 1) {
    hex = HEX[rest % 16] + hex;
    rest = Math.floor(rest / 16);
  }
  return `KG${hex}`;
}

/**
 * The simulator's devices, able to hold a million without a million objects: generated devices
 * are a pure function of their index (IMEI, objectId and status derive from it) and only devices
 * that changed, were deleted or were added by hand are stored. Listing walks indexes; a filtered
 * listing caches the matching indexes until the next change.
 */
export class DeviceStore {
  #generated = 0;
  #mix: [DeviceStatus, number][] = [];
  #mixTotal = 0;
  #options: GenerateOptions = {};
  readonly #changed = new Map<number, SimDevice | null>();
  readonly #custom = new Map<string, SimDevice>();
  #customOrder: string[] = [];
  #deletedGenerated = 0;
  #version = 0;
  #cache: { key: string; version: number; generated: Int32Array; custom: string[] } | undefined;

  /** Replaces every device with `count` generated ones. */
  generate(count: number, options: GenerateOptions = {}): void {
    this.#generated = count;
    this.#options = options;
    this.#mix = Object.entries(options.mix ?? DEFAULT_DEVICE_MIX).filter(([, w]) => (w ?? 0) > 0) as [
      DeviceStatus,
      number,
    ][];
    this.#mixTotal = this.#mix.reduce((sum, [, w]) => sum + w, 0);
    this.#changed.clear();
    this.#custom.clear();
    this.#customOrder = [];
    this.#deletedGenerated = 0;
    this.#bump();
  }

  get size(): number {
    return this.#generated - this.#deletedGenerated + this.#custom.size;
  }

  get version(): number {
    return this.#version;
  }

  /** Counts generated seat holders without materialising devices (for seeding licences). */
  countGenerated(predicate: (status: DeviceStatus) => boolean): number {
    let count = 0;
    for (let i = 0; i < this.#generated; i += 1) if (predicate(this.#generatedStatus(i))) count += 1;
    return count;
  }

  /** A device by deviceUid or objectId (a copy: change it with `put`). */
  get(id: string): SimDevice | undefined {
    const index = this.#indexOf(id);
    if (index !== undefined) {
      const changed = this.#changed.get(index);
      if (changed === null) return undefined;
      if (changed) return { ...changed };
      // The id is the device's own IMEI (15 characters) or its objectId: no need to rebuild it.
      return this.#make(index, id.length === 15 ? id : undefined);
    }
    const custom = this.#custom.get(id) ?? [...this.#custom.values()].find((d) => d.objectId === id);
    return custom ? { ...custom } : undefined;
  }

  /** A device by its approveId (generated `APV-<100000 + index>`, or one set by approve). */
  byApproveId(approveId: string): SimDevice | undefined {
    const match = /^APV-(\d+)$/.exec(approveId);
    if (match) {
      const index = Number(match[1]) - 100000;
      if (index >= 0 && index < this.#generated) {
        const changed = this.#changed.get(index);
        const device = changed === null ? undefined : changed ? { ...changed } : this.#make(index);
        if (device?.approveId === approveId) return device;
      }
    }
    for (const device of this.#changed.values()) if (device?.approveId === approveId) return { ...device };
    for (const device of this.#custom.values()) if (device.approveId === approveId) return { ...device };
    return undefined;
  }

  /** Inserts or replaces a device (matched by deviceUid). */
  put(device: SimDevice): void {
    this.adopt({ ...device });
  }

  /**
   * `put` without the copy: the store keeps `device` itself, so the caller must not change it
   * afterwards (SimulatorState.apply, which got it from `get`, uses this once per device of a bulk
   * request).
   */
  adopt(device: SimDevice): void {
    const index = this.#indexOf(device.deviceUid);
    if (index !== undefined) {
      if (this.#changed.get(index) === null) this.#deletedGenerated -= 1;
      this.#changed.set(index, device);
    } else {
      if (!this.#custom.has(device.deviceUid)) this.#customOrder.push(device.deviceUid);
      this.#custom.set(device.deviceUid, device);
    }
    this.#bump();
  }

  remove(deviceUid: string): boolean {
    const index = this.#indexOf(deviceUid);
    if (index !== undefined) {
      if (this.#changed.get(index) === null) return false;
      this.#changed.set(index, null);
      this.#deletedGenerated += 1;
      this.#bump();
      return true;
    }
    if (!this.#custom.delete(deviceUid)) return false;
    this.#customOrder = this.#customOrder.filter((id) => id !== deviceUid);
    this.#bump();
    return true;
  }

  /** Every device matching `filter`, in list order (generated by index, then added ones). */
  *scan(filter: DeviceFilter = {}): Generator<SimDevice> {
    for (let i = 0; i < this.#generated; i += 1) {
      const device = this.#matchAt(i, filter);
      if (device) yield device;
    }
    for (const id of this.#customOrder) {
      const device = this.#custom.get(id);
      if (device && matches(device, filter)) yield { ...device };
    }
  }

  /** One page of the list as `/devices/list` answers it. */
  page(
    filter: DeviceFilter,
    pageNum: number,
    pageSize: number,
  ): { totalCount: number; devices: SimDevice[] } {
    const start = pageNum * pageSize;
    const unfiltered = !filter.status?.length && filter.simControlEnabled === undefined && !filter.search;
    if (unfiltered && this.#deletedGenerated === 0) {
      const devices: SimDevice[] = [];
      for (let i = start; i < Math.min(start + pageSize, this.size); i += 1) {
        const device =
          i < this.#generated
            ? this.#at(i)
            : this.#custom.get(this.#customOrder[i - this.#generated] as string);
        if (device) devices.push({ ...device });
      }
      return { totalCount: this.size, devices };
    }
    const exact = filter.search ? this.get(filter.search.trim()) : undefined;
    if (exact) {
      const hit = matches(exact, { ...filter, search: undefined }) ? [exact] : [];
      return { totalCount: hit.length, devices: start === 0 ? hit : [] };
    }
    const cache = this.#filtered(filter);
    const total = cache.generated.length + cache.custom.length;
    const devices: SimDevice[] = [];
    for (let k = start; k < Math.min(start + pageSize, total); k += 1) {
      const device =
        k < cache.generated.length
          ? this.#at(cache.generated[k] as number)
          : this.#custom.get(cache.custom[k - cache.generated.length] as string);
      if (device) devices.push({ ...device });
    }
    return { totalCount: total, devices };
  }

  #filtered(filter: DeviceFilter): { generated: Int32Array; custom: string[] } {
    const key = JSON.stringify([filter.status ?? [], filter.simControlEnabled ?? null, filter.search ?? '']);
    if (this.#cache?.key === key && this.#cache.version === this.#version) return this.#cache;
    const indexes: number[] = [];
    for (let i = 0; i < this.#generated; i += 1) if (this.#matchAt(i, filter)) indexes.push(i);
    const custom = this.#customOrder.filter((id) => {
      const device = this.#custom.get(id);
      return device !== undefined && matches(device, filter);
    });
    this.#cache = { key, version: this.#version, generated: Int32Array.from(indexes), custom };
    return this.#cache;
  }

  // Checks status and SIM flag before building the object, so filtering a million stays cheap.
  #matchAt(index: number, filter: DeviceFilter): SimDevice | undefined {
    const changed = this.#changed.get(index);
    if (changed === null) return undefined;
    if (changed === undefined && !filter.search) {
      if (filter.status?.length && !filter.status.includes(this.#generatedStatus(index))) return undefined;
      if (filter.simControlEnabled !== undefined && filter.simControlEnabled !== this.#generatedSim(index)) {
        return undefined;
      }
    }
    const device = changed ? { ...changed } : this.#make(index);
    return matches(device, filter) ? device : undefined;
  }

  #at(index: number): SimDevice | undefined {
    const changed = this.#changed.get(index);
    if (changed === null) return undefined;
    return changed ? { ...changed } : this.#make(index);
  }

  // The index of a generated device's IMEI or objectId, read from the id's characters in O(1)
  // (same answer as matching /^35\d{13}$/ or /^KG[0-9A-F]{12}$/ and comparing with the generated id).
  #indexOf(id: string): number | undefined {
    const index = generatedIndexOf(id);
    return index !== undefined && index < this.#generated ? index : undefined;
  }

  #generatedStatus(index: number): DeviceStatus {
    let draw = hash(index, 0x9e3779b9) % Math.max(1, this.#mixTotal);
    for (const [status, weight] of this.#mix) {
      if (draw < weight) return status;
      draw -= weight;
    }
    return DeviceStatus.enrolled;
  }

  #generatedSim(index: number): boolean {
    const ratio = this.#options.simControlRatio ?? 0.02;
    return hash(index, 0x85ebca6b) % 10_000 < ratio * 10_000;
  }

  #make(index: number, deviceUid = generatedDeviceUid(index)): SimDevice {
    const status = this.#generatedStatus(index);
    const device: SimDevice = {
      deviceUid,
      objectId: generatedObjectId(index),
      status,
      simControlEnabled: this.#generatedSim(index),
      model: MODELS[index % MODELS.length] as string,
    };
    if (status !== DeviceStatus.pending && status !== DeviceStatus.rejected)
      device.approveId = `APV-${100000 + index}`;
    if (SEAT_HOLDING.has(status) && this.#options.licenseKey) device.licenseKey = this.#options.licenseKey;
    if (status === DeviceStatus.completing) {
      device.completingSince = this.#options.now ?? 0;
      device.statusBeforeComplete = DeviceStatus.enrolled;
    }
    return device;
  }

  #bump(): void {
    this.#version += 1;
  }
}

/**
 * The index whose generated IMEI (`35`, 12 digits, Luhn digit) or objectId (`KG`, 12 upper-case
 * hex digits) `id` is, or undefined when it is neither (exported for tests).
 */
export function generatedIndexOf(id: string): number | undefined {
  if (id.length === 15 && id.charCodeAt(0) === 51 && id.charCodeAt(1) === 53) {
    let index = 0;
    for (let i = 2; i < 14; i += 1) {
      const digit = id.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return undefined;
      index = index * 10 + digit;
    }
    const check = id.charCodeAt(14) - 48;
    return check === luhnOfIndex(index) ? index : undefined;
  }
  if (id.length === 14 && id.charCodeAt(0) === 75 && id.charCodeAt(1) === 71) {
    let index = 0;
    for (let i = 2; i < 14; i += 1) {
      const c = id.charCodeAt(i);
      // 0-9, A-F (upper case only, as generated)
      const digit = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (digit < 0) return undefined;
      index = index * 16 + digit;
    }
    return index;
  }
  return undefined;
}

function matches(device: SimDevice, filter: DeviceFilter): boolean {
  if (filter.status?.length && !filter.status.includes(device.status)) return false;
  if (filter.simControlEnabled !== undefined && device.simControlEnabled !== filter.simControlEnabled)
    return false;
  if (filter.search) {
    const needle = filter.search.trim().toLowerCase();
    const haystack = [device.deviceUid, device.objectId, device.approveId ?? ''];
    if (!haystack.some((value) => value.toLowerCase().includes(needle))) return false;
  }
  return true;
}
