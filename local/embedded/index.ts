export { httpApiEvent, lambdaContext, schedulerInput, sqsEvent } from './lambdaEvents';
export { type ProvisionedStack, provisionFromInfra } from './provisionFromInfra';
export {
  type DrainProgress,
  type DrainResult,
  type EmbeddedHandlers,
  type EmbeddedOptions,
  type EmbeddedStack,
  startEmbeddedStack,
} from './startEmbeddedStack';
