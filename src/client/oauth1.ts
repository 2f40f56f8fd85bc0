/**
 * OAuth 1.0a user-context signing (HMAC-SHA1), built on the `oauth-1.0a` package: its public
 * `getBaseString` (signature base string), `getSigningKey`, `toHeader` and `percentEncode` are used as
 * they are. The HMAC-SHA1 itself comes from `crypto.ts`: `node:crypto`, synchronously, where the
 * runtime has it; Web Crypto, asynchronously, elsewhere (workerd, browsers, edge runtimes).
 *
 * What the package lacks for this signer, and so why its `authorize()` and `getSignature()` are not
 * called:
 * - no asynchronous signer: `hash_function` must return the signature itself (its type is
 *   `(base_string, key) => string`), and `getSignature()`/`authorize()` put whatever it returns into
 *   `oauth_signature`. Web Crypto's `crypto.subtle.sign` only returns a promise;
 * - no nonce or clock of the caller's: `authorize()` always takes `oauth_nonce` from `getNonce()`
 *   (`Math.random`) and `oauth_timestamp` from `getTimeStamp()`, with no option to pass either. Here
 *   nonces come from `crypto.getRandomValues`, and known-answer tests fix both.
 * So the parameters are built here, the package turns them into the base string, the HMAC is computed
 * between that and `toHeader`, and the instance is created without `signature_method` and
 * `hash_function`, which only `authorize()` and `getSignature()` read.
 *
 * The signature base covers the method, the URL and its query parameters, never a JSON body (only
 * form bodies belong in the base, and no OAuth 1.0a request of the client has one).
 *
 * oauth-1.0a (a CommonJS module) is loaded with the first signature, not with the package: importing
 * it costs a cold start a few milliseconds that a receiver, or a client that only uses the app token,
 * never needs back (`npm run bench`, import rows).
 *
 * Internal module.
 */
import type OAuth from 'oauth-1.0a';
import { type HmacSha1, defaultHmacSha1 } from '../crypto.js';

let oauthModule: Promise<typeof OAuth> | undefined;
let loaded: typeof OAuth | undefined;

/** @internal The `oauth-1.0a` constructor, loaded once, on first use. */
export function loadOAuth(): Promise<typeof OAuth> {
  let pending = oauthModule;
  if (pending === undefined) {
    pending = import('oauth-1.0a').then((module) => {
      loaded = module.default;
      return loaded;
    });
    oauthModule = pending;
    // A failed load is forgotten, so that the next signature tries again.
    pending.catch(() => {
      if (oauthModule === pending) oauthModule = undefined;
    });
  }
  return pending;
}

/** An access token and its secret. */
export interface TokenPair {
  readonly key: string;
  readonly secret: string;
}

const NONCE_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

let pool = /* @__PURE__ */ new Uint8Array(0);
let poolIndex = 0;

/** One random byte from a pooled CSPRNG buffer (refilled 4 KiB at a time: one syscall per ~120 nonces). */
function randomByte(): number {
  if (poolIndex >= pool.length) {
    pool = globalThis.crypto.getRandomValues(new Uint8Array(4096));
    poolIndex = 0;
  }
  return pool[poolIndex++] as number;
}

/** A 32-character alphanumeric nonce from the platform's CSPRNG. */
export function createNonce(): string {
  let nonce = '';
  while (nonce.length < 32) {
    const byte = randomByte();
    // 248 = 4 * 62: bytes at or above it would bias the choice and are skipped.
    if (byte < 248) nonce += NONCE_ALPHABET[byte % 62] as string;
  }
  return nonce;
}

/** Test seams: fixed nonce and clock. */
export interface OAuth1SignerOptions {
  readonly hmac?: HmacSha1;
  readonly nonce?: () => string;
  readonly timestamp?: () => number;
}

/** Signs requests with one consumer key and secret. Secrets live only in private fields. */
export class OAuth1Signer {
  #oauth: OAuth | undefined;
  readonly #consumerKey: string;
  readonly #consumerSecret: string;
  readonly #hmac: HmacSha1;
  readonly #nonce: () => string;
  readonly #timestamp: () => number;

  constructor(consumerKey: string, consumerSecret: string, options: OAuth1SignerOptions = {}) {
    this.#consumerKey = consumerKey;
    this.#consumerSecret = consumerSecret;
    this.#hmac = options.hmac ?? defaultHmacSha1();
    this.#nonce = options.nonce ?? createNonce;
    this.#timestamp = options.timestamp ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * The `Authorization` header value for `method url` (query included) signed with `token`: a string
   * with node:crypto once oauth-1.0a is loaded ({@link loadOAuth}); a promise before that, and with
   * Web Crypto.
   */
  authorize(method: string, url: string, token: TokenPair): string | Promise<string> {
    // No `signature_method` or `hash_function`: see the module comment.
    if (this.#oauth === undefined && loaded !== undefined) {
      this.#oauth = new loaded({ consumer: { key: this.#consumerKey, secret: this.#consumerSecret } });
    }
    const oauth = this.#oauth;
    if (oauth === undefined) return loadOAuth().then(() => this.authorize(method, url, token));
    const data: OAuth.Data = {
      oauth_consumer_key: this.#consumerKey,
      oauth_nonce: this.#nonce(),
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: this.#timestamp(),
      oauth_version: '1.0',
      oauth_token: token.key,
    };
    // getBaseString merges the query parameters into the object it is given: pass a copy.
    const base = oauth.getBaseString({ method, url }, { ...data });
    const signature = this.#hmac(oauth.getSigningKey(token.secret), base);
    const header = (value: string): string => oauth.toHeader({ ...data, oauth_signature: value }).Authorization;
    return typeof signature === 'string' ? header(signature) : signature.then(header);
  }
}

/**
 * RFC 3986 percent-encoding, what OAuth 1.0a requires of query strings: `encodeURIComponent` leaves
 * `!'()*` as they are, RFC 3986 reserves them.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
