// A dedup store that never answers (a lost connection without a timeout) must not hold deliveries, and
// their memory, for good: each store call is bounded by storeTimeoutMs, after which it is a store
// failure like any other (the event is dispatched: a duplicate is better than a loss). Found by
// `npm run fuzz`, where such a store held every delivery whose claim reached it. With the default
// options the answer must come well within X's 10 s: each call was first bounded by inFlightWaitMs
// (then 10 s), so a hung store was answered after 10 s or more, counted a failure by X and retried
// into the same hang.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DedupStore, createDeduplicator } from '../../src/events/dedup.js';
import type { CoordinatedDedupStore } from '../../src/webhooks/coordination.js';
import {
  type RawWebhookResponse,
  type WebhookHandler,
  type WebhookHandlerOptions,
  createWebhookHandler,
} from '../../src/webhooks/handler.js';

const SECRET = 'store-timeout-secret';
const BODY = JSON.stringify({
  for_user_id: '2244994945',
  favorite_events: [{ id: 'like-1', created_at: 'Mon Mar 26 16:33:26 +0000 2018', timestamp_ms: 1522082006140 }],
});
const HEADERS = {
  'x-twitter-webhooks-signature': `sha256=${createHmac('sha256', SECRET).update(BODY).digest('base64')}`,
};
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** The answer, or 'held' when there is none within 2 s (the bound under test is 50 ms). */
async function answer(handler: WebhookHandler): Promise<number | 'held'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const held = new Promise<'held'>((resolve) => {
    timer = setTimeout(() => resolve('held'), 2_000);
  });
  const response = handler.handleRaw({ method: 'POST', url: '/webhook', headers: HEADERS, body: BODY });
  const outcome = await Promise.race([response.then((r) => r.status), held]);
  clearTimeout(timer);
  return outcome;
}

function setup(store: DedupStore, listener: () => void = () => undefined) {
  const warnings: string[] = [];
  const deduplicator = createDeduplicator({ ttlMs: 60_000, store });
  const handler = createWebhookHandler({
    consumerSecret: SECRET,
    inFlightWaitMs: 50,
    storeTimeoutMs: 50,
    deduplicator: { ...deduplicator, store, ttlMs: 60_000 },
    logger: { warn: (message, meta) => warnings.push(`${message} ${JSON.stringify(meta ?? {})}`) },
  });
  let calls = 0;
  handler.onAny(() => {
    calls++;
    listener();
  });
  return { handler, warnings, calls: () => calls };
}

describe('a dedup store that never answers', () => {
  it('setIfAbsent: the event is dispatched and the delivery answered 200, with a warning', async () => {
    const { handler, warnings, calls } = setup({ setIfAbsent: never, delete: never });
    expect(await answer(handler)).toBe(200);
    expect(calls()).toBe(1);
    expect(warnings.join('\n')).toMatch(/deduplicator failed.*did not answer within 50 ms/);
  });

  it('delete after a failed listener: the delivery is answered 500, and the retry handled', async () => {
    let fail = true;
    const { handler, calls } = setup(
      {
        setIfAbsent: async () => true,
        delete: never,
      },
      () => {
        if (fail) throw new Error('listener failed');
      },
    );
    expect(await answer(handler)).toBe(500);
    fail = false;
    // The store still says "claimed", but the claim could not be released: the retry is handled.
    expect(await answer(handler)).toBe(200);
    expect(calls()).toBe(2);
  });

  it('a coordinated store whose claim, wait or complete never answers', async () => {
    for (const hang of ['claim', 'complete'] as const) {
      const store: CoordinatedDedupStore = {
        setIfAbsent: async () => true,
        delete: async () => undefined,
        claim: hang === 'claim' ? never : async () => 'claimed',
        complete: hang === 'complete' ? never : async () => undefined,
        wait: never,
        release: never,
      };
      const { handler, calls } = setup(store);
      expect(await answer(handler), hang).toBe(200);
      expect(calls()).toBe(1);
    }
    const waiting: CoordinatedDedupStore = {
      setIfAbsent: async () => true,
      delete: async () => undefined,
      claim: async () => 'in-progress',
      complete: async () => undefined,
      wait: never,
      release: async () => undefined,
    };
    const { handler, calls } = setup(waiting);
    expect(await answer(handler)).toBe(200); // the wait failed: dispatched anyway
    expect(calls()).toBe(1);
  });

  it('a store is timed even when it calls itself MemoryDedupStore (only the built-in one is not)', async () => {
    const store = {
      setIfAbsent: never,
      delete: never,
      get [Symbol.toStringTag]() {
        return 'MemoryDedupStore';
      },
    } as DedupStore;
    const { handler, warnings, calls } = setup(store);
    expect(await answer(handler)).toBe(200);
    expect(calls()).toBe(1);
    expect(warnings.join('\n')).toMatch(/did not answer within 50 ms/);
  });
});

