/**
 * OAuth 1.0a user-context signing (HMAC-SHA1), built on the `oauth-1.0a` package for the signature
 * base string, the signing key and the header, with the HMAC computed by `node:crypto` on Node and by
 * Web Crypto elsewhere.
 *
 * The signature base covers the method, the URL and its query parameters, never a JSON body (only
 * form bodies belong in the base, and the client sends none). Nonces come from
 * `crypto.getRandomValues`, not `Math.random`.
 *
 * Internal module.
 */
import OAuth from 'oauth-1.0a';
import { type HmacSha1, defaultHmacSha1 } from '../crypto.js';

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
  readonly #oauth: OAuth;
  readonly #consumerKey: string;
  readonly #hmac: HmacSha1;
  readonly #nonce: () => string;
  readonly #timestamp: () => number;

  constructor(consumerKey: string, consumerSecret: string, options: OAuth1SignerOptions = {}) {
    this.#consumerKey = consumerKey;
    this.#hmac = options.hmac ?? defaultHmacSha1();
    this.#nonce = options.nonce ?? createNonce;
    this.#timestamp = options.timestamp ?? (() => Math.floor(Date.now() / 1000));
    // The hash function is never called by this class (it signs asynchronously itself), but the
    // package requires one for HMAC-SHA1.
    this.#oauth = new OAuth({
      consumer: { key: consumerKey, secret: consumerSecret },
      signature_method: 'HMAC-SHA1',
      hash_function: () => {
        throw new Error('unused');
      },
    });
    // The same RFC 3986 encoding as the package's, with one pass instead of five.
    this.#oauth.percentEncode = percentEncode;
  }

  /** The `Authorization` header value for `method url` (query included) signed with `token`. */
  authorize(method: string, url: string, token: TokenPair): string | Promise<string> {
    const data: OAuth.Data = {
      oauth_consumer_key: this.#consumerKey,
      oauth_nonce: this.#nonce(),
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: this.#timestamp(),
      oauth_version: '1.0',
      oauth_token: token.key,
    };
    // getBaseString merges the query parameters into the object it is given: pass a copy.
    const base = this.#oauth.getBaseString({ method, url, data: {} }, { ...data });
    const signature = this.#hmac(this.#oauth.getSigningKey(token.secret), base);
    const header = (value: string): string =>
      this.#oauth.toHeader({ ...data, oauth_signature: value }).Authorization;
    return typeof signature === 'string' ? header(signature) : signature.then(header);
  }
}

/** RFC 3986 percent-encoding (what OAuth 1.0a requires for query strings). */
export function percentEncode(value: string): string {
  const encoded = encodeURIComponent(value);
  return RESERVED.test(encoded) ? encoded.replace(RESERVED_ALL, escapeReserved) : encoded;
}

const RESERVED = /[!'()*]/;
const RESERVED_ALL = /[!'()*]/g;
const escapeReserved = (char: string): string => `%${char.charCodeAt(0).toString(16).toUpperCase()}`;
