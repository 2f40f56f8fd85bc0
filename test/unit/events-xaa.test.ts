// X Activity API and Filtered-Stream deliveries: classification, typed events, dedup keys, dispatch.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  XAA_TYPES,
  activityKey,
  crossFamilyKey,
  parseActivity,
  parseActivityDetailed,
} from '../../src/events/index.js';
import type { AccountActivityEvent } from '../../src/events/index.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';
import { signPayload } from '../../src/webhooks/signature.js';

const dir = (folder: string): string => join(import.meta.dirname, '../fixtures', folder);
const read = (folder: string, name: string): string => readFileSync(join(dir(folder), name), 'utf8');
const one = (folder: string, name: string): AccountActivityEvent => {
  const events = parseActivity(read(folder, name));
  expect(events).toHaveLength(1);
  return events[0] as AccountActivityEvent;
};

describe('every fixture is typed', () => {
  for (const folder of ['xaa', 'filtered-stream']) {
    for (const name of readdirSync(dir(folder)).filter((n) => n.endsWith('.json'))) {
      it(`${folder}/${name}`, () => {
        const { events, issues } = parseActivityDetailed(read(folder, name));
        if (name === 'synthetic-unknown-event-type.json') return;
        expect(issues).toEqual([]);
        for (const event of events) {
          expect(event.type).not.toBe('unknown');
          expect(event.family).toBe(folder === 'xaa' ? 'xaa' : 'filtered_stream');
        }
      });
    }
  }

  it('every XAA type of the spec has a fixture', () => {
    const seen = new Set<string>();
    for (const name of readdirSync(dir('xaa')).filter((n) => n.endsWith('.json'))) {
      for (const event of parseActivity(read('xaa', name))) seen.add(event.type);
    }
    expect([...XAA_TYPES].filter((t) => !seen.has(t))).toEqual([]);
  });
});

describe('classification, in spec order', () => {
  it('matching_rules wins over data.event_type; data.event_type over AAA keys', () => {
    const fs = JSON.parse(read('filtered-stream', 'post.json')) as Record<string, unknown>;
    expect(parseActivity({ ...fs, for_user_id: '1' })[0]?.family).toBe('filtered_stream');
    const xaa = JSON.parse(read('xaa', 'profile-update-bio.json')) as Record<string, unknown>;
    expect(parseActivity({ ...xaa, for_user_id: '1', follow_events: [] })[0]?.type).toBe('profile.update.bio');
  });
  it('AAA events carry family aaa; a data without event_type is an unknown AAA-path key', () => {
    const aaa = parseActivity(readFileSync(join(dir('events'), 'follow-by-user.json'), 'utf8'));
    expect(aaa.every((e) => e.family === 'aaa')).toBe(true);
    const [unknown] = parseActivity({ data: { id: '1' } });
    expect(unknown).toMatchObject({ type: 'unknown', family: undefined, key: 'data' });
  });
  it('an unknown event_type keeps the envelope fields', () => {
    const event = one('xaa', 'synthetic-unknown-event-type.json');
    expect(event).toMatchObject({
      type: 'unknown',
      family: 'xaa',
      eventType: 'chat.reaction.add',
      eventUuid: '1000000000000000015',
      filter: { userId: '1111111111111111111' },
      tag: 'future',
      forUserId: '1111111111111111111',
    });
  });
  it('a payload that fails its schema is unknown with the path, and raw is the envelope', () => {
    const body = JSON.parse(read('xaa', 'oauth-revoke.json')) as { data: { payload: Record<string, unknown> } };
    body.data.payload['user_id'] = 5;
    const { events, issues } = parseActivityDetailed(body);
    expect(events[0]).toMatchObject({ type: 'unknown', family: 'xaa', eventType: 'oauth.revoke', raw: body.data });
    expect(issues[0]?.path).toEqual(['payload', 'user_id']);
  });
  it('a refused DM element does not lose its siblings', () => {
    const body = JSON.parse(read('xaa', 'dm-sent.json')) as { data: { payload: { direct_message_events: unknown[] } } };
    body.data.payload.direct_message_events.push({ id: 7 });
    const events = parseActivity(body);
    expect(events.map((e) => e.type)).toEqual(['dm.sent', 'unknown']);
    expect(events[1]).toMatchObject({ family: 'xaa', index: 1, raw: { id: 7 } });
  });
});

