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
    expect(full[0]?.meta).toMatchObject({ maxEntries: 100, ttlMs: 60_000, evictedEarly: 1 });
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

describe('the "Dedup store full" warning', () => {
  it('names the count, and a store whose maxEntries getter throws still has its duplicate dropped', async () => {
    const seen = new Set<string>();
    let evictedEarly = 0;
    const store = {
      setIfAbsent: async (key: string) => !seen.has(key) && Boolean(seen.add(key)),
      delete: async (key: string) => void seen.delete(key),
      get evictedEarly() {
        return evictedEarly;
      },
      get maxEntries(): number {
        throw new Error('no maxEntries here');
      },
    };
    const warnings: { message: string; meta: Record<string, unknown> | undefined }[] = [];
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000, store }),
      logger: { warn: (message, meta) => warnings.push({ message, meta }) },
    });
    let calls = 0;
    handler.onAny(() => {
      calls++;
    });
    expect((await handler.handleRaw(likes(0, 1))).status).toBe(200);
    evictedEarly = 3; // the store dropped keys early since: the copy's claim is the first to see it
    expect((await handler.handleRaw(likes(0, 1))).status).toBe(200);
    expect(calls).toBe(1); // the store said "seen": a duplicate, not "the deduplicator failed"
    expect(handler.stats()).toMatchObject({ duplicates: 1, dedupEvictedEarly: 3 });
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^Dedup store full/)]);
    expect(warnings[0]?.meta).toEqual({ maxEntries: undefined, ttlMs: 60_000, evictedEarly: 3 });
  });
});

// One store shared by deduplicators with different TTLs (or setIfAbsent called with any TTL): keys no
// longer expire in insertion order. The store assumed they did: its sweep stopped at the first live
// key, so expired keys behind it kept their room, and when full it dropped a live key (counted in
// evictedEarly) while expired ones stayed.
describe('the in-memory dedup store with mixed TTLs', () => {
  it('drops expired keys that sit behind a longer-lived one before any live key', async () => {
    let now = 0;
    const store = createMemoryDedupStore({ maxEntries: 3, now: () => now });
    const long = createDeduplicator({ ttlMs: 60_000, store });
    const short = createDeduplicator({ ttlMs: 100, store });
    expect(await long.claim('long')).toBe(true); // expires at 60,000
    expect(await short.claim('short-1')).toBe(true); // expires at 100
    expect(await short.claim('short-2')).toBe(true); // expires at 100
    now = 200;
    expect(await short.claim('short-3')).toBe(true); // room made by the expired short keys
    expect(store.evictedEarly).toBe(0);
    expect(store.size).toBe(2);
    expect(await long.claim('long')).toBe(false); // still remembered
    expect(await short.claim('short-1')).toBe(true); // expired: a new sighting
  });

  it('when full of live keys, drops the one closest to expiry, whatever its place', async () => {
    let now = 0;
    const store = createMemoryDedupStore({ maxEntries: 2, now: () => now });
    expect(await store.setIfAbsent('day', 86_400_000)).toBe(true);
    expect(await store.setIfAbsent('minute', 60_000)).toBe(true);
    now = 10;
    expect(await store.setIfAbsent('hour', 3_600_000)).toBe(true); // 'minute' goes, not 'day'
    expect(store.evictedEarly).toBe(1);
    expect(await store.setIfAbsent('day', 86_400_000)).toBe(false);
    expect(await store.setIfAbsent('hour', 3_600_000)).toBe(false); // evicts nothing: both seen
    expect(store.evictedEarly).toBe(1);
    expect(await store.setIfAbsent('minute', 60_000)).toBe(true); // it was dropped; now 'hour' goes
    expect(store.evictedEarly).toBe(2);
    expect(await store.setIfAbsent('day', 86_400_000)).toBe(false);
  });

  it('a key stored again with another TTL, or deleted, is judged by its latest expiry', async () => {
    let now = 0;
    const store = createMemoryDedupStore({ maxEntries: 10, now: () => now });
    expect(await store.setIfAbsent('other', 10_000)).toBe(true);
    expect(await store.setIfAbsent('k', 100)).toBe(true); // out of order: expires at 100
    await store.delete('k');
    expect(await store.setIfAbsent('k', 50_000)).toBe(true); // expires at 50,000 now
    now = 200;
    expect(await store.setIfAbsent('x', 100)).toBe(true); // sweeps the old entry of 'k', not 'k'
    expect(await store.setIfAbsent('k', 50_000)).toBe(false);
    expect(store.size).toBe(3);
  });

  it('agrees with a model at every step: random TTLs, deletes, a small capacity', async () => {
    let seed = 20261202;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const maxEntries = 8;
    let now = 1_000;
    const store = createMemoryDedupStore({ maxEntries, now: () => now });
    // The model: every expired key goes before any live one; when full of live keys, the one closest
    // to expiry goes (expiries are kept distinct, so that is one key).
    const model = new Map<string, number>();
    let evicted = 0;
    const used = new Set<number>();
    for (let step = 0; step < 5_000; step++) {
      now += random(40);
      const key = `k${random(30)}`;
      if (random(10) === 0) {
        await store.delete(key);
        model.delete(key);
        continue;
      }
      let ttl = [50, 200, 1_000, 5_000][random(4)] as number;
      while (used.has(now + ttl)) ttl++;
      const at = model.get(key);
      let expected = false;
      if (at === undefined || at <= now) {
        expected = true;
        used.add(now + ttl);
        model.delete(key);
        for (const [k, a] of model) if (a <= now) model.delete(k);
        while (model.size >= maxEntries) {
          const [closest] = [...model].reduce((a, b) => (b[1] < a[1] ? b : a));
          model.delete(closest);
          evicted++;
        }
        model.set(key, now + ttl);
      }
      expect(await store.setIfAbsent(key, ttl), `${key} at step ${step}`).toBe(expected);
      expect({ size: store.size, evictedEarly: store.evictedEarly }, `step ${step}`).toEqual({
        size: model.size,
        evictedEarly: evicted,
      });
    }
  });
});
