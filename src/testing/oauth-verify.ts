/**
 * Server-side OAuth checks of the emulator: OAuth 1.0a HMAC-SHA1 signatures recomputed from the
 * request (RFC 5849 §3.4: method, base URI, query and form parameters, never a JSON body), a
 * timestamp window, nonce reuse refused; bearer tokens looked up.
 */
import { constantTimeEqual, nodeHmacSha1 } from '../crypto.js';

/** RFC 3986 percent-encoding as OAuth 1.0a requires (`!*'()` are encoded too). */
export function oauthEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Parses `a=1&b=2` into decoded pairs (no `+` to space: signers encode spaces as `%20`). */
export function parsePairs(query: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = safeDecode(eq < 0 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined) return undefined;
    pairs.push([key, value]);
  }
  return pairs;
}

/** Parses an `Authorization: OAuth k="v", ...` header; `undefined` when it is not one. */
export function parseOAuthHeader(header: string): Map<string, string> | undefined {
  const match = /^OAuth\s+(.*)$/is.exec(header.trim());
  if (!match) return undefined;
  const params = new Map<string, string>();
  for (const item of (match[1] ?? '').split(',')) {
    const kv = /^\s*([^=\s]+)\s*=\s*"([^"]*)"\s*$/.exec(item);
    if (!kv) continue;
    const key = safeDecode(kv[1] ?? '');
    const value = safeDecode(kv[2] ?? '');
    if (key === undefined || value === undefined) return undefined;
    params.set(key, value);
  }
  return params;
}

/** The signature base string of RFC 5849 §3.4.1. */
export function signatureBaseString(
  method: string,
  baseUrl: string,
  params: readonly (readonly [string, string])[],
): string {
  const normalized = params
    .map(([k, v]) => [oauthEncode(k), oauthEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${method.toUpperCase()}&${oauthEncode(baseUrl)}&${oauthEncode(normalized)}`;
}

/** HMAC-SHA1 signature for a base string, consumer secret and token secret. */
export function hmacSha1Signature(base: string, consumerSecret: string, tokenSecret: string): string {
  // The emulator runs on Node, where the package's HMAC-SHA1 is synchronous.
  return (nodeHmacSha1() as (key: string, data: string) => string)(
    `${oauthEncode(consumerSecret)}&${oauthEncode(tokenSecret)}`,
    base,
  );
}

/** What {@link verifyOAuth1} needs to know about the request. */
export interface OAuth1Request {
  readonly method: string;
  /** `scheme://host[:port]/path` as the client addressed it, without the query. */
  readonly baseUrl: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  readonly authorization: string;
  /** Present only for `application/x-www-form-urlencoded` bodies, which OAuth 1.0a signs. */
  readonly formBody?: string;
}

/** Keys the verifier checks against. */
export interface OAuth1Keys {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  /** Returns the token secret of a known access token, or `undefined`. */
  readonly tokenSecret: (token: string) => string | undefined;
  /** Allowed clock skew in seconds. */
  readonly windowSeconds: number;
  /** Accept requests without `oauth_token`, signed with an empty token secret (`POST oauth/request_token`). */
  readonly tokenless?: boolean;
}

/** Why an OAuth 1.0a request was refused. */
export type OAuth1Failure = 'malformed' | 'consumer' | 'token' | 'timestamp' | 'nonce' | 'signature';

/** The outcome of {@link OAuth1Verifier.verify}. */
export type OAuth1Result =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly reason: OAuth1Failure };

/** Verifies OAuth 1.0a requests and remembers nonces for the length of the timestamp window. */
export class OAuth1Verifier {
  readonly #keys: OAuth1Keys;
  readonly #nonces = new Map<string, number>();

  constructor(keys: OAuth1Keys) {
    this.#keys = keys;
  }

  /** Checks one request; a nonce that passes is remembered and refused next time. */
  verify(request: OAuth1Request, nowMs: number = Date.now()): OAuth1Result {
    const oauth = parseOAuthHeader(request.authorization);
    const query = parsePairs(request.query);
    const form = request.formBody === undefined ? [] : parsePairs(request.formBody);
    if (!oauth || !query || !form) return { ok: false, reason: 'malformed' };
    const signature = oauth.get('oauth_signature');
    const nonce = oauth.get('oauth_nonce');
    const timestamp = Number(oauth.get('oauth_timestamp'));
    const token = oauth.get('oauth_token');
    if (signature === undefined || nonce === undefined || !Number.isInteger(timestamp)) {
      return { ok: false, reason: 'malformed' };
    }
    if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') return { ok: false, reason: 'malformed' };
    if (oauth.get('oauth_consumer_key') !== this.#keys.consumerKey) return { ok: false, reason: 'consumer' };
    const tokenSecret =
      token === undefined ? (this.#keys.tokenless === true ? '' : undefined) : this.#keys.tokenSecret(token);
    if (tokenSecret === undefined) return { ok: false, reason: 'token' };
    const nowSec = Math.floor(nowMs / 1000);
    if (Math.abs(nowSec - timestamp) > this.#keys.windowSeconds) return { ok: false, reason: 'timestamp' };

    const params: [string, string][] = [...query, ...form];
    for (const [k, v] of oauth) if (k !== 'oauth_signature' && k !== 'realm') params.push([k, v]);
    const base = signatureBaseString(request.method, request.baseUrl, params);
    if (!constantTimeEqual(hmacSha1Signature(base, this.#keys.consumerSecret, tokenSecret), signature)) {
      return { ok: false, reason: 'signature' };
    }
    this.#prune(nowSec);
    const nonceKey = `${token ?? ''}\u0000${nonce}`;
    if (this.#nonces.has(nonceKey)) return { ok: false, reason: 'nonce' };
    this.#nonces.set(nonceKey, timestamp);
    return { ok: true, token: token ?? '' };
  }

  #prune(nowSec: number): void {
    for (const [key, ts] of this.#nonces) {
      if (Math.abs(nowSec - ts) > this.#keys.windowSeconds) this.#nonces.delete(key);
    }
  }
}

/** Reads `Authorization: Bearer <token>`; `undefined` when the header is not a bearer one. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1] === undefined ? undefined : safeDecode(match[1]);
}

/** Reads `Authorization: Basic base64(urlencode(key):urlencode(secret))` (RFC 6749 §2.3.1). */
export function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const id = safeDecode(decoded.slice(0, colon));
  const secret = safeDecode(decoded.slice(colon + 1));
  return id === undefined || secret === undefined ? undefined : { id, secret };
}
