/**
 * End to end, for each of the 19 activity kinds X documents: an emulated account acts, the emulator
 * delivers signed payloads to a webhook registered through the client, and the SDK's handler
 * (createWebhookHandler + toNodeListener on node:http) dispatches typed events. Each test checks the
 * discriminant, the fields that tell the kind apart, `forUserId`, and that there is exactly one
 * delivery per subscribed user involved.
 *
 * alice and bob are subscribed; carol is not (her own copies are never delivered).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountActivityEvent, ActivityEventOf, ActivityType } from '../../src/events/types.js';
import type { EmulatedAccount } from '../../src/testing/index.js';
import { createE2eScope, type E2e } from '../helpers/e2e.js';

const scope = createE2eScope();
afterEach(() => scope.closeAll());

/** Events of one type, narrowed. */
function ofType<T extends ActivityType>(events: readonly AccountActivityEvent[], type: T): ActivityEventOf<T>[] {
  return events.filter((e): e is ActivityEventOf<T> => e.type === type);
}

describe.each(['2', '1.1'] as const)(
  'the 19 activity kinds, end to end (webhook registered with API v%s)',
  (apiVersion) => {
    let e2e: E2e;
    let alice: EmulatedAccount;
    let bob: EmulatedAccount;
    let carol: EmulatedAccount;

    beforeEach(async () => {
      e2e = await scope.start({ apiVersion });
      await e2e.register();
      [alice, bob] = (await e2e.subscribe('alice', 'bob')) as [EmulatedAccount, EmulatedAccount];
      carol = e2e.emulator.account('carol');
    });

    /** Runs an activity and returns the events it produced, after checking the delivery log. */
    async function act(
      run: () => Promise<unknown>,
      expectedForUsers: readonly string[],
    ): Promise<AccountActivityEvent[]> {
      e2e.takeEvents();
      e2e.emulator.clearDeliveries();
      await run();
      await e2e.emulator.settled();
      const deliveries = e2e.emulator.deliveries();
      // One delivery per involved subscribed user, each answered 200 at the first attempt.
      expect(deliveries.map((d) => d.forUserId)).toEqual(expectedForUsers);
      for (const delivery of deliveries) {
        expect(delivery.webhookId).toBe(e2e.webhookId);
        expect(delivery.state).toBe('delivered');
        expect(delivery.attempts.map((a) => a.status)).toEqual([200]);
      }
      expect(e2e.errors).toEqual([]);
      return e2e.takeEvents();
    }

    it('post (by the user): tweet_create with kinds [post]', async () => {
      const events = await act(() => e2e.emulator.activity.post(alice, 'Hello world'), [alice.id]);
      expect(events).toHaveLength(1);
      const [post] = ofType(events, 'tweet_create');
      expect(post).toMatchObject({
        forUserId: alice.id,
        kinds: ['post'],
        bySubscribedUser: true,
        text: 'Hello world',
        userHasBlocked: undefined,
      });
      expect(post?.author).toMatchObject({ id: alice.id, screenName: 'alice' });
      expect(post?.createdAt).toBeInstanceOf(Date);
    });

    it('post by an unsubscribed account reaches nobody', async () => {
      const events = await act(() => e2e.emulator.activity.post(carol, 'nobody listens'), []);
      expect(events).toEqual([]);
    });

    it('post delete: tweet_delete for the author', async () => {
      const { tweet } = await e2e.emulator.activity.post(alice, 'to be deleted');
      const events = await act(() => e2e.emulator.activity.deleteTweet(alice, tweet), [alice.id]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'tweet_delete',
        forUserId: alice.id,
        tweetId: tweet.id_str,
        userId: alice.id,
      });
      expect(ofType(events, 'tweet_delete')[0]?.createdAt).toBeInstanceOf(Date);
    });

    it('mention between two subscribed users reaches both, with different kinds', async () => {
      const events = await act(() => e2e.emulator.activity.mention(alice, bob, 'look at this'), [alice.id, bob.id]);
      const posts = ofType(events, 'tweet_create');
      expect(posts).toHaveLength(2);
      const [forAlice, forBob] = posts;
      expect(forAlice).toMatchObject({
        forUserId: alice.id,
        kinds: ['post'],
        bySubscribedUser: true,
        userHasBlocked: undefined,
      });
      expect(forBob).toMatchObject({
        forUserId: bob.id,
        kinds: ['mention'],
        bySubscribedUser: false,
        userHasBlocked: false,
      });
      expect(forBob?.id).toBe(forAlice?.id);
      expect(forBob?.mentionedUserIds).toEqual([bob.id]);
    });

    it('mention of a user who blocked the author: userHasBlocked true', async () => {
      await e2e.emulator.activity.block(bob, carol);
      const events = await act(() => e2e.emulator.activity.mention(carol, bob, 'can you see me?'), [bob.id]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'tweet_create',
        forUserId: bob.id,
        kinds: ['mention'],
        userHasBlocked: true,
        bySubscribedUser: false,
      });
    });

    it('reply to the user (by someone else) and from the user', async () => {
      const { tweet } = await e2e.emulator.activity.post(alice, 'original');
      const toAlice = await act(() => e2e.emulator.activity.reply(carol, tweet, 'nice!'), [alice.id]);
      expect(toAlice).toHaveLength(1);
      expect(toAlice[0]).toMatchObject({
        type: 'tweet_create',
        forUserId: alice.id,
        kinds: ['reply'],
        bySubscribedUser: false,
        inReplyToStatusId: tweet.id_str,
        inReplyToUserId: alice.id,
      });

      const fromBob = await act(() => e2e.emulator.activity.reply(bob, tweet, 'agreed'), [bob.id, alice.id]);
      const [byBob, forAlice] = ofType(fromBob, 'tweet_create');
      expect(byBob).toMatchObject({
        forUserId: bob.id,
        kinds: ['post', 'reply'],
        bySubscribedUser: true,
        inReplyToUserId: alice.id,
      });
      expect(forAlice).toMatchObject({
        forUserId: alice.id,
        kinds: ['reply'],
        bySubscribedUser: false,
        inReplyToUserId: alice.id,
      });
    });

    it('retweet of the user’s post and by the user', async () => {
      const { tweet } = await e2e.emulator.activity.post(alice, 'worth sharing');
      const ofAlice = await act(() => e2e.emulator.activity.retweet(carol, tweet), [alice.id]);
      expect(ofAlice).toHaveLength(1);
      expect(ofAlice[0]).toMatchObject({
        type: 'tweet_create',
        forUserId: alice.id,
        bySubscribedUser: false,
        retweetedStatusId: tweet.id_str,
      });
      // Like real retweets, the entities carry "RT @alice", so alice sees a retweet that mentions her.
      expect(ofType(ofAlice, 'tweet_create')[0]?.kinds).toEqual(['retweet', 'mention']);

      const byBob = await act(() => e2e.emulator.activity.retweet(bob, tweet), [bob.id, alice.id]);
      const [forBob, forAlice] = ofType(byBob, 'tweet_create');
      expect(forBob).toMatchObject({ forUserId: bob.id, bySubscribedUser: true, retweetedStatusId: tweet.id_str });
      expect(forBob?.kinds).toEqual(['post', 'retweet']);
      expect(forAlice).toMatchObject({ forUserId: alice.id, bySubscribedUser: false });
      expect(forAlice?.kinds).toEqual(['retweet', 'mention']);
    });

    it('quote of the user’s post and by the user', async () => {
      const { tweet } = await e2e.emulator.activity.post(alice, 'quotable');
      const ofAlice = await act(() => e2e.emulator.activity.quote(carol, tweet, 'so true'), [alice.id]);
      expect(ofAlice).toHaveLength(1);
      const [quoted] = ofType(ofAlice, 'tweet_create');
      expect(quoted).toMatchObject({
        forUserId: alice.id,
        bySubscribedUser: false,
        quotedStatusId: tweet.id_str,
        retweetedStatusId: undefined,
      });
      expect(quoted?.kinds).toContain('quote');
      expect(quoted?.kinds).not.toContain('retweet');

      const byBob = await act(() => e2e.emulator.activity.quote(bob, tweet, 'me too'), [bob.id, alice.id]);
      const [forBob, forAlice] = ofType(byBob, 'tweet_create');
      expect(forBob?.kinds).toEqual(expect.arrayContaining(['post', 'quote']));
      expect(forBob?.bySubscribedUser).toBe(true);
      expect(forAlice?.kinds).toContain('quote');
      expect(forAlice?.bySubscribedUser).toBe(false);
    });

    it('retweet of a quote: reaches the retweeter and the quoted author with kind retweet_of_quote', async () => {
      const { tweet: original } = await e2e.emulator.activity.post(alice, 'the original');
      const { tweet: quote } = await e2e.emulator.activity.quote(carol, original, 'a quote of it');
      const events = await act(() => e2e.emulator.activity.retweet(bob, quote), [bob.id, alice.id]);
      const [forBob, forAlice] = ofType(events, 'tweet_create');
      expect(forBob).toMatchObject({ forUserId: bob.id, bySubscribedUser: true, retweetedStatusId: quote.id_str });
      // "RT @carol: ..." mentions carol (not subscribed), not bob or alice.
      expect(forBob?.kinds).toEqual(['post', 'retweet', 'retweet_of_quote']);
      expect(forAlice).toMatchObject({ forUserId: alice.id, bySubscribedUser: false, retweetedStatusId: quote.id_str });
      expect(forAlice?.kinds).toEqual(['retweet', 'retweet_of_quote']);
    });

    it('like by the user and of the user: favorite to the liker and the author', async () => {
      const { tweet } = await e2e.emulator.activity.post(alice, 'likeable');
      const ofAlice = await act(() => e2e.emulator.activity.like(carol, tweet), [alice.id]);
      expect(ofAlice).toHaveLength(1);
      expect(ofAlice[0]).toMatchObject({
        type: 'favorite',
        forUserId: alice.id,
        bySubscribedUser: false,
        user: { id: carol.id, screenName: 'carol' },
      });
      expect(ofType(ofAlice, 'favorite')[0]?.tweet.id).toBe(tweet.id_str);
      expect(ofType(ofAlice, 'favorite')[0]?.createdAt).toBeInstanceOf(Date);

      const byBob = await act(() => e2e.emulator.activity.like(bob, tweet), [bob.id, alice.id]);
      const [forBob, forAlice] = ofType(byBob, 'favorite');
      expect(forBob).toMatchObject({ forUserId: bob.id, bySubscribedUser: true, user: { id: bob.id } });
      expect(forAlice).toMatchObject({ forUserId: alice.id, bySubscribedUser: false, user: { id: bob.id } });
      expect(forBob?.id).toBe(forAlice?.id);
    });

    it('follow: delivered to both users, told apart by bySubscribedUser', async () => {
      const events = await act(() => e2e.emulator.activity.follow(alice, bob), [alice.id, bob.id]);
      const [forAlice, forBob] = ofType(events, 'follow');
      expect(events).toHaveLength(2);
      expect(forAlice).toMatchObject({
        forUserId: alice.id,
        bySubscribedUser: true,
        source: { id: alice.id },
        target: { id: bob.id },
      });
      expect(forBob).toMatchObject({
        forUserId: bob.id,
        bySubscribedUser: false,
        source: { id: alice.id },
        target: { id: bob.id },
      });
      expect(forAlice?.createdAt).toBeInstanceOf(Date);
    });

    it('follow of the user by an unsubscribed account: delivered to the target only', async () => {
      const events = await act(() => e2e.emulator.activity.follow(carol, alice), [alice.id]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'follow',
        forUserId: alice.id,
        bySubscribedUser: false,
        source: { id: carol.id, screenName: 'carol' },
      });
    });

    describe.each([
      ['unfollow', (e: E2e, s: EmulatedAccount, t: EmulatedAccount) => e.emulator.activity.unfollow(s, t)],
      ['block', (e: E2e, s: EmulatedAccount, t: EmulatedAccount) => e.emulator.activity.block(s, t)],
      ['unblock', (e: E2e, s: EmulatedAccount, t: EmulatedAccount) => e.emulator.activity.unblock(s, t)],
      ['mute', (e: E2e, s: EmulatedAccount, t: EmulatedAccount) => e.emulator.activity.mute(s, t)],
      ['unmute', (e: E2e, s: EmulatedAccount, t: EmulatedAccount) => e.emulator.activity.unmute(s, t)],
    ] as const)('%s', (type, run) => {
      it(`${type}: delivered to the actor only, as ${type} with source and target`, async () => {
        const events = await act(() => run(e2e, alice, bob), [alice.id]);
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({
          type,
          forUserId: alice.id,
          bySubscribedUser: true,
          source: { id: alice.id, screenName: 'alice' },
          target: { id: bob.id, screenName: 'bob' },
          createdAt: expect.any(Date),
        });
      });
    });

    it('DM sent by the user: direction sent', async () => {
      const events = await act(() => e2e.emulator.activity.sendDirectMessage(alice, carol, 'hi carol'), [alice.id]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'direct_message',
        forUserId: alice.id,
        direction: 'sent',
        bySubscribedUser: true,
        senderId: alice.id,
        recipientId: carol.id,
        text: 'hi carol',
        sender: { id: alice.id, screenName: 'alice' },
        recipient: { id: carol.id, screenName: 'carol' },
        sourceAppId: undefined,
        app: undefined,
      });
    });

    it('DM received by the user: direction received', async () => {
      const events = await act(() => e2e.emulator.activity.sendDirectMessage(carol, alice, 'hi alice'), [alice.id]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'direct_message',
        forUserId: alice.id,
        direction: 'received',
        bySubscribedUser: false,
        senderId: carol.id,
      });
    });

    it('DM between two subscribed users: one copy each, sent and received', async () => {
      const events = await act(
        () => e2e.emulator.activity.sendDirectMessage(alice, bob, 'via the app', { viaApp: true }),
        [alice.id, bob.id],
      );
      const [forAlice, forBob] = ofType(events, 'direct_message');
      expect(forAlice).toMatchObject({ forUserId: alice.id, direction: 'sent', bySubscribedUser: true });
      expect(forBob).toMatchObject({ forUserId: bob.id, direction: 'received', bySubscribedUser: false });
      expect(forAlice?.id).toBe(forBob?.id);
      expect(forBob?.sourceAppId).toBe(e2e.emulator.appId);
      expect(forBob?.app?.id).toBe(e2e.emulator.appId);
    });

    it('typing indicator: delivered to the recipient', async () => {
      const events = await act(() => e2e.emulator.activity.typing(carol, alice), [alice.id]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'direct_message_typing',
        forUserId: alice.id,
        bySubscribedUser: false,
        senderId: carol.id,
        recipientId: alice.id,
        sender: { screenName: 'carol' },
        createdAt: expect.any(Date),
      });
    });

    it('read receipt: delivered to the author of the read messages', async () => {
      const { event } = await e2e.emulator.activity.sendDirectMessage(alice, carol, 'did you read this?');
      const events = await act(() => e2e.emulator.activity.markRead(carol, alice, event.id), [alice.id]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'direct_message_read',
        forUserId: alice.id,
        bySubscribedUser: false,
        senderId: carol.id,
        recipientId: alice.id,
        lastReadEventId: event.id,
      });
    });

    it('revoke: user_revoke without forUserId, then the subscription is gone', async () => {
      const events = await act(() => e2e.emulator.activity.revoke(bob), [bob.id]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'user_revoke',
        forUserId: undefined,
        userId: bob.id,
        appId: e2e.emulator.appId,
        createdAt: expect.any(Date),
      });
      expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([alice.id]);
    });

    it('covers all 19 documented kinds in one story, every delivery verified', async () => {
      const a = e2e.emulator.activity;
      e2e.takeEvents();
      const { tweet } = await a.post(alice, 'story');
      await a.mention(carol, alice, 'hey');
      await a.reply(carol, tweet, 'reply');
      await a.retweet(carol, tweet);
      const { tweet: quote } = await a.quote(carol, tweet, 'quote');
      await a.retweet(bob, quote);
      await a.like(carol, tweet);
      await a.follow(carol, alice);
      await a.unfollow(alice, carol);
      await a.block(alice, carol);
      await a.unblock(alice, carol);
      await a.mute(alice, carol);
      await a.unmute(alice, carol);
      const { event: dm } = await a.sendDirectMessage(carol, alice, 'in');
      await a.sendDirectMessage(alice, carol, 'out');
      await a.typing(carol, alice);
      await a.markRead(carol, alice, dm.id);
      await a.deleteTweet(alice, tweet);
      await a.revoke(bob);
      await e2e.emulator.settled();

      const events = e2e.takeEvents();
      const labels = new Set<string>();
      for (const event of events) {
        switch (event.type) {
          case 'tweet_create':
            for (const kind of event.kinds) labels.add(kind);
            break;
          case 'direct_message':
            labels.add(`dm_${event.direction}`);
            break;
          default:
            labels.add(event.type);
        }
      }
      expect([...labels].sort()).toEqual(
        [
          'post',
          'tweet_delete',
          'mention',
          'reply',
          'retweet',
          'quote',
          'retweet_of_quote',
          'favorite',
          'follow',
          'unfollow',
          'block',
          'unblock',
          'mute',
          'unmute',
          'dm_sent',
          'dm_received',
          'direct_message_typing',
          'direct_message_read',
          'user_revoke',
        ].sort(),
      );
      const stats = e2e.handler.stats();
      const deliveries = e2e.emulator.deliveries();
      expect(stats.verified).toBe(stats.deliveries);
      expect(stats.rejected).toBe(0);
      expect(deliveries.every((d) => d.state === 'delivered')).toBe(true);
    });
  },
);

describe('user_has_blocked delivered as text (a documented variant)', () => {
  it('is still a boolean on the event', async () => {
    const e2e = await scope.start({ emulator: { variants: { userHasBlocked: 'string' } } });
    await e2e.register();
    const [bob] = (await e2e.subscribe('bob')) as [EmulatedAccount];
    await e2e.emulator.activity.mention('carol', bob, 'not blocked yet');
    await e2e.emulator.activity.block(bob, 'carol');
    await e2e.emulator.activity.mention('carol', bob, 'blocked now');
    const mentions = ofType(e2e.events, 'tweet_create');
    expect(mentions.map((e) => [e.kinds, e.userHasBlocked])).toEqual([
      [['mention'], false],
      [['mention'], true],
    ]);
    const bodies = e2e.emulator
      .deliveries({ eventType: 'tweet_create_events' })
      .map((d) => JSON.parse(d.body) as { user_has_blocked?: unknown });
    expect(bodies.map((b) => b.user_has_blocked)).toEqual(['false', 'true']);
  });
});
