/**
 * Signing a user in with OAuth 1.0a (3-legged and PIN): `POST oauth/request_token`, the user's visit
 * to `oauth/authorize` (or `oauth/authenticate`), `POST oauth/access_token`. The access token and
 * secret that come out are what `client.subscriptions.add(webhookId, user)` takes.
 *
 * Sources: https://docs.x.com/fundamentals/authentication/oauth-1-0a/obtaining-user-access-tokens,
 * .../pin-based-oauth and .../api-reference. Where they disagree:
 * - `oauth_callback` goes into the Authorization header (the API reference's example request; the
 *   walkthrough says "request includes"; many libraries put it in the query, which signs the same).
 * - `oauth_verifier` goes into the Authorization header too. The API reference's example puts it in
 *   the query; users of twitteroauth and scribejava reported "Invalid oauth_verifier parameter" when
 *   it was sent in the body and not in the header, so the header is the form known to be accepted.
 *   The emulator accepts all three places.
 * - The access-token answer has `user_id` and `screen_name` in the API reference's example but only
 *   the token and secret in the walkthrough: both are optional in {@link OAuth1AccessToken}.
 */
import type OAuth from 'oauth-1.0a';
import { createNonce, loadOAuth } from '../client/oauth1.js';
import { type HmacSha1, defaultHmacSha1 } from '../crypto.js';
import { InvalidArgumentError, OAuthCallbackError } from '../errors.js';
import {
  checkBaseUrl,
  checkString,
  checkTransport,
  send,
  unexpectedAnswer,
  type FetchLike,
  type FlowTransportOptions,
} from './http.js';

const DEFAULT_BASE_URL = 'https://api.x.com';

/** Options of {@link createOAuth1Flow}. */
export interface OAuth1FlowOptions extends FlowTransportOptions {
  /** The app's consumer key (API key). */
  readonly consumerKey: string;
  /** The app's consumer secret (API key secret). Kept in a private field; never in an error or log. */
  readonly consumerSecret: string;
  /**
   * Where `oauth/request_token`, `oauth/authorize` and `oauth/access_token` live.
   * @default 'https://api.x.com'
   * @example emulator.url
   */
  readonly baseUrl?: string;
}

/** Options of {@link OAuth1Flow.requestToken}. */
export interface OAuth1RequestTokenOptions {
  /**
   * Where X sends the user back (`?oauth_token=...&oauth_verifier=...`), one of the callback URLs of
   * the app's settings; or `'oob'` for the PIN flow, where X shows the user a PIN to type into your app.
   */
  readonly callback: string;
  /** `x_auth_access_type`: ask for less access than the app's permission level. */
  readonly accessType?: 'read' | 'write';
  /**
   * Send the user to `oauth/authenticate` ("Sign in with X": no prompt when the user already
   * authorized the app) instead of `oauth/authorize` (always prompts; required for desktop apps).
   * @default false
   */
  readonly authenticate?: boolean;
  /** `force_login=true`: the user must enter their credentials again. @default false */
  readonly forceLogin?: boolean;
  /** `screen_name`: prefills the username of X's login screen. */
  readonly screenName?: string;
}

/** The temporary credentials of one sign-in. Keep `token` and `tokenSecret` until the user is back. */
export interface OAuth1RequestToken {
  /** The request token (`oauth_token`). */
  readonly token: string;
  /** The request token secret: store it server-side (a session), never in the page. */
  readonly tokenSecret: string;
  /** `oauth_callback_confirmed` (always true for a request X accepted). */
  readonly callbackConfirmed: boolean;
  /** Where to send the user: X's authorize page for this request token. */
  readonly authorizeUrl: string;
}

/** What {@link OAuth1Flow.accessToken} needs. */
export interface OAuth1AccessTokenRequest {
  /** The request token of {@link OAuth1Flow.requestToken}. */
  readonly token: string;
  /** Its secret. */
  readonly tokenSecret: string;
  /** The `oauth_verifier` of the callback, or the PIN the user typed in (PIN flow). */
  readonly verifier: string;
}

/**
 * A user's OAuth 1.0a credentials: pass them as they are to `client.subscriptions.add(webhookId,
 * credentials)`. They do not expire; the user can revoke them. This is the user's credential: store it
 * encrypted and never log it.
 */
export interface OAuth1AccessToken {
  readonly accessToken: string;
  readonly accessTokenSecret: string;
  /** The user's id (`user_id`), when X sent it. */
  readonly userId?: string;
  /** The user's handle (`screen_name`), when X sent it. */
  readonly screenName?: string;
}

/**
 * The OAuth 1.0a sign-in of one app. Create it once with {@link createOAuth1Flow}; it holds the
 * consumer secret in a private field, so `JSON.stringify` and `util.inspect` show only the key and
 * the base URL.
 */
export class OAuth1Flow {
  /** The app's consumer key. */
  readonly consumerKey: string;
  /** Where the OAuth endpoints live. */
  readonly baseUrl: string;
  readonly #consumerSecret: string;
  #oauth: OAuth | undefined;
  readonly #hmac: HmacSha1;
  readonly #transport: { timeoutMs: number; fetch: FetchLike };

