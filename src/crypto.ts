/**
 * The package's one crypto module, on the ground floor: HMAC-SHA256 (webhook signatures and CRC),
 * HMAC-SHA1 (OAuth 1.0a request signing), base64, constant-time comparison, runtime detection and the
 * Web Crypto key cache. The webhook side, the client and the emulator all use it.
 *
 * HMAC-SHA256 runs on two paths with one contract.
 *
 * - On Node (and Bun, Deno, and anything else exposing `process.getBuiltinModule('node:crypto')`)
 *   the HMAC is computed synchronously with `node:crypto`, and digests are compared with
 *   `timingSafeEqual` after a length check. No static `import 'node:crypto'` is written, so the
 *   same build loads in browsers and edge runtimes.
 * - Elsewhere (Cloudflare workerd, Vercel edge, browsers) `crypto.subtle` is used. Each secret's
 *   `CryptoKey` is imported once and cached; comparison is `subtle.verify`, which is constant-time.
 *
 * Internal module: the public functions live in `webhooks/crc.ts`, `webhooks/signature.ts` and
 * `client/oauth1.ts`.
 */
import { UnsupportedRuntimeError } from './errors.js';

/** Bytes or text to sign. Text is encoded as UTF-8. */
export type HmacInput = string | Uint8Array;

/** An HMAC-SHA256 implementation. Results may be synchronous (Node) or promises (Web Crypto). */
export interface HmacProvider {
  /** Base64 of HMAC-SHA256(secret, data). */
  sign(secret: string, data: HmacInput): string | Promise<string>;
  /** True when `signature` (32 raw bytes) is the HMAC of `data` under any of `secrets`. */
  verify(secrets: readonly string[], data: HmacInput, signature: Uint8Array): boolean | Promise<boolean>;
  /** Decodes the 44-character base64 of a digest into bytes. */
  decode(base64: string): Uint8Array;
}

interface NodeCryptoLike {
  createHmac(
    algorithm: string,
    key: string,
  ): { update(data: HmacInput): { digest(): Uint8Array; digest(encoding: 'base64'): string } };
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}

interface NodeBufferLike {
  from(data: string, encoding: 'base64'): Uint8Array;
}

/** @internal Returns `node:crypto` when the runtime offers it synchronously, otherwise undefined. */
export function loadNodeCrypto(): NodeCryptoLike | undefined {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const mod = proc?.getBuiltinModule?.('node:crypto') as Partial<NodeCryptoLike> | undefined;
    if (typeof mod?.createHmac === 'function' && typeof mod.timingSafeEqual === 'function') {
      return mod as NodeCryptoLike;
    }
  } catch {
    // A runtime that forbids the lookup has no node:crypto for us.
  }
  return undefined;
}

/** The `node:crypto` path. */
export function createNodeHmacProvider(nodeCrypto: NodeCryptoLike): HmacProvider {
  const { createHmac, timingSafeEqual } = nodeCrypto;
  const NodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;
  return {
    sign: (secret, data) => createHmac('sha256', secret).update(data).digest('base64'),
    verify(secrets, data, signature) {
      let ok = false;
      for (const secret of secrets) {
        const expected = createHmac('sha256', secret).update(data).digest();
        // timingSafeEqual throws on a length mismatch: check the length first.
        if (expected.length === signature.length && timingSafeEqual(expected, signature)) ok = true;
      }
      return ok;
    },
    decode: NodeBuffer ? (base64) => NodeBuffer.from(base64, 'base64') : decodeBase64,
  };
}

const encoder = /* @__PURE__ */ new TextEncoder();
const MAX_CACHED_KEYS = 32;

/**
 * @internal Imports an HMAC key per secret once, keeping the `max` most recently imported (a failed
 * import is forgotten).
 */
