// The 19 activity kinds X documents, each told apart by the named typed fields only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AccountActivityEvent, parseActivity, type TweetKind } from '../../src/events/index.js';

const load = (name: string): AccountActivityEvent => {
  const events = parseActivity(readFileSync(join(import.meta.dirname, '../fixtures/events', name), 'utf8'));
  expect(events).toHaveLength(1);
  return events[0] as AccountActivityEvent;
};

const has = (e: AccountActivityEvent, kind: TweetKind): boolean => e.type === 'tweet_create' && e.kinds.includes(kind);

/** Each of X's 19 documented kinds as a predicate over typed fields only. */
const KINDS: Record<string, (e: AccountActivityEvent) => boolean> = {
  'post by the user': (e) => has(e, 'post') && !has(e, 'retweet') && !has(e, 'reply') && !has(e, 'quote'),
  'post delete by the user': (e) => e.type === 'tweet_delete',
  '@mention of the user': (e) => has(e, 'mention') && !has(e, 'reply') && !has(e, 'retweet'),
  'reply to or from the user': (e) => has(e, 'reply'),
  'retweet by or of the user': (e) => has(e, 'retweet') && !has(e, 'retweet_of_quote'),
  'quote post by or of the user': (e) => has(e, 'quote'),
  'retweet of a quoted post': (e) => has(e, 'retweet_of_quote'),
  'like by or of the user': (e) => e.type === 'favorite',
  'follow by or of the user': (e) => e.type === 'follow',
  'unfollow by the user': (e) => e.type === 'unfollow' && e.bySubscribedUser,
  'block by the user': (e) => e.type === 'block' && e.bySubscribedUser,
  'unblock by the user': (e) => e.type === 'unblock' && e.bySubscribedUser,
  'mute by the user': (e) => e.type === 'mute' && e.bySubscribedUser,
  'unmute by the user': (e) => e.type === 'unmute' && e.bySubscribedUser,
  'DM sent': (e) => e.type === 'direct_message' && e.direction === 'sent',
  'DM received': (e) => e.type === 'direct_message' && e.direction === 'received',
  'typing indicator to the user': (e) => e.type === 'direct_message_typing' && !e.bySubscribedUser,
  'read receipt to the user': (e) => e.type === 'direct_message_read' && !e.bySubscribedUser,
  'subscription revoke': (e) => e.type === 'user_revoke',
};

const CASES: [string, string][] = [
  ['tweet-post-by-user.json', 'post by the user'],
  ['tweet-delete.json', 'post delete by the user'],
  ['tweet-mention-string-blocked.json', '@mention of the user'],
  ['tweet-reply-to-user.json', 'reply to or from the user'],
  ['tweet-retweet-by-user.json', 'retweet by or of the user'],
  ['tweet-quote-of-user.json', 'quote post by or of the user'],
  ['tweet-retweet-of-quote.json', 'retweet of a quoted post'],
  ['favorite-of-user.json', 'like by or of the user'],
  ['follow-of-user.json', 'follow by or of the user'],
  ['unfollow-by-user.json', 'unfollow by the user'],
  ['block-by-user.json', 'block by the user'],
  ['unblock-by-user.json', 'unblock by the user'],
  ['mute-by-user.json', 'mute by the user'],
  ['unmute-by-user.json', 'unmute by the user'],
  ['dm-sent-no-app.json', 'DM sent'],
  ['dm-received-via-app.json', 'DM received'],
  ['dm-typing.json', 'typing indicator to the user'],
  ['dm-read.json', 'read receipt to the user'],
  ['user-event-revoke.json', 'subscription revoke'],
];

describe('the 19 documented activity kinds', () => {
  it('covers all 19', () => {
    expect(Object.keys(KINDS)).toHaveLength(19);
    expect(new Set(CASES.map(([, kind]) => kind)).size).toBe(19);
  });
  it.each(CASES)('%s is exactly "%s"', (name, kind) => {
    const event = load(name);
    const matching = Object.entries(KINDS)
      .filter(([, test]) => test(event))
      .map(([k]) => k);
    expect(matching).toEqual([kind]);
  });
});

describe('by or of: bySubscribedUser and the kinds of each post', () => {
  it.each([
    ['tweet-post-by-user.json', true, ['post']],
    ['tweet-mention-string-blocked.json', false, ['mention']],
    ['tweet-reply-to-user.json', false, ['reply', 'mention']],
    ['tweet-reply-by-user.json', true, ['post', 'reply']],
    ['tweet-retweet-by-user.json', true, ['post', 'retweet']],
    ['tweet-retweet-of-user.json', false, ['retweet', 'mention']],
    ['tweet-quote-by-user.json', true, ['post', 'quote']],
    ['tweet-quote-of-user.json', false, ['quote']],
    ['tweet-retweet-of-quote.json', false, ['retweet', 'retweet_of_quote']],
    ['tweet-longform-mention.json', false, ['mention']],
  ] as const)('%s: bySubscribedUser %s, kinds %j', (name, by, kinds) => {
    const event = load(name);
    if (event.type !== 'tweet_create') throw new Error(`expected tweet_create, got ${event.type}`);
    expect(event.bySubscribedUser).toBe(by);
    expect(event.kinds).toEqual(kinds);
  });
  it('likes and follows by and of the user', () => {
    expect(load('favorite-by-user.json')).toMatchObject({ type: 'favorite', bySubscribedUser: true });
    expect(load('favorite-of-user.json')).toMatchObject({ type: 'favorite', bySubscribedUser: false });
    expect(load('follow-by-user.json')).toMatchObject({ type: 'follow', bySubscribedUser: true });
    expect(load('follow-of-user.json')).toMatchObject({ type: 'follow', bySubscribedUser: false });
  });
  it('a retweet of a quote is not itself a quote, and a retweet ids its source', () => {
    const event = load('tweet-retweet-of-quote.json');
    if (event.type !== 'tweet_create') throw new Error('expected tweet_create');
    expect(event.retweetedStatusId).toBe('1924465506158879003');
    expect(event.kinds).not.toContain('quote');
    const quote = load('tweet-quote-of-user.json');
    expect(quote).toMatchObject({ type: 'tweet_create', quotedStatusId: '1924465506158878995' });
  });
});