  /** @internal Use {@link createOAuth1Flow}. */
  constructor(options: OAuth1FlowOptions) {
    const owner = 'createOAuth1Flow()';
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError(`${owner}: pass { consumerKey, consumerSecret }.`);
    this.consumerKey = checkString(owner, 'consumerKey', options.consumerKey);
    this.#consumerSecret = checkString(owner, 'consumerSecret', options.consumerSecret);
    this.baseUrl = checkBaseUrl(owner, 'baseUrl', options.baseUrl, DEFAULT_BASE_URL);
    this.#transport = checkTransport(owner, options);
    this.#hmac = defaultHmacSha1();
  }

  /**
   * Step 1: asks X for a request token and returns it with the URL of X's authorize page. Send the
   * user to `authorizeUrl` and keep `token` and `tokenSecret` (in a session) until they come back.
   *
   * @example
   * ```ts
   * const pending = await flow.requestToken({ callback: 'https://example.com/x/callback' });
   * session.x = { token: pending.token, tokenSecret: pending.tokenSecret };
   * redirect(pending.authorizeUrl);
   * ```
   */
  async requestToken(options: OAuth1RequestTokenOptions): Promise<OAuth1RequestToken> {
    const owner = 'OAuth1Flow.requestToken()';
    const callback = checkString(owner, 'callback', options?.callback);
    if (callback !== 'oob') {
      try {
        new URL(callback);
      } catch {
        throw new InvalidArgumentError(
          `${owner}: \`callback\` must be an absolute URL (one of the app's callback URLs) or 'oob' for the PIN flow.`,
        );
      }
    }
    if (options.accessType !== undefined && options.accessType !== 'read' && options.accessType !== 'write') {
      throw new InvalidArgumentError(`${owner}: \`accessType\` must be 'read' or 'write'.`);
    }
    const query = options.accessType === undefined ? '' : `?x_auth_access_type=${options.accessType}`;
    const url = `${this.baseUrl}/oauth/request_token${query}`;
    const authorization = await this.#sign(url, { oauth_callback: callback });
    const answer = await send(this.#transport, {
      step: 'request_token',
      url,
      headers: { authorization },
      sensitive: [],
      hint: 'Check the consumer key and secret, and that the callback URL is one of the callback URLs in the app settings (X requires one even for the PIN flow).',
    });
    const params = new URLSearchParams(answer.text.trim());
    const token = params.get('oauth_token');
    const tokenSecret = params.get('oauth_token_secret');
    if (!token || !tokenSecret) throw unexpectedAnswer('request_token', 'without oauth_token and oauth_token_secret');
    const callbackConfirmed = params.get('oauth_callback_confirmed') === 'true';
    if (!callbackConfirmed) throw unexpectedAnswer('request_token', 'with oauth_callback_confirmed other than true');

