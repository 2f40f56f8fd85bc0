// The Redis store against a real redis-server (Debian's package), with both clients people use:
// node-redis 5 and ioredis 5. Claims and their states, TTLs and leases, waits for a copy in flight in
// another handler instance, release on failure, and 503 after inFlightWaitMs.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/adapters/redis.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { createDeduplicator } from '../../src/events/dedup.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';
import { eventId, signedFavorite } from '../helpers/deliveries.js';
import {
  INSTALL_HINT,
  announceRedisSkip,
  type RedisServer,
  redisAvailable,
  redisRequired,
  redisSkipReason,
  startRedisServer,
} from '../helpers/redis-server.js';

const SECRET = 'redis-store-secret';
const FOR_USER = '2244994945';
const keyOf = (n: number): string => `${FOR_USER}|favorite|${eventId(n)}`;

interface Connected {
  readonly client: Parameters<typeof createRedisStore>[0];
  readonly raw: (args: string[]) => Promise<unknown>;
  close(): Promise<unknown>;
}

const CLIENTS: { name: string; connect(url: string): Promise<Connected> }[] = [
  {
    name: 'node-redis 5',
    async connect(url) {
      const client = createClient({ url });
      client.on('error', () => undefined);
      await client.connect();
      return { client, raw: (args) => client.sendCommand(args), close: () => client.close() };
    },
  },
  {
    name: 'ioredis 5',
    async connect(url) {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
      client.on('error', () => undefined);
      await client.connect();
      return { client, raw: (args) => client.call(args[0] as string, ...args.slice(1)), close: () => client.quit() };
    },
  },
];

announceRedisSkip('Redis store tests (test/integration/redis-store.test.ts)');

describe.runIf(redisRequired && !redisAvailable)('redis-server under CI=true', () => {
  it('is installed', () => {
    throw new Error(`CI=true but redis-server is not installed: run \`${INSTALL_HINT}\` (.ci/run does).`);
  });
});

describe('createRedisStore() arguments', () => {
  it('refuses a value that is not a Redis client, naming the clients it takes', () => {
    expect(() => createRedisStore({} as never)).toThrow(InvalidArgumentError);
    expect(() => createRedisStore({} as never)).toThrow(/node-redis 4 or 5 .* ioredis/);
    expect(() => createRedisStore({ call: async () => null }, { leaseMs: 0 })).toThrow(/leaseMs/);
  });
});

