/**
 * Deliveries of the emulator's X Activity API subscriptions and Filtered-Stream links to a real
 * webhook app made with the library: every kind is signed, verified by the handler and parsed by
 * parseActivity to a typed XAA or Filtered-Stream event, never `unknown`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseActivity, XAA_PROFILE_TYPES } from '../../src/events/index.js';
import type { Emulator } from '../../src/testing/index.js';
import { compileRule, type RuleSubject } from '../../src/testing/rule-matcher.js';
import { call, emulator, receiver, registerWebhook, subscribe } from './emulator-xaa-harness.js';

/** The XAA deliveries of the log, each parsed (every one must be typed). */
function parsedXaa(emu: Emulator) {
  return emu.deliveries({ family: 'xaa' }).map((record) => {
    const events = parseActivity(record.body);
    for (const event of events) {
      expect(event.type, record.body).not.toBe('unknown');
      expect(event.family).toBe('xaa');
      expect(event.type).toBe(record.eventType);
    }
    return { record, events, json: JSON.parse(record.body) as { data: Record<string, unknown> } };
  });
}

const PRIVATE = [
  'post.mention.create',
  'post.reply.create',
  'post.quote.create',
  'post.repost.create',
  'like.create',
  'block.block',
  'block.unblock',
  'mute.mute',
  'mute.unmute',
  'dm.sent',
  'dm.received',
  'dm.read',
  'dm.indicate_typing',
];
const PUBLIC = ['post.create', 'post.delete', 'follow.follow', 'follow.unfollow', ...XAA_PROFILE_TYPES];