describe('normalised payloads', () => {
  it('post.create: author from bare includes.users, edit fields, Date', () => {
    const event = one('xaa', 'post-create.json');
    if (event.type !== 'post.create') throw new Error(event.type);
    expect(event.author).toEqual({ id: '1111111111111111111', screenName: 'ExampleUser', name: 'Example User' });
    expect(event.createdAt?.toISOString()).toBe('2026-07-24T21:05:48.000Z');
    expect(event.edit).toMatchObject({ format: 'v2', isEdit: false, editsRemaining: 5, editable: true });
    expect(event.eventUuid).toBe('2080761390344937796');
  });
  it('post.mention.create: mentions; post.reply.create: referenced post from includes.posts, {data: User} author', () => {
    const mention = one('xaa', 'post-mention-create.json');
    if (mention.type !== 'post.mention.create') throw new Error(mention.type);
    expect(mention.mentionedUserIds).toEqual(['1111111111111111111']);
    expect(mention.author?.screenName).toBe('OtherUser');
    const reply = one('xaa', 'synthetic-post-reply-create.json');
    if (reply.type !== 'post.reply.create') throw new Error(reply.type);
    expect(reply.author?.id).toBe('2222222222222222222');
    expect(reply.referencedTweets[0]).toMatchObject({ type: 'replied_to', id: '2080761390344937796' });
    expect(reply.referencedTweets[0]?.included?.text).toBe('Hello from the Activity API');
  });
  it('post.delete: negative event_uuid, {data: User} author', () => {
    expect(one('xaa', 'post-delete.json')).toMatchObject({
      type: 'post.delete',
      eventUuid: '-2781149976877970683',
      postId: '2080761269309813134',
      author: { screenName: 'ExampleUser' },
    });
  });
  it('like.create, both documented shapes', () => {
    expect(one('xaa', 'like-create.json')).toMatchObject({
      likedPostId: '2079814480427442556',
      likedPostAuthorId: '3333333333333333333',
      likedPostAuthor: { screenName: 'PublicUser' },
      likedPost: { referencedTweets: [{ type: 'quoted' }] },
      direction: 'outbound',
      createdAt: new Date(1784927565236),
    });
    expect(one('xaa', 'synthetic-like-create-oas.json')).toMatchObject({
      likedPostAuthorId: '1111111111111111111',
      likedPostAuthor: { screenName: 'ExampleUser' },
      direction: 'inbound',
      createdAt: new Date(1784927565236),
    });
  });
  it('follows, profile updates, chat, news, spaces, broadcast, revoke', () => {
    expect(one('xaa', 'follow-follow.json')).toMatchObject({
      source: { id: '1111111111111111111' },
      target: { screenName: 'AnotherUser' },
      bySubscribedUser: true,
    });
    expect(one('xaa', 'profile-update-screenname.json')).toMatchObject({
      field: 'screenname',
      before: 'Example User',
      after: 'Example',
    });
    expect(one('xaa', 'chat-received.json')).toMatchObject({
      senderId: '2222222222222222222',
      conversationId: '2222222222222222222:1111111111111111111',
      createdAt: new Date(1784841183370),
      signature: { signature_version: '7' },
    });
    expect(one('xaa', 'news-new.json')).toMatchObject({
      headline: 'ChatGPT Adds Custom Virtual Pets for Sharing',
      postIds: ['2080756403493560652', '2080747505474736162', '2080750142437880021'],
      filter: { keyword: 'OpenAI' },
      forUserId: undefined,
    });
    expect(one('xaa', 'synthetic-news-new-oas.json')).toMatchObject({ headline: 'ChatGPT Adds Custom Virtual Pets' });
    expect(one('xaa', 'spaces-end.json')).toMatchObject({
      broadcastId: '1qxvvvyLLdnxB',
      user: { id: '1111111111111111111' },
    });
    expect(one('xaa', 'synthetic-broadcast-end.json')).toMatchObject({
      state: 'Ended',
      durationMs: 3600000,
      createdAt: new Date(1784933600000),
    });
    expect(one('xaa', 'synthetic-broadcast-chat.json')).toMatchObject({
      message: 'hello stream',
      author: { id: '2222222222222222222' },
    });
    expect(one('xaa', 'oauth-revoke.json')).toMatchObject({
      forUserId: '1111111111111111111',
      appId: '29820954',
      createdAt: new Date('2026-07-23T21:44:05Z'),
      tag: undefined,
    });
  });
  it('legacy DMs reuse the AAA model', () => {
    expect(one('xaa', 'dm-received.json')).toMatchObject({
      type: 'dm.received',
      id: '2080765901528535096',
      text: 'hello!',
      direction: 'received',
      sender: { screenName: 'OtherUser' },
      recipient: { screenName: 'ExampleUser' },
      createdAt: new Date(1784928224372),
    });
    expect(one('xaa', 'dm-sent.json')).toMatchObject({ direction: 'sent', recipient: { screenName: 'XDevelopers' } });
    expect(one('xaa', 'synthetic-dm-read.json')).toMatchObject({
      lastReadEventId: '2080763914820927863',
      senderId: '2222222222222222222',
    });
  });
  it('filtered_stream.post: author, media, referenced posts, matching rules', () => {
    expect(one('filtered-stream', 'post.json')).toMatchObject({
      type: 'filtered_stream.post',
      family: 'filtered_stream',
      author: { screenName: 'Xdevelopers' },
      matchingRules: [{ id: '120897978112909812', tag: 'api-posts' }],
    });
    expect(one('filtered-stream', 'synthetic-post-embedding-media.json')).toMatchObject({
      media: [{ media_key: '3_1' }],
      referencedTweets: [{ type: 'replied_to', included: { id: '1346889436626259968' } }],
      matchingRules: [{ id: '2', embeddingSimilarity: 0.91, embeddingThreshold: 0.8 }, { id: '1' }],
    });
  });
});

