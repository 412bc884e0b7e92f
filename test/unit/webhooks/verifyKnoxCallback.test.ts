import { createPrivateKey, createPublicKey, sign, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KnoxCallbackFailure } from '../../../lib/webhooks/constants';
import { signKnoxCallback } from '../../../lib/webhooks/signKnoxCallback';
import { verifyKnoxCallback } from '../../../lib/webhooks/verifyKnoxCallback';
import { EC_CERT_PEM, EC_KEY_PEM, OTHER_KEY_PEM, TEST_CERT_PEM, TEST_KEY_PEM } from './helpers';

const BODY = JSON.stringify({
  eventType: 'KG_DEVICE_LOCKED',
  eventId: 'evt-1',
  deviceUid: '356938035643809',
});
// Inside the fixture certificate's validity period (it is valid for 100 years from its creation).
const VALID_NOW = () => Date.parse(new X509Certificate(TEST_CERT_PEM).validFrom) + 86_400_000;
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function compactJws(alg: string, payload: string, key: string, hash = 'sha256'): string {
  const header = b64url(JSON.stringify({ alg }));
  const body = b64url(payload);
  const signature = sign(hash, Buffer.from(`${header}.${body}`), createPrivateKey(key)).toString('base64url');
  return `${header}.${body}.${signature}`;
}

