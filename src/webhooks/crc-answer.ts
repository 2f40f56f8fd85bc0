/**
 * Answering X's CRC challenge inside the handler: one `crc_token` of the documented shape, and for
 * X's v1.1 GETs the optional check of the signature over the query string.
 *
 * @internal
 * @packageDocumentation
 */
import { CrcTokenError, SignatureVerificationError, type XAccountActivityError } from '../errors.js';
import { createCrcResponse, isValidCrcToken } from './crc.js';
import { type HeadersInput, getHeader, rawQuery } from './http.js';
import type { Verifier } from './signature.js';

/** How the handler treats the signature header of a CRC GET; see `WebhookHandlerOptions.crcSignature`. */
export type CrcSignatureMode = 'ignore' | 'verify-if-present' | 'require';

/** @internal The header X signs deliveries (and v1.1 CRC GETs) with. */
export const SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

/** @internal The CRC answer body, or why the challenge is refused. */
export type CrcOutcome =
  | { readonly ok: true; readonly body: string }
  | { readonly ok: false; readonly status: 400 | 401; readonly message: string; readonly error: XAccountActivityError };

/** @internal Answers CRC challenges with the first consumer secret. */
export class CrcResponder {
  readonly #secret: string;
  readonly #mode: CrcSignatureMode;
  readonly #verify: Verifier;

  constructor(secret: string, mode: CrcSignatureMode, verify: Verifier) {
    this.#secret = secret;
    this.#mode = mode;
    this.#verify = verify;
  }

  async answer(url: string, headers: HeadersInput): Promise<CrcOutcome> {
    const query = rawQuery(url);
    const tokens = new URLSearchParams(query).getAll('crc_token');
    const token = tokens[0];
    if (token === undefined) {
      return refused(400, 'Missing crc_token query parameter.', new CrcTokenError('Missing crc_token.'));
    }
    if (tokens.length > 1 || !isValidCrcToken(token)) {
      return refused(
        400,
        'Refused crc_token: not of the documented opaque shape.',
        new CrcTokenError('Refused crc_token: not one token of the documented opaque shape.'),
      );
    }
    if (this.#mode !== 'ignore') {
      const header = getHeader(headers, SIGNATURE_HEADER);
      if ((header !== undefined || this.#mode === 'require') && !(await this.#signatureValid(query, token, header))) {
        return refused(
          401,
          'Invalid CRC request signature.',
          new SignatureVerificationError('The CRC GET signature does not match its query string.'),
        );
      }
    }
    return { ok: true, body: JSON.stringify(await createCrcResponse(token, this.#secret)) };
  }

  /**
   * X signs `crc_token=...&nonce=...`. When the webhook URL has a query of its own, the signature is
   * accepted over the whole query or over those two pairs alone (X's docs leave it open), and then
   * the signed pairs must hold the very token answered (so an unsigned, percent-encoded `crc_token`
   * cannot ride along with a captured signature).
   */
  async #signatureValid(query: string, token: string, header: string | undefined): Promise<boolean> {
    if (await this.#verify(query, header)) return true;
    const own = query
      .split('&')
      .filter((pair) => pair.startsWith('crc_token=') || pair.startsWith('nonce='))
      .join('&');
    return own !== query && new URLSearchParams(own).get('crc_token') === token && this.#verify(own, header);
  }
}

const refused = (status: 400 | 401, message: string, error: XAccountActivityError): CrcOutcome => ({
  ok: false,
  status,
  message,
  error,
});