describe('XAA deliveries', () => {
  it('delivers every kind the accounts produce, signed, typed by the handler and by parseActivity, tag and filter echoed', async () => {
    const emu = await emulator();
    const app = await receiver();
    const hook = await registerWebhook(emu, app.url);
    const alice = emu.account('alice');
    const bob = emu.account('bob');
    for (const event_type of PRIVATE) {
      await subscribe(emu, alice, { event_type, filter: { user_id: alice.id }, tag: event_type, webhook_id: hook });
    }
    for (const event_type of PUBLIC) {
      await subscribe(emu, 'app', { event_type, filter: { user_id: alice.id }, tag: event_type, webhook_id: hook });
    }

    const own = await emu.activity.post(alice, 'my first post');
    await emu.activity.post(bob, 'hello @alice #xaa');
    await emu.activity.reply(bob, own.tweet, 'nice post');
    await emu.activity.quote(bob, own.tweet, 'look at this');
    await emu.activity.retweet(bob, own.tweet);
    await emu.activity.like(bob, own.tweet);
    await emu.activity.follow(bob, alice);
    await emu.activity.unfollow(alice, bob);
    await emu.activity.block(alice, bob);
    await emu.activity.unblock(alice, bob);
    await emu.activity.mute(alice, bob);
    await emu.activity.unmute(alice, bob);
    const dm = await emu.activity.sendDirectMessage(bob, alice, 'hi alice');
    await emu.activity.sendDirectMessage(alice, bob, 'hi bob');
    await emu.activity.typing(bob, alice);
    await emu.activity.markRead(bob, alice, dm.event.id);
    await emu.activity.deleteTweet(alice, own.tweet);
    const profile = await emu.activity.updateProfile(alice, {
      bio: 'Building with XAA',
      profilePicture: 'https://pbs.twimg.com/profile_images/1/new.jpg',
      bannerPicture: 'https://pbs.twimg.com/profile_banners/1/new',
      displayName: 'Alice X',
      handle: 'alice_xaa',
      geo: 'Berlin',
      url: 'https://t.co/abc',
      verifiedBadge: 'blue',
      affiliateBadge: 'XDevelopers',
    });
    expect(profile.deliveries).toHaveLength(9);
    await emu.settled();

    const parsed = parsedXaa(emu);
    const types = parsed.map((p) => p.record.eventType);
    expect(new Set(types)).toEqual(new Set([...PRIVATE, ...PUBLIC]));
    for (const type of [...PRIVATE, ...PUBLIC])
      expect(
        types.filter((t) => t === type),
        type,
      ).toHaveLength(1);
    for (const { record, json, events } of parsed) {
      expect(record.state).toBe('delivered');
      expect(record.webhookId).toBe(hook);
      expect(record.forUserId).toBe(alice.id);
      expect(json.data.tag).toBe(record.eventType);
      expect(json.data.filter).toEqual({ user_id: alice.id });
      expect(json.data.event_uuid).toMatch(/^\d{1,19}$/);
      expect(events[0]).toMatchObject({ tag: record.eventType, forUserId: alice.id });
    }
    // The webhook app verified and dispatched the same events, typed.
    const received = app.events.filter((e) => e.family === 'xaa');
    expect(received.map((e) => e.type).sort()).toEqual([...types].sort());

    const byType = (type: string) => parsed.find((p) => p.record.eventType === type)!;
    expect(byType('post.create').json.data.event_uuid).toBe(own.tweet.id_str);
    expect(byType('post.create').events[0]).toMatchObject({
      id: own.tweet.id_str,
      text: 'my first post',
      authorId: alice.id,
    });
    expect(byType('post.mention.create').events[0]).toMatchObject({ mentionedUserIds: [alice.id] });
    expect(byType('post.reply.create').events[0]).toMatchObject({
      inReplyToUserId: alice.id,
      referencedTweets: [{ type: 'replied_to', id: own.tweet.id_str }],
    });
    expect(byType('post.repost.create').events[0]).toMatchObject({ referencedTweets: [{ type: 'retweeted' }] });
    expect(byType('like.create').events[0]).toMatchObject({
      likedPostId: own.tweet.id_str,
      likedPostAuthorId: alice.id,
    });
    expect(byType('follow.follow').events[0]).toMatchObject({ source: { id: bob.id }, target: { id: alice.id } });
    expect(byType('dm.received').events[0]).toMatchObject({
      text: 'hi alice',
      senderId: bob.id,
      direction: 'received',
    });
    expect(byType('dm.sent').events[0]).toMatchObject({ text: 'hi bob', direction: 'sent' });
    expect(byType('dm.read').events[0]).toMatchObject({ lastReadEventId: dm.event.id, senderId: bob.id });
    expect(byType('post.delete').events[0]).toMatchObject({ postId: own.tweet.id_str, authorId: alice.id });
    expect(byType('profile.update.handle').events[0]).toMatchObject({ before: 'alice', after: 'alice_xaa' });
    expect(byType('profile.update.screenname').events[0]).toMatchObject({ after: 'Alice X' });
    expect(byType('profile.update.verified_badge').events[0]).toMatchObject({ before: 'none', after: 'blue' });
    expect(emu.account('alice_xaa').id).toBe(alice.id);
  });

  it('filters likes by direction: inbound for the liked post author, outbound for the liker', async () => {
    const emu = await emulator();
    const hook = await registerWebhook(emu, (await receiver()).url);
    const alice = emu.account('alice');
    const bob = emu.account('bob');
    const sub = (account: typeof alice, direction: string) =>
      subscribe(emu, account, {
        event_type: 'like.create',
        filter: { user_id: account.id, direction },
        tag: direction,
        webhook_id: hook,
      });
    await sub(alice, 'inbound');
    await sub(bob, 'outbound');
    const alicePost = await emu.activity.post(alice, 'like me');
    const bobPost = await emu.activity.post(bob, 'mine');
    await emu.activity.like(bob, alicePost.tweet); // alice inbound, bob outbound: both match
    await emu.activity.like(alice, bobPost.tweet); // alice outbound, bob inbound: neither
    await emu.settled();
    const parsed = parsedXaa(emu);
    expect(parsed.map((p) => [p.record.forUserId, p.json.data.filter])).toEqual(
      expect.arrayContaining([
        [alice.id, { user_id: alice.id, direction: 'inbound' }],
        [bob.id, { user_id: bob.id, direction: 'outbound' }],
      ]),
    );
    expect(parsed).toHaveLength(2);
    const inbound = parsed.find((p) => p.record.forUserId === alice.id)!.events[0]!;
    expect(inbound).toMatchObject({ type: 'like.create', direction: 'inbound', likedPostId: alicePost.tweet.id_str });
  });

  it('filters post.create by keyword (whole words, case-insensitive)', async () => {
    const emu = await emulator();
    const hook = await registerWebhook(emu, (await receiver()).url);
    await subscribe(emu, 'app', { event_type: 'post.create', filter: { keyword: 'launch day' }, webhook_id: hook });
    await emu.activity.post('alice', 'It is Launch Day!');
    await emu.activity.post('bob', 'launching soon');
    await emu.activity.post('carol', 'day of the launch');
    await emu.settled();
    const parsed = parsedXaa(emu);
    expect(parsed.map((p) => p.events[0]).map((e) => (e as { text: string }).text)).toEqual(['It is Launch Day!']);
    expect(parsed[0]!.json.data.filter).toEqual({ keyword: 'launch day' });
  });

  it('uses the same retry machinery as AAA: a 500 is retried on the scaled schedule', async () => {
    const emu = await emulator();
    const app = await receiver();
    const hook = await registerWebhook(emu, app.url);
    await subscribe(emu, 'app', {
      event_type: 'post.create',
      filter: { user_id: emu.account('alice').id },
      webhook_id: hook,
    });
    app.statuses = [500, 200];
    await emu.activity.post('alice', 'retry me');
    await emu.settled();
    const [record] = emu.deliveries({ family: 'xaa' });
    expect(record?.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(record?.state).toBe('delivered');
    expect(app.events.filter((e) => e.type === 'post.create')).toHaveLength(1);
  });

  it('POST /2/webhooks/replay re-delivers XAA deliveries of the window, like AAA ones', async () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    const emu = await emulator({ clock: () => now });
    const app = await receiver();
    const hook = await registerWebhook(emu, app.url);
    const alice = emu.account('alice');
    await subscribe(emu, 'app', { event_type: 'post.create', filter: { user_id: alice.id }, webhook_id: hook });
    await emu.activity.post(alice, 'an hour ago', { at: new Date(now - 60 * 60_000) });
    await emu.settled();
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-T:]/g, '').slice(0, 12);
    const replay = await call(emu, 'POST', '/2/webhooks/replay', 'app', {
      webhook_id: hook,
      from_date: stamp(now - 90 * 60_000),
      to_date: stamp(now - 20 * 60_000),
    });
    expect(replay.status).toBe(200);
    await emu.settled();
    const replayed = emu.deliveries({ kind: 'replay' });
    expect(replayed.map((r) => [r.family, r.eventType])).toEqual([['xaa', 'post.create']]);
    expect(replayed[0]!.body).toBe(emu.deliveries({ kind: 'activity' })[0]!.body);
    expect(app.events.filter((e) => e.type === 'post.create')).toHaveLength(2);
  });

  it('delivers nothing to a subscription without a webhook, an unknown user, or an invalid webhook', async () => {
    const emu = await emulator();
    const hook = await registerWebhook(emu, (await receiver()).url);
    const alice = emu.account('alice');
    await subscribe(emu, 'app', { event_type: 'post.create', filter: { user_id: alice.id } });
    await subscribe(emu, 'app', { event_type: 'post.create', filter: { user_id: '999' }, webhook_id: hook });
    await emu.activity.post(alice, 'stream only');
    await emu.settled();
    expect(emu.deliveries({ family: 'xaa' })).toEqual([]);
    expect(emu.stream.events()).toHaveLength(1);
  });

  it('oauth.revoke: filter {} and no tag, once per webhook; private subscriptions go, public ones stay', async () => {
    const emu = await emulator();
    const app = await receiver();
    const hook = await registerWebhook(emu, app.url);
    const alice = emu.account('alice');
    await subscribe(emu, alice, {
      event_type: 'dm.received',
      filter: { user_id: alice.id },
      tag: 'dms',
      webhook_id: hook,
    });
    await subscribe(emu, 'app', {
      event_type: 'post.create',
      filter: { user_id: alice.id },
      tag: 'posts',
      webhook_id: hook,
    });
    await emu.activity.revoke(alice);
    await emu.settled();
    const parsed = parsedXaa(emu);
    expect(parsed).toHaveLength(1);
    expect(parsed[0]!.json.data).toEqual({
      event_uuid: expect.any(String),
      filter: {},
      event_type: 'oauth.revoke',
      payload: { date_time: expect.stringMatching(/\+00:00$/), user_id: alice.id, app_id: emu.appId },
    });
    expect(parsed[0]!.events[0]).toMatchObject({ type: 'oauth.revoke', userId: alice.id, appId: emu.appId });
    expect(emu.xaa.subscriptions().map((s) => s.event_type)).toEqual(['post.create']);
  });
});

