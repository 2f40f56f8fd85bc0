/**
 * `x-account-activity/redis`: a dedup store and in-flight coordinator shared by several webhook
 * receivers, on the Redis client you already use (node-redis 4 or 5, ioredis 5). No runtime
 * dependency: the client is duck-typed, and each claim is one Lua script run with `EVAL`.
 *
 * Each event key holds one of two states:
 *
 * | value | meaning | expires |
 * |---|---|---|
 * | `p:<owner token>` | being handled by the receiver that holds the token | after `leaseMs`, renewed every `leaseMs / 3` while handled |
 * | `d` | handled | after the deduplicator's `ttlMs` |
 *
 * A copy that finds `p:...` waits (polling with backoff) until the key turns `d` (a duplicate), is
 * deleted (the owner's listeners failed, or the owner died and its lease ran out: claim it again), or
 * the handler's `inFlightWaitMs` is over (503, so that X tries again).
 *
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { withCoordinator } from '../events/dedup.js';
import type {
  ClaimState,
  CoordinatedDedupStore,
  CoordinatedDeduplicator,
  WaitOutcome,
} from '../webhooks/coordination.js';

export type {
  ClaimState,
  CoordinatedDedupStore,
  CoordinatedDeduplicator,
  WaitOutcome,
} from '../webhooks/coordination.js';

/**
 * The client shapes the store accepts: node-redis 4 and 5 (`sendCommand(args)`) and ioredis
 * (`call(command, ...args)`). Cluster clients are not supported.
 */
export type RedisClientLike =
  | { call(command: string, ...args: string[]): Promise<unknown> }
  | { sendCommand(args: string[]): Promise<unknown> };

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * Prepended to every key the store writes.
   * @default 'x-aaa:dedup:'
   */
  readonly prefix?: string;
  /**
   * How long an in-progress claim lives without renewal, in milliseconds. While its listeners run the
   * owner renews it every `leaseMs / 3`; if the owner dies, its events are free again after this long.
   * @default 10000
   */
  readonly leaseMs?: number;
  /**
   * Longest pause between two looks at a key held by another receiver (the first pause is 5 ms, then
   * it doubles up to this).
   * @default 100
   */
  readonly maxPollMs?: number;
  /**
   * A command that has not answered after this long fails, so that an unreachable Redis delays no
   * answer to X beyond it (the handler then dispatches anyway: a duplicate is better than a loss).
   * @default 2000
   */
  readonly commandTimeoutMs?: number;
}

/** What {@link createRedisStore} returns: a {@link CoordinatedDedupStore} on Redis. */
export interface RedisDedupStore extends CoordinatedDedupStore {
  /**
   * A deduplicator for `createWebhookHandler({ deduplicator })` that coordinates in-flight events
   * across every receiver sharing this Redis.
   *
   * @example
   * ```ts
   * const handler = createWebhookHandler({
   *   consumerSecret,
   *   deduplicator: createRedisStore(redis).deduplicator({ ttlMs: 24 * 3600_000 }),
   * });
   * ```
   */
  deduplicator(options: { readonly ttlMs: number }): CoordinatedDeduplicator;
}

/** Default {@link RedisStoreOptions.prefix}. */
export const DEFAULT_REDIS_PREFIX = 'x-aaa:dedup:';
/** Default {@link RedisStoreOptions.leaseMs}. */
export const DEFAULT_REDIS_LEASE_MS = 10_000;

const DONE = 'd';
const FIRST_POLL_MS = 5;

// KEYS[1] the event key; ARGV[1] the owner value 'p:<token>', ARGV[2] the lease in ms.
const CLAIM = `local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
if string.sub(v, 1, 2) == 'p:' then return 'in-progress' end
return 'done'`;

// ARGV[1] the owner value, ARGV[2] the lease in ms: 1 while the claim is still this owner's.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// ARGV[1] the owner value (or ''), ARGV[2] the dedup TTL in ms. Another owner's claim is left alone.
const COMPLETE = `local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2])
  return 1
end
return 0`;

