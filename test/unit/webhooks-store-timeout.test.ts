// A dedup store that never answers (a lost connection without a timeout) must not hold deliveries, and
// their memory, for good: each store call is bounded by inFlightWaitMs, after which it is a store
// failure like any other (the event is dispatched: a duplicate is better than a loss). Found by
// `npm run fuzz`, where such a store held every delivery whose claim reached it.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type DedupStore, createDeduplicator } from '../../src/events/dedup.js';
import type { CoordinatedDedupStore } from '../../src/webhooks/coordination.js';
import { type WebhookHandler, createWebhookHandler } from '../../src/webhooks/handler.js';

const SECRET = 'store-timeout-secret';
const BODY = JSON.stringify({
  for_user_id: '2244994945',
  favorite_events: [{ id: 'like-1', created_at: 'Mon Mar 26 16:33:26 +0000 2018', timestamp_ms: 1522082006140 }],
});
const HEADERS = {
  'x-twitter-webhooks-signature': `sha256=${createHmac('sha256', SECRET).update(BODY).digest('base64')}`,
};
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** The answer, or 'held' when there is none within 2 s (the bound under test is 50 ms). */
async function answer(handler: WebhookHandler): Promise<number | 'held'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const held = new Promise<'held'>((resolve) => {
    timer = setTimeout(() => resolve('held'), 2_000);
  });
  const response = handler.handleRaw({ method: 'POST', url: '/webhook', headers: HEADERS, body: BODY });
  const outcome = await Promise.race([response.then((r) => r.status), held]);
  clearTimeout(timer);
  return outcome;
}

function setup(store: DedupStore, listener: () => void = () => undefined) {
  const warnings: string[] = [];
  const deduplicator = createDeduplicator({ ttlMs: 60_000, store });
  const handler = createWebhookHandler({
    consumerSecret: SECRET,
    inFlightWaitMs: 50,
    deduplicator: { ...deduplicator, store, ttlMs: 60_000 },
    logger: { warn: (message, meta) => warnings.push(`${message} ${JSON.stringify(meta ?? {})}`) },
  });
  let calls = 0;
  handler.onAny(() => {
    calls++;
    listener();
  });
  return { handler, warnings, calls: () => calls };
}

describe('a dedup store that never answers', () => {
  it('setIfAbsent: the event is dispatched and the delivery answered 200, with a warning', async () => {
    const { handler, warnings, calls } = setup({ setIfAbsent: never, delete: never });
    expect(await answer(handler)).toBe(200);
    expect(calls()).toBe(1);
    expect(warnings.join('\n')).toMatch(/deduplicator failed.*did not answer within 50 ms/);
  });

  it('delete after a failed listener: the delivery is answered 500, and the retry handled', async () => {
    let fail = true;
    const { handler, calls } = setup(
      {
        setIfAbsent: async () => true,
        delete: never,
      },
      () => {
        if (fail) throw new Error('listener failed');
      },
    );
    expect(await answer(handler)).toBe(500);
    fail = false;
    // The store still says "claimed", but the claim could not be released: the retry is handled.
    expect(await answer(handler)).toBe(200);
    expect(calls()).toBe(2);
  });

  it('a coordinated store whose claim, wait or complete never answers', async () => {
    for (const hang of ['claim', 'complete'] as const) {
      const store: CoordinatedDedupStore = {
        setIfAbsent: async () => true,
        delete: async () => undefined,
        claim: hang === 'claim' ? never : async () => 'claimed',
        complete: hang === 'complete' ? never : async () => undefined,
        wait: never,
        release: never,
      };
      const { handler, calls } = setup(store);
      expect(await answer(handler), hang).toBe(200);
      expect(calls()).toBe(1);
    }
    const waiting: CoordinatedDedupStore = {
      setIfAbsent: async () => true,
      delete: async () => undefined,
      claim: async () => 'in-progress',
      complete: async () => undefined,
      wait: never,
      release: async () => undefined,
    };
    const { handler, calls } = setup(waiting);
    expect(await answer(handler)).toBe(200); // the wait failed: dispatched anyway
    expect(calls()).toBe(1);
  });

  it('the in-memory store is not timed (it answers at once)', async () => {
    const { handler, calls } = setup(createDeduplicator({ ttlMs: 60_000 }).store as DedupStore);
    expect(await answer(handler)).toBe(200);
    expect(await answer(handler)).toBe(200);
    expect(calls()).toBe(1);
  });
});
