export {
  type AcceptedOperation,
  API_JOB,
  acceptOperationRequest,
  OperationQueueError,
} from './acceptOperationRequest';
export {
  checkLicenceHealth,
  type LicenceHealth,
  type LicenceHealthUnavailable,
  type LicenceSeats,
} from './checkLicenceHealth';
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
  ChunkOutcomeMismatchError,
  executeChunk,
  executionKey,
  failedDevices,
  failuresByCode,
  type LegacyChunkOutcome,
  OUTCOME_REASON_MAX,
  OUTCOME_SAMPLES_PER_CODE,
  type OutcomeError,
  observationOf,
  retryableDevices,
  upgradeChunkOutcome,
} from './executeChunk';
export { DEFAULT_MAX_CHUNK_ATTEMPTS, exhaustedObservation, type FollowUp, planFollowUp } from './followUp';
export {
  parseRunFailure,
  type RunFailure,
  RunFailureCondition,
  UNKNOWN_JOB,
} from './parseRunFailure';
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
export {
  CSV_DELIMITERS,
  type CsvDelimiter,
  detectDelimiter,
  readProblem,
  resolveTargets,
  type TargetDeps,
  TargetsError,
} from './resolveTargets';
export { describeRunFailure, runFailureObservation } from './runFailureObservation';
export {
  type ChunkReportResult,
  createRunReports,
  locateRunReports,
  RUN_REPORT_COLUMNS,
  RUN_REPORT_ROOT,
  type RunReportLink,
  type RunReportRow,
  type RunReportStore,
  type RunReports,
  runReportConsoleUrl,
  runReportKey,
  runReportPrefix,
  unwritableReport,
  withReport,
} from './runReport';
export { type RunSummary, runScheduledJob, type ScheduledRunDeps } from './runScheduledJob';
export {
  type ChunkTally,
  createDynamoRunTracker,
  type RunRef,
  type RunTotals,
  type RunTracker,
} from './runTracker';
export {
  createTargetsReport,
  MAX_SKIPPED_SAMPLE,
  type SkippedTargets,
  type TargetsReport,
} from './targetsReport';
// The SQS and S3 adapters are not re-exported here: import './sqsChunkQueue',
// './s3ObjectSource' and './s3RunReportStore' directly (and the CSV writer, './renderRunReportCsv'). With code splitting, a module the handler entry reaches through
// this index is parsed at start-up even when unused, and these pull in whole SDK clients that the
// functions load lazily (functions/shared/lazy).
