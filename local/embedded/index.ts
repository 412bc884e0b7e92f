export { asyncFailureRecord, httpApiEvent, lambdaContext, schedulerInput, sqsEvent } from './lambdaEvents';
export { type ProvisionedStack, provisionFromInfra } from './provisionFromInfra';
export {
  AsyncInvocationFailedError,
  type DrainProgress,
  type DrainResult,
  type EmbeddedHandlers,
  type EmbeddedOptions,
  type EmbeddedStack,
  startEmbeddedStack,
} from './startEmbeddedStack';
