// `npm run soak`: the several-receivers load at full size, and the same load on one process with the
// in-memory store. Prints throughput, p50/p99, lost, doubled and RSS for each run.
//
//   npm run soak                      # 20,000 deliveries per run
//   SOAK_DELIVERIES=5000 npm run soak # smaller
import { startRedisServer } from '../helpers/redis-server.js';
import { type Receiver, reportOf, runLoad, startProxy, startReceiver, stopReceiver, tally } from './cluster.js';

const SECRET = 'soak-secret';
const DELIVERIES = Number(process.env['SOAK_DELIVERIES'] ?? 20_000);
const MB = 1024 * 1024;

interface Run {
  readonly name: string;
  readonly receivers: number;
  readonly store: 'redis' | 'memory';
  readonly restartRedis?: boolean;
}

const RUNS: Run[] = [
  { name: '1 process, in-memory store', receivers: 1, store: 'memory' },
  { name: '3 processes, Redis store', receivers: 3, store: 'redis' },
  { name: '3 processes, Redis store, Redis restarted mid-run', receivers: 3, store: 'redis', restartRedis: true },
];

const redis = await startRedisServer();
let failed = false;
try {
  for (const [index, run] of RUNS.entries()) {
    const clients = ['ioredis', 'node-redis', 'ioredis'] as const;
    const receivers: Receiver[] = await Promise.all(
      Array.from({ length: run.receivers }, (_, i) =>
        startReceiver({
          secret: SECRET,
          store: run.store,
          redisUrl: redis.url,
          redisClient: clients[i % clients.length] ?? 'ioredis',
          prefix: `soak:${index}:`,
          slowMs: 10,
          failRate: 0.05,
        }),
      ),
    );
    const proxy = await startProxy(receivers.map((r) => r.port));
    try {
      const load = await runLoad({
        port: proxy.port,
        secret: SECRET,
        deliveries: DELIVERIES,
        ...(run.restartRedis ? { midway: { at: 0.5, run: () => redis.restart() } } : {}),
      });
      const reports = await Promise.all(receivers.map(reportOf));
      const { lost, doubled, extra } = tally(load.events, reports);
      const rss = reports.map((r) => `${Math.round(r.rss / MB)}`).join('/');
      console.log(
        [
          `${run.name}:`,
          `  ${load.deliveries} deliveries (${load.distinct} events, ${load.copies} copies of which ${load.racing} racing), 64 in flight, 5% listener failures`,
          `  ${load.attempts} HTTP attempts, answers ${JSON.stringify(load.statuses)}`,
          `  ${Math.round((load.deliveries / load.elapsedMs) * 1000)} deliveries/s, ${(load.elapsedMs / 1000).toFixed(1)} s; p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms (first attempt to final 200)`,
          `  lost ${lost}, doubled ${doubled} (${extra} extra handlings), gave up ${load.gaveUp}`,
          `  RSS receivers ${rss} MB, deliverer ${Math.round(process.memoryUsage().rss / MB)} MB`,
        ].join('\n'),
      );
      if (lost > 0 || load.gaveUp > 0 || (!run.restartRedis && doubled > 0)) failed = true;
    } finally {
      await proxy.close();
      await Promise.all(receivers.map(stopReceiver));
    }
  }
} finally {
  await redis.stop();
}
if (failed) {
  console.error('soak: FAILED (lost events, or doubled ones without a Redis restart)');
  process.exit(1);
}
process.exit(0);
