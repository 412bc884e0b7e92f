export { excerpt } from './excerpt';
export { maskDeviceId, maskExcerpt, maskText } from './mask';
export { maskKnownIds } from './maskKnownIds';
export { redactForLog } from './redactForLog';
