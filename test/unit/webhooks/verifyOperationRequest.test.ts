import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signOperationRequest } from '../../../lib/webhooks';
import { OperationAuthFailure } from '../../../lib/webhooks/constants';
import { verifyOperationRequest } from '../../../lib/webhooks/verifyOperationRequest';

const SECRET = 'test-shared-secret-not-real';
const NOW_S = 1_800_000_000;
const now = () => NOW_S * 1000;
const BODY = '{"operation":"unlock","deviceUids":["356938035643809"]}';

// Computed here with node:crypto directly, so the verifier is checked against the contract,
// not against its own signer.
function contractSignature(timestamp: string | number, body: string, secret = SECRET): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

describe('verifyOperationRequest', () => {
  it('accepts a request signed per the contract (Prepare / Act / Assess)', () => {
    const headers = {
      'x-sentinel-timestamp': String(NOW_S),
      'x-sentinel-signature': contractSignature(NOW_S, BODY),
    };

    const result = verifyOperationRequest({ headers, body: BODY, secret: SECRET, now });

    expect(result).toEqual({
      ok: true,
      timestamp: NOW_S,
      version: 'v1',
      requestDigest: createHash('sha256').update(`${NOW_S}.${BODY}`).digest('hex'),
    });
  });

  it('accepts what signOperationRequest produces, with header names in any case', () => {
    const signed = signOperationRequest({ body: BODY, secret: SECRET, timestamp: NOW_S, version: 'v1' });
    const headers = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toUpperCase(), v]));
    expect(signed['x-sentinel-signature']).toBe(contractSignature(NOW_S, BODY));
    expect(verifyOperationRequest({ headers, body: BODY, secret: SECRET, now }).ok).toBe(true);
  });

  it('accepts a Uint8Array body and a Headers instance', () => {
    const headers = new Headers({
      'x-sentinel-timestamp': String(NOW_S),
      'x-sentinel-signature': contractSignature(NOW_S, BODY),
    });
    expect(
      verifyOperationRequest({ headers, body: new TextEncoder().encode(BODY), secret: SECRET, now }).ok,
    ).toBe(true);
  });

  it.each([
    ['at the window edge in the past', NOW_S - 300, true],
    ['at the window edge in the future', NOW_S + 300, true],
    ['one second too old', NOW_S - 301, false],
    ['one second too far ahead', NOW_S + 301, false],
    ['a day old', NOW_S - 86_400, false],
  ])('timestamp %s', (_label, timestamp, ok) => {
    const headers = {
      'x-sentinel-timestamp': String(timestamp),
      'x-sentinel-signature': contractSignature(timestamp, BODY),
    };
    const result = verifyOperationRequest({ headers, body: BODY, secret: SECRET, now });
    expect(result.ok).toBe(ok);
    if (!result.ok) {
      expect(result.reason).toBe(OperationAuthFailure.timestampOutOfWindow);
      expect(result.apiError).toBe('TIMESTAMP_OUT_OF_WINDOW');
    }
  });

  it('honours a custom tolerance', () => {
    const ts = NOW_S - 60;
    const headers = {
      'x-sentinel-timestamp': String(ts),
      'x-sentinel-signature': contractSignature(ts, BODY),
    };
    expect(
      verifyOperationRequest({ headers, body: BODY, secret: SECRET, now, toleranceSeconds: 30 }).ok,
    ).toBe(false);
    expect(
      verifyOperationRequest({ headers, body: BODY, secret: SECRET, now, toleranceSeconds: 60 }).ok,
    ).toBe(true);
  });

  it('accepts several comma-separated signatures when one matches (client-side rotation)', () => {
    const old = contractSignature(NOW_S, BODY, 'old-secret');
    const headers = {
      'x-sentinel-timestamp': String(NOW_S),
      'x-sentinel-signature': `${old}, ${contractSignature(NOW_S, BODY)}`,
    };
    expect(verifyOperationRequest({ headers, body: BODY, secret: SECRET, now }).ok).toBe(true);
  });

  it('accepts a request signed with any of several server secrets (server-side rotation)', () => {
    const headers = {
      'x-sentinel-timestamp': String(NOW_S),
      'x-sentinel-signature': contractSignature(NOW_S, BODY, 'previous'),
    };
    expect(verifyOperationRequest({ headers, body: BODY, secret: [SECRET, 'previous'], now }).ok).toBe(true);
    expect(verifyOperationRequest({ headers, body: BODY, secret: [SECRET], now }).ok).toBe(false);
  });

  const valid = {
    'x-sentinel-timestamp': String(NOW_S),
    'x-sentinel-signature': contractSignature(NOW_S, BODY),
  };
  it.each([
    ['no headers', undefined, BODY, SECRET, OperationAuthFailure.missingTimestamp, 'SIGNATURE_MISSING'],
    [
      'no signature',
      { 'x-sentinel-timestamp': String(NOW_S) },
      BODY,
      SECRET,
      OperationAuthFailure.missingSignature,
      'SIGNATURE_MISSING',
    ],
    [
      'timestamp in ms',
      { ...valid, 'x-sentinel-timestamp': String(NOW_S * 1000) },
      BODY,
      SECRET,
      OperationAuthFailure.invalidTimestamp,
      'SIGNATURE_INVALID',
    ],
    [
      'non-numeric timestamp',
      { ...valid, 'x-sentinel-timestamp': '2027-01-15T08:00:00Z' },
      BODY,
      SECRET,
      OperationAuthFailure.invalidTimestamp,
      'SIGNATURE_INVALID',
    ],
    [
      'signature without v1=',
      { ...valid, 'x-sentinel-signature': valid['x-sentinel-signature'].slice(3) },
      BODY,
      SECRET,
      OperationAuthFailure.malformedSignature,
      'SIGNATURE_INVALID',
    ],
    [
      'truncated signature',
      { ...valid, 'x-sentinel-signature': valid['x-sentinel-signature'].slice(0, -2) },
      BODY,
      SECRET,
      OperationAuthFailure.malformedSignature,
      'SIGNATURE_INVALID',
    ],
    [
      'body changed',
      valid,
      BODY.replace('unlock', 'lock'),
      SECRET,
      OperationAuthFailure.signatureMismatch,
      'SIGNATURE_INVALID',
    ],
    [
      'body with trailing newline',
      valid,
      `${BODY}\n`,
      SECRET,
      OperationAuthFailure.signatureMismatch,
      'SIGNATURE_INVALID',
    ],
    [
      'wrong secret',
      valid,
      BODY,
      'another-secret',
      OperationAuthFailure.signatureMismatch,
      'SIGNATURE_INVALID',
    ],
    ['empty secret', valid, BODY, '', OperationAuthFailure.noSecret, 'SIGNATURE_INVALID'],
  ] as const)('refuses %s', (_label, headers, body, secret, reason, apiError) => {
    expect(verifyOperationRequest({ headers, body, secret, now })).toEqual({ ok: false, reason, apiError });
  });

  it('refuses a signature for another timestamp even inside the window', () => {
    const headers = {
      'x-sentinel-timestamp': String(NOW_S),
      'x-sentinel-signature': contractSignature(NOW_S - 1, BODY),
    };
    expect(verifyOperationRequest({ headers, body: BODY, secret: SECRET, now }).ok).toBe(false);
  });

  it('uses the real clock when no now is given', () => {
    const signed = signOperationRequest({ body: BODY, secret: SECRET });
    expect(verifyOperationRequest({ headers: signed, body: BODY, secret: SECRET }).ok).toBe(true);
  });
});

