/**
 * Deduplication: a stable identity per event ({@link activityKey}) and a claim/release helper
 * ({@link createDeduplicator}) backed by an in-memory LRU with TTL or by any shared store.
 *
 * X sends one copy of an event per subscribed user involved (told apart by `for_user_id`), one per
 * app sharing a URL, retries failed deliveries and replays without a marker, and occasionally sends
 * plain duplicates (see docs/x-api-notes.md#payload-shapes).
 *
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { COORDINATOR, type CoordinatorFactory, InFlightClaims } from '../webhooks/in-flight.js';
import { type AccountActivityEvent, XAA_POST_TYPES } from './types.js';

const POST_TYPES: readonly string[] = /* @__PURE__ */ ['tweet_create'].concat(XAA_POST_TYPES);

/**
 * Returns a stable identity string for an event, scoped by `forUserId` (the same event delivered for
 * two subscribed users gives two keys, since each copy is meant for a different user).
 *
 * | type | identity (after the `forUserId` scope and the type) |
 * |---|---|
 * | `tweet_create` | the post id (`id_str`) |
 * | `favorite` | the like's `id` |
 * | `direct_message` | the DM event `id` |
 * | `follow` ... `unmute` | `source.id`, `target.id`, `created_timestamp` |
 * | `direct_message_typing` | `sender_id`, `recipient_id`, `created_timestamp` |
 * | `direct_message_read` | `sender_id`, `recipient_id`, `last_read_event_id`, `created_timestamp` |
 * | `tweet_delete` | the deleted post id |
 * | `user_revoke` | `user_id`, `app_id`, `date_time` |
 * | `replay_job_status` | `job_id`, `job_state` |
 * | XAA types | `event_uuid` (else the payload's `id`, else a hash of the payload), the filter (`user_id`, `keyword`, `direction`), and for `dm.*` messages the DM event id |
 * | `filtered_stream.post` | the post id and the matching rule ids |
 * | `unknown` | the key, and a hash of the raw value's JSON |
 *
 * For a migration from AAA to XAA, see {@link crossFamilyKey}.
 *
 * @example
 * ```ts
 * activityKey(event); // "2244994945|favorite|a7ba59eab0bfcba386f7acedac279542"
 * ```
 */
