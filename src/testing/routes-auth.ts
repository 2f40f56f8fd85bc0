/**
 * The emulator's sign-in endpoints, as X serves them (see src/auth for the sources and where they
 * disagree):
 * - OAuth 1.0a: `POST /oauth/request_token`, the authorize page `GET /oauth/authorize` and
 *   `GET /oauth/authenticate` (an HTML page listing the emulated accounts; its form posts back to the
 *   same path), `POST /oauth/access_token`. `oauth_callback` and `oauth_verifier` are read from the
 *   Authorization header, the query or a form body (X documents the header and the query).
 * - OAuth 2.0 with PKCE: the authorize page `GET /i/oauth2/authorize` (X's guides) and
 *   `GET /2/oauth2/authorize` (X's OpenAPI spec), `POST /2/oauth2/token` (`authorization_code` with the
 *   code verifier checked against the S256 or plain challenge, and `refresh_token`), `POST
 *   /2/oauth2/revoke`.
 *
 * Answers follow X's: form-encoded token bodies for OAuth 1.0a; for a wrong verifier the plain-text
 * 401 "Error processing your OAuth request: Invalid oauth_verifier parameter" that X's users report;
 * RFC 6749 JSON (`{ error, error_description }`) on `/2/oauth2/*` with the descriptions X's users
 * report for a used code and a wrong code verifier ("Value passed for the authorization code was
 * invalid.", https://github.com/PLhery/node-twitter-api-v2/issues/496; "Value passed for the code
 * verifier did not match the code challenge.", https://github.com/xdevplatform/twitter-api-typescript-sdk/issues/26);
 * the descriptions for a wrong redirect URI, grant type or refresh token are the emulator's own wording
 * in the same style. Access tokens live
 * 7200 s (`expires_in`), codes 30 s, as X documents. The emulator's own choices: an authorization code
 * is used up by the first exchange that presents it (right verifier or not), a refresh token by the
 * first refresh (X rotates refresh tokens), and a declined OAuth 2.0 sign-in redirects with RFC 6749's
 * `error=access_denied`.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { constantTimeEqual } from '../crypto.js';
import { basicCredentials, OAuth1Verifier, parseOAuthHeader, parsePairs } from './oauth-verify.js';
import type { EmulatedAccount, Store } from './store.js';

/** A raw answer of an auth endpoint (bodies are form, JSON, text or HTML). */
export interface AuthResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The request as the emulator read it. */
export interface AuthRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** `http://host:port` as the client addressed it. */
  readonly origin: string;
}

/** Settings of {@link AuthEmulator}. */
export interface AuthEmulatorSettings {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly store: Store;
  readonly clock: () => number;
  readonly windowSeconds: number;
  /** Callback URLs registered for the app; `undefined` accepts any. */
  readonly callbackUrls: readonly string[] | undefined;
}

/** What approving an authorize page produced. */
export type EmulatorApproval =
  | {
      /** An OAuth 1.0a authorize page was approved. */
      readonly flow: 'oauth1';
      /** The approving account. */
      readonly account: EmulatedAccount;
      /** The request token. */
      readonly token: string;
      /** The `oauth_verifier`; in the PIN flow (`oob`), the PIN X shows the user. */
      readonly verifier: string;
      /** Where X sends the user: the callback with `oauth_token` and `oauth_verifier`; undefined for `oob`. */
      readonly callbackUrl: string | undefined;
    }
  | {
      /** An OAuth 2.0 authorize page was approved. */
      readonly flow: 'oauth2';
      readonly account: EmulatedAccount;
      /** The authorization code (valid 30 s, once). */
      readonly code: string;
      /** The `state` of the authorize URL. */
      readonly state: string;
      /** The redirect URI with `code` and `state`. */
      readonly callbackUrl: string;
    };

interface RequestToken {
  readonly secret: string;
  readonly callback: string;
  readonly createdAt: number;
  verifier?: string;
  account?: EmulatedAccount;
}

interface AuthorizationCode {
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly challenge: string;
  readonly method: 'S256' | 'plain';
  readonly account: EmulatedAccount;
  readonly expiresAt: number;
}

interface IssuedToken {
  readonly account: EmulatedAccount;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
  /** The grant it belongs to (revoking a refresh token revokes the grant's access tokens). */
  readonly grant: string;
}