// Issue 13 item 12: v1 leaves Idempotency-Key unsigned; v2 signs it.
describe('verifyOperationRequest v2 (Idempotency-Key signed)', () => {
  function v2Signature(timestamp: number, key: string, body: string): string {
    return `v2=${createHmac('sha256', SECRET).update(`${timestamp}.${key}.${body}`).digest('hex')}`;
  }

  it('accepts a v2 signature over timestamp, key and body, as signOperationRequest makes it', () => {
    const signed = signOperationRequest({
      body: BODY,
      secret: SECRET,
      timestamp: NOW_S,
      idempotencyKey: 'inv-4711',
    });
    expect(signed).toEqual({
      'x-sentinel-timestamp': String(NOW_S),
      'x-sentinel-signature': v2Signature(NOW_S, 'inv-4711', BODY),
      'idempotency-key': 'inv-4711',
    });
    const result = verifyOperationRequest({ headers: signed, body: BODY, secret: SECRET, now });
    expect(result).toMatchObject({ ok: true, version: 'v2' });
  });

  it('signs an absent key as empty, so a key cannot be added to a v2 request', () => {
    const signed = signOperationRequest({ body: BODY, secret: SECRET, timestamp: NOW_S, version: 'v2' });
    expect(signed['x-sentinel-signature']).toBe(v2Signature(NOW_S, '', BODY));
    expect(verifyOperationRequest({ headers: signed, body: BODY, secret: SECRET, now }).ok).toBe(true);
    const added = { ...signed, 'idempotency-key': 'attacker-1' };
    expect(verifyOperationRequest({ headers: added, body: BODY, secret: SECRET, now })).toMatchObject({
      ok: false,
      reason: OperationAuthFailure.signatureMismatch,
    });
  });

  it('refuses a v2 request whose Idempotency-Key was swapped', () => {
    const signed = signOperationRequest({
      body: BODY,
      secret: SECRET,
      timestamp: NOW_S,
      idempotencyKey: 'k-1',
    });
    const swapped = { ...signed, 'idempotency-key': 'k-2' };
    expect(verifyOperationRequest({ headers: swapped, body: BODY, secret: SECRET, now }).ok).toBe(false);
  });

  it('gives every copy of one signed request the same digest, whatever key or version it carries', () => {
    const v1 = signOperationRequest({ body: BODY, secret: SECRET, timestamp: NOW_S, version: 'v1' });
    const v2 = signOperationRequest({ body: BODY, secret: SECRET, timestamp: NOW_S, idempotencyKey: 'k-1' });
    const digests = [
      verifyOperationRequest({ headers: v1, body: BODY, secret: SECRET, now }),
      verifyOperationRequest({
        headers: { ...v1, 'idempotency-key': 'swapped' },
        body: BODY,
        secret: SECRET,
        now,
      }),
      verifyOperationRequest({ headers: v2, body: BODY, secret: SECRET, now }),
    ].map((result) => (result.ok ? result.requestDigest : 'refused'));
    expect(new Set(digests)).toEqual(
      new Set([createHash('sha256').update(`${NOW_S}.${BODY}`).digest('hex')]),
    );
    const other = signOperationRequest({ body: BODY, secret: SECRET, timestamp: NOW_S + 1 });
    const later = verifyOperationRequest({ headers: other, body: BODY, secret: SECRET, now });
    expect(later.ok && later.requestDigest).not.toBe(digests[0]);
  });
});
