// Several receivers for real: 3 receiver processes (createWebhookHandler + toNodeListener +
// createRedisStore, two on ioredis and one on node-redis) share one real redis-server behind a
// round-robin loopback proxy. Signed deliveries at 64 in flight, 20% copies (half racing their original
// across processes), 5% transient listener failures retried as X does, slow listeners: every distinct
// event is handled exactly once across the three. Then with Redis restarted mid-run: nothing lost
// (duplicates allowed, counted). `npm run soak` runs the same with 20,000 deliveries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RedisServer,
  announceRedisSkip,
  redisAvailable,
  redisSkipReason,
  startRedisServer,
} from '../helpers/redis-server.js';
import {
  type LoopbackProxy,
  type Receiver,
  reportOf,
  runLoad,
  startProxy,
  startReceiver,
  stopReceiver,
  tally,
} from '../soak/cluster.js';

const SECRET = 'several-receivers-secret';
const DELIVERIES = 2_000;

announceRedisSkip('Several receivers test (test/integration/redis-receivers.test.ts)');

describe.skipIf(!redisAvailable)(
  `3 receivers sharing one real Redis behind a round-robin proxy${redisSkipReason}`,
  () => {
    let redis: RedisServer;
    let receivers: Receiver[] = [];
    let proxy: LoopbackProxy | undefined;

    beforeAll(async () => {
      redis = await startRedisServer();
      receivers = await Promise.all(
        (['ioredis', 'node-redis', 'ioredis'] as const).map((redisClient) =>
          startReceiver({
            secret: SECRET,
            store: 'redis',
            redisUrl: redis.url,
            redisClient,
            slowMs: 10,
            failRate: 0.05,
          }),
        ),
      );
      proxy = await startProxy(receivers.map((r) => r.port));
    }, 60_000);

    afterAll(async () => {
      await proxy?.close();
      await Promise.all(receivers.map(stopReceiver));
      await redis?.stop();
    });

    it(`handles every distinct event exactly once across the three (${DELIVERIES} deliveries, 64 in flight, 20% copies, 5% failures)`, async () => {
      const load = await runLoad({
        port: (proxy as LoopbackProxy).port,
        secret: SECRET,
        deliveries: DELIVERIES,
        firstEvent: 1,
      });
      const reports = await Promise.all(receivers.map(reportOf));
      const { lost, doubled } = tally(load.events, reports);
      expect(load.gaveUp).toBe(0);
      expect(load.racing).toBeGreaterThan(0);
      expect(load.statuses['500'] ?? 0).toBeGreaterThan(0); // listener failures happened and were retried
      expect({ lost, doubled }).toEqual({ lost: 0, doubled: 0 });
      // every receiver took part, and copies were dropped as duplicates
      for (const report of reports) expect(report.stats['dispatched']).toBeGreaterThan(0);
      expect(reports.reduce((sum, r) => sum + (r.stats['duplicates'] ?? 0), 0)).toBeGreaterThan(0);
    }, 60_000);

    it('loses nothing when Redis is restarted mid-run (duplicates allowed, counted)', async () => {
      const load = await runLoad({
        port: (proxy as LoopbackProxy).port,
        secret: SECRET,
        deliveries: DELIVERIES,
        firstEvent: 1_000_000,
        midway: { at: 0.4, run: () => redis.restart() },
      });
      const reports = await Promise.all(receivers.map(reportOf));
      const { lost, doubled, extra } = tally(load.events, reports);
      expect(load.gaveUp).toBe(0);
      expect(lost).toBe(0);
      expect(doubled).toBeLessThanOrEqual(load.distinct);
      console.log(
        `Redis restarted mid-run: ${load.distinct} events, ${load.deliveries} deliveries, lost ${lost}, handled twice or more ${doubled} (${extra} extra handlings)`,
      );
    }, 60_000);
  },
);
