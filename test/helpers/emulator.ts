/**
 * Emulator tests driven with plain fetch: the emulator started for a test app, and an OAuth 1.0a
 * signer of that app's requests made with oauth-1.0a and node:crypto, independently of the library.
 */
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/testing/index.js';

/** The app a test file's emulator knows. */
export interface TestApp {
  readonly consumerKey: string;
  readonly consumerSecret: string;
}

/**
 * Starts the emulator on 127.0.0.1:0 for `app`, with deliveries retried fast (`retryScale: 0.001`);
 * `options` go over those. The caller closes it.
 */
export function startTestEmulator(app: TestApp, options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ ...app, retryScale: 0.001, ...options });
}

/** Signs requests of `app` with OAuth 1.0a HMAC-SHA1 (oauth-1.0a on node:crypto, not the library's signer). */
export function oauth1Signer(app: TestApp): OAuth {
  return new OAuth({
    consumer: { key: app.consumerKey, secret: app.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
}