describe('emulator.xaa.emit (types no activity produces)', () => {
  const fixture = (name: string) =>
    (
      JSON.parse(readFileSync(new URL(`../fixtures/xaa/${name}.json`, import.meta.url), 'utf8')) as {
        data: { payload: object; includes?: object };
      }
    ).data;

  it('delivers chat, news and spaces events through the same path, typed', async () => {
    const emu = await emulator();
    const app = await receiver();
    const hook = await registerWebhook(emu, app.url);
    const alice = emu.account('alice');
    await subscribe(emu, alice, { event_type: 'chat.received', filter: { user_id: alice.id }, webhook_id: hook });
    await subscribe(emu, 'app', { event_type: 'news.new', filter: { keyword: 'OpenAI' }, webhook_id: hook });
    await subscribe(emu, 'app', { event_type: 'spaces.start', filter: { user_id: alice.id }, webhook_id: hook });
    await emu.xaa.emit({ eventType: 'chat.received', userId: alice.id, payload: fixture('chat-received').payload });
    await emu.xaa.emit({ eventType: 'news.new', text: 'OpenAI ships pets', payload: fixture('news-new').payload });
    await emu.xaa.emit({ eventType: 'news.new', text: 'Nothing relevant', payload: fixture('news-new').payload });
    await emu.xaa.emit({ eventType: 'spaces.start', userId: alice.id, payload: fixture('spaces-start').payload });
    await emu.xaa.emit({
      eventType: 'spaces.start',
      userId: emu.account('bob').id,
      payload: fixture('spaces-start').payload,
    });
    await emu.settled();
    const parsed = parsedXaa(emu);
    expect(parsed.map((p) => p.record.eventType)).toEqual(['chat.received', 'news.new', 'spaces.start']);
    expect(parsed[1]!.json.data.filter).toEqual({ keyword: 'OpenAI' });
    expect(app.events.map((e) => e.type)).toEqual(['chat.received', 'news.new', 'spaces.start']);
    expect(emu.stream.events()).toHaveLength(3);
  });
});

