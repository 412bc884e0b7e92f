import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type DeviceMix, SEAT_HOLDING } from './DeviceStore';
import type { SimulatorState } from './SimulatorState';

export type KeyFormat = 'pem' | 'pkcs1' | 'der';

let sharedKeys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

/**
 * A certificate.json for a fresh RSA key pair (one per process: generating RSA keys is slow and
 * tests start many simulators). `pem` is PKCS#8/SPKI PEM, `pkcs1` is PKCS#1 PEM, `der` is base64 DER.
 */
export function createCertificate(format: KeyFormat = 'pem'): { Public: string; Private: string } {
  sharedKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { privateKey, publicKey } = sharedKeys;
  switch (format) {
    case 'pkcs1':
      return {
        Public: publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        Private: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      };
    case 'der':
      return {
        Public: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        Private: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      };
    default:
      return {
        Public: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        Private: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      };
  }
}

export interface SeedOptions {
  /** Number of generated devices. Default 300. */
  devices?: number;
  mix?: DeviceMix;
  /** Free seats left on the main licence after the seat holders. Default 3 ("too few licences"). */
  spareSeats?: number;
  simControlRatio?: number;
}

/**
 * Seeds a realistic tenant: an active admin owning the API key, a few hundred devices across all
 * states (2% with SIM control, while the tenant has no SIM control policy), one commercial
 * licence with only a few spare seats, an already used trial licence, a licence key registered in
 * the other region. Scales to millions of devices (`devices: 1_000_000`) without storing them.
 */
export function seedTenant(
  state: SimulatorState,
  clientIdentifier: string,
  publicKeyBase64: string,
  options: SeedOptions = {},
): void {
  state.tenant = {
    ...state.tenant,
    id: 'T-4711',
    name: 'Acme Device Finance',
    knoxGuardService: true,
    simControl: null,
    profiles: new Set(['KGP-DEFAULT']),
    defaultProfileId: 'KGP-DEFAULT',
  };
  state.users.set('U-ADMIN', { id: 'U-ADMIN', email: 'kg-admin@acme.example', status: 'active' });
  state.users.set('U-OPS', { id: 'U-OPS', email: 'kg-ops@acme.example', status: 'active' });
  state.apiKeys.set(clientIdentifier, {
    clientIdentifier,
    userId: 'U-ADMIN',
    publicKey: publicKeyBase64,
    revoked: false,
  });
  const mainKey = 'KGL-COMMERCIAL-0001';
  const count = options.devices ?? 300;
  state.devices.generate(count, {
    ...(options.mix ? { mix: options.mix } : {}),
    ...(options.simControlRatio === undefined ? {} : { simControlRatio: options.simControlRatio }),
    licenseKey: mainKey,
    now: state.clock.now(),
  });
  const holders = state.devices.countGenerated((status) => SEAT_HOLDING.has(status));
  const expiresAt = new Date(state.clock.now() + 365 * 24 * 3600_000).toISOString();
  state.licenses = [
    {
      licenseKey: mainKey,
      name: 'Knox Guard commercial',
      type: 'COMMERCIAL',
      totalSeats: holders + (options.spareSeats ?? 3),
      usedSeats: holders,
      expiresAt,
      deleted: false,
    },
    {
      licenseKey: 'KGL-TRIAL-0001',
      name: 'Knox Guard trial',
      type: 'TRIAL',
      totalSeats: 50,
      usedSeats: 0,
      expiresAt: new Date(state.clock.now() - 30 * 24 * 3600_000).toISOString(),
      deleted: true,
    },
  ];
  state.otherRegionLicenseKeys.add('KGL-EU-0001');
}
