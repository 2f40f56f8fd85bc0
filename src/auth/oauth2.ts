/**
 * Signing a user in with OAuth 2.0, authorization code with PKCE: the authorize URL (with `state` and
 * an S256 code challenge), the token exchange, refresh and revocation. The access token that comes
 * out is what `client.subscriptions.add(webhookId, { oauth2AccessToken })` takes (v2 only).
 *
 * Sources: https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code and
 * .../user-access-token, X's OpenAPI spec v2.167 (`OAuth2UserToken`). Where they disagree:
 * - The authorize page is `https://x.com/i/oauth2/authorize` in the guides (and in X's own Python
 *   SDK, `authorization_base_url = 'https://x.com/i'`), `https://api.x.com/2/oauth2/authorize` in the
 *   OpenAPI spec: the guides' URL is the default; `authorizationBaseUrl` picks another. The emulator
 *   serves both paths.
 * - The guides' examples use `code_challenge_method=plain`; PKCE's S256 is what this flow sends (the
 *   emulator accepts both, and X's own TypeScript SDK's lower-case `s256`).
 * - Confidential clients authenticate with HTTP Basic (client id and secret); public clients send
 *   `client_id` in the body. With a `clientSecret` this flow sends Basic, and `client_id` in the body
 *   as well (the guides say it is "not needed" then, not that it is refused).
 */
import { InvalidArgumentError, OAuthCallbackError } from '../errors.js';
import { constantTimeEqual, encodeBase64 } from '../crypto.js';
import { callbackParams } from './oauth1.js';
import {
  checkBaseUrl,
  checkString,
  checkTransport,
  send,
  unexpectedAnswer,
  type FetchLike,
  type FlowTransportOptions,
} from './http.js';
import type { OAuth2Scope } from './scopes.js';

const DEFAULT_BASE_URL = 'https://api.x.com';
const DEFAULT_AUTHORIZATION_BASE_URL = 'https://x.com/i';
/** X documents `state` "up to 500 characters". */
const MAX_STATE = 500;

/** Options of {@link createOAuth2Flow}. */
export interface OAuth2FlowOptions extends FlowTransportOptions {
  /** The app's OAuth 2.0 Client ID (Developer Console, "Keys and tokens"). */
  readonly clientId: string;
  /**
   * The Client Secret of a confidential client (web app, automated app or bot); leave it out for a
   * public client (native or single-page app). Kept in a private field; never in an error or log.
   */
  readonly clientSecret?: string;
  /** The callback URL, exactly as registered in the app's settings (X checks it by exact match). */
  readonly redirectUri: string;
  /**
   * Where `/2/oauth2/token` and `/2/oauth2/revoke` live.
   * @default 'https://api.x.com'
   * @example emulator.url
   */
  readonly baseUrl?: string;
  /**
   * Where the authorize page lives (`{authorizationBaseUrl}/oauth2/authorize`).
   * @default 'https://x.com/i', or `${baseUrl}/i` when `baseUrl` is given
   */
  readonly authorizationBaseUrl?: string;
}

/** Options of {@link OAuth2Flow.authorizeUrl}. */
export interface OAuth2AuthorizeOptions {
  /**
   * The scopes to ask for: see `AAA_SUBSCRIPTION_SCOPES` and `xaaScopes()`. Add `'offline.access'`
   * for a refresh token.
   */
  readonly scopes: readonly OAuth2Scope[];
  /**
   * The CSRF `state` (at most 500 characters).
   * @default 32 random bytes, base64url
   */
  readonly state?: string;
}

/** One sign-in in progress: send the user to `url`, keep `state` and `codeVerifier` server-side. */
export interface OAuth2AuthorizeRequest {
  /** X's authorize page for this sign-in. */
  readonly url: string;
  /** The `state` to compare with the callback's. */
  readonly state: string;
  /** The PKCE code verifier (43 characters): keep it secret until the exchange. */
  readonly codeVerifier: string;
}

/** What {@link OAuth2Flow.exchange} needs. */
export interface OAuth2ExchangeRequest {
  /** The `code` of the callback (X lets it live 30 seconds). */
  readonly code: string;
  /** The code verifier of {@link OAuth2Flow.authorizeUrl}. */
  readonly codeVerifier: string;
}

/**
 * A user's OAuth 2.0 tokens. Subscribe with `{ oauth2AccessToken: tokens.accessToken }`. This is the
 * user's credential: store it encrypted and never log it.
 */
