export { maskDeviceId, maskText } from './mask';
export { redactForLog } from './redactForLog';
