/**
 * Every client operation, in both API generations, against the local X API emulator, with a real
 * webhook app (createWebhookHandler + toNodeListener) answering the CRCs and receiving deliveries.
 * Each test checks what the client returns and what the emulator holds afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidRequestError, NotFoundError } from '../../src/errors.js';
import { createE2eScope, oauth1 } from '../helpers/e2e.js';

const scope = createE2eScope();
afterEach(() => scope.closeAll());

const HOUR = 3_600_000;
const ID = /^[0-9]{1,19}$/;

describe.each(['2', '1.1'] as const)('client operations against the emulator, API v%s', (apiVersion) => {
  it('webhooks.register runs the CRC and returns a camelCase webhook with a Date', async () => {
    const e2e = await scope.start({ apiVersion });
    const before = Date.now();
    const webhook = await e2e.register();

    expect(webhook).toEqual({
      id: expect.stringMatching(ID),
      url: e2e.webhookUrl,
      valid: true,
      createdAt: expect.any(Date),
    });
    expect(webhook.createdAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(e2e.crcRequests).toBe(1);
    expect(e2e.handler.stats().crcAnswered).toBe(1);
    expect(e2e.emulator.webhooks()).toEqual([
      {
        id: webhook.id,
        url: e2e.webhookUrl,
        valid: true,
        createdAt: expect.any(Date),
        subscriptions: [],
        replayJobId: undefined,
      },
    ]);
  });

  it('webhooks.list returns every webhook with its valid state', async () => {
    const e2e = await scope.start({ apiVersion });
    expect(await e2e.client.webhooks.list()).toEqual([]);
    const webhook = await e2e.register();

    const listed = await e2e.client.webhooks.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toEqual({ id: webhook.id, url: e2e.webhookUrl, valid: true, createdAt: expect.any(Date) });
    // Both generations carry the creation time (v1.1 as text, v2 as ISO): within a second of the emulator's.
    const held = e2e.emulator.webhooks()[0]?.createdAt.getTime() ?? Number.NaN;
    expect(Math.abs((listed[0]?.createdAt.getTime() ?? Number.NaN) - held)).toBeLessThan(1000);
  });

  it('webhooks.validate re-runs the CRC and reports it passed', async () => {
    const e2e = await scope.start({ apiVersion });
    const webhook = await e2e.register();
    const crcBefore = e2e.crcRequests;

    const result = await e2e.client.webhooks.validate(webhook.id);
    expect(result).toEqual({ attempted: true, valid: true });
    expect(e2e.crcRequests).toBe(crcBefore + 1);
    expect(e2e.emulator.webhooks()[0]?.valid).toBe(true);
  });

  it('webhooks.delete removes the webhook and its subscriptions', async () => {
    const e2e = await scope.start({ apiVersion });
    const webhook = await e2e.register();
    await e2e.subscribe('alice');

    await expect(e2e.client.webhooks.delete(webhook.id)).resolves.toBeUndefined();
    expect(e2e.emulator.webhooks()).toEqual([]);
    expect(await e2e.client.webhooks.list()).toEqual([]);
    expect((await e2e.client.subscriptions.count()).subscriptionsCountAll).toBe(0);
    // Deleting it again: the webhook is gone.
    const again = await e2e.client.webhooks.delete(webhook.id).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (apiVersion === '2') {
      expect(again).toBeInstanceOf(InvalidRequestError);
      expect((again as InvalidRequestError).reason).toBe('WebhookIdInvalid');
    } else {
      expect(again).toBeInstanceOf(NotFoundError);
      expect((again as NotFoundError).code).toBe(34);
    }
    // Activity reaches nobody now.
    const result = await e2e.emulator.activity.post('alice', 'after delete');
    expect(result.deliveries).toEqual([]);
    expect(e2e.events).toEqual([]);
  });

  it('subscriptions.add / check / list / count / remove with the subscribing users’ OAuth 1.0a tokens', async () => {
    const e2e = await scope.start({ apiVersion });
    const webhook = await e2e.register();
    const alice = e2e.emulator.account('alice');
    const bob = e2e.emulator.account('bob');
    const carol = e2e.emulator.account('carol');

    await expect(e2e.client.subscriptions.add(webhook.id, oauth1(alice))).resolves.toBeUndefined();
    await e2e.client.subscriptions.add(webhook.id, oauth1(bob));
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([alice.id, bob.id]);

    expect(await e2e.client.subscriptions.check(webhook.id, oauth1(alice))).toBe(true);
    expect(await e2e.client.subscriptions.check(webhook.id, oauth1(carol))).toBe(false);

    const list = await e2e.client.subscriptions.list(webhook.id);
    expect(list.webhookId).toBe(webhook.id);
    expect([...list.subscriptions].map((s) => s.userId).sort()).toEqual([alice.id, bob.id].sort());
    for (const subscription of list.subscriptions) expect(Object.keys(subscription)).toContain('userId');

    const count = await e2e.client.subscriptions.count();
    expect(count).toEqual({
      accountName: e2e.emulator.owner.screenName,
      subscriptionsCountAll: 2,
      subscriptionsCountDirectMessages: 0,
      provisionedCount: 500,
    });

    await expect(e2e.client.subscriptions.remove(webhook.id, alice.id)).resolves.toBeUndefined();
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([bob.id]);
    expect(await e2e.client.subscriptions.check(webhook.id, oauth1(alice))).toBe(false);
    expect((await e2e.client.subscriptions.list(webhook.id)).subscriptions).toEqual([{ userId: bob.id }]);
    expect((await e2e.client.subscriptions.count()).subscriptionsCountAll).toBe(1);

    // Deliveries follow the subscriptions: alice's post reaches nobody, bob's reaches bob.
    expect((await e2e.emulator.activity.post(alice, 'unsubscribed now')).deliveries).toEqual([]);
    await e2e.emulator.activity.post(bob, 'still subscribed');
    expect(e2e.events.map((e) => [e.type, e.forUserId])).toEqual([['tweet_create', bob.id]]);
  });

  it('subscriptions.add and check without user credentials act as the app owner', async () => {
    const e2e = await scope.start({ apiVersion });
    const webhook = await e2e.register();
    expect(await e2e.client.subscriptions.check(webhook.id)).toBe(false);
    await e2e.client.subscriptions.add(webhook.id);
    expect(await e2e.client.subscriptions.check(webhook.id)).toBe(true);
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([e2e.emulator.owner.id]);
  });

  it('replay.start returns the job, re-delivers the window in order and ends with replay_job_status', async () => {
    const e2e = await scope.start({ apiVersion });
    const webhook = await e2e.register();
    const [alice] = await e2e.subscribe('alice');
    const now = Date.now();
    // Two posts two hours ago (inside the window) and one now (outside).
    const first = await e2e.emulator.activity.post('alice', 'first, in the window', { at: new Date(now - 2 * HOUR) });
    const second = await e2e.emulator.activity.post('alice', 'second, in the window', {
      at: new Date(now - 2 * HOUR + 60_000),
    });
    await e2e.emulator.activity.post('alice', 'outside the window');
    e2e.takeEvents();

    const job = await e2e.client.replay.start(webhook.id, { from: new Date(now - 3 * HOUR), to: new Date(now - HOUR) });
    expect(job).toEqual({ jobId: expect.stringMatching(ID), createdAt: expect.any(Date) });
    await e2e.emulator.settled();

    const replayed = e2e.emulator.deliveries({ kind: 'replay' });
    expect(replayed.map((d) => [d.forUserId, d.state])).toEqual([
      [alice?.id, 'delivered'],
      [alice?.id, 'delivered'],
    ]);
    const status = e2e.emulator.deliveries({ kind: 'replay_job_status' });
    expect(status).toHaveLength(1);
    expect(e2e.emulator.webhooks()[0]?.replayJobId).toBeUndefined();

    const events = e2e.takeEvents();
    expect(events.map((e) => (e.type === 'tweet_create' ? e.id : e.type))).toEqual([
      first.tweet.id_str,
      second.tweet.id_str,
      'replay_job_status',
    ]);
    const last = events[2];
    expect(last?.type).toBe('replay_job_status');
    if (last?.type === 'replay_job_status') {
      expect(last.jobId).toBe(job.jobId);
      expect(last.jobState).toBe('Complete');
      expect(last.complete).toBe(true);
    }
  });

  it('directMessages.send (v2 DM endpoint, user context) answers ids and is delivered as a direct_message', async () => {
    const e2e = await scope.start({ apiVersion });
    await e2e.register();
    const [alice, bob] = await e2e.subscribe('alice', 'bob');

    const sent = await e2e.client.directMessages.send(bob!.id, 'hello bob, from the API', oauth1(alice!));
    expect(sent).toEqual({
      conversationId: [alice!.id, bob!.id].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).join('-'),
      eventId: expect.stringMatching(ID),
    });

    const dms = e2e.events.filter((e) => e.type === 'direct_message');
    expect(dms.map((e) => [e.forUserId, e.direction, e.id, e.text])).toEqual([
      [alice!.id, 'sent', sent.eventId, 'hello bob, from the API'],
      [bob!.id, 'received', sent.eventId, 'hello bob, from the API'],
    ]);
    for (const dm of dms) {
      expect(dm.sourceAppId).toBe(e2e.emulator.appId);
      expect(dm.app?.id).toBe(e2e.emulator.appId);
      expect(dm.sender?.screenName).toBe('alice');
      expect(dm.recipient?.screenName).toBe('bob');
    }
    expect(e2e.emulator.deliveries({ eventType: 'direct_message_events' }).map((d) => d.forUserId)).toEqual([
      alice!.id,
      bob!.id,
    ]);
  });

  it('directMessages.send without user credentials sends as the app owner', async () => {
    const e2e = await scope.start({ apiVersion });
    await e2e.register();
    const [alice] = await e2e.subscribe('alice');
    const sent = await e2e.client.directMessages.send(alice!.id, 'from the owner');
    const dm = e2e.events.find((e) => e.type === 'direct_message');
    expect(dm?.type === 'direct_message' && [dm.senderId, dm.recipientId, dm.id, dm.direction]).toEqual([
      e2e.emulator.owner.id,
      alice!.id,
      sent.eventId,
      'received',
    ]);
  });
});

describe('documented variants of the answers', () => {
  it('v2 webhooks.validate answered with the older "attempted" body: valid is undefined, list() has it', async () => {
    const e2e = await scope.start({ apiVersion: '2', emulator: { variants: { v3Response: 'attempted' } } });
    const webhook = await e2e.register();
    expect(await e2e.client.webhooks.validate(webhook.id)).toEqual({ attempted: true, valid: undefined });
    expect((await e2e.client.webhooks.list())[0]?.valid).toBe(true);
  });
});

describe('OAuth 2.0 user tokens (v2 only)', () => {
  it('subscriptions.add and check accept the user’s OAuth 2.0 token on v2', async () => {
    const e2e = await scope.start({ apiVersion: '2' });
    const webhook = await e2e.register();
    const carol = e2e.emulator.account('carol');
    const credentials = { oauth2AccessToken: carol.oauth2AccessToken };

    expect(await e2e.client.subscriptions.check(webhook.id, credentials)).toBe(false);
    await e2e.client.subscriptions.add(webhook.id, credentials);
    expect(await e2e.client.subscriptions.check(webhook.id, credentials)).toBe(true);
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([carol.id]);
    expect((await e2e.client.subscriptions.list(webhook.id)).subscriptions).toEqual([{ userId: carol.id }]);
  });

  it('directMessages.send accepts the sender’s OAuth 2.0 token on v2', async () => {
    const e2e = await scope.start({ apiVersion: '2' });
    await e2e.register();
    const [alice] = await e2e.subscribe('alice');
    const carol = e2e.emulator.account('carol');
    const sent = await e2e.client.directMessages.send(alice!.id, 'hi from carol', {
      oauth2AccessToken: carol.oauth2AccessToken,
    });
    const dm = e2e.events.find((e) => e.type === 'direct_message');
    expect(dm?.type === 'direct_message' && [dm.forUserId, dm.senderId, dm.id, dm.direction]).toEqual([
      alice!.id,
      carol.id,
      sent.eventId,
      'received',
    ]);
  });

  it('the v1.1 client refuses an OAuth 2.0 user token for subscriptions before sending anything', async () => {
    const e2e = await scope.start({ apiVersion: '1.1' });
    const webhook = await e2e.register();
    const carol = e2e.emulator.account('carol');
    await expect(
      e2e.client.subscriptions.add(webhook.id, { oauth2AccessToken: carol.oauth2AccessToken }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([]);
  });
});