export interface OAuth2Tokens {
  /** Always `'bearer'`. */
  readonly tokenType: 'bearer';
  /** The user access token (two hours by default). */
  readonly accessToken: string;
  /** The refresh token: only with the `offline.access` scope. X issues a new one with each refresh. */
  readonly refreshToken?: string;
  /** When the access token expires (from `expires_in`). */
  readonly expiresAt: Date;
  /** The scopes X granted (from `scope`). */
  readonly scopes: readonly OAuth2Scope[];
}

/** Base64url without padding of a short byte array (32 random bytes, a SHA-256 digest). */
function base64url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A random base64url string of `bytes` random bytes from the platform's CSPRNG. */
function randomString(bytes: number): string {
  return base64url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * The S256 code challenge of a PKCE code verifier: base64url(SHA-256(verifier)), RFC 7636 §4.2.
 *
 * @example
 * ```ts
 * await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
 * // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 * ```
 */
export async function codeChallengeS256(codeVerifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier));
  return base64url(new Uint8Array(digest));
}

/**
 * The OAuth 2.0 sign-in of one app. Create it once with {@link createOAuth2Flow}; it holds the
 * client secret in a private field, so `JSON.stringify` and `util.inspect` show only the client id
 * and the URLs.
 */
export class OAuth2Flow {
  /** The app's Client ID. */
  readonly clientId: string;
  /** The registered callback URL. */
  readonly redirectUri: string;
  /** Where the token endpoints live. */
  readonly baseUrl: string;
  /** Where the authorize page lives. */
  readonly authorizationBaseUrl: string;
  readonly #clientSecret: string | undefined;
  readonly #transport: { timeoutMs: number; fetch: FetchLike };

  /** @internal Use {@link createOAuth2Flow}. */
  constructor(options: OAuth2FlowOptions) {
    const owner = 'createOAuth2Flow()';
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError(`${owner}: pass { clientId, redirectUri }.`);
    this.clientId = checkString(owner, 'clientId', options.clientId);
    this.#clientSecret =
      options.clientSecret === undefined ? undefined : checkString(owner, 'clientSecret', options.clientSecret);
    const redirectUri = checkString(owner, 'redirectUri', options.redirectUri);
    try {
      new URL(redirectUri);
    } catch {
      throw new InvalidArgumentError(
        `${owner}: \`redirectUri\` must be an absolute URL, exactly as registered in the app's settings.`,
      );
    }
    this.redirectUri = redirectUri;
    this.baseUrl = checkBaseUrl(owner, 'baseUrl', options.baseUrl, DEFAULT_BASE_URL);
    this.authorizationBaseUrl = checkBaseUrl(
      owner,
      'authorizationBaseUrl',
      options.authorizationBaseUrl,
      options.baseUrl === undefined ? DEFAULT_AUTHORIZATION_BASE_URL : `${this.baseUrl}/i`,
    );
    this.#transport = checkTransport(owner, options);
  }

