import { KNOX_CALLBACK_WINDOW, KnoxCallbackIgnored } from './constants';
import type { NonceStore } from './NonceStore';
import type { KnoxNotificationEvent } from './parseKnoxNotification';

export interface AdmitKnoxCallbackInput {
  /** The callback's `x-knox-nonce`; absent on callbacks that predate KWN 25.04. */
  readonly nonce?: string;
  /** The verified and parsed events of the callback. */
  readonly events: readonly KnoxNotificationEvent[];
  readonly nonces: NonceStore;
  /** Our clock, epoch milliseconds. */
  readonly now: number;
  /** The freshness window; `KNOX_CALLBACK_WINDOW` by default. */
  readonly window?: { readonly maxAgeSeconds: number; readonly maxFutureSeconds: number };
}

export type KnoxCallbackAdmission =
  | {
      readonly ok: true;
      /** The events to process: those without a time, and those whose time is inside the window. */
      readonly events: readonly KnoxNotificationEvent[];
      /** Events left out, each with why. */
      readonly ignored: readonly {
        readonly event: KnoxNotificationEvent;
        readonly reason: typeof KnoxCallbackIgnored.tooOld | typeof KnoxCallbackIgnored.inFuture;
      }[];
      /**
       * How long records of this callback (nonce, event dedupe) must be kept, in seconds: until
       * every admitted event has left the window.
       */
      readonly retentionSeconds: number;
      /** Records the nonce (no-op without one); call it once the events are processed. */
      remember(): Promise<void>;
    }
  | { readonly ok: false; readonly reason: typeof KnoxCallbackIgnored.replayedNonce };

/**
 * Decides what of a verified Knox callback may be processed: a callback whose `x-knox-nonce` was
 * seen before is refused as a whole (Samsung, KWN 25.04:
 * https://docs.samsungknox.com/dev/knox-webhook-notification/release-notes/25-04/ "receivers
 * should reject a nonce they have seen"); of the others, events whose time (`occurredAt`, e.g.
 * `lastUpdatedAt`) is more than `maxAgeSeconds` old or more than `maxFutureSeconds` ahead are left
 * out, so no record has to outlive `maxAgeSeconds + maxFutureSeconds`. Events without a time are
 * admitted: their replays are caught by the nonce and by the per-event dedupe record only while
 * those records live.
 *
 * The nonce is recorded by `remember()` after processing, not here: a callback whose processing
 * fails must stay deliverable again. Rejects only when the store does.
 *
 * @example
 * const admission = await admitKnoxCallback({ nonce, events: parsed.events, nonces, now: Date.now() });
 * if (!admission.ok) return respond(200, { result: 'SUCCESS', duplicate: true });
 * for (const event of admission.events) await process(event);
 * await admission.remember();
 */
export async function admitKnoxCallback(input: AdmitKnoxCallbackInput): Promise<KnoxCallbackAdmission> {
  const window = input.window ?? KNOX_CALLBACK_WINDOW;
  const retentionSeconds = window.maxAgeSeconds + window.maxFutureSeconds;
  const { nonce, nonces, now } = input;
  if (nonce !== undefined && (await nonces.seen(nonce))) {
    return { ok: false, reason: KnoxCallbackIgnored.replayedNonce };
  }
  const events: KnoxNotificationEvent[] = [];
  const ignored: {
    event: KnoxNotificationEvent;
    reason: typeof KnoxCallbackIgnored.tooOld | typeof KnoxCallbackIgnored.inFuture;
  }[] = [];
  for (const event of input.events) {
    const at = event.occurredAt === undefined ? Number.NaN : Date.parse(event.occurredAt);
    if (at < now - window.maxAgeSeconds * 1000) ignored.push({ event, reason: KnoxCallbackIgnored.tooOld });
    else if (at > now + window.maxFutureSeconds * 1000)
      ignored.push({ event, reason: KnoxCallbackIgnored.inFuture });
    else events.push(event);
  }
  return {
    ok: true,
    events,
    ignored,
    retentionSeconds,
    remember: async () => {
      if (nonce !== undefined) await nonces.remember(nonce, now + retentionSeconds * 1000);
    },
  };
}
