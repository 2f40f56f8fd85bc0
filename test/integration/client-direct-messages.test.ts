// client.directMessages.send against the emulator: the DM endpoint in user context, delivered back to
// the webhook as a direct_message event; and how credentials holding both kinds of token are used.
import { afterEach, describe, expect, it } from 'vitest';
import { AccountActivityClient } from '../../src/client/index.js';
import { InvalidArgumentError, isAuthenticationError, isXApiError } from '../../src/errors.js';
import { createE2eScope } from '../helpers/e2e.js';

const scope = createE2eScope();
afterEach(() => scope.closeAll());

describe('client.directMessages.send', () => {
  it('sends as the given user and the DM arrives as a typed direct_message event', async () => {
    const e2e = await scope.start();
    await e2e.register();
    const [alice] = await e2e.subscribe('alice');
    if (!alice) throw new Error('alice was not subscribed');
    const bob = e2e.emulator.account('bob');

    const sent = await e2e.client.directMessages.send(bob.id, 'hello bob', alice);
    await e2e.emulator.settled();
    expect(sent.eventId).toMatch(/^\d+$/);
    expect(sent.conversationId).toContain(alice.id);
    const dms = e2e.events.filter((event) => event.type === 'direct_message');
    expect(dms).toHaveLength(1);
    expect(dms[0]).toMatchObject({
      id: sent.eventId,
      text: 'hello bob',
      direction: 'sent',
      senderId: alice.id,
      recipientId: bob.id,
      forUserId: alice.id,
    });
    expect(dms[0]?.type === 'direct_message' && dms[0].app?.id).toBe(e2e.emulator.appId);

    // A revoked user's tokens are refused by X.
    await e2e.emulator.activity.revoke(alice);
    const refused = await e2e.client.directMessages
      .send(bob.id, 'still there?', alice)
      .catch((error: unknown) => error);
    expect(isXApiError(refused) && isAuthenticationError(refused)).toBe(true);
  });

  it('checks its arguments before any request', async () => {
    const client = new AccountActivityClient({
      baseUrl: 'http://127.0.0.1:9',
      consumerKey: 'k',
      consumerSecret: 's',
      accessToken: 't',
      accessTokenSecret: 'ts',
    });
    await expect(client.directMessages.send('not-an-id', 'x')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.directMessages.send('123', '   ')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.directMessages.send('123', 'x'.repeat(10_001))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('client.directMessages.send on a v1.1 client', () => {
  it('accepts an OAuth 2.0 user token, since the DM endpoint is a v2 one in both generations', async () => {
    const e2e = await scope.start({ apiVersion: '1.1' });
    const alice = e2e.emulator.account('alice');
    const bob = e2e.emulator.account('bob');
    const sent = await e2e.client.directMessages.send(bob.id, 'hi from v1.1', {
      oauth2AccessToken: alice.oauth2AccessToken,
    });
    expect(sent.eventId).toMatch(/^\d+$/);
    // The v1.1 subscription endpoints still refuse OAuth 2.0 tokens before any request.
    await expect(
      e2e.client.subscriptions.check('1', { oauth2AccessToken: alice.oauth2AccessToken }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('credentials holding both kinds of tokens', () => {
  it('use OAuth 1.0a, so an emulated account subscribes on v1.1 too', async () => {
    const e2e = await scope.start({ apiVersion: '1.1' });
    const webhook = await e2e.register();
    const alice = e2e.emulator.account('alice');
    expect(alice.oauth2AccessToken).not.toBe('');
    await e2e.client.subscriptions.add(webhook.id, alice);
    expect(await e2e.client.subscriptions.check(webhook.id, alice)).toBe(true);
  });

  it('use the OAuth 2.0 token on a bearer-only v2 client, which cannot sign OAuth 1.0a', async () => {
    const e2e = await scope.start();
    const webhook = await e2e.register();
    const bearerOnly = new AccountActivityClient({ baseUrl: e2e.emulator.url, bearerToken: e2e.emulator.bearerToken });
    const alice = e2e.emulator.account('alice');
    const both = {
      accessToken: alice.accessToken,
      accessTokenSecret: alice.accessTokenSecret,
      oauth2AccessToken: alice.oauth2AccessToken,
    };
    await bearerOnly.subscriptions.add(webhook.id, both);
    expect(await bearerOnly.subscriptions.check(webhook.id, both)).toBe(true);
  });
});