  /**
   * Step 1: the URL of X's authorize page, with a fresh PKCE code verifier (S256) and `state`. Send
   * the user to `url`; keep `state` and `codeVerifier` server-side (a session) until they come back.
   *
   * @example
   * ```ts
   * const { url, state, codeVerifier } = await flow.authorizeUrl({
   *   scopes: [...AAA_SUBSCRIPTION_SCOPES, 'offline.access'],
   * });
   * session.x = { state, codeVerifier };
   * redirect(url);
   * ```
   */
  async authorizeUrl(options: OAuth2AuthorizeOptions): Promise<OAuth2AuthorizeRequest> {
    const owner = 'OAuth2Flow.authorizeUrl()';
    const scopes = options?.scopes;
    if (
      !Array.isArray(scopes) ||
      scopes.length === 0 ||
      !scopes.every((s) => typeof s === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))
    ) {
      throw new InvalidArgumentError(
        `${owner}: \`scopes\` must be a non-empty list of scope names such as 'tweet.read'.`,
      );
    }
    const state = options.state ?? randomString(32);
    if (typeof state !== 'string' || state === '' || state.length > MAX_STATE) {
      throw new InvalidArgumentError(
        `${owner}: \`state\` must be a non-empty string of at most ${MAX_STATE} characters.`,
      );
    }
    const codeVerifier = randomString(32);
    const url = new URL(`${this.authorizationBaseUrl}/oauth2/authorize`);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.clientId);
    url.searchParams.set('redirect_uri', this.redirectUri);
    url.searchParams.set('scope', [...new Set(scopes)].join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await codeChallengeS256(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    // URLSearchParams writes spaces as '+'; X's examples use %20, which every form decoder reads too.
    return { url: url.toString().replace(/\+/g, '%20'), state, codeVerifier };
  }

  /**
   * Step 3: exchanges the callback's `code` and the sign-in's code verifier for the user's tokens.
   * Throws an `OAuthError` when X refuses (a code verifier that does not match the challenge, a used
   * or expired code).
   *
   * @example
   * ```ts
   * const tokens = await flow.exchange({ code, codeVerifier: session.x.codeVerifier });
   * await client.subscriptions.add(webhookId, { oauth2AccessToken: tokens.accessToken });
   * ```
   */
  async exchange(request: OAuth2ExchangeRequest): Promise<OAuth2Tokens> {
    const owner = 'OAuth2Flow.exchange()';
    const code = checkString(owner, 'code', request?.code);
    const codeVerifier = checkString(owner, 'codeVerifier', request.codeVerifier);
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.redirectUri,
      code_verifier: codeVerifier,
      client_id: this.clientId,
    });
    return this.#token(
      'authorization_code',
      form,
      [code, codeVerifier],
      'An authorization code works once, within 30 seconds, with the code verifier of its own sign-in and the same redirectUri.',
    );
  }

  /**
   * Steps 2 to 3 for a web app: reads the URL X sent the user back to, checks its `state` against
   * the sign-in's (constant-time; an `OAuthCallbackError` with reason `'state_mismatch'` otherwise,
   * `'denied'` when the user cancelled), then calls {@link exchange} with its `code`.
   *
   * @param callbackUrl - the full URL of the request that reached your callback (a relative URL such
   *   as Express's `req.originalUrl` works too).
   * @example
   * ```ts
   * app.get('/x/callback', async (req, res) => {
   *   const tokens = await flow.handleCallback(req.originalUrl, req.session.x);
   *   await client.subscriptions.add(webhookId, { oauth2AccessToken: tokens.accessToken });
   * });
   * ```
   */
  async handleCallback(
    callbackUrl: string | URL,
    pending: Pick<OAuth2AuthorizeRequest, 'state' | 'codeVerifier'>,
  ): Promise<OAuth2Tokens> {
    const owner = 'OAuth2Flow.handleCallback()';
    const params = callbackParams(owner, callbackUrl);
    const expected = checkString(owner, 'pending.state', pending?.state);
    const state = params.get('state');
    if (state === null || !constantTimeEqual(state, expected)) {
      throw new OAuthCallbackError(
        "The callback's state is not the state of this sign-in: it belongs to another sign-in (another tab, an old link) or was forged. Start the sign-in again.",
        'state_mismatch',
      );
    }
    const error = params.get('error');
    if (error !== null) {
      throw new OAuthCallbackError(
        error === 'access_denied'
          ? 'The user declined to authorize the app on X.'
          : `X sent the user back with error "${error.slice(0, 100)}".`,
        error === 'access_denied' ? 'denied' : 'missing_parameter',
      );
    }
    const code = params.get('code');
    if (!code)
      throw new OAuthCallbackError(
        "The callback has no code: was it reached from X's authorize page?",
        'missing_parameter',
      );
    return this.exchange({ code, codeVerifier: pending.codeVerifier });
  }

  /**
   * Gets a new access token with a refresh token (the `offline.access` scope). X answers with a new
   * refresh token too: store it, the old one may not work again.
   *
   * @example
   * ```ts
   * if (tokens.expiresAt.getTime() - Date.now() < 60_000 && tokens.refreshToken) {
   *   tokens = await flow.refresh(tokens.refreshToken);
   * }
   * ```
   */
  async refresh(refreshToken: string): Promise<OAuth2Tokens> {
    const token = checkString('OAuth2Flow.refresh()', 'refreshToken', refreshToken);
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: this.clientId });
    return this.#token(
      'refresh_token',
      form,
      [token],
      'A refresh token works once: use the newest one X issued, and ask for offline.access.',
    );
  }

  /**
   * Revokes an access token or a refresh token (a "log out"). Resolves with X's `revoked` flag.
   *
   * @example
   * ```ts
   * await flow.revoke(tokens.accessToken);
   * ```
   */
  async revoke(token: string, tokenTypeHint?: 'access_token' | 'refresh_token'): Promise<boolean> {
    const owner = 'OAuth2Flow.revoke()';
    const value = checkString(owner, 'token', token);
    if (tokenTypeHint !== undefined && tokenTypeHint !== 'access_token' && tokenTypeHint !== 'refresh_token') {
      throw new InvalidArgumentError(`${owner}: \`tokenTypeHint\` must be 'access_token' or 'refresh_token'.`);
    }
    const form = new URLSearchParams({ token: value, client_id: this.clientId });
    if (tokenTypeHint !== undefined) form.set('token_type_hint', tokenTypeHint);
    const answer = await send(this.#transport, {
      step: 'revoke',
      url: `${this.baseUrl}/2/oauth2/revoke`,
      headers: this.#clientAuth(),
      form,
      sensitive: [value],
      hint: 'Check the client id (and secret, for a confidential client).',
    });
    const body = parseJson(answer.text);
    if (body === undefined || typeof body['revoked'] !== 'boolean')
      throw unexpectedAnswer('revoke', 'without a boolean "revoked"');
    return body['revoked'];
  }

  /** A safe summary: no secret. */
  toJSON(): { clientId: string; redirectUri: string; baseUrl: string; authorizationBaseUrl: string } {
    return {
      clientId: this.clientId,
      redirectUri: this.redirectUri,
      baseUrl: this.baseUrl,
      authorizationBaseUrl: this.authorizationBaseUrl,
    };
  }

  #clientAuth(): Record<string, string> {
    if (this.#clientSecret === undefined) return {};
    // RFC 6749 §2.3.1: form-urlencode each part before Basic encoding.
    const raw = `${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.#clientSecret)}`;
    return { authorization: `Basic ${encodeBase64(new TextEncoder().encode(raw))}` };
  }

  async #token(
    step: 'authorization_code' | 'refresh_token',
    form: URLSearchParams,
    sensitive: string[],
    hint: string,
  ): Promise<OAuth2Tokens> {
    const answer = await send(this.#transport, {
      step,
      url: `${this.baseUrl}/2/oauth2/token`,
      headers: this.#clientAuth(),
      form,
      sensitive,
      hint: `${hint} Check the client id${this.#clientSecret === undefined ? ' (a confidential client needs clientSecret)' : ' and secret'}.`,
    });
    const body = parseJson(answer.text);
    const accessToken = body?.['access_token'];
    const tokenType = body?.['token_type'];
    if (body === undefined || typeof accessToken !== 'string' || accessToken === '')
      throw unexpectedAnswer(step, 'without an access_token');
    if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')
      throw unexpectedAnswer(step, 'with a token_type other than bearer');
    const expiresIn = Number(body['expires_in']);
    if (!(Number.isFinite(expiresIn) && expiresIn > 0)) throw unexpectedAnswer(step, 'without a positive expires_in');
    const refreshToken = body['refresh_token'];
    const scope = body['scope'];
    return {
      tokenType: 'bearer',
      accessToken,
      ...(typeof refreshToken === 'string' && refreshToken !== '' ? { refreshToken } : {}),
      expiresAt: new Date(Date.now() + expiresIn * 1000),
      scopes: typeof scope === 'string' ? scope.split(/\s+/).filter((s) => s !== '') : [],
    };
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates the OAuth 2.0 (authorization code with PKCE) sign-in of an app: {@link
 * OAuth2Flow.authorizeUrl}, then the user approves on X, then {@link OAuth2Flow.handleCallback} (or
 * {@link OAuth2Flow.exchange}); later {@link OAuth2Flow.refresh} and {@link OAuth2Flow.revoke}.
 *
 * @example
 * ```ts
 * import { AAA_SUBSCRIPTION_SCOPES, createOAuth2Flow } from 'x-account-activity';
 *
 * const flow = createOAuth2Flow({
 *   clientId: process.env.X_CLIENT_ID!,
 *   clientSecret: process.env.X_CLIENT_SECRET,
 *   redirectUri: 'https://example.com/x/callback',
 * });
 * const { url, state, codeVerifier } = await flow.authorizeUrl({ scopes: [...AAA_SUBSCRIPTION_SCOPES, 'offline.access'] });
 * ```
 */
export function createOAuth2Flow(options: OAuth2FlowOptions): OAuth2Flow {
  return new OAuth2Flow(options);
}
