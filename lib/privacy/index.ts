export { maskDeviceId, maskExcerpt, maskText } from './mask';
export { redactForLog } from './redactForLog';
