export { acceptOperationRequest, OperationQueueError } from './acceptOperationRequest';
export { checkLicenceHealth, type LicenceHealth, type LicenceHealthUnavailable } from './checkLicenceHealth';
export { CHUNK_MESSAGE_VERSION, type ChunkMessage, parseChunkMessage } from './chunkMessage';
export {
  type ChunkOutcome,
  executeChunk,
  executionKey,
  failuresByCode,
  observationOf,
  upgradeChunkOutcome,
} from './executeChunk';
export { DEFAULT_MAX_CHUNK_ATTEMPTS, exhaustedObservation, planFollowUp } from './followUp';
export { parseRunFailure } from './parseRunFailure';
export { planCapacity } from './planCapacity';
export type { ChunkQueue, ObjectSource } from './ports';
export { runFailureObservation } from './runFailureObservation';
export {
  type ChunkReportResult,
  createRunReports,
  locateRunReports,
  type RunReportStore,
  type RunReports,
  withReport,
} from './runReport';
export { type RunSummary, runScheduledJob } from './runScheduledJob';
export { createDynamoRunTracker, type RunTotals } from './runTracker';
