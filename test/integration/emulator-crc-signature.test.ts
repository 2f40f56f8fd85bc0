// The v1.1 CRC GET carries x-twitter-webhooks-signature over the raw query string (vector T1; see
// docs/x-api-notes.md#signed-crc-requests); v2 documents no such header. The handler's crcSignature
// option checks it where it exists.
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { AccountActivityClient } from '../../src/client/index.js';
import { isInvalidRequestError } from '../../src/errors.js';
import { type Emulator, startEmulator } from '../../src/testing/index.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';
import { type Started, listen } from '../helpers/server.js';

let emulator: Emulator | undefined;
let app: Started | undefined;
afterEach(async () => {
  await app?.close();
  await emulator?.close();
  app = undefined;
  emulator = undefined;
});

async function setup(apiVersion: '2' | '1.1', crcSignature: 'verify-if-present' | 'require') {
  emulator = await startEmulator({ crcTimeoutMs: 1000 });
  const seen: (string | undefined)[] = [];
  const handler = createWebhookHandler({ consumerSecret: emulator.consumerSecret, crcSignature });
  const listener = toNodeListener(handler);
  app = await listen((req, res) => {
    if (req.method === 'GET') seen.push(req.headers['x-twitter-webhooks-signature'] as string | undefined);
    void listener(req, res);
  });
  const client = new AccountActivityClient({ ...emulator.clientOptions(), apiVersion, retry: false });
  return { client, seen, url: `${app.url}/webhook` };
}

describe('CRC GET signatures from the emulator', () => {
  it("v1.1 signs the CRC GET, and a handler with crcSignature: 'require' registers", async () => {
    const { client, seen, url } = await setup('1.1', 'require');
    const webhook = await client.webhooks.register(url);
    expect(webhook.valid).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^sha256=[A-Za-z0-9+/]{43}=$/);
  });

  it("v2 sends no signature: 'verify-if-present' registers, 'require' fails the CRC", async () => {
    const lenient = await setup('2', 'verify-if-present');
    await expect(lenient.client.webhooks.register(lenient.url)).resolves.toMatchObject({ valid: true });
    expect(lenient.seen).toEqual([undefined]);
    await app?.close();
    await emulator?.close();

    const strict = await setup('2', 'require');
    const error = await strict.client.webhooks.register(strict.url).catch((e: unknown) => e);
    expect(isInvalidRequestError(error) && error.reason).toBe('CrcValidationFailed');
  });
});
