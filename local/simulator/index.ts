export {
  DEFAULT_DEVICE_MIX,
  type DeviceFilter,
  type DeviceMix,
  DeviceStore,
  generatedDeviceUid,
  SEAT_HOLDING,
  type SimDevice,
} from './DeviceStore';
export { ExecutionLedger, type LedgerEntry } from './ExecutionLedger';
export {
  type SimApiKey,
  type SimFailure,
  type SimLicense,
  type SimLimits,
  type SimTenant,
  type SimUser,
  SimulatorState,
  UserStatus,
} from './SimulatorState';
export { createCertificate, type KeyFormat, type SeedOptions, seedTenant } from './seedTenant';
export {
  type KnoxSimulator,
  type KnoxSimulatorOptions,
  type SimFault,
  type SimRequest,
  type SimStats,
  startKnoxSimulator,
} from './startKnoxSimulator';
export { peekJwtPayload, verifyKnoxToken } from './verifyKnoxToken';
