import { KNOX_BULK_LIMIT } from '../knox/constants';

/** What the capacity plan is derived from; only the tenant's request rate is required. */
export interface CapacityInput {
  /** Knox Guard requests per second the tenant may send (no published limit: measure, then set). */
  readonly rateLimitPerSecond: number;
  /** Most devices per bulk request. Default 10,000 (Knox Guard's limit). */
  readonly bulkLimit?: number;
  /** Typical Knox Guard response time. Default 300 ms. */
  readonly latencyMs?: number;
  /** Devices per `/devices/list` page the scheduler reads. Default 1,000. */
  readonly pageSize?: number;
  /** Share of the rate the plan spends; the rest absorbs timer jitter and token renewals. Default 0.8. */
  readonly headroom?: number;
  /** Requests per bulk chunk: the `...Async` submit and its `/transaction` result. Default 2. */
  readonly requestsPerChunk?: number;
  /** Bytes one device id takes in a chunk message (a JSON-quoted IMEI and a comma, with slack). Default 20. */
  readonly deviceIdBytes?: number;
  /** SQS message size limit. Default 262,144 bytes. */
  readonly maxMessageBytes?: number;
}

/** How the scheduler, the SQS event source and each Knox Guard client are sized. */
export interface CapacityPlan {
  /** Requests per second the plan spends in total (`rateLimitPerSecond` x `headroom`). */
  readonly usableRatePerSecond: number;
  /** Devices per chunk message (SQS message, worker record, bulk request). */
  readonly chunkSize: number;
  /** SQS records per worker invocation: one full bulk chunk each. */
  readonly workerBatchSize: number;
  /** SQS event source maximum concurrency (2..1000). */
  readonly workerMaxConcurrency: number;
  /** Reserved concurrency of the worker function (equal to the maximum: never more environments). */
  readonly workerReservedConcurrency: number;
  /** Client-side rate limit of one worker execution environment. */
  readonly workerRatePerSecond: number;
  /** Client-side rate limit of the scheduler (device-list paging, inline jobs). */
  readonly schedulerRatePerSecond: number;
  /** Devices per second a Knox-filter job moves end to end (listing and execution). */
  readonly devicesPerSecond: number;
  /** Seconds one worker needs for one chunk at its rate and latency. */
  readonly chunkSeconds: number;
  /** What bounds `devicesPerSecond`: Knox Guard's rate limit or its latency (sequential paging). */
  readonly binding: 'knox-rate-limit' | 'knox-latency';
}

export const CAPACITY_DEFAULTS = {
  bulkLimit: KNOX_BULK_LIMIT,
  latencyMs: 300,
  pageSize: 1_000,
  headroom: 0.8,
  requestsPerChunk: 2,
  deviceIdBytes: 20,
  maxMessageBytes: 262_144,
} as const;

// SQS event sources accept a maximum concurrency from 2 to 1000.
const MIN_EVENT_SOURCE_CONCURRENCY = 2;
const MAX_EVENT_SOURCE_CONCURRENCY = 1000;
// Room for the chunk message's other fields (job, run id, message text, contacts).
const MESSAGE_ENVELOPE_BYTES = 4_096;

/**
 * Derives chunk size, worker concurrency and each client's share of Knox Guard's request rate
 * from the tenant's rate limit. The rate (less headroom) is split by demand: listing costs one
 * request per page, executing `requestsPerChunk` per chunk, so the scheduler gets the listing's
 * share (capped by what sequential paging at `latencyMs` can use) and the workers the rest, in
 * just enough environments (one request in flight each) to spend it. Each client then rate-limits
 * itself to its share, so all of them together stay under the limit: no 429 storms, no idle budget.
 *
 * @example
 * const plan = planCapacity({ rateLimitPerSecond: 10 });
 * plan.workerMaxConcurrency; // 2
 * plan.chunkSize; // 10000
 */
export function planCapacity(input: CapacityInput): CapacityPlan {
  const settings = {
    ...CAPACITY_DEFAULTS,
    ...definedOnly(input),
    rateLimitPerSecond: input.rateLimitPerSecond,
  };
  const { rateLimitPerSecond, bulkLimit, latencyMs, pageSize, headroom, requestsPerChunk } = settings;
  positive(rateLimitPerSecond, 'rateLimitPerSecond');
  positive(bulkLimit, 'bulkLimit');
  positive(latencyMs, 'latencyMs');
  positive(pageSize, 'pageSize');
  positive(requestsPerChunk, 'requestsPerChunk');
  if (!(headroom > 0 && headroom <= 1)) throw new RangeError(`headroom must be in (0, 1], got ${headroom}`);

  const usable = rateLimitPerSecond * headroom;
  const chunkSize = Math.max(
    1,
    Math.min(
      Math.floor(bulkLimit),
      Math.floor((settings.maxMessageBytes - MESSAGE_ENVELOPE_BYTES) / settings.deviceIdBytes),
    ),
  );
  const perEnvironment = 1000 / latencyMs; // one request in flight at a time
  const listDemand = 1 / pageSize;
  const workDemand = requestsPerChunk / chunkSize;
  const schedulerWanted = (usable * listDemand) / (listDemand + workDemand);
  const schedulerRatePerSecond = Math.min(schedulerWanted, perEnvironment);
  const workersRate = usable - schedulerRatePerSecond;
  const workerMaxConcurrency = Math.min(
    MAX_EVENT_SOURCE_CONCURRENCY,
    Math.max(MIN_EVENT_SOURCE_CONCURRENCY, Math.ceil(workersRate / perEnvironment)),
  );
  const workerRatePerSecond = workersRate / workerMaxConcurrency;
  const listed = schedulerRatePerSecond * pageSize;
  const executed = (workersRate / requestsPerChunk) * chunkSize;
  return {
    usableRatePerSecond: usable,
    chunkSize,
    workerBatchSize: 1,
    workerMaxConcurrency,
    workerReservedConcurrency: workerMaxConcurrency,
    workerRatePerSecond,
    schedulerRatePerSecond,
    devicesPerSecond: Math.min(listed, executed),
    chunkSeconds: requestsPerChunk * Math.max(latencyMs / 1000, 1 / workerRatePerSecond),
    binding: schedulerWanted > perEnvironment ? 'knox-latency' : 'knox-rate-limit',
  };
}

function positive(value: number, field: string): void {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${field} must be positive, got ${value}`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
