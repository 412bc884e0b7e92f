export { defaultPhoneRegion, maskDeviceId, maskEmail, maskPhone, maskText } from './mask';
export { redactForLog } from './redactForLog';
