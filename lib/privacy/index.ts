export { maskDeviceId, maskEmail, maskPhone, maskText } from './mask';
