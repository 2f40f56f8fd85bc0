import { CrcTokenError } from '../errors.js';
import { type HmacProvider, hmacProvider } from '../crypto.js';
import { secretError } from './signature.js';

/** The JSON body X expects in answer to a CRC GET. */
export interface CrcResponse {
  /** `sha256=` + base64(HMAC-SHA256(consumer secret, crc_token)). */
  readonly response_token: string;
}

/** Longest `crc_token` answered. X's tokens are about 48 characters. */
export const MAX_CRC_TOKEN_LENGTH = 256;

// 1..256 characters of the base64 and base64url alphabets, then at most two '=' of padding.
const CRC_TOKEN_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Whether a `crc_token` has X's documented opaque shape, the only shape {@link createCrcResponse}
 * answers: 1 to 256 characters, made of `A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`, `-` and `_` (the base64
 * and base64url alphabets), optionally ending in one or two `=` padding characters.
 *
 * @example
 * ```ts
 * isValidCrcToken('OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi'); // true
 * isValidCrcToken('{"for_user_id":"1"}'); // false
 * ```
 */
export function isValidCrcToken(token: unknown): token is string {
  return (
    typeof token === 'string' &&
    token.length > 0 &&
    token.length <= MAX_CRC_TOKEN_LENGTH &&
    CRC_TOKEN_PATTERN.test(token)
  );
}

/** @internal createCrcResponse on a given provider (the known-answer suite runs on both). */
export function createCrcResponseWith(
  provider: HmacProvider,
  crcToken: string,
  consumerSecret: string,
): Promise<CrcResponse> {
  if (typeof consumerSecret !== 'string' || consumerSecret === '') throw secretError('createCrcResponse');
  if (!isValidCrcToken(crcToken)) {
    return Promise.reject(new CrcTokenError('Refused crc_token: not 1-256 base64 or base64url characters.'));
  }
  return Promise.resolve(provider.sign(consumerSecret, crcToken)).then((mac) => ({ response_token: `sha256=${mac}` }));
}

/**
 * Answers X's Challenge-Response Check: `GET <webhook>?crc_token=...` must be answered with HTTP 200,
 * `content-type: application/json` and the JSON of the returned object.
 *
 * **Why some tokens are refused.** The answer is HMAC-SHA256 of the token under the consumer secret,
 * which is exactly how X signs event deliveries. An endpoint that answers any token would sign any
 * bytes an attacker sends it, and so forge deliveries (a signing oracle). Only tokens of X's opaque
 * shape are answered (see {@link isValidCrcToken}); no JSON body can have that shape. A refused
 * token rejects the promise with a {@link CrcTokenError}; answer it with 400.
 *
 * @param crcToken - The `crc_token` query parameter, as decoded from the URL.
 * @param consumerSecret - The app's consumer secret (API secret key); not a bearer or access token.
 * @returns A promise of `{ response_token: 'sha256=<base64>' }`.
 * @throws InvalidArgumentError - synchronously, when the secret is empty.
 *
 * @example
 * ```ts
 * const token = new URL(request.url).searchParams.get('crc_token');
 * const body = await createCrcResponse(token ?? '', process.env.X_CONSUMER_SECRET!);
 * return Response.json(body);
 * ```
 */
export function createCrcResponse(crcToken: string, consumerSecret: string): Promise<CrcResponse> {
  return createCrcResponseWith(hmacProvider(), crcToken, consumerSecret);
}