const REQUEST_TOKEN_TTL_MS = 15 * 60_000;
const CODE_TTL_MS = 30_000;
const ACCESS_TOKEN_TTL_S = 7200;
const OAUTH1_PAGES = new Set(['/oauth/authorize', '/oauth/authenticate']);
const OAUTH2_PAGES = new Set(['/i/oauth2/authorize', '/2/oauth2/authorize']);

const token = (bytes: number): string => randomBytes(bytes).toString('base64url');
const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function json(status: number, body: unknown): AuthResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
function form(params: Record<string, string>): AuthResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  };
}
function text(status: number, body: string): AuthResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}
function html(status: number, title: string, inner: string): AuthResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${inner}</body></html>`,
  };
}
function redirect(location: string): AuthResponse {
  return { status: 302, headers: { location, 'cache-control': 'no-store' }, body: '' };
}
const v11 = (status: number, code: number, message: string): AuthResponse =>
  json(status, { errors: [{ code, message }] });
/** RFC 6749 error with X's `errors` array beside it (as X's users captured it). */
const oauth2Error = (status: number, error: string, description: string): AuthResponse =>
  json(status, { error, error_description: description, errors: [{ message: description }] });

function withParams(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
  return target.toString();
}

/** The OAuth endpoints of one emulator, and the test hooks behind `emulator.auth`. */
export class AuthEmulator {
  readonly #s: AuthEmulatorSettings;
  readonly #requestTokens = new Map<string, RequestToken>();
  readonly #codes = new Map<string, AuthorizationCode>();
  readonly #accessTokens = new Map<string, IssuedToken>();
  readonly #refreshTokens = new Map<string, IssuedToken>();
  readonly #requestTokenVerifier: OAuth1Verifier;
  readonly #accessTokenVerifier: OAuth1Verifier;

  constructor(settings: AuthEmulatorSettings) {
    this.#s = settings;
    const keys = {
      consumerKey: settings.consumerKey,
      consumerSecret: settings.consumerSecret,
      windowSeconds: settings.windowSeconds,
    };
    this.#requestTokenVerifier = new OAuth1Verifier({ ...keys, tokenSecret: () => undefined, tokenless: true });
    this.#accessTokenVerifier = new OAuth1Verifier({ ...keys, tokenSecret: (t) => this.#liveRequestToken(t)?.secret });
  }

  /** Whether `method path` is one of the sign-in endpoints. */
  matches(method: string, path: string): boolean {
    if (OAUTH1_PAGES.has(path) || OAUTH2_PAGES.has(path)) return method === 'GET' || method === 'POST';
    return (
      method === 'POST' &&
      (path === '/oauth/request_token' ||
        path === '/oauth/access_token' ||
        path === '/2/oauth2/token' ||
        path === '/2/oauth2/revoke')
    );
  }

  /** Answers one request to a sign-in endpoint. */
  handle(req: AuthRequest): AuthResponse {
    const { method, path } = req;
    if (path === '/oauth/request_token') return this.#requestToken(req);
    if (path === '/oauth/access_token') return this.#accessToken(req);
    if (path === '/2/oauth2/token') return this.#token(req);
    if (path === '/2/oauth2/revoke') return this.#revoke(req);
    if (OAUTH1_PAGES.has(path)) return method === 'GET' ? this.#oauth1Page(req) : this.#oauth1Decision(req);
    return method === 'GET' ? this.#oauth2Page(req) : this.#oauth2Decision(req);
  }

  /** The account holding a live OAuth 2.0 access token issued by the token endpoint. */
  accountByAccessToken(bearer: string): EmulatedAccount | undefined {
    const issued = this.#accessTokens.get(bearer);
    if (!issued || issued.account.revoked) return undefined;
    if (issued.expiresAt <= this.#s.clock()) {
      this.#accessTokens.delete(bearer);
      return undefined;
    }
    return issued.account;
  }

  /** The scopes of a live OAuth 2.0 access token (undefined when unknown). */
  scopesOf(bearer: string): readonly string[] | undefined {
    return this.accountByAccessToken(bearer) ? this.#accessTokens.get(bearer)?.scopes : undefined;
  }

  /**
   * Approves an authorize URL (OAuth 1.0a or 2.0) as `account` would on the page, without HTTP.
   * Throws a TypeError for an URL that is not a pending sign-in of this emulator.
   */
  approve(authorizeUrl: string, account: EmulatedAccount): EmulatorApproval {
    const url = new URL(authorizeUrl);
    if (OAUTH1_PAGES.has(url.pathname)) {
      const requestToken = url.searchParams.get('oauth_token') ?? '';
      const outcome = this.#approveOAuth1(requestToken, account);
      if (!outcome) throw new TypeError('emulator.auth.approve(): no pending OAuth 1.0a sign-in has this oauth_token.');
      return outcome;
    }
    if (OAUTH2_PAGES.has(url.pathname)) {
      const checked = this.#checkAuthorize(url.searchParams);
      if (typeof checked === 'string') throw new TypeError(`emulator.auth.approve(): ${checked}`);
      return this.#approveOAuth2(checked, account);
    }
    throw new TypeError(
      'emulator.auth.approve(): not an authorize URL of the emulator (/oauth/authorize, /oauth/authenticate, /i/oauth2/authorize).',
    );
  }

  /** Declines an authorize URL; returns where X sends the user (undefined for the PIN flow). */
  deny(authorizeUrl: string): string | undefined {
    const url = new URL(authorizeUrl);
    if (OAUTH1_PAGES.has(url.pathname)) {
      const requestToken = url.searchParams.get('oauth_token') ?? '';
      const pending = this.#liveRequestToken(requestToken);
      if (!pending) throw new TypeError('emulator.auth.deny(): no pending OAuth 1.0a sign-in has this oauth_token.');
      this.#requestTokens.delete(requestToken);
      // X sends `denied=<request token>` to the callback when the user cancels.
      return pending.callback === 'oob' ? undefined : withParams(pending.callback, { denied: requestToken });
    }
    const checked = this.#checkAuthorize(url.searchParams);
    if (typeof checked === 'string') throw new TypeError(`emulator.auth.deny(): ${checked}`);
    return withParams(checked.redirectUri, { error: 'access_denied', state: checked.state });
  }

  /** Forgets every pending sign-in and issued OAuth 2.0 token. */
  reset(): void {
    this.#requestTokens.clear();
    this.#codes.clear();
    this.#accessTokens.clear();
    this.#refreshTokens.clear();
  }

  // -------------------------------------------------------------------------------------------
  // OAuth 1.0a
  // -------------------------------------------------------------------------------------------

  /** An OAuth parameter from the Authorization header, the query or a form body. */
  #oauthParam(req: AuthRequest, name: string): string | undefined {
    const header = req.headers['authorization'];
    const fromHeader = typeof header === 'string' ? parseOAuthHeader(header)?.get(name) : undefined;
    if (fromHeader !== undefined) return fromHeader;
    const fromQuery = parsePairs(req.rawQuery)?.find(([k]) => k === name)?.[1];
    if (fromQuery !== undefined) return fromQuery;
    return this.#isForm(req) ? parsePairs(req.body.replace(/\+/g, '%20'))?.find(([k]) => k === name)?.[1] : undefined;
  }

  #isForm(req: AuthRequest): boolean {
    return String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
  }

  #verify(verifier: OAuth1Verifier, req: AuthRequest): ReturnType<OAuth1Verifier['verify']> {
    const header = req.headers['authorization'];
    if (typeof header !== 'string') return { ok: false, reason: 'malformed' };
    return verifier.verify({
      method: req.method,
      baseUrl: `${req.origin}${req.path}`,
      query: req.rawQuery,
      authorization: header,
      ...(this.#isForm(req) ? { formBody: req.body } : {}),
    });
  }

  #callbackAllowed(url: string): boolean {
    return this.#s.callbackUrls === undefined || this.#s.callbackUrls.includes(url);
  }

  #liveRequestToken(requestToken: string): RequestToken | undefined {
    const pending = this.#requestTokens.get(requestToken);
    if (pending && this.#s.clock() - pending.createdAt > REQUEST_TOKEN_TTL_MS) {
      this.#requestTokens.delete(requestToken);
      return undefined;
    }
    return pending;
  }

  #requestToken(req: AuthRequest): AuthResponse {
    const result = this.#verify(this.#requestTokenVerifier, req);
    if (!result.ok) {
      return result.reason === 'timestamp'
        ? v11(401, 135, 'Timestamp out of bounds.')
        : v11(401, 32, 'Could not authenticate you.');
    }
    const callback = this.#oauthParam(req, 'oauth_callback');
    if (callback === undefined || callback === '') return v11(400, 215, 'Bad Authentication data.');
    if (callback !== 'oob') {
      let valid = true;
      try {
        new URL(callback);
      } catch {
        valid = false;
      }
      // Code 415 is X's "Callback URL not approved for this client application".
      if (!valid || !this.#callbackAllowed(callback)) {
        return v11(
          403,
          415,
          'Callback URL not approved for this client application. Approved callback URLs can be adjusted in your application settings',
        );
      }
    }
    const requestToken = token(24);
    const secret = token(30);
    this.#requestTokens.set(requestToken, { secret, callback, createdAt: this.#s.clock() });
    return form({ oauth_token: requestToken, oauth_token_secret: secret, oauth_callback_confirmed: 'true' });
  }

  #approveOAuth1(requestToken: string, account: EmulatedAccount): EmulatorApproval | undefined {
    const pending = this.#liveRequestToken(requestToken);
    if (!pending) return undefined;
    // The PIN flow shows a 7-digit PIN; the web flow a random verifier.
    const verifier = pending.callback === 'oob' ? String(randomInt(1_000_000, 10_000_000)) : token(24);
    pending.verifier = verifier;
    pending.account = account;
    return {
      flow: 'oauth1',
      account,
      token: requestToken,
      verifier,
      callbackUrl:
        pending.callback === 'oob'
          ? undefined
          : withParams(pending.callback, { oauth_token: requestToken, oauth_verifier: verifier }),
    };
  }

  #accountChoices(selected: string | undefined): string {
    const accounts = [...this.#s.store.accounts.values()];
    const preferred =
      accounts.find(
        (a) => selected !== undefined && a.screenName.toLowerCase() === selected.replace(/^@/, '').toLowerCase(),
      ) ??
      accounts[1] ??
      accounts[0];
    return accounts
      .map(
        (a) =>
          `<label><input type="radio" name="account" value="${escapeHtml(a.id)}"${a === preferred ? ' checked' : ''}> @${escapeHtml(a.screenName)} (${escapeHtml(a.name)})</label><br>`,
      )
      .join('');
  }

  #oauth1Page(req: AuthRequest): AuthResponse {
    const query = new URLSearchParams(req.rawQuery);
    const requestToken = query.get('oauth_token') ?? '';
    if (!this.#liveRequestToken(requestToken)) {
      return html(
        400,
        'This page is no longer valid',
        '<p>The request token is unknown or expired. Start the sign-in again from the app.</p>',
      );
    }
    return html(
      200,
      'Authorize the app to access your account?',
      `<form method="post" action="${escapeHtml(req.path)}"><input type="hidden" name="oauth_token" value="${escapeHtml(requestToken)}">` +
        `${this.#accountChoices(query.get('screen_name') ?? undefined)}` +
        '<button type="submit" name="decision" value="approve" id="allow">Authorize app</button> ' +
        '<button type="submit" name="decision" value="deny" id="cancel">Cancel</button></form>',
    );
  }

  #decision(req: AuthRequest): { params: URLSearchParams; account: EmulatedAccount | undefined; approve: boolean } {
    const params = new URLSearchParams(req.body);
    const ref = params.get('account');
    const account = ref === null ? undefined : this.#s.store.findAccount(ref);
    return { params, account, approve: params.get('decision') !== 'deny' };
  }

  #oauth1Decision(req: AuthRequest): AuthResponse {
    const { params, account, approve } = this.#decision(req);
    const requestToken = params.get('oauth_token') ?? '';
    const pending = this.#liveRequestToken(requestToken);
    if (!pending) return html(400, 'This page is no longer valid', '<p>The request token is unknown or expired.</p>');
    if (!approve) {
      this.#requestTokens.delete(requestToken);
      return pending.callback === 'oob'
        ? html(200, 'You did not authorize the app', '<p>You can close this page.</p>')
        : redirect(withParams(pending.callback, { denied: requestToken }));
    }
    if (!account) return html(400, 'Choose an account', '<p>No such account.</p>');
    const approval = this.#approveOAuth1(requestToken, account) as EmulatorApproval & { flow: 'oauth1' };
    if (approval.callbackUrl !== undefined) return redirect(approval.callbackUrl);
    return html(
      200,
      'You authorized the app',
      `<p>Enter this PIN in the app to complete the authorization:</p><p><code id="oauth_pin">${approval.verifier}</code></p>`,
    );
  }

  #accessToken(req: AuthRequest): AuthResponse {
    const result = this.#verify(this.#accessTokenVerifier, req);
    if (!result.ok) {
      if (result.reason === 'timestamp') return v11(401, 135, 'Timestamp out of bounds.');
      if (result.reason === 'token') return v11(401, 89, 'Invalid or expired token.');
      return v11(401, 32, 'Could not authenticate you.');
    }
    const pending = this.#liveRequestToken(result.token);
    const verifier = this.#oauthParam(req, 'oauth_verifier');
    if (
      !pending ||
      pending.account === undefined ||
      pending.verifier === undefined ||
      verifier === undefined ||
      !constantTimeEqual(verifier, pending.verifier)
    ) {
      return text(401, 'Error processing your OAuth request: Invalid oauth_verifier parameter');
    }
    this.#requestTokens.delete(result.token);
    const account = pending.account;
    // Authorizing again restores access after a revoke; X hands out the same token pair per user.
    account.revoked = false;
    return form({
      oauth_token: account.accessToken,
      oauth_token_secret: account.accessTokenSecret,
      user_id: account.id,
      screen_name: account.screenName,
    });
  }

  // -------------------------------------------------------------------------------------------
  // OAuth 2.0
  // -------------------------------------------------------------------------------------------

  /** Checks the authorize URL's parameters; returns a problem or the checked request. */
  #checkAuthorize(
    query: URLSearchParams,
  ): string | { redirectUri: string; state: string; scopes: string[]; challenge: string; method: 'S256' | 'plain' } {
    if (query.get('response_type') !== 'code') return 'response_type must be "code".';
    if (query.get('client_id') !== this.#s.clientId) return 'client_id is not the Client ID of this app.';
    const redirectUri = query.get('redirect_uri') ?? '';
    try {
      new URL(redirectUri);
    } catch {
      return 'redirect_uri must be an absolute URL.';
    }
    if (!this.#callbackAllowed(redirectUri)) return "redirect_uri is not one of the app's callback URLs (exact match).";
    const scopes = (query.get('scope') ?? '').split(/\s+/).filter((s) => s !== '');
    if (scopes.length === 0) return 'scope is missing.';
    const state = query.get('state') ?? '';
    if (state === '' || state.length > 500) return 'state must be 1 to 500 characters.';
    const challenge = query.get('code_challenge') ?? '';
    if (challenge === '') return 'code_challenge is missing.';
    // RFC 7636: plain when absent; X's own TypeScript SDK sends lower-case "s256".
    const rawMethod = (query.get('code_challenge_method') ?? 'plain').toLowerCase();
    if (rawMethod !== 's256' && rawMethod !== 'plain') return 'code_challenge_method must be S256 or plain.';
    return {
      redirectUri,
      state,
      scopes: [...new Set(scopes)],
      challenge,
      method: rawMethod === 's256' ? 'S256' : 'plain',
    };
  }

  #approveOAuth2(
    checked: { redirectUri: string; state: string; scopes: string[]; challenge: string; method: 'S256' | 'plain' },
    account: EmulatedAccount,
  ): EmulatorApproval {
    const code = token(48);
    this.#codes.set(code, {
      redirectUri: checked.redirectUri,
      scopes: checked.scopes,
      challenge: checked.challenge,
      method: checked.method,
      account,
      expiresAt: this.#s.clock() + CODE_TTL_MS,
    });
    return {
      flow: 'oauth2',
      account,
      code,
      state: checked.state,
      callbackUrl: withParams(checked.redirectUri, { state: checked.state, code }),
    };
  }

  #oauth2Page(req: AuthRequest): AuthResponse {
    const query = new URLSearchParams(req.rawQuery);
    const checked = this.#checkAuthorize(query);
    if (typeof checked === 'string') {
      return html(
        400,
        'Something went wrong',
        `<p>You weren't able to give access to the App. ${escapeHtml(checked)}</p>`,
      );
    }
    const hidden = [...query]
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    return html(
      200,
      'The app wants to access your X account',
      `<p>Scopes: ${checked.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')}</p>` +
        `<form method="post" action="${escapeHtml(req.path)}">${hidden}${this.#accountChoices(undefined)}` +
        '<button type="submit" name="decision" value="approve" id="allow">Authorize app</button> ' +
        '<button type="submit" name="decision" value="deny" id="cancel">Cancel</button></form>',
    );
  }

  #oauth2Decision(req: AuthRequest): AuthResponse {
    const { params, account, approve } = this.#decision(req);
    const checked = this.#checkAuthorize(params);
    if (typeof checked === 'string') return html(400, 'Something went wrong', `<p>${escapeHtml(checked)}</p>`);
    if (!approve) return redirect(withParams(checked.redirectUri, { error: 'access_denied', state: checked.state }));
    if (!account) return html(400, 'Choose an account', '<p>No such account.</p>');
    return redirect(this.#approveOAuth2(checked, account).callbackUrl as string);
  }

  /** Client authentication: HTTP Basic (confidential) or `client_id` in the body (public). */
  #client(req: AuthRequest, body: URLSearchParams): AuthResponse | undefined {
    const header = req.headers['authorization'];
    if (typeof header === 'string' && /^Basic\s/i.test(header)) {
      const credentials = basicCredentials(header);
      if (
        !credentials ||
        credentials.id !== this.#s.clientId ||
        !constantTimeEqual(credentials.secret, this.#s.clientSecret)
      ) {
        return oauth2Error(401, 'unauthorized_client', 'Missing valid authorization header');
      }
      return undefined;
    }
    if (body.get('client_id') !== this.#s.clientId)
      return oauth2Error(401, 'unauthorized_client', 'Missing valid authorization header');
    return undefined;
  }

  #issue(account: EmulatedAccount, scopes: readonly string[], grant: string): Record<string, unknown> {
    const accessToken = token(48);
    const issued: IssuedToken = { account, scopes, expiresAt: this.#s.clock() + ACCESS_TOKEN_TTL_S * 1000, grant };
    this.#accessTokens.set(accessToken, issued);
    const answer: Record<string, unknown> = {
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_TTL_S,
      access_token: accessToken,
      scope: scopes.join(' '),
    };
    if (scopes.includes('offline.access')) {
      const refreshToken = token(48);
      this.#refreshTokens.set(refreshToken, issued);
      answer['refresh_token'] = refreshToken;
    }
    return answer;
  }

  #token(req: AuthRequest): AuthResponse {
    const body = new URLSearchParams(req.body);
    const refused = this.#client(req, body);
    if (refused) return refused;
    const grant = body.get('grant_type');
    if (grant === 'authorization_code') {
      const code = body.get('code') ?? '';
      const stored = this.#codes.get(code);
      // A code is used up by the first exchange that presents it.
      this.#codes.delete(code);
      if (!stored || stored.expiresAt <= this.#s.clock()) {
        return oauth2Error(400, 'invalid_request', 'Value passed for the authorization code was invalid.');
      }
      if (body.get('redirect_uri') !== stored.redirectUri) {
        return oauth2Error(
          400,
          'invalid_request',
          'Value passed for the redirect uri did not match the uri of the authorization code.',
        );
      }
      const verifier = body.get('code_verifier') ?? '';
      const computed = stored.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (verifier === '' || !constantTimeEqual(computed, stored.challenge)) {
        return oauth2Error(
          400,
          'invalid_request',
          'Value passed for the code verifier did not match the code challenge.',
        );
      }
      stored.account.revoked = false;
      return json(200, this.#issue(stored.account, stored.scopes, token(12)));
    }
    if (grant === 'refresh_token') {
      const refreshToken = body.get('refresh_token') ?? '';
      const issued = this.#refreshTokens.get(refreshToken);
      this.#refreshTokens.delete(refreshToken);
      if (!issued || issued.account.revoked)
        return oauth2Error(400, 'invalid_request', 'Value passed for the token was invalid.');
      return json(200, this.#issue(issued.account, issued.scopes, issued.grant));
    }
    return oauth2Error(400, 'invalid_request', 'Value passed for the grant type was invalid.');
  }

  #revoke(req: AuthRequest): AuthResponse {
    const body = new URLSearchParams(req.body);
    const refused = this.#client(req, body);
    if (refused) return refused;
    const value = body.get('token') ?? '';
    const refresh = this.#refreshTokens.get(value);
    if (refresh) {
      // Revoking a refresh token ends its grant: its access tokens stop working too.
      this.#refreshTokens.delete(value);
      for (const [key, issued] of this.#accessTokens)
        if (issued.grant === refresh.grant) this.#accessTokens.delete(key);
    }
    this.#accessTokens.delete(value);
    // RFC 7009: an unknown token is not an error.
    return json(200, { revoked: true });
  }
}