describe('Filtered-Stream deliveries', () => {
  it('delivers posts that match a rule to every linked webhook with matching_rules, shaped by its fields', async () => {
    const emu = await emulator();
    const plain = await receiver();
    const rich = await receiver();
    const plainHook = await registerWebhook(emu, plain.url);
    const richHook = await registerWebhook(emu, rich.url);
    const rules = await call(emu, 'POST', '/2/tweets/search/stream/rules', 'app', {
      add: [
        { value: 'cats OR dogs', tag: 'pets' },
        { value: 'from:bob -is:retweet', tag: 'bob' },
      ],
    });
    const [pets, bobRule] = rules.json.data as { id: string }[];
    expect((await call(emu, 'POST', `/2/tweets/search/webhooks/${plainHook}`, 'app')).status).toBe(200);
    const fields =
      '?expansions=author_id,referenced_tweets.id&tweet.fields=created_at,author_id,lang&user.fields=description';
    expect((await call(emu, 'POST', `/2/tweets/search/webhooks/${richHook}${fields}`, 'app')).status).toBe(200);

    const cats = await emu.activity.post('alice', 'I love cats');
    const both = await emu.activity.reply('bob', cats.tweet, 'dogs are better');
    await emu.activity.retweet('bob', cats.tweet); // "RT @alice: I love cats": pets only (bob's rule excludes retweets)
    await emu.activity.post('carol', 'nothing to see');
    await emu.settled();

    const records = emu.deliveries({ family: 'filtered_stream' });
    expect(records).toHaveLength(6);
    for (const record of records) {
      expect(record.eventType).toBe('filtered_stream.post');
      expect(record.state).toBe('delivered');
      const [event] = parseActivity(record.body);
      expect(event?.type).toBe('filtered_stream.post');
    }
    const plainBodies = records.filter((r) => r.webhookId === plainHook).map((r) => JSON.parse(r.body));
    expect(plainBodies[0]).toEqual({
      data: { id: cats.tweet.id_str, text: 'I love cats', edit_history_tweet_ids: [cats.tweet.id_str] },
      matching_rules: [{ id: pets!.id, tag: 'pets' }],
    });
    expect(plainBodies[1].matching_rules).toEqual([
      { id: pets!.id, tag: 'pets' },
      { id: bobRule!.id, tag: 'bob' },
    ]);
    const richBody = JSON.parse(records.find((r) => r.webhookId === richHook && r.body.includes('dogs'))!.body);
    expect(richBody.data).toEqual({
      id: both.tweet.id_str,
      text: 'dogs are better',
      edit_history_tweet_ids: [both.tweet.id_str],
      created_at: expect.stringMatching(/\.000Z$/),
      author_id: emu.account('bob').id,
      lang: 'en',
    });
    expect(richBody.includes.users).toEqual([
      { id: emu.account('bob').id, name: 'Bob Example', username: 'bob', description: '' },
    ]);
    expect(richBody.includes.tweets).toEqual([
      expect.objectContaining({ id: cats.tweet.id_str, text: 'I love cats', author_id: emu.account('alice').id }),
    ]);
    const richEvents = rich.events.filter((e) => e.type === 'filtered_stream.post');
    expect(richEvents).toHaveLength(3);
    expect(richEvents[1]).toMatchObject({
      id: both.tweet.id_str,
      author: { id: emu.account('bob').id, screenName: 'bob' },
      matchingRules: [
        { id: pets!.id, tag: 'pets' },
        { id: bobRule!.id, tag: 'bob' },
      ],
    });
  });

  it('one webhook receives AAA, XAA and Filtered-Stream deliveries side by side', async () => {
    const emu = await emulator();
    const app = await receiver();
    const hook = await registerWebhook(emu, app.url);
    const alice = emu.account('alice');
    const aaa = await call(emu, 'POST', `/2/account_activity/webhooks/${hook}/subscriptions/all`, alice);
    expect(aaa.status).toBe(200);
    await subscribe(emu, 'app', { event_type: 'post.create', filter: { user_id: alice.id }, webhook_id: hook });
    await call(emu, 'POST', '/2/tweets/search/stream/rules', 'app', { add: [{ value: 'from:alice' }] });
    await call(emu, 'POST', `/2/tweets/search/webhooks/${hook}`, 'app');
    await emu.activity.post(alice, 'three families');
    await emu.settled();
    expect(
      emu
        .deliveries()
        .map((r) => r.family)
        .sort(),
    ).toEqual(['aaa', 'filtered_stream', 'xaa']);
    expect(app.events.map((e) => `${e.family}:${e.type}`).sort()).toEqual([
      'aaa:tweet_create',
      'filtered_stream:filtered_stream.post',
      'xaa:post.create',
    ]);
  });
});

