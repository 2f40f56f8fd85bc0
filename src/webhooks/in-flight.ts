/**
 * Duplicate and in-flight coordination: each event's key is claimed in the deduplicator's store
 * before its listeners run, and a copy that arrives while the first is still being handled waits for
 * its outcome instead of being answered at once.
 *
 * @internal
 * @packageDocumentation
 */
import type { Deduplicator } from '../events/dedup.js';
import { type SafeLogger, describeThrown } from './logger.js';

/**
 * @internal What {@link InFlightClaims.enter} answers: handle the event (then `settle` with whether
 * the listeners succeeded), `'duplicate'` (handled before), or `'busy'` (a copy is still being handled
 * after the wait: answer 503 so that X tries again).
 */
export type Entry = { readonly settle: (ok: boolean) => void } | 'duplicate' | 'busy';

/**
 * @internal Events being handled in this process now, by key: each promise resolves true when the
 * listeners succeeded. A copy that arrives meanwhile (X retries after 3 s; plain duplicates arrive
 * together) waits for the outcome: if the first attempt fails, its claim is released and the copy is
 * handled. The entry is registered before the store is asked, so no copy slips between the claim and
 * the registration.
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
  readonly #waitMs: number;
  readonly #logger: SafeLogger;

  constructor(store: Deduplicator, waitMs: number, logger: SafeLogger) {
    this.#store = store;
    this.#waitMs = waitMs;
    this.#logger = logger;
  }

  async enter(key: string): Promise<Entry> {
    for (;;) {
      const pending = this.#inFlight.get(key);
      if (pending) {
        const outcome = await within(pending, this.#waitMs);
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
      if ((await this.#claim(key)) || this.#unreleased.has(key)) return { settle: finish };
      finish(true); // claimed before (here or by another server): a duplicate
      return 'duplicate';
    }
  }

  /** Gives a claim back after its listeners failed, so that X's retry is handled. Never throws. */
  async release(key: string): Promise<void> {
    const store = this.#store;
    await Promise.resolve()
      .then(() => store.release(key))
      .catch((error: unknown) => {
        this.#unreleased.add(key);
        this.#logger.warn('The deduplicator could not release a claim; a retry will be handled all the same', {
          error: describeThrown(error),
        });
      });
  }

  /** Claims an event's key; true when it is new (or the store failed: dispatch anyway). */
  async #claim(key: string): Promise<boolean> {
    try {
      return await this.#store.claim(key);
    } catch (error) {
      this.#logger.warn('The deduplicator failed; dispatching the event anyway', { error: describeThrown(error) });
      return true;
    }
  }
}

/** The promise's value, or undefined when it takes longer than `ms` (the timer is cleared either way). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
