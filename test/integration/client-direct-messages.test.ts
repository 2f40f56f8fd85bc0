// client.directMessages.send against the emulator: the DM endpoint in user context, delivered back to
// the webhook as a direct_message event.
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { AccountActivityClient } from '../../src/client/index.js';
import { InvalidArgumentError, isAuthenticationError, isXApiError } from '../../src/errors.js';
import type { DirectMessageEvent } from '../../src/events/index.js';
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

describe('client.directMessages.send', () => {
  it('sends as the given user and the DM arrives as a typed direct_message event', async () => {
    emulator = await startEmulator({ retryScale: 0.001 });
    const handler = createWebhookHandler({ consumerSecret: emulator.consumerSecret });
    const dms: DirectMessageEvent[] = [];
    handler.on('direct_message', (event) => {
      dms.push(event);
    });
    app = await listen(toNodeListener(handler));
    const client = new AccountActivityClient(emulator.clientOptions());
    const alice = emulator.account('alice');
    const bob = emulator.account('bob');
    const webhook = await client.webhooks.register(`${app.url}/webhook`);
    await client.subscriptions.add(webhook.id, alice);

    const sent = await client.directMessages.send(bob.id, 'hello bob', alice);
    await emulator.settled();
    expect(sent.eventId).toMatch(/^\d+$/);
    expect(sent.conversationId).toContain(alice.id);
    expect(dms).toHaveLength(1);
    expect(dms[0]).toMatchObject({ id: sent.eventId, text: 'hello bob', direction: 'sent', senderId: alice.id, recipientId: bob.id, forUserId: alice.id });
    expect(dms[0]?.app?.id).toBe(emulator.appId);

    // A revoked user's tokens are refused by X.
    await emulator.activity.revoke(alice);
    const refused = await client.directMessages.send(bob.id, 'still there?', alice).catch((error: unknown) => error);
    expect(isXApiError(refused) && isAuthenticationError(refused)).toBe(true);
  });

  it('checks its arguments before any request', async () => {
    const client = new AccountActivityClient({ baseUrl: 'http://127.0.0.1:9', consumerKey: 'k', consumerSecret: 's', accessToken: 't', accessTokenSecret: 'ts' });
    await expect(client.directMessages.send('not-an-id', 'x')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.directMessages.send('123', '   ')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.directMessages.send('123', 'x'.repeat(10_001))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('client.directMessages.send on a v1.1 client', () => {
  it('accepts an OAuth 2.0 user token, since the DM endpoint is a v2 one in both generations', async () => {
    emulator = await startEmulator({ retryScale: 0.001 });
    const client = new AccountActivityClient({ ...emulator.clientOptions(), apiVersion: '1.1' });
    const alice = emulator.account('alice');
    const bob = emulator.account('bob');
    const sent = await client.directMessages.send(bob.id, 'hi from v1.1', { oauth2AccessToken: alice.oauth2AccessToken });
    expect(sent.eventId).toMatch(/^\d+$/);
    // The v1.1 subscription endpoints still refuse OAuth 2.0 tokens before any request.
    await expect(client.subscriptions.check('1', { oauth2AccessToken: alice.oauth2AccessToken })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('credentials holding both kinds of tokens', () => {
  it('use OAuth 1.0a, so an emulated account subscribes on v1.1 too', async () => {
    emulator = await startEmulator({ retryScale: 0.001 });
    app = await listen(toNodeListener(createWebhookHandler({ consumerSecret: emulator.consumerSecret })));
    const client = new AccountActivityClient({ ...emulator.clientOptions(), apiVersion: '1.1' });
    const webhook = await client.webhooks.register(`${app.url}/webhook`);
    const alice = emulator.account('alice');
    expect(alice.oauth2AccessToken).not.toBe('');
    await client.subscriptions.add(webhook.id, alice);
    expect(await client.subscriptions.check(webhook.id, alice)).toBe(true);
  });
});

describe('a bearer-only client given both kinds of user tokens', () => {
  it('uses the OAuth 2.0 token on v2, since it cannot sign OAuth 1.0a', async () => {
    emulator = await startEmulator({ retryScale: 0.001 });
    app = await listen(toNodeListener(createWebhookHandler({ consumerSecret: emulator.consumerSecret })));
    const owner = new AccountActivityClient(emulator.clientOptions());
    const webhook = await owner.webhooks.register(`${app.url}/webhook`);
    const bearerOnly = new AccountActivityClient({ baseUrl: emulator.url, bearerToken: emulator.bearerToken });
    const alice = emulator.account('alice');
    const both = { accessToken: alice.accessToken, accessTokenSecret: alice.accessTokenSecret, oauth2AccessToken: alice.oauth2AccessToken };
    await bearerOnly.subscriptions.add(webhook.id, both);
    expect(await bearerOnly.subscriptions.check(webhook.id, both)).toBe(true);
  });
});
