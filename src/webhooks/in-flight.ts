/**
 * Duplicate and in-flight coordination: each event's key is claimed in the deduplicator's store
 * before its listeners run, and a copy that arrives while the first is still being handled waits for
 * its outcome instead of being answered at once.
 *
 * @internal
 * @packageDocumentation
 */
import type { AccountActivityEvent } from '../events/types.js';
import type { Deduplicator } from '../events/dedup.js';
import { type ClaimState, type CoordinatedDedupStore, type WaitOutcome, coordinationOf } from './coordination.js';
import { type SafeLogger, describeThrown } from './logger.js';

/**
 * @internal What {@link InFlightClaims.enter} answers: handle the event (then await `settle` with
 * whether the listeners succeeded), `'duplicate'` (handled before), or `'busy'` (a copy is still being
 * handled after the wait: answer 503 so that X tries again).
 */
export type Entry = { readonly settle: (ok: boolean) => Promise<void> } | 'duplicate' | 'busy';

/**
 * @internal Where a deduplicator carries what the webhook handler needs to coordinate with it: a
 * {@link CoordinatorFactory}, set by `createDeduplicator` and by a store's `deduplicator()`. The
 * handler reaches the key function and {@link InFlightClaims} only through it, so that a handler made
 * without a deduplicator carries none of that code into a bundle. `Symbol.for`, so that two copies of
 * the package (its ESM and CJS builds, loaded side by side) understand each other's deduplicators.
 */
export const COORDINATOR: unique symbol = Symbol.for('x-account-activity.coordinator') as never;

/** @internal What the handler dedups with: the key of an event, and the claims on such keys. */
export interface Coordinator {
  readonly key: (event: AccountActivityEvent) => string;
  readonly claims: InFlightClaims;
}

/** @internal See {@link COORDINATOR}. `deduplicator` is the handler's own (maybe a spread copy). */
export type CoordinatorFactory = (
  deduplicator: Deduplicator,
  waitMs: number,
  storeMs: number,
  logger: SafeLogger,
) => Coordinator;

/**
 * @internal Events being handled in this process now, by key: each promise resolves true when the
 * listeners succeeded. A copy that arrives meanwhile (X retries after 3 s; plain duplicates arrive
 * together) waits for the outcome: if the first attempt fails, its claim is released and the copy is
 * handled. The entry is registered before the store is asked, so no copy slips between the claim and
 * the registration.
 *
 * When the deduplicator's store is a {@link CoordinatedDedupStore} (such as the Redis store), claims
 * carry a state shared by every receiver: a copy that finds the event in progress in another process
 * waits for that outcome through the store, within the same `inFlightWaitMs`, and a success is marked
 * done in the store before the delivery is answered.
 *
 * Time: each store call fails after `storeMs`, and {@link InFlightClaims.enter} ends within
 * `waitMs + storeMs` however the store behaves (waiting stops at `waitMs`; a store call still running
 * then has the rest of one `storeMs`). After the listeners, one more call (mark done, or release)
 * takes at most `storeMs`.
 */
export class InFlightClaims {
  readonly #inFlight = new Map<string, Promise<boolean>>();
  /**
   * Keys whose claim could not be released after their listeners failed: the store still says
   * "handled", so X's retry would be dropped as a duplicate. This process remembers them and handles
   * the retry anyway (a duplicate is better than a loss) until one attempt succeeds.
   */
  readonly #unreleased = new Set<string>();
  readonly #store: Deduplicator;
  readonly #coordination: { readonly store: CoordinatedDedupStore; readonly ttlMs: number } | undefined;
  readonly #waitMs: number;
  readonly #storeMs: number;
  readonly #logger: SafeLogger;
  #warned = false;
  /** The built-in in-memory store (branded by `createMemoryDedupStore`), which answers at once: no timer. */
  readonly #instant: boolean;

  constructor(store: Deduplicator, waitMs: number, storeMs: number, logger: SafeLogger, instant: boolean) {
    this.#store = store;
    this.#coordination = coordinationOf(store);
    this.#waitMs = waitMs;
    this.#storeMs = storeMs;
    this.#logger = logger;
    this.#instant = instant;
  }

  /**
   * A call to the store, failed after `ms` without an answer: a store that never answers (a lost
   * connection without a timeout) must not hold deliveries, and memory, for good. The failure takes the
   * path of every store failure: the event is dispatched, and the delivery answered. The in-memory
   * store answers at once and gets no timer.
   */
  #bounded<T>(call: () => T | Promise<T>, ms = this.#storeMs): Promise<T> {
    const pending = new Promise<T>((resolve) => resolve(call()));
    if (this.#instant) return pending;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the dedup store did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([pending, late]).finally(() => clearTimeout(timer));
  }