describe('the rule matcher', () => {
  const subject = (text: string, extra: Partial<RuleSubject> = {}): RuleSubject => ({
    text,
    authorId: '1',
    authorUsername: 'alice',
    lang: 'en',
    mentions: [...text.matchAll(/@(\w+)/g)].map((m) => ({ username: m[1] ?? '', id: '2' })),
    inReplyToUserId: undefined,
    inReplyToUsername: undefined,
    isRetweet: false,
    isQuote: false,
    retweetOfUsername: undefined,
    retweetOfUserId: undefined,
    ...extra,
  });
  const matches = (rule: string, s: RuleSubject): boolean => {
    const compiled = compileRule(rule);
    if (!compiled.ok) throw new Error(`invalid rule ${rule}: ${compiled.details.join()}`);
    return compiled.matches(s);
  };

  it('keywords, phrases, from:, @mention, #hashtag, OR, negation, groups; unsupported operators never match', () => {
    const s = subject('Hello @bob, the Quick brown fox #Launch');
    expect(matches('quick', s)).toBe(true);
    expect(matches('qui', s)).toBe(false);
    expect(matches('quick fox', s)).toBe(true);
    expect(matches('quick cat', s)).toBe(false);
    expect(matches('"quick brown"', s)).toBe(true);
    expect(matches('"brown quick"', s)).toBe(false);
    expect(matches('cat OR fox', s)).toBe(true);
    expect(matches('fox -quick', s)).toBe(false);
    expect(matches('fox -(cat OR dog)', s)).toBe(true);
    expect(matches('from:alice', s)).toBe(true);
    expect(matches('from:bob', s)).toBe(false);
    expect(matches('@bob', s)).toBe(true);
    expect(matches('@carol', s)).toBe(false);
    expect(matches('#launch', s)).toBe(true);
    expect(matches('#fox', s)).toBe(false);
    expect(matches('(cat OR #launch) from:alice', s)).toBe(true);
    expect(matches('lang:en fox', s)).toBe(true);
    expect(matches('has:links', s)).toBe(false);
    expect(matches('fox -has:links', s)).toBe(true);
    expect(matches('is:retweet', subject('x', { isRetweet: true }))).toBe(true);
    expect(matches('to:bob', subject('x', { inReplyToUsername: 'bob', inReplyToUserId: '2' }))).toBe(true);
  });

  it('refuses empty, unbalanced, dangling, negation-only and over-long rules', () => {
    for (const rule of ['', '(cat', 'cat)', '"cat', 'cat OR', 'OR cat', '-cat', '- cat', 'x'.repeat(2049)]) {
      expect(compileRule(rule).ok, rule).toBe(false);
    }
    expect(compileRule('x'.repeat(2048)).ok).toBe(true);
  });
});
