export { type AcceptedOperation, API_JOB, acceptOperationRequest } from './acceptOperationRequest';
export { checkLicenceHealth, type LicenceHealth, type LicenceSeats } from './checkLicenceHealth';
export { chunkAsync } from './chunkAsync';
export {
  CHUNK_MESSAGE_VERSION,
  type ChunkMessage,
  ChunkMessageError,
  chunkKey,
  parseChunkMessage,
} from './chunkMessage';
export {
  type ChunkOutcome,
  executeChunk,
  failuresByCode,
  observationOf,
  retryableDevices,
} from './executeChunk';
export { DEFAULT_MAX_CHUNK_ATTEMPTS, type FollowUp, planFollowUp } from './followUp';
export { CAPACITY_DEFAULTS, type CapacityInput, type CapacityPlan, planCapacity } from './planCapacity';
export type {
  ChunkQueue,
  Clock,
  DeviceLister,
  FailureSink,
  ObjectSource,
  OperationExecutor,
  OperationParams,
  RunObservation,
} from './ports';
export { resolveTargets, type TargetDeps, TargetsError } from './resolveTargets';
export { type RunSummary, runScheduledJob, type ScheduledRunDeps } from './runScheduledJob';
export { createDynamoRunTracker, type RunRef, type RunTracker } from './runTracker';
export { createS3ObjectSource } from './s3ObjectSource';
export { ChunkQueueError, createSqsChunkQueue, type SqsChunkQueueOptions } from './sqsChunkQueue';
