import { createHmac } from 'node:crypto';

/**
 * Test-side signer written independently of the library (plain node:crypto), so that a bug in the
 * library's signing cannot hide a bug in its verification.
 */
export function xSignature(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
}

/** The CRC answer X expects, computed independently of the library. */
export function xCrcAnswer(token: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(token).digest('base64')}`;
}
