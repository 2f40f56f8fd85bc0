import { InvalidArgumentError } from '../../src/errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AccountActivityEvent,
  activityKey,
  createDeduplicator,
  createMemoryDedupStore,
  type DedupStore,
  parseActivity,
} from '../../src/events/index.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../fixtures/events', name), 'utf8');
const first = (name: string): AccountActivityEvent => parseActivity(fixture(name))[0] as AccountActivityEvent;

describe('activityKey', () => {
  it('uses the documented ids, scoped by forUserId', () => {
    expect(activityKey(first('favorite-of-user.json'))).toBe('2244994945|favorite|a7ba59eab0bfcba386f7acedac279542');
    expect(activityKey(first('tweet-post-by-user.json'))).toBe('2244994945|tweet_create|1924465506158878979');
    expect(activityKey(first('dm-received-via-app.json'))).toBe('4337869213|direct_message|954491830116155396');
    expect(activityKey(first('follow-by-user.json'))).toBe('2244994945|follow|2244994945|3001969357|1517588749178');
    expect(activityKey(first('dm-typing.json'))).toBe(
      '4337869213|direct_message_typing|3284025577|3001969357|1518127183443',
    );
    expect(activityKey(first('tweet-delete.json'))).toBe('930524282358325248|tweet_delete|1045405559317569537');
    expect(activityKey(first('user-event-revoke.json'))).toBe('-|user_revoke|63046977|13090192|1527155292000');
    expect(activityKey(first('replay-complete.json'))).toBe('-|replay_job_status|1095098195724558337|Complete');
  });
  it('differs per subscribed user, and between follow and unfollow of the same pair', () => {
    const body = JSON.parse(fixture('tweet-mention-string-blocked.json')) as Record<string, unknown>;
    const a = parseActivity(body)[0] as AccountActivityEvent;
    const b = parseActivity({ ...body, for_user_id: '3001969357' })[0] as AccountActivityEvent;
    expect(activityKey(a)).not.toBe(activityKey(b));
    const follow = first('follow-by-user.json');
    const unfollow = parseActivity(
      fixture('follow-by-user.json').replace('"follow"', '"unfollow"'),
    )[0] as AccountActivityEvent;
    expect(unfollow.type).toBe('unfollow');
    expect(activityKey(follow)).not.toBe(activityKey(unfollow));
  });
  it('is stable across re-parses (a retry), including for unknown events', () => {
    for (const name of ['unknown-key.json', 'dm-read.json', 'follow-multi-mixed.json', 'tweet-multi.json']) {
      const once = parseActivity(fixture(name)).map(activityKey);
      const again = parseActivity(fixture(name)).map(activityKey);
      expect(again).toEqual(once);
      expect(new Set(once).size).toBe(once.length);
    }
    const a = parseActivity({ for_user_id: '1', x_events: [1] })[0] as AccountActivityEvent;
    const b = parseActivity({ for_user_id: '1', x_events: [2] })[0] as AccountActivityEvent;
    expect(activityKey(a)).not.toBe(activityKey(b));
  });
});

