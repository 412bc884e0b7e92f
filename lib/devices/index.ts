export { hasValidLuhnCheckDigit, isDeviceUid, MAX_DEVICE_ID_INPUT, parseDeviceId } from './deviceId';
