// Issue 15, defect 9a: a signed post with 55,000 distinct mentions was quadratic in parseActivity
// (each mention searched the ids collected so far with Array.prototype.includes).
//
// No timings here (those belong in benchmarks): the work is counted instead, deterministically.
// - Every element scanned by the array search methods (includes, indexOf, find, some, filter, ...)
//   while parseActivity runs: a search of the collected ids per mention scans about n^2/2 elements;
//   a linear parse scans a few times n.
// - Every read of the raw mention list and of its elements, through a Proxy: nested loops over the
//   input (`list.findIndex((m) => m.id_str === id) === i`, `list.slice(0, i).some(...)`) read n^2.
// The bounds (10 scanned elements, 20 reads per mention; today's parse needs 1 and 5 to 9) are
// generous for a linear parse and four orders of magnitude below a quadratic one at this size. The results are checked in full too, on the signed HTTP-shaped path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseActivity } from '../../src/events/parse.js';
import type { AccountActivityEvent } from '../../src/events/types.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';
import { xSignature } from '../helpers/sign.js';

const N = 55_000;
const FOR_USER = '2244994945';
const SEARCHES = [
  'includes',
  'indexOf',
  'lastIndexOf',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'some',
  'every',
  'filter',
] as const;

/** Runs `fn` with the array search methods counting the elements they may scan (`this.length` per call). */
function countScans<T>(fn: () => T): { result: T; scanned: number } {
  const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = SEARCHES.map((name) => [name, proto[name]] as const);
  let scanned = 0;
  for (const [name, original] of originals) {
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      scanned += this.length;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  try {
    return { result: fn(), scanned };
  } finally {
    for (const [name, original] of originals) proto[name] = original as (...args: unknown[]) => unknown;
  }
}

/** The list behind a Proxy that counts every read of an index and of any property of an element. */
function counted<T extends object>(list: readonly T[]): { list: T[]; reads: () => number } {
  let reads = 0;
  const elements = list.map(
    (element) =>
      new Proxy(element, {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver);
        },
      }),
  );
  const proxy = new Proxy(elements, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { list: proxy, reads: () => reads };
}

/** `count` distinct mentions (never the subscribed user), then the subscribed user. */
function aaaMentions(count: number, offset = 0) {
  const list = Array.from({ length: count }, (_, i) => {
    const id = String(10_000_000_000 + offset + i);
    return { screen_name: `u${id}`, name: 'U', id: Number(id), id_str: id, indices: [0, 5] };
  });
  list.push({ screen_name: 'XDevelopers', name: 'X Dev', id: Number(FOR_USER), id_str: FOR_USER, indices: [6, 18] });
  return list;
}

function aaaPost(mentions: unknown[], extended: unknown[]) {
  const fixture = JSON.parse(
    readFileSync(new URL('../fixtures/events/tweet-longform-mention.json', import.meta.url), 'utf8'),
  ) as { for_user_id: string; tweet_create_events: Record<string, unknown>[] };
  const tweet = fixture.tweet_create_events[0] as Record<string, unknown> & {
    entities: Record<string, unknown>;
    extended_tweet: { entities: Record<string, unknown> };
  };
  tweet.entities.user_mentions = mentions;
  tweet.extended_tweet.entities.user_mentions = extended;
  return fixture;
}

function xaaPost(mentions: unknown[]) {
  const fixture = JSON.parse(
    readFileSync(new URL('../fixtures/xaa/post-mention-create.json', import.meta.url), 'utf8'),
  ) as { data: { payload: { entities: { mentions: unknown[] } } } };
  fixture.data.payload.entities.mentions = mentions;
  return fixture;
}

const onlyPost = (events: AccountActivityEvent[]) => {
  expect(events).toHaveLength(1);
  return events[0] as AccountActivityEvent & { mentionedUserIds: readonly string[]; kinds?: readonly string[] };
};

describe('parseActivity with 55,000 distinct mentions (issue 15, defect 9a)', () => {
  it('AAA: correct ids and kinds, with a linear number of array scans', () => {
    // The extended entities repeat the first 1,000 mentions and add 1,000 more: 56,001 distinct ids.
    const mentions = aaaMentions(N);
    const extended = [...aaaMentions(1_000), ...aaaMentions(1_000, N)];
    const { result, scanned } = countScans(() => parseActivity(aaaPost(mentions, extended)));
    const post = onlyPost(result);
    expect(post.type).toBe('tweet_create');
    expect(post.mentionedUserIds).toHaveLength(N + 1_001);
    expect(new Set(post.mentionedUserIds).size).toBe(N + 1_001);
    expect(post.mentionedUserIds[0]).toBe('10000000000');
    expect(post.mentionedUserIds[N]).toBe(FOR_USER); // first occurrences, in order
    expect(post.kinds).toContain('mention');
    expect(scanned).toBeLessThan(10 * (N + 2_002));
  });

  it('AAA: reads each raw mention a bounded number of times (no nested loops over the input)', () => {
    const plain = counted(aaaMentions(N));
    const extended = counted(aaaMentions(1_000));
    const post = onlyPost(parseActivity(aaaPost(plain.list, extended.list)));
    expect(post.mentionedUserIds).toHaveLength(N + 1);
    // Every element is read for validation and collection: a handful of reads each.
    expect(plain.reads()).toBeGreaterThanOrEqual(N);
    expect(plain.reads()).toBeLessThan(20 * (N + 1));
    expect(extended.reads()).toBeLessThan(20 * 1_001);
  });

  it('XAA post.mention.create: correct ids, linear scans and reads', () => {
    const raw = Array.from({ length: N }, (_, i) => ({
      start: 0,
      end: 5,
      username: `u${i}`,
      id: String(20_000_000_000 + (i % (N - 1_000))), // the last 1,000 repeat earlier ids
    }));
    const input = counted(raw);
    const { result, scanned } = countScans(() => parseActivity(xaaPost(input.list)));
    const post = onlyPost(result);
    expect(post.type).toBe('post.mention.create');
    expect(post.mentionedUserIds).toHaveLength(N - 1_000);
    expect(new Set(post.mentionedUserIds).size).toBe(N - 1_000);
    expect(scanned).toBeLessThan(10 * N);
    expect(input.reads()).toBeLessThan(20 * N);
  });

  it('a signed delivery of them is answered 200 and dispatched whole', async () => {
    const secret = 'mentions-secret';
    const body = JSON.stringify(aaaPost(aaaMentions(N), []));
    const handler = createWebhookHandler({ consumerSecret: secret, maxBodyBytes: 16 * 1024 * 1024 });
    let seen: readonly string[] = [];
    handler.on('tweet_create', (event) => {
      seen = event.mentionedUserIds;
    });
    const response = await handler.handleRaw({
      method: 'POST',
      url: '/webhook',
      headers: { 'x-twitter-webhooks-signature': xSignature(body, secret) },
      body,
    });
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(N + 1);
  });
});
