import { KnoxGuardError, malformedResponseError, tokenServiceCode } from '../errors';
import { CLIENT_DEFAULTS, KNOX_JWT } from './constants';
import { signKnoxJwt } from './knoxJwt';
import type { KnoxCredentials } from './parseCertificate';
import type { Clock } from './types';

/** The access-token request body (Knox Cloud Authentication, `POST /ams/v1/users/accesstoken`). */
export interface AccessTokenRequest {
  readonly clientIdentifierJwt: string;
  readonly base64EncodedStringPublicKey: string;
  readonly validityForAccessTokenInMinutes: number;
}

/**
 * Sends the access-token request; in the client it is the retrying HTTP call without auth. It
 * gets a body FACTORY and must call it once per attempt: Knox records every JWT id (`jti`) it
 * sees and refuses a second use with 4002250 API_KEY_NON_UNIQUE_JWTID, so a retry after an answer
 * lost on the way back must carry a newly signed JWT, never the same body again.
 */
export type IssueAccessToken = (
  body: () => AccessTokenRequest,
  deadline: number | undefined,
  /** Checks each 2xx answer inside the retry loop (throws a retryable MALFORMED_RESPONSE). */
  parse: (body: unknown) => string,
) => Promise<unknown>;

/**
 * The `accessToken` of a token answer, or a retryable `MALFORMED_RESPONSE` when it has none: a
 * success body without the token is a proxy or a cut-off answer, worth another attempt.
 *
 * @example
 * readAccessToken({ accessToken: 'abc' }); // 'abc'
 */
export function readAccessToken(body: unknown): string {
  const accessToken = (body as { accessToken?: unknown } | undefined)?.accessToken;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw malformedResponseError(200, 'The access token answer has no accessToken.');
  }
  return accessToken;
}

export interface KnoxTokenProviderOptions {
  readonly credentials: KnoxCredentials;
  readonly clientIdentifier: string;
  readonly clock: Clock;
  readonly issue: IssueAccessToken;
  /** Renew this long before expiry by our clock, so a slow clock or a long call never sends a dead token. */
  readonly refreshMarginMs?: number;
  readonly validityMinutes?: number;
}

interface CachedToken {
  readonly apiToken: string;
  readonly renewAt: number;
  /** When the signed token was made, by our clock (how fresh it was when Knox refused it). */
  readonly issuedAt: number;
}

const NON_UNIQUE_JWT_ID = tokenServiceCode('API_KEY_NON_UNIQUE_JWTID').code;

/**
 * Holds the signed access token (`x-knox-apitoken`). Knox Guard has no refresh endpoint, so a
 * renewal repeats the whole flow: sign the client identifier, ask `/ams/v1/users/accesstoken` for
 * an access token, sign that. Every attempt of the token request signs its own JWT with a new
 * `jti` (Knox refuses a reused one with 4002250, see
 * https://docs.samsungknox.com/dev/knox-cloud-authentication/troubleshooting-knox-cloud-services/);
 * a 4002250 answer, which means an earlier copy of the request reached Knox, is asked once more
 * with a fresh JWT. Concurrent callers share one renewal; a refused token is invalidated only if
 * it is still the current one (not a newer one another caller already fetched).
 *
 * @example
 * const tokens = new KnoxTokenProvider({ credentials, clientIdentifier, clock, issue });
 * headers['x-knox-apitoken'] = await tokens.apiToken(deadline);
 */
export class KnoxTokenProvider {
  readonly #options: KnoxTokenProviderOptions;
  readonly #marginMs: number;
  readonly #validityMinutes: number;
  #cached: CachedToken | undefined;
  #renewal: Promise<CachedToken> | undefined;
  #issued = 0;

  constructor(options: KnoxTokenProviderOptions) {
    this.#options = options;
    this.#validityMinutes = options.validityMinutes ?? CLIENT_DEFAULTS.tokenValidityMinutes;
    const lifetimeMs = Math.min(this.#validityMinutes * 60_000, KNOX_JWT.lifetimeSeconds * 1000);
    // A margin beyond half the lifetime would renew on every call; clamp it.
    this.#marginMs = Math.min(
      options.refreshMarginMs ?? CLIENT_DEFAULTS.tokenRefreshMarginMs,
      lifetimeMs / 2,
    );
  }

  /** How many access tokens were fetched so far (for logs and tests). */
  get issuedCount(): number {
    return this.#issued;
  }

  /** A signed access token that is valid for at least the refresh margin. */
  async apiToken(deadline?: number): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#options.clock.now() < cached.renewAt) return cached.apiToken;
    if (!this.#renewal) {
      this.#renewal = this.#renew(deadline).finally(() => {
        this.#renewal = undefined;
      });
    }
    return (await this.#renewal).apiToken;
  }

  /** Forgets `apiToken` after Knox rejected it, unless a newer one already replaced it. */
  invalidate(apiToken: string): void {
    if (this.#cached?.apiToken === apiToken) this.#cached = undefined;
  }

  /**
   * How long ago (ms, by our clock) `apiToken` was signed, or `undefined` when it is not the
   * current token. A token Knox calls expired seconds after it was made means clock skew.
   */
  ageOf(apiToken: string): number | undefined {
    const cached = this.#cached;
    return cached?.apiToken === apiToken ? this.#options.clock.now() - cached.issuedAt : undefined;
  }

  async #renew(deadline: number | undefined): Promise<CachedToken> {
    const { credentials, clientIdentifier, clock, issue } = this.#options;
    const publicKey = credentials.publicKeyBase64;
    let requestedAt = clock.now();
    // Called by `issue` once per attempt: each attempt is a new JWT with a new jti.
    const sign = (): AccessTokenRequest => {
      requestedAt = clock.now();
      return {
        clientIdentifierJwt: signKnoxJwt({ clientIdentifier, publicKey }, credentials.privateKey, {
          now: requestedAt,
        }),
        base64EncodedStringPublicKey: publicKey,
        validityForAccessTokenInMinutes: this.#validityMinutes,
      };
    };
    let body: unknown;
    try {
      body = await issue(sign, deadline, readAccessToken);
    } catch (error) {
      if (!(error instanceof KnoxGuardError) || error.code !== NON_UNIQUE_JWT_ID) throw error;
      // A copy of our request reached Knox before (an answer lost on the way back, a replaying
      // proxy): the jti is spent, not the key. Once more with a new one; a second refusal stands.
      body = await issue(sign, deadline, readAccessToken);
    }
    // `issue` hands back what `parse` returned; checked again for an `issue` that ignores it.
    const accessToken = typeof body === 'string' ? body : readAccessToken(body);
    const signedAt = clock.now();
    const apiToken = signKnoxJwt({ accessToken, publicKey }, credentials.privateKey, { now: signedAt });
    // The access token lives from the request, the signed JWT from signing; the earlier end wins.
    const expiresAt = Math.min(
      requestedAt + this.#validityMinutes * 60_000,
      signedAt + KNOX_JWT.lifetimeSeconds * 1000,
    );
    this.#issued += 1;
    this.#cached = { apiToken, renewAt: expiresAt - this.#marginMs, issuedAt: signedAt };
    return this.#cached;
  }
}