export function activityKey(event: AccountActivityEvent): string {
  const prefix = `${event.forUserId ?? '-'}|${event.type}|`;
  if (event.family === 'xaa') {
    const f = event.filter ?? { userId: undefined, keyword: undefined, direction: undefined };
    const payload = (event.raw as { payload?: { id?: unknown } } | undefined)?.payload;
    const id = event.eventUuid ?? (typeof payload?.id === 'string' ? payload.id : hashOf(payload));
    const element = 'element' in event ? `|${event.id}` : '';
    return `${prefix}${event.type === 'unknown' ? `${event.eventType ?? '-'}|${event.index ?? '-'}|` : ''}${id}|${f.userId ?? ''}|${f.keyword ?? ''}|${f.direction ?? ''}${element}`;
  }
  switch (event.type) {
    case 'tweet_create':
    case 'favorite':
    case 'direct_message':
      return prefix + event.id;
    case 'follow':
    case 'unfollow':
    case 'block':
    case 'unblock':
    case 'mute':
    case 'unmute':
      return `${prefix}${event.source.id}|${event.target.id}|${event.createdAt.getTime()}`;
    case 'direct_message_typing':
      return `${prefix}${event.senderId}|${event.recipientId}|${event.createdAt.getTime()}`;
    case 'direct_message_read':
      return `${prefix}${event.senderId}|${event.recipientId}|${event.lastReadEventId}|${event.createdAt.getTime()}`;
    case 'tweet_delete':
      return prefix + event.tweetId;
    case 'user_revoke':
      return `${prefix}${event.userId}|${event.appId}|${event.createdAt.getTime()}`;
    case 'replay_job_status':
      return `${prefix}${event.jobId}|${event.jobState}`;
    case 'filtered_stream.post':
      return `${prefix}${event.id}|${event.matchingRules
        .map((r) => r.id)
        .sort()
        .join(',')}`;
    case 'unknown':
      return `${prefix}${event.key ?? '-'}|${event.index ?? '-'}|${hashOf(event.raw)}`;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/**
 * Like {@link activityKey}, but the same activity received through AAA *and* XAA (during a migration,
 * with both subscriptions live) gets one key, so that a deduplicator handles it once. Opt in by
 * claiming this key instead of `activityKey(event)`. Only these pairs match (both sides keyed by the
 * subscribed user: `for_user_id` on AAA, `filter.user_id` on XAA):
 *
 * | AAA | XAA | shared identity |
 * |---|---|---|
 * | `direct_message` | `dm.received`, `dm.sent` | the DM event id (XAA carries the AAA element one level down) |
 * | `tweet_create` | `post.create`, `post.mention.create`, `post.reply.create`, `post.quote.create`, `post.repost.create` | the post id |
 * | `tweet_delete` | `post.delete` | the deleted post id |
 * | `user_revoke` | `oauth.revoke` | the user id and the app id |
 *
 * Every other event keeps its {@link activityKey}. AAA and XAA likes share no documented id, and XAA
 * follows, mutes and blocks carry no time (two real follows an hour apart could not be told apart),
 * so they never match. One post delivered to one user as both `post.create` and
 * `post.mention.create` (a user mentioning themselves) is also one key here.
 *
 * @example
 * ```ts
 * if (await dedup.claim(crossFamilyKey(event))) await handle(event);
 * ```
 */
export function crossFamilyKey(event: AccountActivityEvent): string {
  const user = `${event.forUserId ?? '-'}|`;
  if (POST_TYPES.includes(event.type)) return `${user}post|${(event as { id: string }).id}`;
  switch (event.type) {
    case 'direct_message':
    case 'dm.received':
    case 'dm.sent':
      return `${user}dm|${event.id}`;
    case 'tweet_delete':
      return `${user}delete|${event.tweetId}`;
    case 'post.delete':
      return `${user}delete|${event.postId}`;
    case 'user_revoke':
    case 'oauth.revoke':
      return `${user}revoke|${event.userId}|${event.appId}`;
    default:
      break;
  }
  return activityKey(event);
}

let unhashable = 0;

/** A 53-bit hash of the value's JSON text, in base 36; a unique token when it has no JSON form. */
function hashOf(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return `unhashable-${++unhashable}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * A shared store for {@link createDeduplicator}: set-if-absent with a time to live, and delete.
 * Redis fits it directly:
 *
 * @example
 * ```ts
 * const store: DedupStore = {
 *   async setIfAbsent(key, ttlMs) {
 *     return (await redis.set(`x-aaa:${key}`, '1', { NX: true, PX: ttlMs })) === 'OK';
 *   },
 *   async delete(key) {
 *     await redis.del(`x-aaa:${key}`);
 *   },
 * };
 * ```
 */
export interface DedupStore {
  /**
   * Stores `key` for `ttlMs` milliseconds unless it is already stored. Resolves `true` when this call
   * stored it (first sighting), `false` when it was already there. Must be atomic across processes.
   */
  setIfAbsent(key: string, ttlMs: number): Promise<boolean>;
  /** Removes `key`, so that a later `setIfAbsent` succeeds again. Removing a missing key is fine. */
  delete(key: string): Promise<void>;
}

/** Options of {@link createMemoryDedupStore}. */
export interface MemoryDedupStoreOptions {
  /**
   * How many keys to keep at most. Keys past their TTL are dropped first; only when `maxEntries`
   * keys are all still inside their TTL is the one closest to expiry dropped early, which is counted
   * in {@link MemoryDedupStore.evictedEarly} (and warned about once by the webhook handler): a copy of
   * that event would be handled again. Size it as peak events per second times the TTL in seconds
   * (docs/scaling.md, "Sizing the in-memory store").
   * @default 100000
   */
  readonly maxEntries?: number;
  /**
   * The clock, in epoch milliseconds (for tests).
   * @default Date.now
   */
  readonly now?: () => number;
}

/**
 * Default {@link MemoryDedupStoreOptions.maxEntries}: 100,000 keys, which cover about 28 s of a
 * 3,500 events/s peak and take some 15 to 20 MB when full (memory is only used by keys inside their TTL).
 */
export const DEFAULT_DEDUP_MAX_ENTRIES = 100_000;

/**
 * The in-memory {@link DedupStore} of {@link createMemoryDedupStore}, with its fill level.
 */
export interface MemoryDedupStore extends DedupStore {
  /** Keys held now (some may be past their TTL, not yet swept). */
  readonly size: number;
  /** The capacity it was made with. */
  readonly maxEntries: number;
  /**
   * Keys dropped while still inside their TTL because `maxEntries` keys were held: a copy of such an
   * event arriving later is not recognised. Zero when the store is sized for its traffic.
   */
  readonly evictedEarly: number;
}

/**
 * Stores made by {@link createMemoryDedupStore}: the webhook handler calls them without a timer, since
 * they answer at once. A brand no other object can claim (a `Symbol.toStringTag` could be copied).
 */
const memoryStores: WeakSet<object> = /* @__PURE__ */ new WeakSet();

/** @internal Whether `store` was made by {@link createMemoryDedupStore}. Never throws. */
export function isMemoryDedupStore(store: unknown): boolean {
  return memoryStores.has(store as object); // false for anything else, primitives included
}

/**
 * Keys in insertion order, which is expiry order while every key gets the same TTL (a deduplicator
 * always passes its own): a key seen again keeps its place, since seeing it does not extend its life.
 * Expired keys are swept from the front, and when the store is full of live keys the one dropped is
 * the one closest to expiry.
 *
 * The store can be shared by deduplicators with different TTLs (and `setIfAbsent` takes any TTL), so a
 * key may expire before keys inserted ahead of it. Such a key ("out of order": it expires before the
 * latest expiry inserted so far) is also kept in a min-heap by expiry. Every key that expires behind a
 * live one is out of order, so the front sweep plus the heap find every expired key, and the smaller of
 * the front and the heap's top is the live key closest to expiry. With one TTL the heap stays empty.
 * Heap entries of keys deleted or stored again are skipped when they surface, and dropped in one pass
 * when they outnumber the keys held.
 */
class MemoryStore implements MemoryDedupStore {
  /** Key -> expiry (epoch ms), in insertion order. */
  readonly #entries = new Map<string, number>();
  /** The out-of-order keys: a binary min-heap by expiry, in two parallel arrays. */
  readonly #heapAt: number[] = [];
  readonly #heapKey: string[] = [];
  /** The latest expiry inserted so far. */
  #latest = Number.NEGATIVE_INFINITY;
  readonly #maxEntries: number;
  readonly #now: () => number;
  #evictedEarly = 0;

  constructor(maxEntries: number, now: () => number) {
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get maxEntries(): number {
    return this.#maxEntries;
  }

  get evictedEarly(): number {
    return this.#evictedEarly;
  }

  setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const entries = this.#entries;
    const expiresAt = entries.get(key);
    if (expiresAt !== undefined) {
      if (expiresAt > now) return Promise.resolve(false);
      entries.delete(key);
    }
    // Sweep expired keys from the front, then from the heap (each key is swept once: constant time,
    // or logarithmic for out-of-order keys, per claim on average).
    for (const [oldest, at] of entries) {
      if (at > now) break;
      entries.delete(oldest);
    }
    while (this.#heapAt.length > 0 && (this.#heapAt[0] as number) <= now) this.#pop(true);
    // Only while still full: drop the live key closest to expiry, and count it.
    while (entries.size >= this.#maxEntries) {
      while (this.#heapAt.length > 0 && !this.#current(0)) this.#pop(false);
      const front = entries.entries().next();
      if (front.done === true) break;
      if (this.#heapAt.length > 0 && (this.#heapAt[0] as number) < front.value[1]) this.#pop(true);
      else entries.delete(front.value[0]);
      this.#evictedEarly++;
    }
    const at = now + ttlMs;
    entries.set(key, at);
    if (at < this.#latest) this.#push(at, key);
    else this.#latest = at;
    if (this.#heapAt.length > 2 * entries.size + 64) this.#compact();
    return Promise.resolve(true);
  }

  delete(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  get [Symbol.toStringTag](): string {
    return 'MemoryDedupStore';
  }

  /** Whether heap entry `i` still describes a key held (not deleted, not stored again since). */
  #current(i: number): boolean {
    return this.#entries.get(this.#heapKey[i] as string) === this.#heapAt[i];
  }

  /** Removes the heap's top; with `drop`, also its key when the entry is current. */
  #pop(drop: boolean): void {
    const at = this.#heapAt;
    const keys = this.#heapKey;
    if (drop && this.#current(0)) this.#entries.delete(keys[0] as string);
    const lastAt = at.pop() as number;
    const lastKey = keys.pop() as string;
    const n = at.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && (at[child + 1] as number) < (at[child] as number)) child++;
      if ((at[child] as number) >= lastAt) break;
      at[i] = at[child] as number;
      keys[i] = keys[child] as string;
      i = child;
    }
    at[i] = lastAt;
    keys[i] = lastKey;
  }

  #push(expiresAt: number, key: string): void {
    const at = this.#heapAt;
    const keys = this.#heapKey;
    let i = at.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((at[parent] as number) <= expiresAt) break;
      at[i] = at[parent] as number;
      keys[i] = keys[parent] as string;
      i = parent;
    }
    at[i] = expiresAt;
    keys[i] = key;
  }

  /** Rebuilds the heap from its current entries, one per key (after many deletes). */
  #compact(): void {
    const at = this.#heapAt.splice(0);
    const keys = this.#heapKey.splice(0);
    const seen = new Set<string>();
    for (let i = 0; i < at.length; i++) {
      const key = keys[i] as string;
      if (!seen.has(key) && this.#entries.get(key) === at[i]) {
        seen.add(key);
        this.#push(at[i] as number, key);
      }
    }
  }
}

function positiveInteger(value: unknown, name: string, fn: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${fn}(): ${name} must be a positive whole number.`);
  }
  return value;
}