describe('verifyKnoxCallback', () => {
  it('accepts a base64 RSA-SHA256 signature over the raw body, made without our signer (Prepare / Act / Assess)', async () => {
    const signature = sign('sha256', Buffer.from(BODY), createPrivateKey(TEST_KEY_PEM)).toString('base64');
    const headers = { 'X-Knox-Signature': signature, 'x-knox-nonce': 'n-123' };

    const result = await verifyKnoxCallback({
      headers,
      body: BODY,
      certificatePem: TEST_CERT_PEM,
      now: VALID_NOW,
    });

    expect(result).toEqual({
      ok: true,
      payload: BODY,
      nonce: 'n-123',
      scheme: 'raw',
      algorithm: 'rsa-sha256',
    });
  });

  it.each([
    ['signKnoxCallback raw', () => signKnoxCallback(BODY, TEST_KEY_PEM, { scheme: 'raw' }), 'raw'],
    ['signKnoxCallback default (detached JWS RS256)', () => signKnoxCallback(BODY, TEST_KEY_PEM), 'jws'],
    [
      'signKnoxCallback attached JWS RS256',
      () => signKnoxCallback(BODY, TEST_KEY_PEM, { scheme: 'jws-attached' }),
      'jws',
    ],
    [
      'signKnoxCallback detached JWS RS512',
      () => signKnoxCallback(BODY, TEST_KEY_PEM, { scheme: 'jws', algorithm: 'RS512' }),
      'jws',
    ],
    [
      'RSA-SHA512',
      () => sign('sha512', Buffer.from(BODY), createPrivateKey(TEST_KEY_PEM)).toString('base64'),
      'raw',
    ],
    [
      'sha256= prefix, base64url',
      () =>
        `sha256=${sign('sha256', Buffer.from(BODY), createPrivateKey(TEST_KEY_PEM)).toString('base64url')}`,
      'raw',
    ],
    ['attached JWS RS256', () => compactJws('RS256', BODY, TEST_KEY_PEM), 'jws'],
  ])('accepts %s', async (_label, signature, scheme) => {
    const result = await verifyKnoxCallback({
      headers: { 'x-knox-signature': signature() },
      body: BODY,
      certificatePem: TEST_CERT_PEM,
      now: VALID_NOW,
    });
    expect(result.ok).toBe(true);
    expect(result.ok && result.scheme).toBe(scheme);
    expect(result.ok && result.payload).toBe(BODY);
  });

  it('accepts the evidenced x-wsm-signature (RS256 JWS, attached or detached) made without our signer', async () => {
    // As the one public Knox Guard receiver checks it: signing input = header + '.' + base64url(raw body).
    const header = b64url(JSON.stringify({ alg: 'RS256' }));
    const signingInput = `${header}.${b64url(BODY)}`;
    const signature = sign('sha256', Buffer.from(signingInput), createPrivateKey(TEST_KEY_PEM)).toString(
      'base64url',
    );
    for (const jws of [`${header}.${b64url(BODY)}.${signature}`, `${header}..${signature}`]) {
      const headers = { 'X-WSM-Signature': jws, 'x-knox-nonce': 'n-1', 'x-wsm-traceid': 'trace-7' };

      const result = await verifyKnoxCallback({ headers, body: BODY, certificatePem: TEST_CERT_PEM });

      expect(result).toEqual({
        ok: true,
        payload: BODY,
        nonce: 'n-1',
        traceId: 'trace-7',
        scheme: 'jws',
        algorithm: 'RS256',
      });
    }
  });

  it('checks x-wsm-signature when both signature headers are sent', async () => {
    const genuine = signKnoxCallback(BODY, TEST_KEY_PEM);
    const forged = signKnoxCallback(BODY, OTHER_KEY_PEM);
    const check = async (headers: Record<string, string>) =>
      (await verifyKnoxCallback({ headers, body: BODY, certificatePem: TEST_CERT_PEM })).ok;
    expect(await check({ 'x-wsm-signature': genuine, 'x-knox-signature': forged })).toBe(true);
    expect(await check({ 'x-wsm-signature': forged, 'x-knox-signature': genuine })).toBe(false);
  });

  it('hands back no trace id that does not fit a log line', async () => {
    for (const traceId of ['a'.repeat(201), 'has space', 'line\nbreak']) {
      const result = await verifyKnoxCallback({
        headers: { 'x-wsm-signature': signKnoxCallback(BODY, TEST_KEY_PEM), 'x-wsm-traceid': traceId },
        body: BODY,
        certificatePem: TEST_CERT_PEM,
      });
      expect(result.ok && result.traceId).toBeUndefined();
    }
  });

  it('accepts the certificate as a bare public key PEM and as base64 DER', async () => {
    const signature = signKnoxCallback(BODY, TEST_KEY_PEM);
    const publicPem = createPublicKey(TEST_KEY_PEM).export({ type: 'spki', format: 'pem' }).toString();
    const der = new X509Certificate(TEST_CERT_PEM).raw.toString('base64');
    for (const certificatePem of [publicPem, der]) {
      expect(
        (await verifyKnoxCallback({ headers: { 'x-wsm-signature': signature }, body: BODY, certificatePem }))
          .ok,
      ).toBe(true);
    }
  });

  it('accepts an ECDSA certificate with a DER signature and an ES256 JWS', async () => {
    const raw = sign('sha256', Buffer.from(BODY), createPrivateKey(EC_KEY_PEM)).toString('base64');
    const es256 = sign('sha256', Buffer.from(BODY), {
      key: createPrivateKey(EC_KEY_PEM),
      dsaEncoding: 'ieee-p1363',
    });
    const header = b64url(JSON.stringify({ alg: 'ES256' }));
    const jws = `${header}.${b64url(BODY)}.${sign('sha256', Buffer.from(`${header}.${b64url(BODY)}`), { key: createPrivateKey(EC_KEY_PEM), dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    expect(es256.length).toBe(64);
    for (const signature of [raw, jws]) {
      expect(
        (
          await verifyKnoxCallback({
            headers: { 'x-knox-signature': signature },
            body: BODY,
            certificatePem: EC_CERT_PEM,
          })
        ).ok,
      ).toBe(true);
    }
  });

  it('verifies a body that is itself a compact JWS and returns its payload', async () => {
    const jws = compactJws('RS512', BODY, TEST_KEY_PEM, 'sha512');
    const result = await verifyKnoxCallback({
      headers: { 'x-knox-nonce': 'n-9' },
      body: jws,
      certificatePem: TEST_CERT_PEM,
    });
    expect(result).toEqual({ ok: true, payload: BODY, nonce: 'n-9', scheme: 'jws', algorithm: 'RS512' });
  });

  const good = signKnoxCallback(BODY, TEST_KEY_PEM, { scheme: 'raw' });
  const none = `${b64url(JSON.stringify({ alg: 'none' }))}.${b64url(BODY)}.${b64url('x')}`;
  const hs256 = `${b64url(JSON.stringify({ alg: 'HS256' }))}.${b64url(BODY)}.${b64url('x')}`;
  it.each([
    ['no signature', {}, BODY, TEST_CERT_PEM, KnoxCallbackFailure.missingSignature],
    [
      'an empty signature',
      { 'x-knox-signature': ' ' },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.missingSignature,
    ],
    [
      'a non-base64 signature',
      { 'x-knox-signature': 'not base64!' },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.malformedSignature,
    ],
    [
      'a huge signature',
      { 'x-knox-signature': 'A'.repeat(10_000) },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.malformedSignature,
    ],
    [
      'a changed body',
      { 'x-knox-signature': good },
      BODY.replace('LOCKED', 'UNLOCKED'),
      TEST_CERT_PEM,
      KnoxCallbackFailure.signatureMismatch,
    ],
    [
      'a signature by another key',
      { 'x-knox-signature': signKnoxCallback(BODY, OTHER_KEY_PEM, { scheme: 'raw' }) },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.signatureMismatch,
    ],
    [
      'an attached JWS over another body',
      { 'x-knox-signature': compactJws('RS256', '{"other":1}', TEST_KEY_PEM) },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.payloadMismatch,
    ],
    ['alg none', { 'x-knox-signature': none }, BODY, TEST_CERT_PEM, KnoxCallbackFailure.unsupportedAlgorithm],
    [
      'alg none in x-wsm-signature, detached',
      { 'x-wsm-signature': `${b64url(JSON.stringify({ alg: 'none' }))}..` },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.malformedSignature,
    ],
    [
      'alg none in x-wsm-signature with a signature part',
      { 'x-wsm-signature': `${b64url(JSON.stringify({ alg: 'none' }))}..${b64url('x')}` },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.unsupportedAlgorithm,
    ],
    [
      'a detached x-wsm-signature over another body',
      { 'x-wsm-signature': signKnoxCallback('{"other":1}', TEST_KEY_PEM) },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.signatureMismatch,
    ],
    [
      'an attached x-wsm-signature over another body',
      { 'x-wsm-signature': signKnoxCallback('{"other":1}', TEST_KEY_PEM, { scheme: 'jws-attached' }) },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.payloadMismatch,
    ],
    [
      'a JWS whose protected header is not JSON',
      { 'x-wsm-signature': `${b64url('not json')}..${b64url('x')}` },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.malformedSignature,
    ],
    [
      'a JWS with an unknown critical header',
      {
        'x-wsm-signature': `${b64url(JSON.stringify({ alg: 'RS256', crit: ['exp'], exp: 1 }))}..${b64url('x')}`,
      },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.unsupportedAlgorithm,
    ],
    [
      'alg HS256',
      { 'x-knox-signature': hs256 },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.unsupportedAlgorithm,
    ],
    [
      'ES256 claimed for an RSA certificate',
      { 'x-knox-signature': `${b64url(JSON.stringify({ alg: 'ES256' }))}..${b64url('x')}` },
      BODY,
      TEST_CERT_PEM,
      KnoxCallbackFailure.unsupportedAlgorithm,
    ],
    [
      'an unreadable certificate',
      { 'x-knox-signature': good },
      BODY,
      '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----',
      KnoxCallbackFailure.invalidCertificate,
    ],
    ['an empty certificate', { 'x-knox-signature': good }, BODY, '', KnoxCallbackFailure.invalidCertificate],
  ])('refuses %s', async (_label, headers, body, certificatePem, reason) => {
    expect(await verifyKnoxCallback({ headers, body, certificatePem, now: VALID_NOW })).toEqual({
      ok: false,
      reason,
    });
  });

  it('refuses callbacks once the certificate has expired, and before it is valid', async () => {
    const validTo = Date.parse(new X509Certificate(TEST_CERT_PEM).validTo);
    const validFrom = Date.parse(new X509Certificate(TEST_CERT_PEM).validFrom);
    const headers = { 'x-knox-signature': good };
    for (const at of [validTo + 1000, validFrom - 1000]) {
      expect(
        await verifyKnoxCallback({ headers, body: BODY, certificatePem: TEST_CERT_PEM, now: () => at }),
      ).toEqual({
        ok: false,
        reason: KnoxCallbackFailure.certificateExpired,
      });
    }
  });
});