export function keyCache(subtle: SubtleCrypto, hash: string, max: number): (secret: string) => Promise<CryptoKey> {
  const keys = new Map<string, Promise<CryptoKey>>();
  return (secret) => {
    let cached = keys.get(secret);
    if (!cached) {
      if (keys.size >= max) keys.delete(keys.keys().next().value as string);
      cached = subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash }, false, ['sign', 'verify']);
      cached.catch(() => keys.delete(secret));
      keys.set(secret, cached);
    }
    return cached;
  };
}

/** The Web Crypto path, with one imported `CryptoKey` per secret. */
export function createWebHmacProvider(subtle: SubtleCrypto): HmacProvider {
  const key = keyCache(subtle, 'SHA-256', MAX_CACHED_KEYS);
  const bytes = (data: HmacInput): BufferSource =>
    (typeof data === 'string' ? encoder.encode(data) : data) as BufferSource;
  return {
    async sign(secret, data) {
      const mac = await subtle.sign('HMAC', await key(secret), bytes(data));
      return encodeBase64(new Uint8Array(mac));
    },
    async verify(secrets, data, signature) {
      const message = bytes(data);
      const results = await Promise.all(
        secrets.map(async (secret) => subtle.verify('HMAC', await key(secret), signature as BufferSource, message)),
      );
      return results.includes(true);
    },
    decode: decodeBase64,
  };
}

// Digests are 32 bytes: spreading them into fromCharCode is safe.
/** @internal Base64 of a short byte array (a digest). */
export const encodeBase64 = (data: Uint8Array): string => btoa(String.fromCharCode(...data));

const decodeBase64 = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

let selected: HmacProvider | undefined;

/**
 * The provider for this runtime, chosen once by feature detection: `node:crypto` when the runtime
 * offers it, Web Crypto otherwise.
 */
export function hmacProvider(): HmacProvider {
  if (!selected) {
    const nodeCrypto = loadNodeCrypto();
    if (nodeCrypto) selected = createNodeHmacProvider(nodeCrypto);
    else if (globalThis.crypto?.subtle) selected = createWebHmacProvider(globalThis.crypto.subtle);
    else throw new UnsupportedRuntimeError('No node:crypto or crypto.subtle to sign with.');
  }
  return selected;
}

// ---------------------------------------------------------------------------------------------
// HMAC-SHA1, for OAuth 1.0a
// ---------------------------------------------------------------------------------------------

/** @internal Base64 of HMAC-SHA1(key, data): synchronous with `node:crypto`, a promise with Web Crypto. */
export type HmacSha1 = (key: string, data: string) => string | Promise<string>;

/** @internal `node:crypto`'s HMAC-SHA1 when the runtime offers it synchronously, otherwise undefined. */
export function nodeHmacSha1(): HmacSha1 | undefined {
  const nodeCrypto = loadNodeCrypto();
  return nodeCrypto && ((key, data) => nodeCrypto.createHmac('sha1', key).update(data).digest('base64'));
}

/** @internal HMAC-SHA1 with Web Crypto, each key imported once. */
export function webHmacSha1(subtle: SubtleCrypto): HmacSha1 {
  const keyFor = keyCache(subtle, 'SHA-1', 8);
  return async (key, data) => {
    const cryptoKey = keyFor(key);
    return encodeBase64(new Uint8Array(await subtle.sign('HMAC', await cryptoKey, encoder.encode(data))));
  };
}

/** @internal The HMAC-SHA1 of this runtime: `node:crypto` where there is one, Web Crypto elsewhere. */
export function defaultHmacSha1(): HmacSha1 {
  const node = nodeHmacSha1();
  if (node) return node;
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return webHmacSha1(subtle);
  throw new UnsupportedRuntimeError('Neither node:crypto nor crypto.subtle is available to sign OAuth 1.0a requests.');
}

/** @internal Constant-time equality of two texts (false at once when their lengths differ). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.length !== y.length) return false;
  const nodeCrypto = loadNodeCrypto();
  if (nodeCrypto) return nodeCrypto.timingSafeEqual(x, y);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] as number) ^ (y[i] as number);
  return diff === 0;
}
