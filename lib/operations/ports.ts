import type { DeviceResult, KnoxGuardFailure } from '../errors';
import type { ChunkMessage } from './chunkMessage';

/**
 * What lib/operations needs from the outside world, as small structural interfaces so the
 * Knox Guard client, the alert pipeline, SQS and S3 plug in without this folder importing them
 * and tests can pass in-memory versions.
 */

/** Body fields of a device operation (lib/knox's `OPERATION_RULES` says which operation takes which). */
export interface OperationParams {
  readonly message?: string;
  readonly tel?: string;
  readonly email?: string;
  readonly interval?: number;
  readonly timeLimitEnable?: boolean;
  readonly timeLimit?: readonly number[];
  readonly daysLimitEnable?: boolean;
  readonly daysLimit?: number;
  readonly approveId?: string;
  readonly approveComment?: string;
  readonly enableFullscreen?: boolean;
  readonly messageType?: string;
}

/** The part of the Knox Guard client that runs device operations (lib/knox implements it). */
export interface OperationExecutor {
  execute(
    operation: string,
    deviceUids: readonly string[],
    params?: OperationParams,
    options?: {
      deadline?: number;
      /** Poll this earlier transaction for the devices' results instead of submitting again. */
      resume?: { transactionId: string };
    },
  ): Promise<{
    readonly results: readonly DeviceResult[];
    /** Set when the bulk path was unavailable and the devices ran one sync call each. */
    readonly bulkPathUnavailable?: { readonly reason: string };
    /** Transactions that had not reported some devices (NOT_FINISHED) when polling stopped. */
    readonly unfinishedTransactions?: readonly string[];
  }>;
}

/** The part of the Knox Guard client that streams the device list (lib/knox implements it). */
export interface DeviceLister {
  iterateDevices(
    filter: { status?: readonly string[]; simControlEnabled?: boolean; search?: string },
    options?: { deadline?: number },
  ): AsyncIterable<{ readonly deviceUid: string }>;
}

/** One chunk's worth of decoded outcomes, as the alert pipeline (lib/alerts) consumes it. */
export interface RunObservation {
  readonly stage: string;
  readonly job: string;
  readonly runId: string;
  readonly operation?: string;
  readonly failures: readonly { readonly deviceId?: string; readonly error: KnoxGuardFailure }[];
  readonly successes: number;
  /**
   * Which part of the run this observation reports: `<chunk>.<attempt>` for a chunk, `inline`
   * for a run executed inside the scheduler. The alert state counts each contribution of a run
   * once, so a retried run or a redelivered chunk does not double its counts. Without one, every
   * observation adds to the counts.
   */
  readonly contribution?: string;
  /** More chunks of the run are still to come: counts are lower bounds. */
  readonly inProgress?: boolean;
  /** The chunk's failed-device list (lib/operations/runReport): its key, location and whether it was written. */
  readonly report?: {
    readonly key: string;
    readonly location: string;
    readonly consoleUrl: string;
    readonly written: boolean;
  };
}

export interface FailureSink {
  process(observation: RunObservation): Promise<unknown>;
  /** Sends what was folded into the run's digest; called when a run is known to be complete. */
  flush?(run: { readonly stage: string; readonly job: string; readonly runId: string }): Promise<unknown>;
}

/** Reads a billing system's target file; the S3 adapter streams the object body. */
export interface ObjectSource {
  open(key: string): Promise<AsyncIterable<Uint8Array | string>>;
}

export interface Clock {
  now(): number;
}

/** Where chunks of large jobs go (SQS in AWS and locally); lib/operations/sqsChunkQueue implements it. */
export interface ChunkQueue {
  send(messages: readonly ChunkMessage[], options?: { delaySeconds?: number }): Promise<void>;
}