// ARGV[1] the owner value: deletes the key only while it is this owner's claim.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

type Send = (args: readonly string[]) => Promise<unknown>;

function senderOf(redis: unknown): Send {
  if ((typeof redis === 'object' || typeof redis === 'function') && redis !== null) {
    const client = redis as Record<string, unknown>;
    const call = client['call'];
    if (typeof call === 'function') {
      // ioredis: call(command, ...args)
      return (args) => Promise.resolve(call.apply(client, args as string[]));
    }
    const sendCommand = client['sendCommand'];
    if (typeof sendCommand === 'function') {
      // node-redis 4 and 5: sendCommand([command, ...args])
      return (args) => Promise.resolve(sendCommand.call(client, [...args]));
    }
  }
  throw new InvalidArgumentError(
    'createRedisStore(): pass a connected Redis client: node-redis 4 or 5 (createClient() from "redis", with sendCommand) or ioredis (new Redis(), with call).',
  );
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`createRedisStore(): ${name} must be a positive whole number of milliseconds.`);
  }
  return value;
}

function checkKey(key: unknown, method: string): string {
  if (typeof key !== 'string' || key === '') {
    throw new InvalidArgumentError(
      `RedisDedupStore.${method}(): the key must be a non-empty string (see activityKey).`,
    );
  }
  return key;
}

function checkTtl(ttlMs: unknown, method: string): number {
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new InvalidArgumentError(
      `RedisDedupStore.${method}(): ttlMs must be a positive whole number of milliseconds.`,
    );
  }
  return ttlMs;
}

function text(reply: unknown): string | null {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === 'string') return reply;
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
  return String(reply);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let stores = 0;

/** A claim this process holds: its owner value and the timer that renews its lease. */
interface Held {
  readonly owner: string;
  readonly timer: ReturnType<typeof setInterval> | undefined;
}

class RedisStore implements RedisDedupStore {
  readonly #send: Send;
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #maxPollMs: number;
  readonly #timeoutMs: number;
  readonly #id: string;
  #claims = 0;
  readonly #held = new Map<string, Held>();

  constructor(send: Send, prefix: string, leaseMs: number, maxPollMs: number, timeoutMs: number) {
    this.#send = send;
    this.#prefix = prefix;
    this.#leaseMs = leaseMs;
    this.#maxPollMs = maxPollMs;
    this.#timeoutMs = timeoutMs;
    const random = globalThis.crypto?.randomUUID?.() ?? Math.random().toString(36).slice(2);
    this.#id = `${random}-${++stores}`;
  }

