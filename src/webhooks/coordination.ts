/**
 * In-flight coordination across processes: an optional extension of {@link DedupStore} whose claims
 * carry a state (in progress, with an owner and a lease; done, with the dedup TTL), so that a copy of an
 * event reaching another receiver while the first is still being handled can wait for its outcome.
 * `x-account-activity/redis` implements it; the handler detects it structurally and falls back to
 * plain set-if-absent claims for every other store.
 *
 * @packageDocumentation
 */
import type { DedupStore, Deduplicator } from '../events/dedup.js';

/**
 * What {@link CoordinatedDedupStore.claim} answers: `'claimed'` (this process owns the event now:
 * handle it), `'done'` (handled before: a duplicate) or `'in-progress'` (another owner is handling it:
 * wait for its outcome).
 */
export type ClaimState = 'claimed' | 'done' | 'in-progress';

/**
 * What {@link CoordinatedDedupStore.wait} answers: `'done'` (the owner succeeded), `'released'` (the
 * owner failed and gave the claim back, or its lease ran out: claim again) or `'timeout'`.
 */
export type WaitOutcome = 'done' | 'released' | 'timeout';

/**
 * A {@link DedupStore} whose claims carry a state, shared by several receivers. A claim is held by its
 * owner under a short lease that the store renews while the event is being handled, so that a receiver
 * that dies gives its events back within the lease.
 */
export interface CoordinatedDedupStore extends DedupStore {
  /** Claims `key` for this process (in progress, under a lease), unless it is done or held by another. */
  claim(key: string, options: { readonly ttlMs: number }): Promise<ClaimState>;
  /** Marks a key this process claimed as done, remembered for `ttlMs`. */
  complete(key: string, ttlMs: number): Promise<void>;
  /** Waits up to `ms` for another owner's claim on `key` to end. */
  wait(key: string, ms: number): Promise<WaitOutcome>;
  /**
   * Gives back a claim this process holds (its listeners failed), so that X's retry is handled; leaves
   * another owner's claim alone. (`delete`, from {@link DedupStore}, removes the key whoever holds it.)
   */
  release(key: string): Promise<void>;
}

/**
 * A {@link Deduplicator} that says which store and TTL it uses, so that the webhook handler can
 * coordinate in-flight events through the store (see `RedisDedupStore.deduplicator()`).
 */
export interface CoordinatedDeduplicator extends Deduplicator {
  readonly store: DedupStore;
  readonly ttlMs: number;
}

/** @internal The coordinated store and TTL behind a deduplicator, when it has them. */
export function coordinationOf(
  deduplicator: Deduplicator,
): { readonly store: CoordinatedDedupStore; readonly ttlMs: number } | undefined {
  const { store, ttlMs } = deduplicator as Partial<CoordinatedDeduplicator>;
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) return undefined;
  if (!isCoordinatedStore(store)) return undefined;
  return { store, ttlMs };
}

/** Whether a store offers state-carrying claims (`claim`, `complete`, `wait`, `release`). */
export function isCoordinatedStore(store: unknown): store is CoordinatedDedupStore {
  if (typeof store !== 'object' || store === null) return false;
  const s = store as Record<string, unknown>;
  return (
    typeof s['claim'] === 'function' &&
    typeof s['complete'] === 'function' &&
    typeof s['wait'] === 'function' &&
    typeof s['release'] === 'function'
  );
}
