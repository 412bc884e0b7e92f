import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { KnoxCertificateError } from './errors';

/** The contents of the `certificate.json` downloaded from the Knox API portal. */
export interface KnoxCertificateJson {
  readonly Public: string;
  readonly Private: string;
}

/** A validated certificate: key objects (which never print their material) and the encoded public key. */
export interface KnoxCredentials {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Base64 of the DER SubjectPublicKeyInfo: the `publicKey` claim and `base64EncodedStringPublicKey`. */
  readonly publicKeyBase64: string;
}

type KeyKind = 'private' | 'public';

// PEM labels name the syntax; base64 DER does not, so those are tried in the order Knox ships them.
const PEM_SYNTAX: Readonly<Record<string, { kind: KeyKind; type: 'pkcs8' | 'pkcs1' | 'spki' }>> = {
  'PRIVATE KEY': { kind: 'private', type: 'pkcs8' },
  'RSA PRIVATE KEY': { kind: 'private', type: 'pkcs1' },
  'PUBLIC KEY': { kind: 'public', type: 'spki' },
  'RSA PUBLIC KEY': { kind: 'public', type: 'pkcs1' },
};
const DER_SYNTAXES: Readonly<Record<KeyKind, readonly ('pkcs8' | 'pkcs1' | 'spki')[]>> = {
  private: ['pkcs8', 'pkcs1'],
  public: ['spki', 'pkcs1'],
};

/**
 * Validates `certificate.json` (as text or parsed) and turns its keys into key objects. Accepts
 * PEM (PKCS#8 / SPKI or PKCS#1, also on one line or with escaped `\n`) and base64 DER, checks the
 * keys are RSA and belong together, and throws a `KnoxCertificateError` that names the problem
 * without quoting the key.
 *
 * @example
 * const credentials = parseCertificate(await readFile('certificate.json', 'utf8'));
 * credentials.publicKeyBase64; // 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...'
 */
export function parseCertificate(json: string | object): KnoxCredentials {
  const record = readJson(json);
  const privateText = record.Private;
  const publicText = record.Public;
  if (typeof privateText !== 'string' || privateText.trim() === '') {
    throw new KnoxCertificateError('certificate.json has no "Private" key (a non-empty string).');
  }
  if (typeof publicText !== 'string' || publicText.trim() === '') {
    throw new KnoxCertificateError('certificate.json has no "Public" key (a non-empty string).');
  }
  const privateKey = importKey(privateText, 'private');
  const publicKey = importKey(publicText, 'public');
  if (privateKey.asymmetricKeyType !== 'rsa' || publicKey.asymmetricKeyType !== 'rsa') {
    throw new KnoxCertificateError('certificate.json keys must be RSA keys (Knox signs with RS512).');
  }
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!spki.equals(derived)) {
    throw new KnoxCertificateError('certificate.json "Public" and "Private" keys do not belong together.');
  }
  return { privateKey, publicKey, publicKeyBase64: spki.toString('base64') };
}

function readJson(json: string | object): Record<string, unknown> {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw new KnoxCertificateError('certificate.json is not valid JSON.', { cause });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KnoxCertificateError('certificate.json must be a JSON object with "Public" and "Private".');
  }
  return value as Record<string, unknown>;
}

function importKey(text: string, kind: KeyKind): KeyObject {
  const label = kind === 'private' ? '"Private"' : '"Public"';
  // Certificates pasted into secrets often carry literal "\n" sequences instead of line breaks.
  const normalized = text.replaceAll('\\n', '\n').trim();
  const pem = /^-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----$/.exec(normalized);
  if (normalized.startsWith('-----BEGIN') && !pem) {
    throw new KnoxCertificateError(`certificate.json ${label} key is not a complete PEM block.`);
  }
  const syntax = pem ? PEM_SYNTAX[pem[1] as string] : undefined;
  if (pem && (!syntax || syntax.kind !== kind)) {
    throw new KnoxCertificateError(`certificate.json ${label} key has an unsupported PEM type "${pem[1]}".`);
  }
  const base64 = (pem ? (pem[2] as string) : normalized).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new KnoxCertificateError(`certificate.json ${label} key is neither PEM nor base64 DER.`);
  }
  const der = Buffer.from(base64, 'base64');
  const types = syntax ? [syntax.type] : DER_SYNTAXES[kind];
  let lastError: unknown;
  for (const type of types) {
    try {
      return kind === 'private'
        ? createPrivateKey({ key: der, format: 'der', type: type as 'pkcs8' | 'pkcs1' })
        : createPublicKey({ key: der, format: 'der', type: type as 'spki' | 'pkcs1' });
    } catch (error) {
      lastError = error;
    }
  }
  throw new KnoxCertificateError(`certificate.json ${label} key cannot be read as an RSA ${kind} key.`, {
    cause: lastError,
  });
}