  /** One command, failing after commandTimeoutMs. */
  #run(args: readonly string[]): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer ${args[0]} within ${this.#timeoutMs} ms.`)),
        this.#timeoutMs,
      );
    });
    return Promise.race([this.#send(args), late]).finally(() => clearTimeout(timer));
  }

  #eval(script: string, key: string, ...args: string[]): Promise<unknown> {
    return this.#run(['EVAL', script, '1', this.#prefix + key, ...args]);
  }

  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    checkKey(key, 'setIfAbsent');
    const reply = await this.#run([
      'SET',
      this.#prefix + key,
      DONE,
      'NX',
      'PX',
      String(checkTtl(ttlMs, 'setIfAbsent')),
    ]);
    return text(reply) === 'OK';
  }

  async claim(key: string, options: { readonly ttlMs: number }): Promise<ClaimState> {
    checkKey(key, 'claim');
    checkTtl(options?.ttlMs, 'claim');
    this.#drop(key);
    const owner = `p:${this.#id}:${++this.#claims}`;
    let state: string | null;
    try {
      state = text(await this.#eval(CLAIM, key, owner, String(this.#leaseMs)));
    } catch (error) {
      // The claim may still land (a timeout): remember its owner value, so that complete() and
      // release() can still end it, and let its lease run out unrenewed.
      this.#held.set(key, { owner, timer: undefined });
      throw error;
    }
    if (state === 'claimed') {
      const timer = setInterval(() => this.#renew(key, owner), Math.max(1, Math.floor(this.#leaseMs / 3)));
      (timer as { unref?: () => void }).unref?.();
      this.#held.set(key, { owner, timer });
      return 'claimed';
    }
    if (state === 'in-progress' || state === 'done') return state;
    throw new Error(`Redis answered a claim with ${JSON.stringify(state)}.`);
  }

  async complete(key: string, ttlMs: number): Promise<void> {
    checkKey(key, 'complete');
    checkTtl(ttlMs, 'complete');
    const owner = this.#drop(key) ?? '';
    await this.#eval(COMPLETE, key, owner, String(ttlMs));
  }

  async release(key: string): Promise<void> {
    checkKey(key, 'release');
    const owner = this.#drop(key);
    if (owner !== undefined) await this.#eval(RELEASE, key, owner);
  }

  async delete(key: string): Promise<void> {
    checkKey(key, 'delete');
    this.#drop(key);
    await this.#run(['DEL', this.#prefix + key]);
  }

  async wait(key: string, ms: number): Promise<WaitOutcome> {
    checkKey(key, 'wait');
    const deadline = Date.now() + ms;
    let pause = FIRST_POLL_MS;
    for (;;) {
      const value = text(await this.#run(['GET', this.#prefix + key]));
      if (value === null) return 'released';
      if (!value.startsWith('p:')) return 'done';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, this.#maxPollMs);
    }
  }

  deduplicator(options: { readonly ttlMs: number }): CoordinatedDeduplicator {
    const ttlMs = checkTtl(options?.ttlMs, 'deduplicator');
    return withCoordinator({
      claim: (key) => this.setIfAbsent(key, ttlMs),
      release: (key) => this.delete(key),
      store: this,
      ttlMs,
    });
  }

  /** Stops renewing a held claim; its owner value, if this process held it. */
  #drop(key: string): string | undefined {
    const held = this.#held.get(key);
    if (held === undefined) return undefined;
    if (held.timer !== undefined) clearInterval(held.timer);
    this.#held.delete(key);
    return held.owner;
  }

  #renew(key: string, owner: string): void {
    this.#eval(RENEW, key, owner, String(this.#leaseMs)).then(
      (still) => {
        // Lost (the lease ran out before a renewal, e.g. while Redis was away): stop renewing.
        if (Number(still) !== 1 && this.#held.get(key)?.owner === owner) this.#drop(key);
      },
      () => undefined, // Redis unreachable: try again at the next tick, the lease may still hold
    );
  }

  get [Symbol.toStringTag](): string {
    return 'RedisDedupStore';
  }
}

/**
 * Creates a dedup store and in-flight coordinator on Redis, for several webhook receivers behind a
 * load balancer. A copy of an event that reaches one receiver while another is still handling it waits
 * for that outcome (up to the handler's `inFlightWaitMs`, then 503), exactly as copies do inside one
 * process. Works with node-redis 4 and 5 and ioredis; the client stays yours to connect and close.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createWebhookHandler } from 'x-account-activity/webhooks';
 * import { createRedisStore } from 'x-account-activity/redis';
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const handler = createWebhookHandler({
 *   consumerSecret: process.env.X_CONSUMER_SECRET!,
 *   deduplicator: createRedisStore(redis, { prefix: 'my-app:x:' }).deduplicator({ ttlMs: 24 * 3600_000 }),
 * });
 * ```
 */
export function createRedisStore(redis: RedisClientLike, options: RedisStoreOptions = {}): RedisDedupStore {
  const send = senderOf(redis);
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  if (typeof prefix !== 'string') throw new InvalidArgumentError('createRedisStore(): prefix must be a string.');
  const leaseMs = positiveInteger(options.leaseMs ?? DEFAULT_REDIS_LEASE_MS, 'leaseMs');
  const maxPollMs = positiveInteger(options.maxPollMs ?? 100, 'maxPollMs');
  const timeoutMs = positiveInteger(options.commandTimeoutMs ?? 2_000, 'commandTimeoutMs');
  return new RedisStore(send, prefix, leaseMs, maxPollMs, timeoutMs);
}
