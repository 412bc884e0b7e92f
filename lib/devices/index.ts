export {
  DeviceIdKind,
  type DeviceIdResult,
  hasValidLuhnCheckDigit,
  isDeviceUid,
  MAX_DEVICE_ID_INPUT,
  parseDeviceId,
} from './deviceId';