/**
 * Creates the default in-memory {@link DedupStore}: each key kept for its TTL, at most `maxEntries`
 * keys (expired keys go first; a live key dropped early is counted in `evictedEarly`). One process
 * only; for several webhook servers use a shared store such as Redis.
 *
 * @example
 * ```ts
 * const dedup = createDeduplicator({ ttlMs: 3_600_000, store: createMemoryDedupStore({ maxEntries: 50_000 }) });
 * ```
 */
export function createMemoryDedupStore(options: MemoryDedupStoreOptions = {}): MemoryDedupStore {
  const maxEntries = positiveInteger(
    options.maxEntries ?? DEFAULT_DEDUP_MAX_ENTRIES,
    'maxEntries',
    'createMemoryDedupStore',
  );
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new InvalidArgumentError('createMemoryDedupStore(): now must be a function.');
  const store = new MemoryStore(maxEntries, now);
  memoryStores.add(store);
  return store;
}

/** Options of {@link createDeduplicator}. */
export interface DeduplicatorOptions {
  /**
   * How long a key is remembered, in milliseconds. Cover X's retries (minutes to hours) and the
   * replays you run.
   * @example 6 * 60 * 60 * 1000
   */
  readonly ttlMs: number;
  /**
   * Capacity of the default in-memory store; ignored when `store` is given. See
   * {@link MemoryDedupStoreOptions.maxEntries}.
   * @default 100000
   */
  readonly maxEntries?: number;
  /**
   * A shared store (set-if-absent with TTL), for several webhook servers.
   * @default an in-memory store (see {@link createMemoryDedupStore})
   */
  readonly store?: DedupStore;
  /**
   * The clock of the default in-memory store, in epoch milliseconds (for tests).
   * @default Date.now
   */
  readonly now?: () => number;
}

