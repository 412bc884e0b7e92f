export type {
  AlertStateStore,
  ClaimGuard,
  ClaimInput,
  DigestState,
  RecordFailuresInput,
} from './AlertStateStore';
export {
  AlertKind,
  DEFAULT_CONSOLE_URL,
  DIGEST_CODE,
  GroupStatus,
  RuleAction,
  SuppressReason,
  TENANT_WIDE_JOB,
} from './constants';
export {
  type AlertLogger,
  type AlertPipeline,
  type AlertPipelineDeps,
  createAlertPipeline,
} from './createAlertPipeline';
export {
  createDynamoAlertStateStore,
  type DynamoAlertStateStoreOptions,
  groupPk,
} from './createDynamoAlertStateStore';
export {
  createDynamoSilenceStore,
  type DynamoSilenceStoreOptions,
  silencesPk,
} from './createDynamoSilenceStore';
export { createMemorySilenceStore } from './createMemorySilenceStore';
export { createSnsAlertPublisher, type SnsAlertPublisherOptions } from './createSnsAlertPublisher';
export { type AlertDecision, type AlertDecisionInput, decideAlert } from './decideAlert';
export { decideResolution, type ResolutionDecision, type ResolutionInput } from './decideResolution';
export { AlertError, AlertPublishError, AlertRulesError, AlertStateError, SilenceError } from './errors';
export { type ActiveCondition, findInhibitor } from './findInhibitor';
export { findSilence } from './findSilence';
export { fitGsm7, gsm7Length, SMS_SEGMENT_SEPTETS, toGsm7 } from './gsm7';
export {
  type AlertRules,
  type AlertRulesInput,
  type Inhibition,
  loadAlertRules,
  type RuleSettings,
  type Silence,
} from './loadAlertRules';
export { formatDuration, parseDuration } from './parseDuration';
export { type AlertRenderInput, type RenderedAlert, renderAlert, SUBJECT_MAX } from './renderAlert';
export { type DigestEntry, type DigestRenderInput, renderDigest } from './renderDigest';
export { type AlertLabels, type ClassifiedCode, resolveRule } from './resolveRule';
export {
  checkNewSilence,
  type NewSilence,
  SILENCE_LIMITS,
  type SilenceStore,
  type StoredSilence,
  silenceId,
} from './SilenceStore';
export type {
  Acknowledgement,
  AlertAttributes,
  AlertFailureInfo,
  AlertMessage,
  AlertPublisher,
  AlertReport,
  GroupKey,
  GroupReport,
  GroupState,
  ObservedFailure,
  RunObservation,
} from './types';