  /**
   * Keys the in-memory store dropped while still inside their TTL, because it held `maxEntries` keys
   * (`MemoryDedupStore.evictedEarly`): copies of those events are no longer recognised. 0 for other
   * stores.
   */
  get evictedEarly(): number {
    const count = read(read(this.#store, 'store'), 'evictedEarly'); // a getter that throws counts as 0
    return typeof count === 'number' ? count : 0;
  }

  /**
   * Claims `key`, waiting for a copy in flight; ends within `waitMs + storeMs`, whatever the store
   * does: waiting stops at `waitUntil`, a claim starts only before it and takes at most `storeMs`, and
   * a wait through the store is asked to end at `waitUntil` and given `storeMs` more to answer.
   */
  async enter(key: string): Promise<Entry> {
    const waitUntil = Date.now() + this.#waitMs;
    for (;;) {
      const pending = this.#inFlight.get(key);
      if (pending) {
        const outcome = await within(pending, waitUntil - Date.now());
        if (outcome === undefined) return 'busy';
        if (outcome) return 'duplicate';
        continue; // the first attempt failed and released its claim: try to claim it now
      }
      let settle: (ok: boolean) => void = () => undefined;
      const mine = new Promise<boolean>((resolve) => (settle = resolve));
      this.#inFlight.set(key, mine);
      const finish = (ok: boolean): void => {
        if (this.#inFlight.get(key) === mine) this.#inFlight.delete(key);
        if (ok) this.#unreleased.delete(key);
        settle(ok);
      };
      const coordination = this.#coordination;
      if (coordination === undefined) {
        if ((await this.#claim(key)) || this.#unreleased.has(key)) {
          return { settle: async (ok) => finish(ok) };
        }
        finish(true); // claimed before (here or by another server): a duplicate
        return 'duplicate';
      }
      const state = await this.#claimState(key, coordination);
      if (state === 'claimed' || this.#unreleased.has(key)) {
        return { settle: (ok) => this.#settle(key, ok, coordination, finish) };
      }
      if (state === 'done') {
        finish(true);
        return 'duplicate';
      }
      // In progress in another process: wait for its outcome through the store.
      const outcome = await this.#wait(key, waitUntil - Date.now(), coordination);
      if (outcome === 'done') {
        finish(true);
        return 'duplicate';
      }
      if (outcome === 'failed') return { settle: (ok) => this.#settle(key, ok, coordination, finish) };
      finish(false); // copies waiting here try again by themselves
      // released (the owner failed, or its lease ran out): claim it now, if waiting time is left
      if (outcome === 'timeout' || Date.now() >= waitUntil) return 'busy';
    }
  }

  /** Gives a claim back after its listeners failed, so that X's retry is handled. Never throws. */
  async release(key: string): Promise<void> {
    const store = this.#store;
    const coordinated = this.#coordination?.store;
    // #bounded turns a synchronous throw into a rejection too.
    await this.#bounded(() => (coordinated ? coordinated.release(key) : store.release(key))).catch((error: unknown) => {
      this.#unreleased.add(key);
      this.#logger.warn('The deduplicator could not release a claim; a retry will be handled all the same', {
        error: describeThrown(error),
      });
    });
  }

  /** A coordinated claim; `'claimed'` when the store failed (dispatch anyway). */
  async #claimState(
    key: string,
    coordination: { readonly store: CoordinatedDedupStore; readonly ttlMs: number },
  ): Promise<ClaimState> {
    try {
      const state: unknown = await this.#bounded(() => coordination.store.claim(key, { ttlMs: coordination.ttlMs }));
      if (state === 'claimed' || state === 'done' || state === 'in-progress') return state;
      this.#logger.warn('The dedup store answered a claim with an unknown state; dispatching the event anyway');
      return 'claimed';
    } catch (error) {
      this.#logger.warn('The deduplicator failed; dispatching the event anyway', { error: describeThrown(error) });
      return 'claimed';
    }
  }

  /**
   * Waits up to `ms` for another process's claim, through the store, whose answer may take one
   * `storeMs` more; `'failed'` when the store failed (dispatch anyway).
   */
  async #wait(
    key: string,
    ms: number,
    coordination: { readonly store: CoordinatedDedupStore; readonly ttlMs: number },
  ): Promise<WaitOutcome | 'failed'> {
    if (ms <= 0) return 'timeout';
    try {
      const outcome: unknown = await this.#bounded(() => coordination.store.wait(key, ms), ms + this.#storeMs);
      if (outcome === 'done' || outcome === 'released' || outcome === 'timeout') return outcome;
      this.#logger.warn('The dedup store answered a wait with an unknown outcome; dispatching the event anyway');
      return 'failed';
    } catch (error) {
      this.#logger.warn('The deduplicator failed while waiting for a copy in flight; dispatching the event anyway', {
        error: describeThrown(error),
      });
      return 'failed';
    }
  }

  /** Ends a coordinated claim: a success is marked done in the store before the delivery is answered. */
  async #settle(
    key: string,
    ok: boolean,
    coordination: { readonly store: CoordinatedDedupStore; readonly ttlMs: number },
    finish: (ok: boolean) => void,
  ): Promise<void> {
    if (ok) {
      try {
        await this.#bounded(() => coordination.store.complete(key, coordination.ttlMs));
      } catch (error) {
        this.#logger.warn('The dedup store could not mark an event done; a later copy may be handled again', {
          error: describeThrown(error),
        });
      }
    }
    finish(ok);
  }

  /**
   * Claims an event's key; true when it is new (or the store failed: dispatch anyway). The store's
   * answer stands whatever its counters do: they are read after, and never throw here.
   */
  async #claim(key: string): Promise<boolean> {
    let claimed: boolean;
    try {
      claimed = await this.#bounded(() => this.#store.claim(key));
    } catch (error) {
      this.#logger.warn('The deduplicator failed; dispatching the event anyway', { error: describeThrown(error) });
      return true;
    }
    const evictedEarly = this.#warned ? 0 : this.evictedEarly;
    if (evictedEarly > 0) {
      this.#warned = true;
      this.#logger.warn('Dedup store full: keys dropped before their TTL. Raise maxEntries (docs/scaling.md).', {
        maxEntries: read(read(this.#store, 'store'), 'maxEntries'),
        ttlMs: read(this.#store, 'ttlMs'),
        evictedEarly,
      });
    }
    return claimed;
  }
}

/** A property of a store or deduplicator, for a log line: undefined when it is missing or its getter throws. */
function read(from: unknown, name: string): unknown {
  try {
    return (from as Record<string, unknown> | undefined)?.[name];
  } catch {
    return undefined;
  }
}

/** The promise's value, or undefined when it takes longer than `ms` (the timer is cleared either way). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) return Promise.resolve(undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
