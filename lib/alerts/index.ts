export { type AlertPipeline, createAlertPipeline } from './createAlertPipeline';
export { createDynamoAlertStateStore } from './createDynamoAlertStateStore';
export { createSnsAlertPublisher } from './createSnsAlertPublisher';
export { loadAlertRules } from './loadAlertRules';
export type { ObservedFailure, RunObservation } from './types';