describe('createDeduplicator with the in-memory store', () => {
  it('claims once, refuses duplicates, and claims again after release', async () => {
    const dedup = createDeduplicator({ ttlMs: 1000 });
    expect(await dedup.claim('a')).toBe(true);
    expect(await dedup.claim('a')).toBe(false);
    expect(await dedup.claim('b')).toBe(true);
    await dedup.release('a');
    expect(await dedup.claim('a')).toBe(true);
    await dedup.release('never-claimed');
  });
  it('forgets a key after its TTL (injected clock)', async () => {
    let now = 1_000_000;
    const dedup = createDeduplicator({ ttlMs: 100, now: () => now });
    expect(await dedup.claim('k')).toBe(true);
    now += 99;
    expect(await dedup.claim('k')).toBe(false);
    now += 1;
    expect(await dedup.claim('k')).toBe(true);
  });
  it('keeps at most maxEntries keys, dropping the one closest to expiry (seeing a key does not extend it)', async () => {
    const store = createMemoryDedupStore({ maxEntries: 3, now: () => 0 });
    const dedup = createDeduplicator({ ttlMs: 60_000, store });
    for (const key of ['a', 'b', 'c']) expect(await dedup.claim(key)).toBe(true);
    expect(await dedup.claim('a')).toBe(false); // still the first to expire
    expect(await dedup.claim('d')).toBe(true); // evicts 'a', counted
    expect(store.evictedEarly).toBe(1);
    expect(await dedup.claim('b')).toBe(false);
    expect(await dedup.claim('c')).toBe(false);
    expect(await dedup.claim('a')).toBe(true); // was evicted, evicts 'b'
    expect(await dedup.claim('d')).toBe(false);
    expect(store.evictedEarly).toBe(2);
  });
  it('a shared memory store dedups across two deduplicators (two handlers)', async () => {
    const store = createMemoryDedupStore({ maxEntries: 10 });
    const one = createDeduplicator({ ttlMs: 1000, store });
    const two = createDeduplicator({ ttlMs: 1000, store });
    expect(await one.claim('x')).toBe(true);
    expect(await two.claim('x')).toBe(false);
  });
  it('rejects bad options and bad keys with clear errors', async () => {
    expect(() => createDeduplicator({ ttlMs: 0 })).toThrow(/ttlMs must be a positive whole number/);
    expect(() => createDeduplicator({ ttlMs: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => createDeduplicator({ ttlMs: 1, maxEntries: -1 })).toThrow(/maxEntries/);
    expect(() => createDeduplicator({ ttlMs: 1, store: {} as DedupStore })).toThrow(/setIfAbsent/);
    await expect(createDeduplicator({ ttlMs: 1 }).claim('')).rejects.toThrow(/non-empty string/);
  });
});

describe('createDeduplicator with a custom async store', () => {
  /** A store in the shape of Redis SET NX PX / DEL, recording every call. */
  class RecordingStore implements DedupStore {
    readonly calls: string[] = [];
    readonly #data = new Map<string, number>();
    async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
      this.calls.push(`set ${key} ${ttlMs}`);
      await Promise.resolve();
      if (this.#data.has(key)) return false;
      this.#data.set(key, ttlMs);
      return true;
    }
    async delete(key: string): Promise<void> {
      this.calls.push(`del ${key}`);
      this.#data.delete(key);
    }
  }

  it('passes keys and the TTL through, and follows claim/release with the real events', async () => {
    const store = new RecordingStore();
    const dedup = createDeduplicator({ ttlMs: 5000, store });
    const events = parseActivity(fixture('follow-multi-mixed.json'));
    const handled: string[] = [];
    const deliver = async (failOn?: string): Promise<void> => {
      for (const event of events) {
        const key = activityKey(event);
        if (!(await dedup.claim(key))) continue;
        if (event.type === failOn) {
          await dedup.release(key);
          continue;
        }
        handled.push(event.type);
      }
    };
    await deliver('unfollow'); // the unfollow listener fails: its claim is released
    await deliver(); // X retries the whole delivery: only the unfollow is handled again
    expect(handled).toEqual(['follow', 'unfollow']);
    const [followKey, unfollowKey] = events.map(activityKey) as [string, string];
    expect(store.calls).toEqual([
      `set ${followKey} 5000`,
      `set ${unfollowKey} 5000`,
      `del ${unfollowKey}`,
      `set ${followKey} 5000`,
      `set ${unfollowKey} 5000`,
    ]);
  });
  it('propagates a store failure to the caller', async () => {
    const failing: DedupStore = {
      setIfAbsent: () => Promise.reject(new Error('store down')),
      delete: () => Promise.resolve(),
    };
    await expect(createDeduplicator({ ttlMs: 1, store: failing }).claim('k')).rejects.toThrow('store down');
  });
});
