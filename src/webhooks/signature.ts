import { InvalidArgumentError } from '../errors.js';
import { type HmacInput, type HmacProvider, hmacProvider } from '../crypto.js';

/** The raw body of a request, exactly as received: text, or bytes (a Buffer is a Uint8Array). */
export type RawBody = string | Uint8Array | ArrayBuffer;

/** One consumer secret, or several during a rotation (any of them may match). */
export type ConsumerSecret = string | readonly string[];

const PREFIX = 'sha256=';
// 32 bytes in base64: 42 free characters, a 43rd whose two low bits are zero, and one '='.
const SIGNATURE_PATTERN = /^sha256=[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

const RAW_BODY_HINT =
  "Express: express.raw({ type: 'application/json' }); Fastify: parseAs 'buffer'; Request: await request.text().";

/** @internal Checks the body argument and returns it as HMAC input. */
export function toHmacInput(rawBody: unknown, fn: string): HmacInput {
  if (typeof rawBody === 'string' || rawBody instanceof Uint8Array) return rawBody;
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  if (ArrayBuffer.isView(rawBody)) {
    return new Uint8Array(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  }
  const got = typeof rawBody === 'object' && rawBody !== null ? 'a parsed object' : String(rawBody);
  throw new InvalidArgumentError(
    `${fn}() needs the exact raw body X signed (string or bytes), got ${got}. ${RAW_BODY_HINT}`,
  );
}

/** @internal Checks the secret argument and returns the list of secrets. */
export function toSecrets(secret: unknown, fn: string): readonly string[] {
  if (typeof secret === 'string' && secret !== '') return [secret];
  if (Array.isArray(secret) && secret.length > 0 && secret.every((s) => typeof s === 'string' && s !== '')) {
    return secret as readonly string[];
  }
  throw secretError(fn);
}

/** @internal The error for a missing or empty consumer secret. */
export const secretError = (fn: string): InvalidArgumentError =>
  new InvalidArgumentError(`${fn}(): the consumer secret must be a non-empty string or array of them.`);

/** @internal verifySignature on a given provider (the known-answer suite runs on both). */
export function verifySignatureWith(
  provider: HmacProvider,
  rawBody: RawBody,
  header: string | null | undefined,
  secret: ConsumerSecret,
): Promise<boolean> {
  const data = toHmacInput(rawBody, 'verifySignature');
  const secrets = toSecrets(secret, 'verifySignature');
  if (typeof header !== 'string' || !SIGNATURE_PATTERN.test(header)) {
    return Promise.resolve(false);
  }
  return Promise.resolve(provider.verify(secrets, data, provider.decode(header.slice(PREFIX.length))));
}

/** @internal Whether a signature header has the documented shape (`sha256=` and 44 base64 characters). */
export function isWellFormedSignature(header: string): boolean {
  return SIGNATURE_PATTERN.test(header);
}

/**
 * @internal A signature check bound to secrets checked once, for the handler: the secrets are not
 * normalised again on every delivery, and the HMAC back end is chosen on first use. Synchronous where
 * the back end is (node:crypto), so that the handler awaits nothing it does not have to.
 */
export type Verifier = (data: HmacInput, header: string | null | undefined) => boolean | Promise<boolean>;

/** @internal See {@link Verifier}. */
export function createVerifier(secrets: readonly string[]): Verifier {
  let provider: HmacProvider | undefined;
  return (data, header) => {
    if (typeof header !== 'string' || !SIGNATURE_PATTERN.test(header)) return false;
    provider ??= hmacProvider();
    return provider.verify(secrets, data, provider.decode(header.slice(PREFIX.length)));
  };
}

/** @internal signPayload on a given provider. */
export function signPayloadWith(provider: HmacProvider, rawBody: RawBody, secret: string): Promise<string> {
  const data = toHmacInput(rawBody, 'signPayload');
  const [key] = toSecrets(secret, 'signPayload') as [string];
  return Promise.resolve(provider.sign(key, data)).then((mac) => PREFIX + mac);
}

/**
 * Verifies the `x-twitter-webhooks-signature` header of a webhook request against its raw body.
 *
 * The header is `sha256=` + base64(HMAC-SHA256(consumer secret, raw body)). The comparison runs in
 * constant time. The answer is `false`, never an exception, for a missing, malformed, wrongly
 * prefixed, non-base64 or wrong-length header, and for a signature made with another secret.
 *
 * Pass an array of secrets while rotating the consumer secret: any of them may match.
 *
 * For X's v1.1 CRC GET, which carries the same header, pass the raw query string
 * (`crc_token=...&nonce=...`) as the body.
 *
 * Resolves synchronously-computed results on Node (`node:crypto`); uses Web Crypto elsewhere.
 *
 * @param rawBody - The exact bytes X sent (string, `Uint8Array`, `Buffer` or `ArrayBuffer`), never a
 *   parsed object.
 * @param header - The value of the `x-twitter-webhooks-signature` header.
 * @param secret - The app's consumer secret, or several during a rotation.
 * @returns A promise of `true` when the signature is valid.
 * @throws InvalidArgumentError - when `rawBody` is a parsed object (read the raw body instead), or the secret is
 *   empty. These are programming errors, thrown synchronously.
 *
 * @example
 * ```ts
 * const body = await request.text();
 * const ok = await verifySignature(body, request.headers.get('x-twitter-webhooks-signature'), secret);
 * if (!ok) return new Response(null, { status: 401 });
 * ```
 */
export function verifySignature(
  rawBody: RawBody,
  header: string | null | undefined,
  secret: ConsumerSecret,
): Promise<boolean> {
  return verifySignatureWith(hmacProvider(), rawBody, header, secret);
}

/**
 * Computes the `x-twitter-webhooks-signature` header value X would send for a body: use it to test
 * your own webhook handler with correctly (and incorrectly) signed requests.
 *
 * @param rawBody - The exact body bytes or text that will be sent.
 * @param secret - The consumer secret to sign with.
 * @returns A promise of `sha256=<base64 HMAC-SHA256>`.
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ for_user_id: '1', favorite_events: [] });
 * await fetch(url, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': await signPayload(body, secret) },
 *   body,
 * });
 * ```
 */
export function signPayload(rawBody: RawBody, secret: string): Promise<string> {
  return signPayloadWith(hmacProvider(), rawBody, secret);
}
