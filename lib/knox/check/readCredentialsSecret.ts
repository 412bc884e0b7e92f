import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KnoxCertificateJson } from '../parseCertificate';
import { KnoxCheckSetupError } from './KnoxCheckSetupError';

/** The Knox Guard credentials secret as the functions read it (functions/shared/runtime.ts). */
export interface KnoxCredentialsSecret {
  readonly clientIdentifier: string;
  /** certificate.json's `{Public, Private}`; the secret may hold it as an object or as JSON text. */
  readonly certificate: KnoxCertificateJson | string;
}

/**
 * Reads a deployed stage's Knox Guard credentials with `GetSecretValue`: the SecretString
 * `{"clientIdentifier": "...", "certificate": <certificate.json>}` that `knoxCredentialsSecretId`
 * names (docs/operator-guide.md, "Before the first deploy: secrets"). The client comes from the
 * caller, so it uses the usual credential chain and region, or a test endpoint.
 * Source: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 *
 * @throws KnoxCheckSetupError when the secret cannot be read or does not hold that shape; the
 *   message names the secret and the AWS error, never the value.
 * @example
 * const secret = await readCredentialsSecret(new SecretsManagerClient({ region: 'eu-central-1' }),
 *   'knox-guard-sentinel/prod/knox-credentials');
 */
export async function readCredentialsSecret(
  client: SecretsManagerClient,
  secretId: string,
): Promise<KnoxCredentialsSecret> {
  let text: string | undefined;
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = answer.SecretString;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new KnoxCheckSetupError(`Secrets Manager could not read ${secretId}: ${name}: ${message}`, {
      cause: error,
    });
  }
  if (text === undefined || text === '')
    throw new KnoxCheckSetupError(`The secret ${secretId} has no SecretString.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KnoxCheckSetupError(`The secret ${secretId} is not JSON {clientIdentifier, certificate}.`);
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const { clientIdentifier, certificate } = record;
  if (typeof clientIdentifier !== 'string' || clientIdentifier.trim() === '')
    throw new KnoxCheckSetupError(`The secret ${secretId} has no clientIdentifier.`);
  if (typeof certificate === 'string' && certificate.trim() !== '') return { clientIdentifier, certificate };
  if (typeof certificate === 'object' && certificate !== null)
    return { clientIdentifier, certificate: certificate as KnoxCertificateJson };
  throw new KnoxCheckSetupError(`The secret ${secretId} has no certificate.`);
}
