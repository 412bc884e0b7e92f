/**
 * Where the `x-knox-nonce` values of processed Knox callbacks are remembered, so a callback
 * carrying one again is refused (Samsung, KWN 25.04:
 * https://docs.samsungknox.com/dev/knox-webhook-notification/release-notes/25-04/). Adapters:
 * `createDynamoNonceStore` (the state table) and `createMemoryNonceStore` (tests).
 *
 * A nonce is remembered only once its callback has been processed: if processing fails, Knox's
 * redelivery (which may carry the same nonce) must not be refused as a replay. Two deliveries
 * racing in between are kept apart by the per-event idempotency record instead.
 */
export interface NonceStore {
  /** Whether `nonce` was remembered before (an expired record that is not yet deleted counts). */
  seen(nonce: string): Promise<boolean>;
  /**
   * Remembers `nonce` until `expiresAtMs` (epoch milliseconds). Resolves `false` when it was
   * already remembered (a concurrent delivery won), `true` otherwise; rejects on store errors.
   */
  remember(nonce: string, expiresAtMs: number): Promise<boolean>;
}
