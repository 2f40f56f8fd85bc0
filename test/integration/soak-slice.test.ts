// The one-process run of `npm run soak`, small: a receiver process (createWebhookHandler +
// toNodeListener, in-memory dedup store, slow listeners failing 5% of the time) takes 1,000 signed
// deliveries at 64 in flight, 20% of them copies (half racing their original), retried as X retries:
// every distinct event is handled exactly once, none lost. The Redis runs have their slice in
// redis-receivers.test.ts; `npm run soak` runs all three at 20,000 deliveries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, reportOf, runLoad, startReceiver, stopReceiver, tally } from '../soak/cluster.js';

const SECRET = 'soak-slice-secret';
const DELIVERIES = 1_000;

describe('soak slice: one receiver process, in-memory store', () => {
  let receiver: Receiver | undefined;

  beforeAll(async () => {
    receiver = await startReceiver({ secret: SECRET, store: 'memory', slowMs: 10, failRate: 0.05 });
  }, 30_000);

  afterAll(async () => {
    if (receiver) await stopReceiver(receiver);
  });

  it(`handles each of ${DELIVERIES} deliveries' events exactly once (64 in flight, 20% copies, 5% failures)`, async () => {
    const load = await runLoad({ port: (receiver as Receiver).port, secret: SECRET, deliveries: DELIVERIES });
    const report = await reportOf(receiver as Receiver);
    const { lost, doubled } = tally(load.events, [report]);
    expect(load.gaveUp).toBe(0);
    expect(load.copies).toBeGreaterThan(0);
    expect(load.racing).toBeGreaterThan(0);
    expect(load.statuses['500'] ?? 0).toBeGreaterThan(0); // listener failures happened and were retried
    expect({ lost, doubled }).toEqual({ lost: 0, doubled: 0 });
    expect(report.stats['duplicates']).toBeGreaterThan(0);
    expect(report.stats['dedupEvictedEarly']).toBe(0);
  }, 60_000);
});
