// What a newcomer meets first: the emulator hands the webhook app its options, and a webhook app that
// verifies with another consumer secret fails registration with an error that says so.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { AccountActivityClient } from '../../src/client/index.js';
import { isXApiError } from '../../src/errors.js';
import type { AccountActivityEvent } from '../../src/events/types.js';
import { type Emulator, startEmulator } from '../../src/testing/index.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function webhookApp(consumerSecret: string) {
  const events: AccountActivityEvent[] = [];
  const handler = createWebhookHandler({ consumerSecret });
  handler.onAny((event) => events.push(event));
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { events, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook` };
}

async function emulator(): Promise<Emulator> {
  const x = await startEmulator({ retryScale: 0.001 });
  closers.push(() => x.close());
  return x;
}

describe('the first verified event', () => {
  it('webhookOptions() gives the handler the secret the emulator signs with: registered, delivered, verified', async () => {
    const x = await emulator();
    expect(x.webhookOptions()).toEqual({ consumerSecret: x.consumerSecret });
    const app = await webhookApp(x.webhookOptions().consumerSecret);
    const client = new AccountActivityClient(x.clientOptions());
    const webhook = await client.webhooks.register(app.url);
    await client.subscriptions.add(webhook.id, x.account('alice'));
    await x.activity.mention('bob', 'alice', 'hello');
    await x.settled();
    expect(app.events.map((event) => event.type)).toEqual(['tweet_create']);
  });

  it('a webhook app with another consumer secret fails registration, and the error names that cause', async () => {
    const x = await emulator();
    const app = await webhookApp('not the emulator secret');
    const client = new AccountActivityClient(x.clientOptions());
    const error: unknown = await client.webhooks.register(app.url).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isXApiError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/another consumer secret/);
    expect(String((error as Error).message)).not.toContain('not the emulator secret');
  });
});