/**
 * What {@link createDeduplicator} returns (and a store's `deduplicator()`, such as the Redis store's).
 * The webhook handler takes only deduplicators made so: they also carry, under a symbol, the in-flight
 * coordination the handler runs; plug a custom store in through `createDeduplicator({ store })`.
 */
export interface Deduplicator {
  /**
   * Claims a key: resolves `true` the first time (handle the event), `false` while the key is
   * remembered (a duplicate: skip it).
   */
  claim(key: string): Promise<boolean>;
  /** Forgets a claimed key, so that X's retry of a failed event is handled again. */
  release(key: string): Promise<void>;
  /**
   * The store and TTL the deduplicator was made with. The webhook handler reads them to coordinate
   * through a store whose claims carry a state (such as `createRedisStore` of
   * `x-account-activity/redis`): a copy reaching another receiver while the first is handled waits for
   * its outcome.
   */
  readonly store?: DedupStore;
  readonly ttlMs?: number;
}

function checkKey(key: unknown, method: string): string {
  if (typeof key !== 'string' || key === '') {
    throw new InvalidArgumentError(`Deduplicator.${method}(): the key must be a non-empty string (see activityKey).`);
  }
  return key;
}

/**
 * Creates a deduplicator. For each event, claim `activityKey(event)`: skip the event when the claim
 * fails; release the key when handling fails, so that X's retry is not dropped as a duplicate.
 *
 * @example
 * ```ts
 * const dedup = createDeduplicator({ ttlMs: 6 * 60 * 60 * 1000 });
 * for (const event of parseActivity(body)) {
 *   const key = activityKey(event);
 *   if (!(await dedup.claim(key))) continue; // duplicate
 *   try {
 *     await handle(event);
 *   } catch (error) {
 *     await dedup.release(key);
 *     throw error;
 *   }
 * }
 * ```
 */