describe('dedup keys', () => {
  it('XAA: event_type + event_uuid + filter; payload id without event_uuid; FS: post id + rule ids', () => {
    expect(activityKey(one('xaa', 'like-create.json'))).toBe(
      '1111111111111111111|like.create|-3402274206530057851|1111111111111111111||outbound',
    );
    expect(activityKey(one('xaa', 'synthetic-post-repost-create.json'))).toContain('|2080770000000000003|');
    expect(activityKey(one('filtered-stream', 'synthetic-post-embedding-media.json'))).toBe(
      '-|filtered_stream.post|1346889436626259969|1,2',
    );
  });
  it('crossFamilyKey matches an AAA DM with the same XAA DM, and a post with post.create', () => {
    const xaa = one('xaa', 'dm-received.json');
    const aaa = parseActivity({
      for_user_id: '1111111111111111111',
      direct_message_events: [JSON.parse(read('xaa', 'dm-received.json')).data.payload.direct_message_events[0]],
    })[0] as AccountActivityEvent;
    expect(aaa.type).toBe('direct_message');
    expect(crossFamilyKey(aaa)).toBe(crossFamilyKey(xaa));
    expect(activityKey(aaa)).not.toBe(activityKey(xaa));
    const tweet = parseActivity({
      for_user_id: '1111111111111111111',
      tweet_create_events: [
        {
          id_str: '2080761390344937796',
          created_at: 'Fri Jul 24 21:05:48 +0000 2026',
          text: 'Hello',
          user: { id_str: '1111111111111111111' },
        },
      ],
    })[0] as AccountActivityEvent;
    expect(crossFamilyKey(tweet)).toBe(crossFamilyKey(one('xaa', 'post-create.json')));
    expect(crossFamilyKey(one('xaa', 'follow-follow.json'))).toBe(activityKey(one('xaa', 'follow-follow.json')));
  });
});

describe('the handler dispatches all three families', () => {
  it('on(type), on([types]), onFamily', async () => {
    const secret = 'secret';
    const handler = createWebhookHandler({ consumerSecret: secret });
    const seen: string[] = [];
    handler.on('post.create', (e) => seen.push(`type:${e.type}`));
    handler.on(['tweet_create', 'post.mention.create'], (e) => seen.push(`types:${e.type}`));
    handler.onFamily('xaa', (e) => seen.push(`xaa:${e.type}`));
    handler.onFamily(['filtered_stream'], (e) => seen.push(`fs:${e.type}`));
    expect(() => handler.onFamily('nope' as 'xaa', () => undefined)).toThrow(/unknown family/);
    for (const [folder, name] of [
      ['xaa', 'post-create.json'],
      ['xaa', 'post-mention-create.json'],
      ['xaa', 'synthetic-unknown-event-type.json'],
      ['filtered-stream', 'post.json'],
    ] as const) {
      const body = read(folder, name);
      const response = await handler.handleRaw({
        method: 'POST',
        url: '/webhook',
        headers: { 'x-twitter-webhooks-signature': await signPayload(body, secret) },
        body,
      });
      expect(response.status).toBe(200);
    }
    expect(seen).toEqual([
      'type:post.create',
      'xaa:post.create',
      'types:post.mention.create',
      'xaa:post.mention.create',
      'xaa:unknown',
      'fs:filtered_stream.post',
    ]);
  });
});

describe('nothing is lost', () => {
  it('a DM delivery with no direct_message_events element is kept as one unknown XAA event with its envelope', () => {
    const body = JSON.parse(read('xaa', 'dm-received.json')) as {
      data: { payload: { direct_message_events: unknown[] } };
    };
    body.data.payload.direct_message_events = [];
    const events = parseActivity(body);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'unknown', family: 'xaa', eventType: 'dm.received', raw: body.data });
  });
});
