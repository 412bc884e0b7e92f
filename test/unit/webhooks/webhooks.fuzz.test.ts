import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOperationRequest, signOperationRequest } from '../../../lib/webhooks';
import { parseKnoxNotification } from '../../../lib/webhooks/parseKnoxNotification';
import { signKnoxCallback } from '../../../lib/webhooks/signKnoxCallback';
import { verifyKnoxCallback } from '../../../lib/webhooks/verifyKnoxCallback';
import { verifyOperationRequest } from '../../../lib/webhooks/verifyOperationRequest';
import { TEST_CERT_PEM, TEST_KEY_PEM, withCheckDigit } from './helpers';

const RUNS = 10_000;
const imei = fc
  .bigInt({ min: 10_000_000_000_000n, max: 99_999_999_999_999n })
  .map((n) => withCheckDigit(String(n)));
const deviceId = fc.oneof(imei, fc.string(), fc.stringMatching(/^[A-Za-z0-9]{6,22}$/), fc.anything());
const operationLike = fc.record(
  {
    operation: fc.oneof(
      fc.constantFrom('lock', 'unlock', 'blink', 'sendMessage', 'delete', 'wipe'),
      fc.anything(),
    ),
    deviceUids: fc.oneof(fc.array(deviceId, { maxLength: 30 }), fc.anything()),
    message: fc.oneof(fc.string({ maxLength: 400 }), fc.anything()),
    tel: fc.oneof(fc.constant('+491511234567'), fc.string(), fc.anything()),
    email: fc.oneof(fc.constant('ops@example.com'), fc.string(), fc.anything()),
    requestedBy: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('parseOperationRequest (properties)', () => {
  it('never throws and always answers ok/value or issues', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), operationLike, fc.dictionary(fc.string(), fc.anything())),
        (input) => {
          const result = parseOperationRequest(input);
          if (result.ok) {
            expect(result.value.deviceUids.length).toBeGreaterThan(0);
          } else {
            expect(result.issues.length).toBeGreaterThan(0);
            expect(result.issues.length).toBeLessThanOrEqual(21);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never echoes a full IMEI in its issues, wherever the IMEI sits', () => {
    fc.assert(
      fc.property(
        imei,
        operationLike,
        fc.constantFrom('deviceUids', 'message', 'key', 'tel'),
        (id, base, where) => {
          const wrong = `${id.slice(0, 14)}${(Number(id.at(-1)) + 1) % 10}`;
          const input =
            where === 'deviceUids'
              ? { ...base, deviceUids: [wrong] }
              : where === 'key'
                ? { ...base, [id]: true }
                : { ...base, [where]: id };
          const result = parseOperationRequest(input);
          if (!result.ok) {
            const text = result.issues.join('\n');
            expect(text).not.toContain(id);
            expect(text).not.toContain(wrong);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('parseKnoxNotification (properties)', () => {
  const envelope = fc.record(
    {
      eventType: fc.oneof(fc.constantFrom('KG_DEVICE_LOCKED', 'KG_DEVICE_ENROLLED'), fc.anything()),
      eventId: fc.anything(),
      timestamp: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.anything()),
      deviceUid: fc.anything(),
      data: fc.record(
        {
          resultList: fc.array(fc.anything(), { maxLength: 5 }),
          deviceUid: fc.anything(),
          error: fc.anything(),
        },
        { requiredKeys: [] },
      ),
      devices: fc.oneof(
        fc.array(
          fc.record(
            { deviceUid: fc.anything(), result: fc.anything(), error: fc.anything() },
            { requiredKeys: [] },
          ),
          { maxLength: 5 },
        ),
        fc.anything(),
      ),
      result: fc.anything(),
      error: fc.anything(),
    },
    { requiredKeys: [] },
  );

  // The shape the evidence shows (knox-api-evidence.md §4), with every field also fuzzed.
  const evidenced = fc.record(
    {
      subscriptionId: fc.oneof(fc.uuid(), fc.anything()),
      event: fc.oneof(fc.constantFrom('KG_DEVICE_LOCKED', 'KG_DEVICE_UNLOCKED'), fc.anything()),
      payload: fc.oneof(
        fc.record(
          {
            deviceUid: fc.oneof(imei, fc.anything()),
            imei: fc.oneof(imei, fc.anything()),
            imei2: fc.oneof(imei, fc.anything()),
            objectId: fc.anything(),
            knoxObjectId: fc.anything(),
            deviceStatus: fc.oneof(fc.constantFrom('Locked', 'Active'), fc.anything()),
            lastUpdatedAt: fc.oneof(fc.integer(), fc.date().map(String), fc.anything()),
            tenantDomain: fc.anything(),
          },
          { requiredKeys: [] },
        ),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  );
  const headerContext = fc.record(
    { nonce: fc.string({ maxLength: 300 }), traceId: fc.string({ maxLength: 300 }) },
    { requiredKeys: [] },
  );

  it('never throws, and every event it returns has a non-empty id and dedupe key', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          envelope,
          evidenced,
          fc.array(fc.oneof(envelope, evidenced), { maxLength: 3 }),
          fc.jsonValue(),
        ),
        headerContext,
        (input, context) => {
          const result = parseKnoxNotification(input, context);
          if (result.ok) {
            for (const event of result.events) {
              expect(event.eventId.length).toBeGreaterThan(0);
              expect(event.eventId.length).toBeLessThanOrEqual(210);
              expect(event.dedupeKey.length).toBeGreaterThan(0);
              expect(typeof event.eventType).toBe('string');
            }
            // Ids taken from the headers stay unique per event of one body (suffixed #index).
            const fromHeaders = result.events
              .filter(
                (event) => event.eventIdSource === 'x-knox-nonce' || event.eventIdSource === 'x-wsm-traceid',
              )
              .map((event) => event.eventId);
            expect(new Set(fromHeaders).size).toBe(fromHeaders.length);
          } else {
            expect(result.issues.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('keys replays by signed content only: a new nonce or trace id never changes the dedupe key', () => {
    fc.assert(
      fc.property(fc.oneof(evidenced, envelope), headerContext, headerContext, (input, a, b) => {
        const first = parseKnoxNotification(input, a);
        const second = parseKnoxNotification(input, b);
        expect(first.ok).toBe(second.ok);
        if (first.ok && second.ok) {
          expect(second.events.map((e) => e.dedupeKey)).toEqual(first.events.map((e) => e.dedupeKey));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('derives the same id for the same event, whatever the key order', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc
            .string({ minLength: 1 })
            .filter((k) => !['eventId', 'notificationId', 'messageId', 'id', 'events'].includes(k)),
          fc.jsonValue(),
          { minKeys: 1 },
        ),
        (record) => {
          const reversed = Object.fromEntries(Object.entries(record).reverse());
          const a = parseKnoxNotification(record);
          const b = parseKnoxNotification(reversed);
          expect(a.ok && b.ok && a.events[0]?.eventId === b.events[0]?.eventId).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('verifyOperationRequest (properties)', () => {
  const NOW_S = 1_800_000_000;
  const now = () => NOW_S * 1000;

  it('never throws on arbitrary headers, bodies and secrets', () => {
    const headerValue = fc.oneof(fc.string(), fc.array(fc.string()), fc.constant(undefined));
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('x-sentinel-timestamp', 'X-Sentinel-Signature', 'x-sentinel-signature', 'other'),
          headerValue,
        ),
        fc.oneof(fc.string(), fc.uint8Array()),
        fc.oneof(fc.string(), fc.array(fc.string())),
        (headers, body, secret) => {
          const result = verifyOperationRequest({ headers, body, secret, now });
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a signature over a different body or timestamp never verifies; the right one always does', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: NOW_S - 300, max: NOW_S + 300 }),
        fc.integer({ min: NOW_S - 300, max: NOW_S + 300 }),
        fc.string({ minLength: 1 }),
        (body, otherBody, timestamp, otherTimestamp, secret) => {
          const signed = signOperationRequest({ body, secret, timestamp });
          expect(verifyOperationRequest({ headers: signed, body, secret, now }).ok).toBe(true);
          if (otherBody !== body) {
            expect(verifyOperationRequest({ headers: signed, body: otherBody, secret, now }).ok).toBe(false);
          }
          if (otherTimestamp !== timestamp) {
            const moved = { ...signed, 'x-sentinel-timestamp': String(otherTimestamp) };
            expect(verifyOperationRequest({ headers: moved, body, secret, now }).ok).toBe(false);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('verifyKnoxCallback (properties)', () => {
  it('never throws, and never accepts a body the signature was not made for', async () => {
    const signedBody = '{"event":"KG_DEVICE_LOCKED","payload":{"deviceUid":"356938035643809"}}';
    const genuine = [
      signKnoxCallback(signedBody, TEST_KEY_PEM),
      signKnoxCallback(signedBody, TEST_KEY_PEM, { scheme: 'jws-attached' }),
      signKnoxCallback(signedBody, TEST_KEY_PEM, { scheme: 'raw' }),
    ];
    // JWS-looking strings too, so jose's parsing is reached and not only our pre-checks.
    const jwsLike = fc
      .tuple(fc.base64String(), fc.oneof(fc.constant(''), fc.base64String()), fc.base64String())
      .map((parts) =>
        parts.map((part) => part.replace(/=/g, '').replace(/\+/g, '-').replace(/\//g, '_')).join('.'),
      );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.base64String(), jwsLike, fc.constantFrom(...genuine)),
        fc.constantFrom('x-wsm-signature', 'x-knox-signature'),
        fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 }), fc.constant(signedBody)),
        fc.option(fc.string(), { nil: undefined }),
        async (signature, headerName, body, nonce) => {
          const headers = {
            [headerName]: signature,
            ...(nonce === undefined ? {} : { 'x-knox-nonce': nonce }),
          };
          const result = await verifyKnoxCallback({ headers, body, certificatePem: TEST_CERT_PEM });
          const sameBody =
            (typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) === signedBody;
          if (!sameBody || !genuine.includes(signature)) expect(result.ok).toBe(false);
          else expect(result.ok).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
