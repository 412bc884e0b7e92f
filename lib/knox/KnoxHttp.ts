import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { decode, KnoxGuardError, transportError } from '../errors';
import { retryDelayWithin } from '../retry';
import { API_TOKEN_HEADER } from './constants';
import { type HttpResponse, type HttpTransport, HttpTransportError } from './HttpTransport';
import type { IssueAccessToken, KnoxTokenProvider } from './KnoxTokenProvider';
import { TRANSACTION_ID_HEADER } from './paths';
import type { ReleaseSlot, RequestGate } from './RequestSlots';
import { CLOCK_SKEW_TOKEN_AGE_MS, clockSkewError, isTokenExpiry, isTokenRefusal } from './tokenRefusal';
import type { Clock, KnoxLogger } from './types';

export interface KnoxHttpSettings {
  readonly baseUrl: string;
  readonly transport: HttpTransport;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly requestTimeoutMs: number;
  /** Makes the `x-knox-transactionId` of a call that brings none (default `crypto.randomUUID`). */
  readonly newTransactionId?: (() => string) | undefined;
  readonly logger?: KnoxLogger | undefined;
}

export interface KnoxCall {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  /**
   * The JSON body; a function is called once per attempt for a body that must differ between
   * attempts (the token request signs a JWT with a new `jti` each time).
   */
  readonly body?: unknown;
  /** Epoch ms after which no new attempt starts. */
  readonly deadline?: number | undefined;
  /** Send `x-knox-apitoken` (every call except the token request itself). */
  readonly auth: boolean;
  /**
   * Overrides `error.retryable`, e.g. a bulk-limit refusal is answered by shrinking, not by
   * resending. Called before the attempt's gate slot is handed on.
   */
  readonly shouldRetry?: (error: KnoxGuardError) => boolean;
  /**
   * Bounds requests in flight: each attempt holds one of its slots from before the token is read
   * until its answer is decided (or, with `releaseOnArrival`, until a 2xx answer has arrived), so
   * backoff waits never hold a slot.
   */
  readonly gate?: RequestGate;
  /**
   * The `x-knox-transactionId` to send with every attempt (an async submit's handle, a poll's
   * transaction); without it each attempt gets a fresh one from `newTransactionId`.
   */
  readonly transactionId?: string;
  /**
   * Reads the decoded 2xx body into what the caller needs, inside the retry loop: a
   * `KnoxGuardError` it throws (a `malformedResponseError` for an answer of the wrong shape, such
   * as a token answer without `accessToken`) is handled like a failed attempt, so a retryable one
   * is retried within the deadline instead of being given up after one try. Other errors
   * propagate at once.
   */
  readonly parse?: (body: unknown) => unknown;
}

/**
 * Sends one Knox Guard call with everything a call needs: the signed token, one token renewal
 * when Knox refuses the token (HTTP 401, or an expiry/auth code at any status; a renewed token
 * refused again as expired within seconds is TOKEN_CLOCK_SKEW), full-jitter retries on retryable
 * failures (429, 5xx, timeouts, resets, malformed 2xx) honouring `Retry-After`, and the caller's deadline, which caps both the waits and each
 * request's timeout. Resolves with the decoded success body or throws the last `KnoxGuardError`.
 *
 * @example
 * const body = await http.call({ method: 'GET', path: KNOX_PATHS.authorization, auth: true, deadline });
 */
export class KnoxHttp {
  readonly #settings: KnoxHttpSettings;
  #tokens: KnoxTokenProvider | undefined;

  constructor(settings: KnoxHttpSettings) {
    this.#settings = settings;
  }

  /** Wires the token provider in after construction (the provider itself calls through this class). */
  useTokens(tokens: KnoxTokenProvider): void {
    this.#tokens = tokens;
  }

  /**
   * The token request as `KnoxTokenProvider` needs it: this class's retrying call without auth,
   * signing a fresh body per attempt and checking each 2xx answer inside the retry loop.
   *
   * @example
   * const tokens = new KnoxTokenProvider({ credentials, clientIdentifier, clock, issue: http.tokenIssuer(paths.accessToken) });
   */
  tokenIssuer(path: string): IssueAccessToken {
    return (body, deadline, parse) => this.call({ method: 'POST', path, body, deadline, auth: false, parse });
  }

