/**
 * Hand every event to a queue, so that your webhook answers X at once and your slow work never
 * exceeds X's answer limit (3 s for POSTs under the enterprise retry rules).
 *
 * The webhook verifies and parses each delivery, drops copies with the Redis store (shared by every
 * receiver), and adds one BullMQ job per event on the same Redis, with a job id derived from the
 * event's identity (a second copy that slips through adds nothing). A worker, in this process or any
 * other, does the slow work with its own retries; X never waits for it.
 *
 * Run it (Debian: `apt-get install -y redis-server`, then `redis-server`):
 *
 *   REDIS_URL=redis://127.0.0.1:6379 X_CONSUMER_SECRET=... npx tsx examples/queue/queue.ts
 */
import { createHash } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type AccountActivityEvent, activityKey, createWebhookHandler } from 'x-account-activity';
import { toNodeListener } from 'x-account-activity/node';
import { createRedisStore } from 'x-account-activity/redis';

/** What a job carries: the event as JSON (dates become ISO strings), and its identity. */
export interface EventJob {
  readonly key: string;
  readonly type: AccountActivityEvent['type'];
  readonly event: unknown;
}

export interface QueueAppOptions {
  readonly redisUrl: string;
  readonly consumerSecret: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 'x-events' */
  readonly queueName?: string;
  /** The slow work, run by the worker for each event. */
  readonly work: (job: EventJob) => Promise<void>;
  /** @default 4 */
  readonly concurrency?: number;
}

export interface QueueApp {
  readonly url: string;
  readonly queue: Queue<EventJob>;
  close(): Promise<void>;
}

/** The job id of an event: a hash of its identity (BullMQ ignores a job whose id it already holds). */
export const jobIdOf = (key: string): string => createHash('sha256').update(key).digest('hex');

export async function startQueueApp(options: QueueAppOptions): Promise<QueueApp> {
  const queueName = options.queueName ?? 'x-events';
  // One connection for the dedup store and the queue; BullMQ's worker blocks, so it gets its own.
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const workerRedis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  // Both reconnect by themselves; log these in your app.
  redis.on('error', () => undefined);
  workerRedis.on('error', () => undefined);
  const queue = new Queue<EventJob>(queueName, { connection: redis });

  const handler = createWebhookHandler({
    consumerSecret: options.consumerSecret,
    deduplicator: createRedisStore(redis, { prefix: `${queueName}:dedup:` }).deduplicator({ ttlMs: 24 * 3600_000 }),
    // Enqueueing takes milliseconds; a copy never needs to wait long for it.
    inFlightWaitMs: 2_000,
  });
  // The listener only enqueues: if Redis refuses the job, the listener throws, the delivery is
  // answered 500 and X retries it. Nothing is lost, and X is answered within milliseconds.
  handler.onAny(async (event) => {
    const key = activityKey(event);
    const job: EventJob = { key, type: event.type, event: JSON.parse(JSON.stringify(event)) };
    await queue.add(event.type, job, {
      jobId: jobIdOf(key),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  });

  const worker = new Worker<EventJob>(queueName, (job: Job<EventJob>) => options.work(job.data), {
    connection: workerRedis,
    concurrency: options.concurrency ?? 4,
  });
  worker.on('error', () => undefined); // reconnects by itself; log it in your app

  const server: Server = createServer(toNodeListener(handler, { bodyTimeoutMs: 2_000 }));
  // Slow clients must not hold connections past X's answer limit.
  server.requestTimeout = 5_000;
  server.headersTimeout = 3_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/webhook`,
    queue,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.close();
      await queue.close();
      await Promise.all([redis.quit(), workerRedis.quit()]);
    },
  };
}

// Run from the command line: a real X webhook on PORT (default 3000) that queues every event.
if (import.meta.url === `file://${process.argv[1]}`) {
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const consumerSecret = process.env['X_CONSUMER_SECRET'];
  if (!consumerSecret) {
    console.error("Set X_CONSUMER_SECRET (your app's API secret key) and REDIS_URL.");
    process.exit(1);
  }
  const app = await startQueueApp({
    redisUrl,
    consumerSecret,
    port: Number(process.env['PORT'] ?? 3000),
    host: process.env['HOST'] ?? '0.0.0.0',
    work: async (job) => {
      console.log(`working on ${job.type} ${job.key}`);
    },
  });
  console.log(`webhook on ${app.url}, jobs in BullMQ queue "${app.queue.name}" on ${redisUrl}`);
}
