// Defect 6 of issue 15: the in-memory dedup window must be bounded by its TTL, not silently by
// `maxEntries`. Expired keys go first; a live key dropped because the store is full is counted,
// exposed in stats() and warned about once through the handler's logger.
import { describe, expect, it } from 'vitest';
import { activityKey, createDeduplicator, createMemoryDedupStore } from '../../src/events/dedup.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';
import { xSignature } from '../helpers/sign.js';

const SECRET = 'dedup-window-secret';

/** One signed AAA delivery of `count` distinct likes, numbered from `first`. */
function likes(
  first: number,
  count: number,
): { method: string; url: string; headers: Record<string, string>; body: string } {
  const favorite_events = Array.from({ length: count }, (_, i) => ({
    id: `like-${first + i}`,
    created_at: 'Mon Mar 26 16:33:26 +0000 2018',
    timestamp_ms: 1522082006140,
  }));
  const body = JSON.stringify({ for_user_id: '2244994945', favorite_events });
  return {
    method: 'POST',
    url: '/webhook',
    headers: { 'x-twitter-webhooks-signature': xSignature(body, SECRET) },
    body,
  };
}

describe('the in-memory dedup window (issue 15, defect 6)', () => {
  it('at 3,500 events/s with the defaults, copies arriving 3 s later are still recognised', async () => {
    let now = 1_700_000_000_000;
    const warnings: string[] = [];
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 5 * 60_000, now: () => now }),
      logger: { warn: (message) => warnings.push(message) },
    });
    const handled = new Map<string, number>();
    handler.onAny((event) => {
      const key = activityKey(event);
      handled.set(key, (handled.get(key) ?? 0) + 1);
    });
    // 4 s of traffic: 40 deliveries of 350 likes, one every 100 ms (14,000 events); from second 3 on,
    // each delivery is followed by X's retry of the one sent 3 s earlier.
    for (let tick = 0; tick < 40; tick++) {
      expect((await handler.handleRaw(likes(tick * 350, 350))).status).toBe(200);
      if (tick >= 30) expect((await handler.handleRaw(likes((tick - 30) * 350, 350))).status).toBe(200);
      now += 100;
    }
    expect(handled.size).toBe(14_000);
    const twice = [...handled.values()].filter((n) => n > 1).length;
    expect(twice).toBe(0);
    expect(handler.stats()).toMatchObject({ dispatched: 14_000, duplicates: 3_500, dedupEvictedEarly: 0 });
    expect(warnings).toEqual([]);
  });

  it('when maxEntries forces out live keys: counted in stats(), warned about once', async () => {
    let now = 0;
    const warnings: { message: string; meta: Record<string, unknown> | undefined }[] = [];
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000, maxEntries: 100, now: () => now }),
      logger: { warn: (message, meta) => warnings.push({ message, meta }) },
    });
    let calls = 0;
    handler.onAny(() => {
      calls++;
    });
    expect((await handler.handleRaw(likes(0, 100))).status).toBe(200);
    expect(handler.stats().dedupEvictedEarly).toBe(0);
    now += 10;
    expect((await handler.handleRaw(likes(100, 30))).status).toBe(200);
    expect((await handler.handleRaw(likes(130, 20))).status).toBe(200);
    expect(handler.stats().dedupEvictedEarly).toBe(50);
    // The 50 forced out are handled again when a copy comes: that is what the warning is about.
    expect((await handler.handleRaw(likes(0, 50))).status).toBe(200);
    expect(calls).toBe(200);
    expect(handler.stats().dedupEvictedEarly).toBe(100);
    const full = warnings.filter((w) => /Dedup store full/.test(w.message));
    expect(full).toHaveLength(1);
    expect(full[0]?.message).toMatch(/maxEntries/);
    expect(full[0]?.meta).toMatchObject({ maxEntries: 100, ttlMs: 60_000 });
  });

  it('drops expired keys before any live one', async () => {
    let now = 0;
    const store = createMemoryDedupStore({ maxEntries: 3, now: () => now });
    const dedup = createDeduplicator({ ttlMs: 100, store });
    expect(await dedup.claim('a')).toBe(true); // expires at 100
    now = 60;
    expect(await dedup.claim('b')).toBe(true); // expires at 160
    expect(await dedup.claim('c')).toBe(true); // expires at 160
    now = 70;
    expect(await dedup.claim('a')).toBe(false); // seen again: still expires at 100
    now = 101;
    expect(await dedup.claim('d')).toBe(true); // room made by the expired 'a', not by a live key
    expect(await dedup.claim('b')).toBe(false);
    expect(await dedup.claim('c')).toBe(false);
    expect(store.evictedEarly).toBe(0);
    expect(store.size).toBe(3);
  });

  it('drops the live key closest to expiry when full, and counts it', async () => {
    let now = 0;
    const store = createMemoryDedupStore({ maxEntries: 2, now: () => now });
    const dedup = createDeduplicator({ ttlMs: 1_000, store });
    expect(await dedup.claim('a')).toBe(true);
    now = 10;
    expect(await dedup.claim('b')).toBe(true);
    expect(await dedup.claim('a')).toBe(false);
    expect(await dedup.claim('c')).toBe(true); // full of live keys: 'a' (closest to expiry) goes
    expect(store.evictedEarly).toBe(1);
    expect(await dedup.claim('b')).toBe(false);
    expect(await dedup.claim('c')).toBe(false);
    expect(store.maxEntries).toBe(2);
  });

  it('memory follows the TTL: after a burst expires, the store empties as new keys come', async () => {
    let now = 0;
    const store = createMemoryDedupStore({ now: () => now });
    const dedup = createDeduplicator({ ttlMs: 1_000, store });
    for (let i = 0; i < 5_000; i++) await dedup.claim(`burst-${i}`);
    expect(store.size).toBe(5_000);
    now = 2_000;
    await dedup.claim('later');
    expect(store.size).toBe(1);
    expect(store.evictedEarly).toBe(0);
  });
});