  async call(call: KnoxCall): Promise<unknown> {
    const { clock, maxAttempts, logger } = this.#settings;
    let renewed = false;
    let lastError: KnoxGuardError | undefined;
    for (let attempt = 1; ; attempt += 1) {
      if (timeLeft(call, clock) <= 0) throw lastError ?? deadlineError(call.path);
      // The slot is taken before the token is read: a request that waited must not carry a token
      // that the request before it just found revoked.
      const release = call.gate ? await call.gate.enter() : undefined;
      let error: KnoxGuardError;
      let retryable: boolean;
      try {
        // The wait for a slot counts against the deadline like any other.
        const remaining = timeLeft(call, clock);
        if (remaining <= 0) throw lastError ?? deadlineError(call.path);
        const apiToken = call.auth ? await this.#requireTokens().apiToken(call.deadline) : undefined;
        const body = typeof call.body === 'function' ? (call.body as () => unknown)() : call.body;
        const outcome = await this.#attempt(
          body === call.body ? call : { ...call, body },
          apiToken,
          remaining,
          release,
        );
        const read = outcome instanceof KnoxGuardError ? outcome : readBody(call, outcome.body);
        if (!(read instanceof KnoxGuardError)) return read.value;
        error = read;
        lastError = error;
        if (apiToken !== undefined && isTokenRefusal(error)) {
          const tokens = this.#requireTokens();
          if (!renewed) {
            // The token may have expired early (clock skew) or been revoked: renew once, resend now.
            renewed = true;
            tokens.invalidate(apiToken);
            logger?.info('knox token rejected, renewing once', { path: call.path, code: error.code });
            attempt -= 1;
            continue;
          }
          const age = tokens.ageOf(apiToken);
          if (isTokenExpiry(error) && age !== undefined && age < CLOCK_SKEW_TOKEN_AGE_MS) {
            throw clockSkewError(error, age);
          }
        }
        retryable = call.shouldRetry ? call.shouldRetry(error) : error.retryable;
      } finally {
        // After the decision, so what this answer taught (a revoked token, through `shouldRetry`
        // a lower bulk limit) applies to the request that gets the slot next. Never held while
        // backing off.
        release?.();
      }
      if (!retryable || attempt >= maxAttempts) throw error;
      // Never a timer past the deadline: when the wait, or the window Knox asked for (Retry-After,
      // even beyond the maxDelayMs cap), ends after it, give up now with this error; the caller
      // hands the work back for redelivery.
      const delay = retryDelayWithin(attempt, {
        ...this.#settings,
        retryAfterSeconds: error.retryAfter,
        now: clock.now(),
        deadline: call.deadline,
      });
      if (delay === undefined) throw error;
      logger?.debug('knox call retry', { path: call.path, attempt, delayMs: delay, code: error.code });
      await this.#settings.sleep(delay);
    }
  }

  async #attempt(
    call: KnoxCall,
    apiToken: string | undefined,
    remainingMs: number,
    release: ReleaseSlot | undefined,
  ): Promise<KnoxGuardError | { body: unknown }> {
    const { transport, clock, requestTimeoutMs, baseUrl } = this.#settings;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (apiToken !== undefined) headers[API_TOKEN_HEADER] = apiToken;
    // Every real client sends one and Samsung support asks for it: logged with the path.
    const transactionId = call.transactionId ?? (this.#settings.newTransactionId ?? randomUUID)();
    headers[TRANSACTION_ID_HEADER] = transactionId;
    this.#settings.logger?.debug('knox request', { method: call.method, path: call.path, transactionId });
    let response: HttpResponse;
    try {
      response = await transport.send({
        method: call.method,
        url: `${baseUrl}${call.path}`,
        headers,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        timeoutMs: Math.min(requestTimeoutMs, remainingMs),
      });
    } catch (error) {
      const kind = error instanceof HttpTransportError ? error.kind : 'transport';
      return transportError(kind, error);
    }
    // A 2xx answer teaches the next request nothing, so a gate that allows it gets its slot back
    // now, and a request that was waiting for it goes out before this answer is parsed (a bulk
    // result is ~1 MB of JSON, several ms of CPU).
    if (call.gate?.releaseOnArrival && response.status >= 200 && response.status <= 299 && release?.()) {
      await nextTurn();
    }
    const result = decode(response, { now: () => clock.now() });
    return result.ok ? { body: result.body } : result.error;
  }

  #requireTokens(): KnoxTokenProvider {
    if (!this.#tokens) throw new Error('KnoxHttp: no token provider wired in');
    return this.#tokens;
  }
}

/** The caller's reading of a 2xx body, or the `KnoxGuardError` its `parse` threw. */
function readBody(call: KnoxCall, body: unknown): KnoxGuardError | { value: unknown } {
  if (!call.parse) return { value: body };
  try {
    return { value: call.parse(body) };
  } catch (error) {
    if (error instanceof KnoxGuardError) return error;
    throw error;
  }
}

function timeLeft(call: KnoxCall, clock: Clock): number {
  return call.deadline === undefined ? Number.POSITIVE_INFINITY : call.deadline - clock.now();
}

function deadlineError(path: string): KnoxGuardError {
  return transportError('timeout', new Error(`The deadline passed before ${path} could be sent.`));
}
