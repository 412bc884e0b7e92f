import { createHash } from 'node:crypto';
import { MAX_IDEMPOTENCY_KEY_LENGTH, OperationRequestHeader } from './constants';
import { apiError } from './knoxErrorEnvelope';
import { parseOperationRequest } from './parseOperationRequest';
import { readJsonBody } from './readJsonBody';
import { verifyOperationRequest } from './verifyOperationRequest';
import type { WebhookAnswer, WebhookLogger, WebhookMetric } from './WebhookAnswer';

/** What the idempotent accept step of `POST /operations` gets: everything, no closure over the event. */
export interface OperationRequestPayload {
  /** The body as UTF-8 text without a leading byte order mark (`readJsonBody`), validated. */
  readonly body: string;
  /** SHA-256 (hex) of `body`: a reused Idempotency-Key with another body is refused by it. */
  readonly bodyHash: string;
  /** The client's Idempotency-Key, or one derived from the signed request when none was sent. */
  readonly idempotencyKey: string;
  readonly keyDerived: boolean;
}

export type OperationRequestReading =
  | {
      readonly ok: true;
      readonly payload: OperationRequestPayload;
      /** The same for every copy of one signed request (verifyOperationRequest): the replay key. */
      readonly requestDigest: string;
    }
  | { readonly ok: false; readonly answer: WebhookAnswer };

const IDEMPOTENCY_KEY = new RegExp(`^[\\x21-\\x7E]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`);

/**
 * `POST /operations` up to the point where it may queue: the HMAC signature (401, docs/webhooks.md),
 * the JSON (400 `INVALID_JSON`, `readJsonBody`: a leading BOM removed, nesting bounded), the request's fields (400, `parseOperationRequest`) and the
 * Idempotency-Key (1-200 visible ASCII characters). Without a key, the signed request itself is
 * the key (`sig-<digest>`): its retries (the same signed bytes) and a 503's advice (resend with
 * this key) land on the same operation id. Pure apart from logging and counting refusals.
 *
 * @param secrets the HMAC secrets; several while one is rotated.
 * @example
 * const read = readOperationRequest({ headers, body }, secrets.split(','), { log, count });
 * if (!read.ok) return read.answer;
 */
export function readOperationRequest(
  request: { readonly headers: Readonly<Record<string, string | undefined>>; readonly body: Uint8Array },
  secrets: readonly string[],
  deps: { readonly log: WebhookLogger; readonly count: WebhookMetric },
): OperationRequestReading {
  const auth = verifyOperationRequest({ headers: request.headers, body: request.body, secret: secrets });
  if (!auth.ok) {
    deps.count('RequestsRejected', 1);
    deps.log.warn('operation request rejected', { reason: auth.reason });
    return refuse(apiError(auth.apiError, `Request authentication failed: ${auth.reason}.`));
  }
  // After the signature, which covers the raw bytes: a leading BOM removed, nesting bounded.
  const read = readJsonBody(request.body);
  if (!read.ok) return refuse(read.error);
  const { text } = read;
  const parsed = parseOperationRequest(read.json);
  if (!parsed.ok) return refuse(apiError(parsed.apiError, parsed.issues.join('; ')));

  const sentKey = request.headers[OperationRequestHeader.idempotencyKey];
  if (sentKey !== undefined && !IDEMPOTENCY_KEY.test(sentKey))
    return refuse(
      apiError(
        'VALIDATION_FAILED',
        `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters.`,
      ),
    );
  return {
    ok: true,
    requestDigest: auth.requestDigest,
    payload: {
      body: text,
      bodyHash: createHash('sha256').update(text).digest('hex'),
      idempotencyKey: sentKey ?? `sig-${auth.requestDigest.slice(0, 40)}`,
      keyDerived: sentKey === undefined,
    },
  };
}

function refuse(answer: WebhookAnswer): OperationRequestReading {
  return { ok: false, answer };
}
