// examples/queue, for real: the webhook and a BullMQ worker on a real redis-server. Signed deliveries
// are answered at once although the work takes far longer than X's answer limit; every event is
// worked on once, copies included; a job that fails is retried by the queue, not by X.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RedisServer,
  announceRedisSkip,
  redisAvailable,
  redisSkipReason,
  startRedisServer,
} from '../../test/helpers/redis-server.js';
import { type EventJob, type QueueApp, startQueueApp } from './queue.js';

const SECRET = 'queue-example-secret';
const FAVORITE = readFileSync(new URL('../../test/fixtures/events/favorite-of-user.json', import.meta.url), 'utf8');
const delivery = (n: number): { body: string; headers: Record<string, string> } => {
  const body = FAVORITE.replace('a7ba59eab0bfcba386f7acedac279542', n.toString(16).padStart(32, '0'));
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}`;
  return { body, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature } };
};

announceRedisSkip('Queue example test (examples/queue/queue.test.ts)');

describe.skipIf(!redisAvailable)(`examples/queue: BullMQ on the same Redis${redisSkipReason}`, () => {
  let redis: RedisServer;
  let app: QueueApp | undefined;
  const worked: string[] = [];
  let failOnce = true;
  // The work waits until the test opens the gate: every answer below comes while no job can finish.
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (openGate = resolve));

  beforeAll(async () => {
    redis = await startRedisServer();
    app = await startQueueApp({
      redisUrl: redis.url,
      consumerSecret: SECRET,
      queueName: 'queue-example',
      work: async (job: EventJob) => {
        await gate; // as slow as it likes: X is not waiting for it
        if (failOnce && job.key.endsWith('3')) {
          failOnce = false;
          throw new Error('transient failure in the work');
        }
        worked.push(job.key);
      },
      concurrency: 8,
    });
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('answers each delivery without waiting for the work, and works on every event once', async () => {
    const url = (app as QueueApp).url;
    const answers = await Promise.all(
      [1, 2, 3, 4, 5, 1, 2].map(async (n) => {
        const { body, headers } = delivery(n);
        return (await fetch(url, { method: 'POST', headers, body })).status;
      }),
    );
    expect(answers).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(worked).toEqual([]); // answered while no job had finished
    // A copy arriving later is dropped by the Redis store.
    const again = delivery(4);
    expect((await fetch(url, { method: 'POST', headers: again.headers, body: again.body })).status).toBe(200);
    openGate();

    const deadline = Date.now() + 15_000;
    while (worked.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(worked.map((key) => key.split('|')[2]).sort()).toEqual(
      [1, 2, 3, 4, 5].map((n) => n.toString(16).padStart(32, '0')),
    );
    expect(failOnce).toBe(false); // the failed job was retried by the queue
    const counts = await (app as QueueApp).queue.getJobCounts('completed', 'failed');
    expect(counts).toMatchObject({ completed: 5, failed: 0 });
  }, 30_000);
});
