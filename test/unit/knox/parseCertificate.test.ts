import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KnoxCertificateError, parseCertificate } from '../../../lib/knox';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spkiBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const formats = {
  'PEM PKCS#8 / SPKI': {
    Public: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    Private: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  },
  'PEM PKCS#1': {
    Public: publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    Private: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  },
  'base64 DER (PKCS#8 / SPKI)': {
    Public: spkiBase64,
    Private: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  },
  'base64 DER (PKCS#1)': {
    Public: publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64'),
    Private: privateKey.export({ type: 'pkcs1', format: 'der' }).toString('base64'),
  },
};

describe('parseCertificate', () => {
  it.each(Object.entries(formats))(
    'reads %s and yields the base64 DER SPKI public key',
    (_name, certificate) => {
      expect(parseCertificate(certificate).publicKeyBase64).toBe(spkiBase64);
      expect(parseCertificate(JSON.stringify(certificate)).publicKeyBase64).toBe(spkiBase64);
    },
  );

  it('reads PEM with escaped newlines, as pasted into a secret', () => {
    const pem = formats['PEM PKCS#8 / SPKI'];
    const escaped = {
      Public: pem.Public.replaceAll('\n', '\\n'),
      Private: pem.Private.replaceAll('\n', '\\n'),
    };
    expect(parseCertificate(escaped).publicKeyBase64).toBe(spkiBase64);
  });

  it.each([
    ['not JSON', '{"Public":', /not valid JSON/],
    ['no Private', { Public: spkiBase64 }, /no "Private"/],
    ['no Public', { Private: formats['PEM PKCS#1'].Private }, /no "Public"/],
    ['garbage key', { Public: spkiBase64, Private: 'not a key!' }, /neither PEM nor base64/],
    ['base64 that is no key', { Public: spkiBase64, Private: 'AAAA' }, /cannot be read/],
    [
      'public key in Private',
      { Public: spkiBase64, Private: formats['PEM PKCS#1'].Public },
      /unsupported PEM type/,
    ],
  ])('throws a KnoxCertificateError for %s', (_name, input, message) => {
    expect(() => parseCertificate(input)).toThrow(KnoxCertificateError);
    expect(() => parseCertificate(input)).toThrow(message);
  });

  it('refuses keys that do not belong together, without quoting key material', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mixed = {
      Public: other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      Private: formats['PEM PKCS#8 / SPKI'].Private,
    };
    let message = '';
    try {
      parseCertificate(mixed);
    } catch (error) {
      expect((error as Error).name).toBe('KnoxCertificateError');
      message = (error as Error).message;
    }
    expect(message).toMatch(/do not belong together/);
    expect(message).not.toMatch(/MII/);
  });
});
