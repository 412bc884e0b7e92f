import type { JobTargets } from '../config';
import type { DeviceLister, ObjectSource } from './ports';

export interface TargetDeps {
  readonly objects?: ObjectSource;
  readonly devices?: DeviceLister;
  /** Called for each entry that is not a usable device id (empty, too long, wrong type). */
  readonly onInvalid?: (entry: string, reason: string) => void;
  readonly deadline?: number;
}

/** A target source that cannot be read (missing S3 object, unparseable JSON, no adapter wired). */
export class TargetsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TargetsError';
  }
}

const ID_COLUMNS = ['deviceuid', 'imei', 'serial', 'serialnumber', 'deviceid', 'device'];
const VALID_ID = /^[A-Za-z0-9-]{4,64}$/;

/**
 * Streams the device ids of a job's targets: an inline list, a CSV or JSON object a billing system
 * dropped in S3, or a Knox Guard device-list filter (pages streamed, never all held at once).
 * Inline and file targets are de-duplicated, so one run never hits a device twice.
 *
 * @example
 * for await (const id of resolveTargets({ source: 'knox', filter: { status: ['Locked'] } }, { devices: client })) ids.push(id);
 */
export async function* resolveTargets(targets: JobTargets, deps: TargetDeps): AsyncGenerator<string> {
  if (targets.source === 'knox') {
    if (!deps.devices) throw new TargetsError('knox targets need a Knox Guard client');
    for await (const device of deps.devices.iterateDevices(targets.filter, { deadline: deps.deadline })) {
      yield device.deviceUid;
    }
    return;
  }
  const seen = new Set<string>();
  const accept = (raw: string): string | undefined => {
    const id = raw
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim();
    if (id === '') return undefined;
    if (!VALID_ID.test(id)) {
      deps.onInvalid?.(id, 'not a device id (4-64 letters, digits or dashes)');
      return undefined;
    }
    if (seen.has(id)) return undefined;
    seen.add(id);
    return id;
  };
  if (targets.source === 'inline') {
    for (const raw of targets.deviceUids) {
      const id = accept(raw);
      if (id !== undefined) yield id;
    }
    return;
  }
  if (!deps.objects) throw new TargetsError('s3 targets need an object source (TARGETS_BUCKET)');
  const format = targets.format ?? (targets.key.toLowerCase().endsWith('.json') ? 'json' : 'csv');
  let body: AsyncIterable<Uint8Array | string>;
  try {
    body = await deps.objects.open(targets.key);
  } catch (error) {
    throw new TargetsError(`cannot read targets object ${targets.key}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const entries = format === 'json' ? jsonEntries(body, targets.key) : csvEntries(body, targets.column);
  for await (const raw of entries) {
    const id = accept(raw);
    if (id !== undefined) yield id;
  }
}

async function* lines(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const part of body) {
    rest += typeof part === 'string' ? part : decoder.decode(part, { stream: true });
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      yield rest.slice(0, newline).replace(/\r$/, '');
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
  }
  rest += decoder.decode();
  if (rest !== '') yield rest.replace(/\r$/, '');
}

async function* csvEntries(
  body: AsyncIterable<Uint8Array | string>,
  column: string | undefined,
): AsyncGenerator<string> {
  let index: number | undefined;
  for await (const line of lines(body)) {
    if (line.trim() === '') continue;
    const cells = line.split(/[,;\t]/).map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
    if (index === undefined) {
      const names = cells.map((cell) => cell.toLowerCase().replace(/[\s_]/g, ''));
      const wanted = column?.toLowerCase().replace(/[\s_]/g, '');
      const found = wanted ? names.indexOf(wanted) : names.findIndex((name) => ID_COLUMNS.includes(name));
      if (wanted && found < 0) throw new TargetsError(`CSV has no column named ${column}`);
      const isHeader = found >= 0 || !cells.some((cell) => /\d{6,}/.test(cell));
      index = Math.max(found, 0);
      if (isHeader) continue;
    }
    const cell = cells[index];
    if (cell !== undefined) yield cell;
  }
}

async function* jsonEntries(body: AsyncIterable<Uint8Array | string>, key: string): AsyncGenerator<string> {
  let text = '';
  for await (const line of lines(body)) text += `${line}\n`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TargetsError(`targets object ${key} is not valid JSON`, { cause: error });
  }
  const list = Array.isArray(json) ? json : (json as { deviceUids?: unknown } | null)?.deviceUids;
  if (!Array.isArray(list))
    throw new TargetsError(`targets object ${key} must be a JSON array or {"deviceUids": [...]}`);
  for (const item of list) {
    if (typeof item === 'string' || typeof item === 'number') yield String(item);
    else if (typeof item === 'object' && item !== null) {
      const record = item as Record<string, unknown>;
      const id = record.deviceUid ?? record.imei ?? record.serial;
      if (typeof id === 'string' || typeof id === 'number') yield String(id);
    }
  }
}
