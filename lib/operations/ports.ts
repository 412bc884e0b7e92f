import type { RunObservation } from '../alerts';
import type { DeviceResult } from '../errors';
import type { OperationParams } from '../knox';
import type { ChunkMessage } from './chunkMessage';

/**
 * What lib/operations needs from the outside world, as small structural interfaces so the
 * Knox Guard client, the alert pipeline, SQS and S3 plug in without this folder importing their
 * code (type imports only) and tests can pass in-memory versions. The data types they exchange
 * are declared once where they belong: `OperationParams` and `Clock` in lib/knox, the alert
 * pipeline's input `RunObservation` in lib/alerts.
 */
export type { RunObservation } from '../alerts';
export type { Clock, OperationParams } from '../knox';

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

export interface FailureSink {
  process(observation: RunObservation): Promise<unknown>;
  /** Sends what was folded into the run's digest; called when a run is known to be complete. */
  flush?(run: { readonly stage: string; readonly job: string; readonly runId: string }): Promise<unknown>;
}

/** Reads a billing system's target file; the S3 adapter streams the object body. */
export interface ObjectSource {
  open(key: string): Promise<AsyncIterable<Uint8Array | string>>;
}

/** Where chunks of large jobs go (SQS in AWS and locally); lib/operations/sqsChunkQueue implements it. */
export interface ChunkQueue {
  send(messages: readonly ChunkMessage[], options?: { delaySeconds?: number }): Promise<void>;
}