describe('the in-memory store is not timed (it answers at once)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('a claim, a duplicate and a release start no timer', async () => {
    vi.useFakeTimers();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    let fail = true;
    const { handler, calls } = setup(createDeduplicator({ ttlMs: 60_000 }).store as DedupStore, () => {
      if (fail) throw new Error('first attempt fails'); // its claim is released
    });
    const post = () => handler.handleRaw({ method: 'POST', url: '/webhook', headers: HEADERS, body: BODY });
    expect((await post()).status).toBe(500);
    fail = false;
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200); // a duplicate
    expect(calls()).toBe(2);
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("with the default options, a hung store is answered well within X's 10 s", () => {
  // Documented: the claim step of an event ends within inFlightWaitMs + storeTimeoutMs (3 s + 2 s),
  // and one more store call after the listeners takes at most storeTimeoutMs (2 s): 7 s in all.
  const DOCUMENTED_BOUND_MS = 7_000;

  afterEach(() => {
    vi.useRealTimers();
  });

  /** The answer and how much fake time passed until it came (or 'held' after 60 s of fake time). */
  async function timed(
    respond: () => Promise<RawWebhookResponse>,
  ): Promise<{ status: number | 'held'; elapsed: number }> {
    const start = Date.now();
    let status: number | 'held' = 'held';
    let done = false;
    void respond().then((r) => {
      status = r.status;
      done = true;
    });
    for (let step = 0; !done && step < 1_000 && Date.now() - start < 60_000; step++) {
      await vi.advanceTimersToNextTimerAsync();
    }
    return { status, elapsed: Date.now() - start };
  }

  function defaults(store: DedupStore, listener: () => void | Promise<void> = () => undefined) {
    const options: WebhookHandlerOptions = {
      consumerSecret: SECRET,
      deduplicator: { ...createDeduplicator({ ttlMs: 60_000, store }), store, ttlMs: 60_000 },
    };
    const handler = createWebhookHandler(options);
    let calls = 0;
    handler.onAny(() => {
      calls++;
      return listener();
    });
    const post = () => handler.handleRaw({ method: 'POST', url: '/webhook', headers: HEADERS, body: BODY });
    return { post, calls: () => calls };
  }

  const coordinated = (overrides: Partial<CoordinatedDedupStore>): CoordinatedDedupStore => ({
    setIfAbsent: async () => true,
    delete: async () => undefined,
    claim: async () => 'claimed',
    complete: async () => undefined,
    wait: async () => 'timeout',
    release: async () => undefined,
    ...overrides,
  });

  it('a plain store whose setIfAbsent never answers: 200 after one store timeout (2 s)', async () => {
    vi.useFakeTimers();
    const { post, calls } = defaults({ setIfAbsent: never, delete: never });
    const { status, elapsed } = await timed(post);
    expect(status).toBe(200);
    expect(calls()).toBe(1);
    expect(elapsed).toBeLessThanOrEqual(2_000);
  });

  it('a plain store whose delete never answers after a failed listener: 500 within the bound', async () => {
    vi.useFakeTimers();
    const { post } = defaults({ setIfAbsent: async () => true, delete: never }, () => {
      throw new Error('listener failed');
    });
    const { status, elapsed } = await timed(post);
    expect(status).toBe(500);
    expect(elapsed).toBeLessThanOrEqual(2_000);
  });

  it('a coordinated store whose claim and complete never answer', async () => {
    vi.useFakeTimers();
    const { post, calls } = defaults(coordinated({ claim: never, complete: never }));
    const { status, elapsed } = await timed(post);
    expect(status).toBe(200);
    expect(calls()).toBe(1);
    expect(elapsed).toBeLessThanOrEqual(DOCUMENTED_BOUND_MS);
  });

  it('the worst case: in progress elsewhere, then wait and complete never answer', async () => {
    vi.useFakeTimers();
    const { post, calls } = defaults(coordinated({ claim: async () => 'in-progress', wait: never, complete: never }));
    const { status, elapsed } = await timed(post);
    expect(status).toBe(200); // the wait failed: dispatched anyway
    expect(calls()).toBe(1);
    expect(elapsed).toBeLessThanOrEqual(DOCUMENTED_BOUND_MS);
  });

  it('a store that keeps saying "released" while another claim holds the event: 503 within the bound', async () => {
    vi.useFakeTimers();
    let claims = 0;
    const store = coordinated({
      claim: async () => {
        claims++;
        return 'in-progress';
      },
      // The owner's claim ends after 1 s, but another receiver claims it first each time.
      wait: (_key, ms) => new Promise((resolve) => setTimeout(() => resolve('released'), Math.min(1_000, ms))),
    });
    const { post, calls } = defaults(store);
    const { status, elapsed } = await timed(post);
    expect(status).toBe(503);
    expect(calls()).toBe(0);
    expect(claims).toBeGreaterThan(1);
    expect(elapsed).toBeLessThanOrEqual(DOCUMENTED_BOUND_MS);
  });

  it('a copy of an event whose listeners are still running here: 503 after inFlightWaitMs (3 s)', async () => {
    vi.useFakeTimers();
    let unblock: () => void = () => undefined;
    const { post, calls } = defaults(
      createDeduplicator({ ttlMs: 60_000 }).store as DedupStore,
      () => new Promise<void>((resolve) => (unblock = resolve)),
    );
    const first = post();
    const { status, elapsed } = await timed(post);
    expect(status).toBe(503);
    expect(elapsed).toBeLessThanOrEqual(3_000);
    unblock();
    expect((await first).status).toBe(200);
    expect(calls()).toBe(1);
  });

  it('rejects a storeTimeoutMs that is not a positive whole number of milliseconds', () => {
    for (const storeTimeoutMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createWebhookHandler({ consumerSecret: SECRET, storeTimeoutMs })).toThrow(
        /storeTimeoutMs must be a positive whole number of milliseconds/,
      );
    }
  });
});