    const page = new URL(`${this.baseUrl}/oauth/${options.authenticate === true ? 'authenticate' : 'authorize'}`);
    page.searchParams.set('oauth_token', token);
    if (options.forceLogin === true) page.searchParams.set('force_login', 'true');
    if (options.screenName !== undefined)
      page.searchParams.set('screen_name', checkString(owner, 'screenName', options.screenName));
    return { token, tokenSecret, callbackConfirmed, authorizeUrl: page.toString() };
  }

  /**
   * Step 3: exchanges the request token and the verifier (or the PIN the user typed in) for the user's
   * access token and secret. Throws an `OAuthError` when X refuses, for example a wrong verifier.
   *
   * @example
   * ```ts
   * const user = await flow.accessToken({ ...session.x, verifier: pin });
   * await client.subscriptions.add(webhookId, user);
   * ```
   */
  async accessToken(request: OAuth1AccessTokenRequest): Promise<OAuth1AccessToken> {
    const owner = 'OAuth1Flow.accessToken()';
    const token = checkString(owner, 'token', request?.token);
    const tokenSecret = checkString(owner, 'tokenSecret', request.tokenSecret);
    // A PIN typed by a user may come with spaces or a line break around it.
    const verifier = checkString(
      owner,
      'verifier',
      typeof request.verifier === 'string' ? request.verifier.trim() : request.verifier,
    );
    const url = `${this.baseUrl}/oauth/access_token`;
    const authorization = await this.#sign(url, { oauth_token: token, oauth_verifier: verifier }, tokenSecret);
    const answer = await send(this.#transport, {
      step: 'access_token',
      url,
      headers: { authorization },
      sensitive: [token, tokenSecret, verifier],
      hint: 'The verifier (or PIN) must come from the sign-in of this request token; a request token works once and expires.',
    });
    const params = new URLSearchParams(answer.text.trim());
    const accessToken = params.get('oauth_token');
    const accessTokenSecret = params.get('oauth_token_secret');
    if (!accessToken || !accessTokenSecret)
      throw unexpectedAnswer('access_token', 'without oauth_token and oauth_token_secret');
    const userId = params.get('user_id');
    const screenName = params.get('screen_name');
    return {
      accessToken,
      accessTokenSecret,
      ...(userId ? { userId } : {}),
      ...(screenName ? { screenName } : {}),
    };
  }

  /**
   * Steps 2 to 3 for the web flow: reads the URL X sent the user back to, checks that its
   * `oauth_token` is this sign-in's request token (an `OAuthCallbackError` with reason
   * `'token_mismatch'` otherwise; `'denied'` when the user cancelled), then calls
   * {@link accessToken} with its `oauth_verifier`.
   *
   * @param callbackUrl - the full URL of the request that reached your callback (a relative URL such
   *   as Express's `req.originalUrl` works too).
   * @example
   * ```ts
   * app.get('/x/callback', async (req, res) => {
   *   const user = await flow.handleCallback(req.originalUrl, req.session.x);
   *   await client.subscriptions.add(webhookId, user);
   * });
   * ```
   */
  async handleCallback(
    callbackUrl: string | URL,
    pending: Pick<OAuth1RequestToken, 'token' | 'tokenSecret'>,
  ): Promise<OAuth1AccessToken> {
    const owner = 'OAuth1Flow.handleCallback()';
    const params = callbackParams(owner, callbackUrl);
    const expected = checkString(owner, 'pending.token', pending?.token);
    if (params.has('denied')) throw new OAuthCallbackError('The user declined to authorize the app on X.', 'denied');
    const token = params.get('oauth_token');
    const verifier = params.get('oauth_verifier');
    if (!token || !verifier) {
      throw new OAuthCallbackError(
        "The callback has no oauth_token or oauth_verifier: was it reached from X's authorize page?",
        'missing_parameter',
      );
    }
    if (token !== expected) {
      throw new OAuthCallbackError(
        "The callback's oauth_token is not the request token of this sign-in: it belongs to another sign-in (another tab, or a forged link).",
        'token_mismatch',
      );
    }
    return this.accessToken({ token, tokenSecret: pending.tokenSecret, verifier });
  }

  /** A safe summary: no secret. */
  toJSON(): { consumerKey: string; baseUrl: string } {
    return { consumerKey: this.consumerKey, baseUrl: this.baseUrl };
  }

  /** The Authorization header of a POST to `url` (no body) with extra `oauth_*` parameters. */
  async #sign(url: string, extra: Readonly<Record<string, string>>, tokenSecret?: string): Promise<string> {
    const data = {
      oauth_consumer_key: this.consumerKey,
      oauth_nonce: createNonce(),
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: Math.floor(Date.now() / 1000),
      oauth_version: '1.0',
      ...extra,
    } as OAuth.Data;
    // No signature_method or hash_function: only getBaseString, getSigningKey and toHeader are used.
    // oauth-1.0a loads with the first sign-in, not with the package (see client/oauth1.ts).
    const Constructor = await loadOAuth();
    this.#oauth ??= new Constructor({ consumer: { key: this.consumerKey, secret: this.#consumerSecret } });
    const oauth = this.#oauth;
    // getBaseString merges the URL's query into the object it is given: pass a copy.
    const base = oauth.getBaseString({ method: 'POST', url }, { ...data });
    const signature = await this.#hmac(oauth.getSigningKey(tokenSecret), base);
    return oauth.toHeader({ ...data, oauth_signature: signature }).Authorization;
  }
}

/** The query parameters of a callback URL (absolute, or relative such as `/callback?code=...`). */
export function callbackParams(owner: string, callbackUrl: string | URL): URLSearchParams {
  if (callbackUrl instanceof URL) return callbackUrl.searchParams;
  if (typeof callbackUrl !== 'string')
    throw new InvalidArgumentError(`${owner}: \`callbackUrl\` must be a string or URL.`);
  try {
    return new URL(callbackUrl, 'http://callback.invalid').searchParams;
  } catch {
    throw new InvalidArgumentError(`${owner}: \`callbackUrl\` is not a URL.`);
  }
}

/**
 * Creates the OAuth 1.0a sign-in of an app: {@link OAuth1Flow.requestToken}, then the user approves
 * on X, then {@link OAuth1Flow.accessToken} (or {@link OAuth1Flow.handleCallback}). With `callback:
 * 'oob'` it is the PIN flow, for command-line tools and devices without a browser redirect.
 *
 * @example
 * ```ts
 * import { createOAuth1Flow } from 'x-account-activity';
 *
 * const flow = createOAuth1Flow({ consumerKey: process.env.X_API_KEY!, consumerSecret: process.env.X_API_SECRET! });
 * const pending = await flow.requestToken({ callback: 'oob' });
 * console.log('Open', pending.authorizeUrl, 'and type the PIN here');
 * const user = await flow.accessToken({ ...pending, verifier: await readPin() });
 * await client.subscriptions.add(webhookId, user);
 * ```
 */
export function createOAuth1Flow(options: OAuth1FlowOptions): OAuth1Flow {
  return new OAuth1Flow(options);
}