describe.skipIf(!redisAvailable)(`Redis store on a real redis-server${redisSkipReason}`, () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe.each(CLIENTS)('with $name', ({ name, connect }) => {
    const open: Connected[] = [];
    const connected = async (): Promise<Connected> => {
      const c = await connect(server.url);
      open.push(c);
      return c;
    };
    afterAll(async () => {
      await Promise.all(open.map((c) => c.close().catch(() => undefined)));
    });
    let base = 0;
    const fresh = (): number => {
      base += 1;
      return base + (name.startsWith('io') ? 1_000_000 : 0);
    };

    it('claims: claimed, then in-progress elsewhere, then done everywhere; TTLs of lease and done', async () => {
      const [a, b] = [await connected(), await connected()];
      const prefix = `t:${name}:claims:`;
      const one = createRedisStore(a.client, { prefix, leaseMs: 5_000 });
      const two = createRedisStore(b.client, { prefix, leaseMs: 5_000 });
      const key = keyOf(fresh());
      expect(await one.claim(key, { ttlMs: 60_000 })).toBe('claimed');
      expect(await two.claim(key, { ttlMs: 60_000 })).toBe('in-progress');
      expect(String(await a.raw(['GET', prefix + key]))).toMatch(/^p:/);
      const lease = Number(await a.raw(['PTTL', prefix + key]));
      expect(lease).toBeGreaterThan(4_000);
      expect(lease).toBeLessThanOrEqual(5_000);
      await one.complete(key, 60_000);
      expect(await two.claim(key, { ttlMs: 60_000 })).toBe('done');
      expect(await one.claim(key, { ttlMs: 60_000 })).toBe('done');
      expect(String(await a.raw(['GET', prefix + key]))).toBe('d');
      const ttl = Number(await a.raw(['PTTL', prefix + key]));
      expect(ttl).toBeGreaterThan(59_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });

    it("renews the lease while the event is handled, and frees a dead owner's claim when its lease runs out", async () => {
      const c = await connected();
      const prefix = `t:${name}:lease:`;
      const store = createRedisStore(c.client, { prefix, leaseMs: 300 });
      const other = createRedisStore(c.client, { prefix, leaseMs: 300 });
      const held = keyOf(fresh());
      expect(await store.claim(held, { ttlMs: 60_000 })).toBe('claimed');
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(await other.claim(held, { ttlMs: 60_000 })).toBe('in-progress');
      await store.complete(held, 60_000);
      // A receiver that died holding a claim: nobody renews it.
      const dead = keyOf(fresh());
      await c.raw(['SET', prefix + dead, 'p:dead-receiver:1', 'PX', '200']);
      expect(await other.claim(dead, { ttlMs: 60_000 })).toBe('in-progress');
      expect(await other.wait(dead, 2_000)).toBe('released');
      expect(await other.claim(dead, { ttlMs: 60_000 })).toBe('claimed');
      await other.complete(dead, 60_000);
    });

    it("waits for another owner's outcome: done, released, or timeout; release deletes only its own claim", async () => {
      const [a, b] = [await connected(), await connected()];
      const prefix = `t:${name}:wait:`;
      const one = createRedisStore(a.client, { prefix });
      const two = createRedisStore(b.client, { prefix });
      const ok = keyOf(fresh());
      expect(await one.claim(ok, { ttlMs: 60_000 })).toBe('claimed');
      setTimeout(() => void one.complete(ok, 60_000), 100);
      expect(await two.wait(ok, 2_000)).toBe('done');

      const failed = keyOf(fresh());
      expect(await one.claim(failed, { ttlMs: 60_000 })).toBe('claimed');
      setTimeout(() => void one.release(failed), 100);
      expect(await two.wait(failed, 2_000)).toBe('released');
      expect(await two.claim(failed, { ttlMs: 60_000 })).toBe('claimed');
      // one's claim is gone: its late release must not delete two's claim
      await one.release(failed);
      expect(String(await a.raw(['GET', prefix + failed]))).toMatch(/^p:/);
      await two.complete(failed, 60_000);

      const slow = keyOf(fresh());
      expect(await one.claim(slow, { ttlMs: 60_000 })).toBe('claimed');
      const started = Date.now();
      expect(await two.wait(slow, 150)).toBe('timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      await one.complete(slow, 60_000);
    });

    it('is a plain DedupStore too (setIfAbsent with TTL, delete) for createDeduplicator', async () => {
      const c = await connected();
      const prefix = `t:${name}:plain:`;
      const dedup = createDeduplicator({ ttlMs: 1_000, store: createRedisStore(c.client, { prefix }) });
      const key = keyOf(fresh());
      expect(await dedup.claim(key)).toBe(true);
      expect(await dedup.claim(key)).toBe(false);
      const ttl = Number(await c.raw(['PTTL', prefix + key]));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1_000);
      await dedup.release(key);
      expect(await dedup.claim(key)).toBe(true);
    });

    describe('two handler instances sharing the store (two receivers)', () => {
      const receivers = async (options: { inFlightWaitMs?: number; listener: (receiver: number) => Promise<void> }) => {
        const prefix = `t:${name}:handlers:${fresh()}:`;
        const made = [];
        for (const receiver of [1, 2]) {
          const c = await connected();
          const handler = createWebhookHandler({
            consumerSecret: SECRET,
            // Both ways of building it coordinate: the store's own shortcut, and createDeduplicator.
            deduplicator:
              receiver === 1
                ? createRedisStore(c.client, { prefix }).deduplicator({ ttlMs: 60_000 })
                : createDeduplicator({ ttlMs: 60_000, store: createRedisStore(c.client, { prefix }) }),
            ...(options.inFlightWaitMs === undefined ? {} : { inFlightWaitMs: options.inFlightWaitMs }),
          });
          handler.on('favorite', () => options.listener(receiver));
          made.push(handler);
        }
        return made as [ReturnType<typeof createWebhookHandler>, ReturnType<typeof createWebhookHandler>];
      };
      const post = (n: number) => {
        const { body, headers } = signedFavorite(n, SECRET);
        return { method: 'POST', url: '/webhook', headers, body };
      };
      const later = <T>(ms: number, fn: () => Promise<T>): Promise<T> =>
        new Promise((resolve, reject) => setTimeout(() => fn().then(resolve, reject), ms));

      it('a copy reaching the other receiver while the first is handled waits, then is a duplicate', async () => {
        const handled: number[] = [];
        const [one, two] = await receivers({
          listener: async (receiver) => {
            await new Promise((resolve) => setTimeout(resolve, 300));
            handled.push(receiver);
          },
        });
        const n = fresh();
        const started = Date.now();
        const [first, copy] = await Promise.all([one.handleRaw(post(n)), later(50, () => two.handleRaw(post(n)))]);
        expect([first.status, copy.status]).toEqual([200, 200]);
        expect(Date.now() - started).toBeGreaterThanOrEqual(290); // the copy waited for the outcome
        expect(handled).toEqual([1]);
        expect(two.stats()).toMatchObject({ dispatched: 0, duplicates: 1 });
        // and later copies anywhere are duplicates at once
        expect((await two.handleRaw(post(n))).status).toBe(200);
        expect(handled).toEqual([1]);
      });

      it('when the first attempt fails, its claim is released and the waiting copy is handled', async () => {
        const handled: number[] = [];
        const [one, two] = await receivers({
          listener: async (receiver) => {
            await new Promise((resolve) => setTimeout(resolve, 200));
            if (receiver === 1) throw new Error('transient failure');
            handled.push(receiver);
          },
        });
        const n = fresh();
        const [first, copy] = await Promise.all([one.handleRaw(post(n)), later(50, () => two.handleRaw(post(n)))]);
        expect([first.status, copy.status]).toEqual([500, 200]);
        expect(handled).toEqual([2]);
        expect((await one.handleRaw(post(n))).status).toBe(200); // X's retry of the 500: done by now
        expect(handled).toEqual([2]);
      });

      it('answers 503 with retry-after when the first is still running after inFlightWaitMs', async () => {
        const handled: number[] = [];
        const [one, two] = await receivers({
          inFlightWaitMs: 150,
          listener: async (receiver) => {
            await new Promise((resolve) => setTimeout(resolve, 1_500));
            handled.push(receiver);
          },
        });
        const n = fresh();
        const started = Date.now();
        const order: string[] = [];
        const [first, copy] = await Promise.all([
          one.handleRaw(post(n)).then((answer) => {
            order.push('first');
            return answer;
          }),
          later(50, async () => {
            const answer = await two.handleRaw(post(n));
            order.push('copy');
            return { answer, at: Date.now() - started };
          }),
        ]);
        expect(first.status).toBe(200);
        expect(copy.answer.status).toBe(503);
        expect(copy.answer.headers['retry-after']).toBe('5');
        expect(copy.at).toBeGreaterThanOrEqual(190); // it waited inFlightWaitMs
        expect(order).toEqual(['copy', 'first']); // at the wait's end, not at the first's
        expect((await two.handleRaw(post(n))).status).toBe(200); // X's retry after the first succeeded
        expect(handled).toEqual([1]);
      });
    });
  });
});
