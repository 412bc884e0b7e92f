import { malformedResponseError } from '../errors';
import { CLIENT_DEFAULTS, KNOX_JWT } from './constants';
import { signKnoxJwt } from './knoxJwt';
import type { KnoxCredentials } from './parseCertificate';
import type { Clock } from './types';

/** Sends the access-token request; in the client it is the retrying HTTP call without auth. */
export type IssueAccessToken = (
  body: {
    clientIdentifierJwt: string;
    base64EncodedStringPublicKey: string;
    validityForAccessTokenInMinutes: number;
  },
  deadline: number | undefined,
) => Promise<unknown>;

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
}

/**
 * Holds the signed access token (`x-knox-apitoken`). Knox Guard has no refresh endpoint, so a
 * renewal repeats the whole flow: sign the client identifier, ask `/ams/v1/users/accesstoken` for
 * an access token, sign that. Concurrent callers share one renewal; a 401 invalidates the token
 * that was rejected (not a newer one another caller already fetched).
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

  async #renew(deadline: number | undefined): Promise<CachedToken> {
    const { credentials, clientIdentifier, clock, issue } = this.#options;
    const publicKey = credentials.publicKeyBase64;
    const requestedAt = clock.now();
    const clientIdentifierJwt = signKnoxJwt({ clientIdentifier, publicKey }, credentials.privateKey, {
      now: requestedAt,
    });
    const body = await issue(
      {
        clientIdentifierJwt,
        base64EncodedStringPublicKey: publicKey,
        validityForAccessTokenInMinutes: this.#validityMinutes,
      },
      deadline,
    );
    const accessToken = (body as { accessToken?: unknown } | undefined)?.accessToken;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw malformedResponseError(200, 'The access token answer has no accessToken.');
    }
    const signedAt = clock.now();
    const apiToken = signKnoxJwt({ accessToken, publicKey }, credentials.privateKey, { now: signedAt });
    // The access token lives from the request, the signed JWT from signing; the earlier end wins.
    const expiresAt = Math.min(
      requestedAt + this.#validityMinutes * 60_000,
      signedAt + KNOX_JWT.lifetimeSeconds * 1000,
    );
    this.#issued += 1;
    this.#cached = { apiToken, renewAt: expiresAt - this.#marginMs };
    return this.#cached;
  }
}