export function createDeduplicator(options: DeduplicatorOptions): Deduplicator {
  const ttlMs = positiveInteger(options?.ttlMs, 'ttlMs', 'createDeduplicator');
  const store =
    options.store ??
    createMemoryDedupStore({
      ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  if (typeof store.setIfAbsent !== 'function' || typeof store.delete !== 'function') {
    throw new InvalidArgumentError('createDeduplicator(): store must have setIfAbsent(key, ttlMs) and delete(key).');
  }
  return withCoordinator({
    store,
    ttlMs,
    claim: async (key) => {
      const claimed: unknown = await store.setIfAbsent(checkKey(key, 'claim'), ttlMs);
      // A store that forgets its `return` would otherwise drop every event as a duplicate.
      if (typeof claimed !== 'boolean') {
        throw new InvalidArgumentError(
          `The dedup store's setIfAbsent() resolved ${claimed === null ? 'null' : typeof claimed}, not a boolean: does it return its answer?`,
        );
      }
      return claimed;
    },
    release: async (key) => store.delete(checkKey(key, 'release')),
  });
}

/** The handler's coordination with a deduplicator: events keyed by {@link activityKey}. */
const coordinator: CoordinatorFactory = (deduplicator, waitMs, storeMs, logger) => ({
  key: activityKey,
  claims: new InFlightClaims(deduplicator, waitMs, storeMs, logger, isMemoryDedupStore(deduplicator.store)),
});

/**
 * @internal Makes `deduplicator` one the webhook handler accepts (see `COORDINATOR` in
 * webhooks/in-flight.ts): what `createDeduplicator` returns, and a store's own `deduplicator()`.
 */
export function withCoordinator<D extends Deduplicator>(deduplicator: D): D {
  return Object.assign(deduplicator, { [COORDINATOR]: coordinator });
}
