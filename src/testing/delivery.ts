/**
 * Event delivery of the emulator: signed POSTs to webhook URLs, a timeout per attempt, X's retry
 * schedule on non-200 answers (see docs/x-api-notes.md#delivery-retries) scaled by an option, and a
 * readable delivery log.
 */
import { signPayload } from '../webhooks/signature.js';
import type { Outbound } from './outbound.js';

/** X's waits before the three retries of a failed delivery (enterprise docs): 3 s, 27 s, 242 s. */
export const X_RETRY_DELAYS_MS: readonly number[] = [3_000, 27_000, 242_000];

/** Why a delivery was made. */
export type DeliveryKind =
  /** A live activity (retried on failure). */
  | 'activity'
  /** A re-delivery by a replay job (never retried). */
  | 'replay'
  /** The `replay_job_status` control message that ends a replay job (never retried). */
  | 'replay_job_status';

/**
 * Which webhook product a delivery belongs to: the Account Activity API (`'aaa'`), the X Activity API
 * (`'xaa'`) or a Filtered-Stream link (`'filtered_stream'`).
 */
export type DeliveryFamily = 'aaa' | 'xaa' | 'filtered_stream';

/** One HTTP attempt of a delivery. */
export interface DeliveryAttempt {
  /** When the attempt started (real time). */
  readonly at: Date;
  /** The webhook's HTTP status, when it answered. */
  readonly status?: number;
  /** `'timeout'` when the webhook did not answer in time, `'network'` when the connection failed. */
  readonly error?: 'timeout' | 'network';
}

/** Where a delivery stands. */
export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'failed';

/** What to deliver: one body to one webhook. */
export interface DeliveryInput {
  readonly webhookId: string;
  readonly url: string;
  /** The subscribed user the delivery is for (also set for `user_event`, whose body has no `for_user_id`). */
  readonly forUserId: string | undefined;
  readonly kind: DeliveryKind;
  /** The product the body belongs to. @default 'aaa' */
  readonly family?: DeliveryFamily;
  /**
   * The top-level event key of the body, e.g. `'favorite_events'` or `'user_event'` (AAA), the
   * `event_type` (XAA, e.g. `'post.create'`), or `'filtered_stream.post'`.
   */
  readonly eventType: string;
  /** When the activity happened (emulator clock); replay windows select on it. */
  readonly eventAt: Date;
  /** The exact body bytes sent. */
  readonly body: string;
}

/** One entry of the delivery log: one body to one webhook, with all its attempts. */
export interface DeliveryRecord extends DeliveryInput {
  /** Sequence number, from 1; never reused, also after `clearDeliveries()`. */
  readonly seq: number;
  readonly family: DeliveryFamily;
  /** The `x-twitter-webhooks-signature` header sent. */
  readonly signature: string;
  readonly attempts: readonly DeliveryAttempt[];
  readonly state: DeliveryState;
}

interface MutableRecord extends DeliveryInput {
  seq: number;
  family: DeliveryFamily;
  signature: string;
  attempts: DeliveryAttempt[];
  state: DeliveryState;
}

/** Options of the {@link DeliveryEngine}. */
export interface DeliveryEngineOptions {
  readonly outbound: Outbound;
  readonly consumerSecret: string;
  readonly timeoutMs: number;
  readonly retryDelaysMs: readonly number[];
}

/**
 * Most records the delivery log keeps; the oldest go first, so a long-running emulator (the dashboard)
 * stays bounded. Replay selects from the log, so it cannot reach records dropped from it.
 */
export const MAX_DELIVERY_LOG = 10_000;

/** Sends deliveries, retries them, and keeps the log. */
export class DeliveryEngine {
  readonly #options: DeliveryEngineOptions;
  readonly #log: MutableRecord[] = [];
  #seq = 0;
  readonly #timers = new Map<ReturnType<typeof setTimeout>, MutableRecord>();
  readonly #idleWaiters: (() => void)[] = [];
  #open = 0;
  #closed = false;

  constructor(options: DeliveryEngineOptions) {
    this.#options = options;
  }

  /** A snapshot of the log, oldest first. */
  log(): DeliveryRecord[] {
    return this.#log.map((r) => Object.freeze({ ...r, attempts: Object.freeze([...r.attempts]) }));
  }

  /** The live records (for replay selection), oldest first. */
  records(): readonly DeliveryRecord[] {
    return this.#log;
  }

  /** Empties the log (records still being retried keep going). */
  clear(): void {
    this.#log.length = 0;
  }

  /**
   * Delivers a body; resolves with the record once the first attempt is over. Failed `activity`
   * deliveries are retried on the schedule in the background.
   */
  async deliver(input: DeliveryInput): Promise<DeliveryRecord> {
    const record: MutableRecord = {
      ...input,
      family: input.family ?? 'aaa',
      seq: ++this.#seq,
      signature: await signPayload(input.body, this.#options.consumerSecret),
      attempts: [],
      state: 'pending',
    };
    this.#log.push(record);
    if (this.#log.length > MAX_DELIVERY_LOG) this.#log.splice(0, this.#log.length - MAX_DELIVERY_LOG);
    this.#open += 1;
    await this.#attempt(record);
    return record;
  }

  async #attempt(record: MutableRecord): Promise<void> {
    const at = new Date();
    const result = await this.#options.outbound.send({
      url: new URL(record.url),
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-twitter-webhooks-signature': record.signature,
        'user-agent': 'x-account-activity-emulator',
      },
      body: record.body,
      timeoutMs: this.#options.timeoutMs,
    });
    record.attempts.push(result.kind === 'response' ? { at, status: result.status } : { at, error: result.kind });
    if (result.kind === 'response' && result.status === 200) return this.#finish(record, 'delivered');
    const retryIndex = record.attempts.length - 1;
    const delay = this.#options.retryDelaysMs[retryIndex];
    if (record.kind !== 'activity' || delay === undefined || this.#closed) return this.#finish(record, 'failed');
    record.state = 'retrying';
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#attempt(record);
    }, delay);
    this.#timers.set(timer, record);
  }

  #finish(record: MutableRecord, state: 'delivered' | 'failed'): void {
    record.state = state;
    this.#open -= 1;
    if (this.#open === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  /** Whether no delivery is pending or waiting for a retry. */
  get idle(): boolean {
    return this.#open === 0;
  }

  /** Resolves when no delivery is pending or waiting for a retry. */
  settled(): Promise<void> {
    if (this.#open === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Cancels every retry; records waiting for one become `failed`. */
  close(): void {
    this.#closed = true;
    for (const [timer, record] of this.#timers) {
      clearTimeout(timer);
      this.#finish(record, 'failed');
    }
    this.#timers.clear();
  }
}
