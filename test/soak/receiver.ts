// One webhook receiver process for the several-receivers test and the soak: createWebhookHandler +
// toNodeListener on 127.0.0.1, port 0, with the Redis store (or the in-memory one). Its listener is
// slow (0..SLOW_MS ms) and fails transiently (FAIL_RATE), like a real one. It tells its parent its port
// over IPC, and on request the events it handled (only successful handlings count) and its RSS.
//
// Environment: SECRET, STORE ('redis' | 'memory'), REDIS_URL, REDIS_CLIENT ('ioredis' | 'node-redis'),
// PREFIX, SLOW_MS, FAIL_RATE.
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { toNodeListener } from '../../src/adapters/node.js';
import { type RedisClientLike, createRedisStore } from '../../src/adapters/redis.js';
import { createDeduplicator } from '../../src/events/dedup.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`receiver: ${name} is required`);
  return value;
};

const secret = env('SECRET');
const slowMs = Number(env('SLOW_MS', '10'));
const failRate = Number(env('FAIL_RATE', '0.05'));
const ttlMs = 3_600_000;

async function deduplicator() {
  if (env('STORE', 'redis') === 'memory') return createDeduplicator({ ttlMs, maxEntries: 1_000_000 });
  const url = env('REDIS_URL');
  let redis: RedisClientLike;
  if (env('REDIS_CLIENT', 'ioredis') === 'node-redis') {
    const client = createClient({ url, socket: { reconnectStrategy: () => 50 } });
    client.on('error', () => undefined);
    await client.connect();
    redis = client;
  } else {
    const client = new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: 2 });
    client.on('error', () => undefined);
    redis = client;
  }
  return createRedisStore(redis, { prefix: env('PREFIX', 'soak:') }).deduplicator({ ttlMs });
}

const handled = new Map<number, number>();
const handler = createWebhookHandler({ consumerSecret: secret, deduplicator: await deduplicator() });
handler.on('favorite', async (event) => {
  if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * slowMs));
  if (Math.random() < failRate) throw new Error('transient listener failure');
  const n = Number.parseInt(event.id, 16);
  handled.set(n, (handled.get(n) ?? 0) + 1);
});

const server = createServer(toNodeListener(handler));
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0 });
});

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'report') {
    process.send?.({
      type: 'report',
      handled: [...handled.entries()],
      rss: process.memoryUsage().rss,
      stats: handler.stats(),
    });
  }
});
process.on('disconnect', () => process.exit(0));
