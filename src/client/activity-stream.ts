/**
 * The X Activity API stream consumer: `client.activity.stream(options)`.
 *
 * `GET /2/activity/stream` answers newline-delimited JSON: one `{"data": {...}}` event per line, blank
 * lines as keep-alives (at least every 20 s), and `{"errors": [...]}` lines such as
 * `operational-disconnect` before X ends the connection (x-activity-api.md §5). This module reads it
 * as an `AsyncIterable` of the typed events `parseActivity` gives webhooks, and keeps it alive:
 *
 * - it reconnects when nothing arrives for `stallTimeoutMs`, when the connection drops or ends, and
 *   after an in-stream error, with X's backoff (network: +250 ms per attempt up to 16 s; HTTP 5xx:
 *   5 s doubling up to 320 s; 429: 60 s doubling);
 * - each reconnect asks for a backfill (`backfill_minutes`: the minutes since the last event, rounded
 *   up, at most X's 5), and the events the backfill repeats are dropped by `activityKey`, with bounded
 *   memory;
 * - a reconnect later than those 5 minutes cannot be backfilled (X's 429 backoff alone reaches 15
 *   minutes): the lost span is reported as `gap` on its `connecting` change and counted in `stats().gaps`;
 * - every state change is reported (`onState`) and counted (`stats()`); a 401, a 403 or another
 *   refusal that a retry cannot fix ends the iteration with the typed error.
 *
 * The HTTP request (URL, auth, user agent, error mapping) is the client's: see `ClientCore.open`.
 *
 * Internal module: the names are re-exported from `src/client/index.ts`.
 */
import { ConnectionError, InvalidArgumentError, XAccountActivityError, isXApiError } from '../errors.js';
import { activityKey } from '../events/dedup.js';
import type { ActivityIssue, UnknownEvent, XaaEvent } from '../events/types.js';
import type { Reporter, parseXaa } from '../events/xaa.js';
import { MAX_MESSAGE_TEXT, safeText } from './error-text.js';
import { checkMs } from './http.js';
import type { OpenedStream } from './stream-transport.js';

/** What the stream yields: a typed XAA event, or an `unknown` one (a new `event_type`, a line of another shape). */
export type ActivityStreamEvent = XaaEvent | UnknownEvent;

/**
 * The stream's states, in the order they usually come:
 * `idle` (not iterated yet) -> `connecting` -> `connected` -> `disconnected` -> `waiting` (backoff) ->
 * `connecting` ... -> `closed` (by `close()`, the signal, `endTime`, the end of the loop, or an error).
 */
export type ActivityStreamState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'waiting' | 'closed';

/**
 * Why a connection ended, or could not be made:
 * - `stall`: nothing (not even a keep-alive) arrived for `stallTimeoutMs`;
 * - `network`: the connection failed or dropped (including a timeout waiting for X's answer);
 * - `ended`: X ended the answer;
 * - `stream-error`: X sent an `{"errors": [...]}` line (`operational-disconnect`);
 * - `http`: X answered with a 5xx status;
 * - `rate-limit`: X answered 429 (or 420).
 */
export type ActivityStreamDisconnectReason = 'stall' | 'network' | 'ended' | 'stream-error' | 'http' | 'rate-limit';

/**
 * One state change, as `onState` receives it.
 *
 * @example
 * ```ts
 * client.activity.stream({
 *   onState: ({ state, reason, delayMs, error }) => {
 *     if (state === 'waiting') console.warn(`stream ${reason}: reconnecting in ${delayMs} ms`, error?.message);
 *   },
 * });
 * ```
 */
export interface ActivityStreamStateChange {
  /** The new state. */
  readonly state: ActivityStreamState;
  /** When it changed. */
  readonly at: Date;
  /** The connection attempt (1 for the first one). */
  readonly attempt: number;
  /** `disconnected` and `waiting`: why. */
  readonly reason?: ActivityStreamDisconnectReason;
  /** `waiting`: how long, in milliseconds, before the next attempt. */
  readonly delayMs?: number;
  /** `connecting`: the `backfill_minutes` this attempt asks for, when it asks for one. */
  readonly backfillMinutes?: number;
  /**
   * `connecting`: the span whose events are lost, when this reconnect comes more than X's 5-minute
   * backfill window after the stream last received anything (or after its first attempt, when nothing
   * arrived yet). X backfills only the 5 minutes before a connection, so the events of `from`..`to`
   * cannot come through the stream any more: recover them another way (the same subscriptions
   * delivered to a webhook, with `client.replay` for a past window there) or accept the loss.
   * The gaps of one long outage join up: each attempt reports only the span the previous one did not
   * (`from` is the previous gap's `to`).
   */
  readonly gap?: ActivityStreamGap;
  /** `disconnected`: the failure, when there is one; `closed`: the error that ended the iteration. */
  readonly error?: XAccountActivityError;
}

/** A span of time whose events the stream could not backfill (see `ActivityStreamStateChange.gap`). */
export interface ActivityStreamGap {
  /** The start of the lost span: when the stream last received anything (or a previous gap's end). */
  readonly from: Date;
  /** The end of the lost span: 5 minutes before the reconnect that reported it. */
  readonly to: Date;
}

/**
 * Counters of a stream, as `stats()` returns them.
 *
 * @example
 * ```ts
 * const { events, duplicates, reconnects, disconnects } = stream.stats();
 * console.log({ events, duplicates, reconnects, stalls: disconnects.stall });
 * ```
 */
export interface ActivityStreamStats {
  /** The current state. */
  readonly state: ActivityStreamState;
  /** Connection attempts, the first included. */
  readonly attempts: number;
  /** Connections X accepted (200). */
  readonly connects: number;
  /** Connections X accepted after the first one. */
  readonly reconnects: number;
  /** Events yielded. */
  readonly events: number;
  /** Events dropped because they were yielded before (backfilled copies). */
  readonly duplicates: number;
  /** Keep-alive (blank) lines received. */
  readonly keepAlives: number;
  /** Disconnects and failed attempts, by reason. */
  readonly disconnects: Readonly<Record<ActivityStreamDisconnectReason, number>>;
  /** Milliseconds spent waiting in backoff, in total. */
  readonly waitedMs: number;
  /** When the last event arrived (yielded or dropped as a copy). */
  readonly lastEventAt: Date | undefined;
  /** The last failure, whether it was retried or ended the stream. */
  readonly lastError: XAccountActivityError | undefined;
  /**
   * Gaps reported: reconnects that came too late for X's 5-minute backfill, so that events may have
   * been lost (each one is on its `connecting` state change, `gap`). 0 means nothing was lost.
   */
  readonly gaps: number;
}

/**
 * The reconnect delays. The defaults are X's ("Handling disconnections"); tests may shrink them.
 *
 * @example
 * ```ts
 * client.activity.stream({ backoff: { networkStepMs: 5, httpInitialMs: 10, rateLimitInitialMs: 20 } });
 * ```
 */
export interface ActivityStreamBackoff {
  /**
   * After a drop, a stall, an end or an in-stream error: this much longer with each consecutive
   * attempt (linear).
   * @default 250
   */
  readonly networkStepMs?: number;
  /** @default 16000 */
  readonly networkMaxMs?: number;
  /**
   * After a 5xx answer: the first delay, doubling with each consecutive attempt.
   * @default 5000
   */
  readonly httpInitialMs?: number;
  /** @default 320000 */
  readonly httpMaxMs?: number;
  /**
   * After a 429 (or 420) answer: the first delay, doubling with each consecutive attempt; a later
   * `x-rate-limit-reset` is waited for, up to `rateLimitMaxMs`.
   * @default 60000
   */
  readonly rateLimitInitialMs?: number;
  /**
   * X gives no ceiling for 429; this one is the rate-limit window's 15 minutes.
   * @default 900000
   */
  readonly rateLimitMaxMs?: number;
}

/**
 * Options of `client.activity.stream(options)`. The timing options default to X's values; tests
 * shrink them instead of sleeping.
 *
 * @example
 * ```ts
 * const stream = client.activity.stream({
 *   backfillMinutes: 5,
 *   signal: AbortSignal.timeout(3_600_000),
 *   stallTimeoutMs: 20_000,
 *   backoff: { networkStepMs: 250, httpInitialMs: 5_000, rateLimitInitialMs: 60_000 },
 *   onState: (change) => console.log(change.state),
 * });
 * ```
 */
export interface ActivityStreamOptions {
  /**
   * Minutes of past events (0 to 5) the first connection asks for. Reconnects ask for their own
   * backfill (see the module notes) whatever this says.
   * @default none (X's default: no backfill)
   */
  readonly backfillMinutes?: number;
  /** `start_time`: the earliest time of the events of the first connection (a Date or an ISO 8601 string). */
  readonly startTime?: Date | string;
  /** `end_time`: the latest time of the events; the iteration ends once X ends the stream after it. */
  readonly endTime?: Date | string;
  /** Ends the iteration, like `close()`: the loop finishes without an error. */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds without a byte (X sends a keep-alive at least every 20 s) after which the connection
   * is taken as dead and reopened.
   * @default 20000
   */
  readonly stallTimeoutMs?: number;
  /** Reconnect delays; the defaults are X's. */
  readonly backoff?: ActivityStreamBackoff;
  /**
   * Milliseconds to wait for X's answer (status and headers) of each attempt.
   * @default the client's `timeout`
   */
  readonly connectTimeoutMs?: number;
  /**
   * Called on every state change (connecting, connected, disconnected with the reason and error,
   * waiting with the delay, closed). An exception it throws is ignored.
   */
  readonly onState?: (change: ActivityStreamStateChange) => void;
  /**
   * Most event keys remembered to drop backfilled copies; the oldest go first.
   * @default 100000
   */
  readonly dedupMaxKeys?: number;
  /**
   * Milliseconds an event key is remembered: longer than any backfill X gives (5 minutes).
   * @default 900000
   */
  readonly dedupWindowMs?: number;
}

/**
 * @internal Opens one connection with `query`; resolves with the body and the credentials that
 * text of it must never quote, or throws the client's typed error.
 */
export type StreamOpener = (
  query: Readonly<Record<string, string>>,
  signal: AbortSignal,
  timeout: number | undefined,
) => Promise<OpenedStream>;

const MINUTE = 60_000;
const MAX_BACKFILL = 5;
/** Longest line kept waiting for its line break (X's events are a few kB). */
const MAX_LINE = 16 * 1024 * 1024;

interface Settings {
  readonly backfillMinutes: number | undefined;
  readonly startTime: string | undefined;
  readonly endTime: string | undefined;
  readonly endAt: number | undefined;
  readonly stallTimeoutMs: number;
  readonly connectTimeoutMs: number | undefined;
  readonly networkStepMs: number;
  readonly networkMaxMs: number;
  readonly httpInitialMs: number;
  readonly httpMaxMs: number;
  readonly rateLimitInitialMs: number;
  readonly rateLimitMaxMs: number;
  readonly dedupMaxKeys: number;
  readonly dedupWindowMs: number;
}

function ms(name: string, value: unknown, fallback: number, allowZero = true): number {
  return value === undefined ? fallback : checkMs(`activity.stream: \`${name}\``, value, allowZero);
}

/** X's `YYYY-MM-DDTHH:mm:ssZ` of a Date or ISO string. */
function time(name: string, value: unknown): { text: string; at: number } | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(`activity.stream: \`${name}\` must be a Date or an ISO 8601 date-time string.`);
  }
  return { text: date.toISOString().replace(/\.\d{3}Z$/, 'Z'), at: date.getTime() };
}

function settingsOf(input: ActivityStreamOptions | undefined): Settings {
  if (input !== undefined && (typeof input !== 'object' || input === null)) {
    throw new InvalidArgumentError('activity.stream: options must be an object.');
  }
  const options = input ?? {};
  const backfill = options.backfillMinutes;
  if (
    backfill !== undefined &&
    (typeof backfill !== 'number' || !Number.isInteger(backfill) || backfill < 0 || backfill > 5)
  ) {
    throw new InvalidArgumentError('activity.stream: `backfillMinutes` must be a whole number from 0 to 5.');
  }
  const start = time('startTime', options.startTime);
  const end = time('endTime', options.endTime);
  if (start && end && start.at >= end.at) {
    throw new InvalidArgumentError('activity.stream: `startTime` must be before `endTime`.');
  }
  if (options.onState !== undefined && typeof options.onState !== 'function') {
    throw new InvalidArgumentError('activity.stream: `onState` must be a function.');
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('activity.stream: `signal` must be an AbortSignal.');
  }
  const backoff = options.backoff ?? {};
  if (typeof backoff !== 'object' || backoff === null) {
    throw new InvalidArgumentError('activity.stream: `backoff` must be an object.');
  }
  const maxKeys = options.dedupMaxKeys ?? 100_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new InvalidArgumentError('activity.stream: `dedupMaxKeys` must be a whole number above 0.');
  }
  return {
    backfillMinutes: backfill,
    startTime: start?.text,
    endTime: end?.text,
    endAt: end?.at,
    stallTimeoutMs: ms('stallTimeoutMs', options.stallTimeoutMs, 20_000, false),
    connectTimeoutMs:
      options.connectTimeoutMs === undefined ? undefined : ms('connectTimeoutMs', options.connectTimeoutMs, 0, false),
    networkStepMs: ms('backoff.networkStepMs', backoff.networkStepMs, 250),
    networkMaxMs: ms('backoff.networkMaxMs', backoff.networkMaxMs, 16_000),
    httpInitialMs: ms('backoff.httpInitialMs', backoff.httpInitialMs, 5_000),
    httpMaxMs: ms('backoff.httpMaxMs', backoff.httpMaxMs, 320_000),
    rateLimitInitialMs: ms('backoff.rateLimitInitialMs', backoff.rateLimitInitialMs, 60_000),
    rateLimitMaxMs: ms('backoff.rateLimitMaxMs', backoff.rateLimitMaxMs, 900_000),
    dedupMaxKeys: maxKeys,
    dedupWindowMs: ms('dedupWindowMs', options.dedupWindowMs, 900_000, false),
  };
}

/** Why an attempt failed: a reason to retry for, or `undefined` when a retry cannot help. */
function retryReason(error: unknown): ActivityStreamDisconnectReason | undefined {
  if (isXApiError(error)) {
    if (error.status === 429 || error.status === 420) return 'rate-limit';
    if (error.status >= 500) return 'http';
    return undefined; // 401, 403 and the other refusals: the same request would be refused again
  }
  const name = error instanceof Error ? error.name : '';
  return name === 'ConnectionError' || name === 'TimeoutError' ? 'network' : undefined;
}

/** The message of an in-stream `{"errors": [...]}` line, without anything but X's words. */
function describeStreamErrors(errors: readonly unknown[]): string {
  const parts = errors.slice(0, 3).map((entry) => {
    const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const words = ['title', 'disconnect_type', 'detail', 'message']
      .map((key) => record[key])
      .filter((value): value is string => typeof value === 'string' && value !== '');
    return words.join(': ') || 'an error without a title';
  });
  return parts.join('; ');
}

/** An abortable wait. */
function sleep(delay: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, delay);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Event keys seen recently: insertion-ordered, bounded by count and age. */
class RecentKeys {
  readonly #keys = new Map<string, number>();
  readonly #max: number;
  readonly #window: number;

  constructor(max: number, window: number) {
    this.#max = max;
    this.#window = window;
  }

  /** True when `key` was added before (and is still remembered); adds it otherwise. */
  seen(key: string, now: number): boolean {
    if (this.#keys.has(key)) return true;
    this.#keys.set(key, now);
    for (const [oldest, at] of this.#keys) {
      if (this.#keys.size <= this.#max && now - at <= this.#window) break;
      this.#keys.delete(oldest);
    }
    return false;
  }
}

/** The outcome of one line. */
type Line =
  | { readonly kind: 'keep-alive' }
  | { readonly kind: 'events'; readonly events: readonly ActivityStreamEvent[] }
  | { readonly kind: 'error'; readonly error: ConnectionError };

/** A stream line that is not an XAA event, kept as an `unknown` event. */
function unknownLine(raw: unknown, reason: string): UnknownEvent {
  return {
    type: 'unknown',
    family: undefined,
    forUserId: undefined,
    key: undefined,
    index: undefined,
    raw,
    reason,
    issues: [],
  };
}

type ParseXaa = typeof parseXaa;
let xaaParser: Promise<ParseXaa> | undefined;
/**
 * The XAA parser, loaded with the first stream: the client does not carry the webhook parser of the
 * other families (AAA, Filtered Stream), which the stream never delivers.
 */
const loadXaaParser = (): Promise<ParseXaa> => {
  let pending = xaaParser;
  if (pending === undefined) {
    pending = import('../events/xaa.js').then((module) => module.parseXaa);
    xaaParser = pending;
    // A failed load is forgotten, so that the next stream tries again.
    pending.catch(() => {
      if (xaaParser === pending) xaaParser = undefined;
    });
  }
  return pending;
};

/** Issues only end up on the `unknown` events they explain (there is no `onIssue` here). */
const reporter: Reporter = {
  issue() {},
  schemaIssues: (key, index, found) =>
    found.map((i): ActivityIssue => ({ key, index, path: i.path, message: i.message })),
};

function readLine(line: string, parse: ParseXaa, sensitive: readonly string[]): Line {
  if (line.trim() === '') return { kind: 'keep-alive' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'events', events: [unknownLine(line, 'A stream line that is not JSON.')] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'events', events: [unknownLine(value, 'A stream line that is not a JSON object.')] };
  }
  const record = value as Record<string, unknown>;
  const errors = record['errors'];
  if (record['data'] === undefined && Array.isArray(errors) && errors.length > 0) {
    return {
      kind: 'error',
      // X's words, but server text all the same: credentials hidden, length bounded.
      error: new ConnectionError(
        `X ended the activity stream: ${safeText(describeStreamErrors(errors), MAX_MESSAGE_TEXT, sensitive)}.`,
      ),
    };
  }
  // One XAA envelope per line (`data` an event, or an array of them), as webhooks get it.
  const data = record['data'];
  const isEvent = (value: unknown): boolean =>
    typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['event_type'] === 'string';
  let events: ActivityStreamEvent[];
  if (isEvent(data)) events = parse(data, undefined, reporter) as ActivityStreamEvent[];
  else if (Array.isArray(data) && data.some(isEvent)) {
    events = data.flatMap((element, index) => parse(element, index, reporter) as ActivityStreamEvent[]);
  } else events = [unknownLine(record, 'A stream line that is not an X Activity API event.')];
  return { kind: 'events', events };
}

/**
 * The activity stream: iterate it with `for await`; `close()` ends it; `stats()` counts what
 * happened. Returned by `client.activity.stream(options)`. One iteration per stream.
 *
 * @example
 * ```ts
 * const stream = client.activity.stream({ onState: (change) => console.log(change.state) });
 * setTimeout(() => stream.close(), 60_000);
 * for await (const event of stream) console.log(event.type);
 * console.log(stream.stats());
 * ```
 */
export class ActivityStream implements AsyncIterable<ActivityStreamEvent> {
  readonly #open: StreamOpener;
  readonly #settings: Settings;
  readonly #onState: ((change: ActivityStreamStateChange) => void) | undefined;
  readonly #abort = new AbortController();
  readonly #recent: RecentKeys;
  readonly #signal: AbortSignal | undefined;
  readonly #onSignal = (): void => this.close();
  #iterated = false;
  #state: ActivityStreamState = 'idle';
  #attempts = 0;
  #connects = 0;
  #events = 0;
  #duplicates = 0;
  #keepAlives = 0;
  #waited = 0;
  #lastEventAt: number | undefined;
  #lastError: XAccountActivityError | undefined;
  /** When a connection last received anything (an event or a keep-alive). */
  #lastDataAt: number | undefined;
  /** The end of the last gap reported. */
  #gapUntil: number | undefined;
  #gaps = 0;
  readonly #disconnects: Record<ActivityStreamDisconnectReason, number> = {
    stall: 0,
    network: 0,
    ended: 0,
    'stream-error': 0,
    http: 0,
    'rate-limit': 0,
  };

  /** @internal Use `client.activity.stream(options)`. */
  constructor(open: StreamOpener, options?: ActivityStreamOptions) {
    this.#settings = settingsOf(options);
    this.#open = open;
    this.#onState = options?.onState;
    this.#recent = new RecentKeys(this.#settings.dedupMaxKeys, this.#settings.dedupWindowMs);
    this.#signal = options?.signal;
    if (this.#signal) {
      if (this.#signal.aborted) this.#abort.abort();
      // Removed when the stream ends (see `#detach`): a long-lived signal must not keep streams alive.
      else this.#signal.addEventListener('abort', this.#onSignal, { once: true });
    }
  }

  /** The current state. */
  get state(): ActivityStreamState {
    return this.#state;
  }

  /**
   * Ends the stream: the open connection or backoff wait ends, and the iteration finishes without an
   * error (a `for await` loop over it exits). Calling it again does nothing.
   */
  close(): void {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    if (!this.#iterated) {
      this.#detach();
      this.#setState({ state: 'closed' });
    }
  }

  /** Stops listening to the caller's signal. */
  #detach(): void {
    this.#signal?.removeEventListener('abort', this.#onSignal);
  }

  /**
   * A snapshot of the counters.
   *
   * @example
   * ```ts
   * const { reconnects, duplicates, disconnects } = stream.stats();
   * ```
   */
  stats(): ActivityStreamStats {
    return {
      state: this.#state,
      attempts: this.#attempts,
      connects: this.#connects,
      reconnects: Math.max(0, this.#connects - 1),
      events: this.#events,
      duplicates: this.#duplicates,
      keepAlives: this.#keepAlives,
      disconnects: { ...this.#disconnects },
      waitedMs: this.#waited,
      lastEventAt: this.#lastEventAt === undefined ? undefined : new Date(this.#lastEventAt),
      lastError: this.#lastError,
      gaps: this.#gaps,
    };
  }

  /** Starts the stream. A stream is iterated once: a second iteration throws `InvalidArgumentError`. */
  [Symbol.asyncIterator](): AsyncIterator<ActivityStreamEvent> {
    if (this.#iterated) {
      throw new InvalidArgumentError(
        'activity.stream: a stream is iterated once; call client.activity.stream() again.',
      );
    }
    this.#iterated = true;
    return this.#run();
  }

  #setState(change: Omit<ActivityStreamStateChange, 'at' | 'attempt'>): void {
    this.#state = change.state;
    const listener = this.#onState;
    if (listener === undefined) return;
    try {
      listener({ ...change, at: new Date(), attempt: this.#attempts });
    } catch {
      // A throwing listener must not break the stream (documented).
    }
  }

  /** The query of the next attempt (see the module notes on backfill). */
  #query(): { query: Record<string, string>; backfill: number | undefined } {
    const s = this.#settings;
    const query: Record<string, string> = {};
    let backfill: number | undefined;
    const now = Date.now();
    if (this.#attempts === 1) {
      backfill = s.backfillMinutes;
      if (s.startTime !== undefined) query['start_time'] = s.startTime;
    } else if (this.#lastEventAt !== undefined) {
      // At least a minute: an event may have been lost in the very millisecond of the last one.
      backfill = Math.min(MAX_BACKFILL, Math.max(1, Math.ceil((now - this.#lastEventAt) / MINUTE)));
    } else if (s.startTime !== undefined) {
      // Nothing arrived yet: ask for the same start again.
      query['start_time'] = s.startTime;
      backfill = s.backfillMinutes;
    } else {
      const since = Math.max(1, Math.ceil((now - (this.#firstAttemptAt ?? now)) / MINUTE));
      backfill = Math.min(MAX_BACKFILL, Math.max(s.backfillMinutes ?? 0, since));
    }
    if (backfill !== undefined && (backfill > 0 || this.#attempts === 1)) query['backfill_minutes'] = String(backfill);
    else backfill = undefined;
    if (s.endTime !== undefined) query['end_time'] = s.endTime;
    return { query, backfill };
  }

  #firstAttemptAt: number | undefined;

  /**
   * The span a reconnect now cannot backfill any more: from the last data received (or the first
   * attempt, or the previous gap's end) to 5 minutes ago, when that is a span at all.
   */
  #gap(now: number): ActivityStreamGap | undefined {
    if (this.#attempts <= 1) return undefined;
    // Nothing arrived yet and X is asked for the same start again: that start bounds what comes.
    if (this.#lastDataAt === undefined && this.#settings.startTime !== undefined) return undefined;
    const from = Math.max(this.#lastDataAt ?? this.#firstAttemptAt ?? now, this.#gapUntil ?? 0);
    const to = now - MAX_BACKFILL * MINUTE;
    if (to <= from) return undefined;
    this.#gapUntil = to;
    this.#gaps++;
    return { from: new Date(from), to: new Date(to) };
  }

  /** The backoff before the next attempt after `failures` consecutive failures for `reason`. */
  #delay(reason: ActivityStreamDisconnectReason, failures: number, error: unknown): number {
    const s = this.#settings;
    if (reason === 'http') return Math.min(s.httpMaxMs, s.httpInitialMs * 2 ** (failures - 1));
    if (reason === 'rate-limit') {
      let delay = Math.min(s.rateLimitMaxMs, s.rateLimitInitialMs * 2 ** (failures - 1));
      const reset = isXApiError(error) ? error.rateLimit?.reset.getTime() : undefined;
      if (reset !== undefined) delay = Math.min(s.rateLimitMaxMs, Math.max(delay, reset - Date.now()));
      return delay;
    }
    return Math.min(s.networkMaxMs, s.networkStepMs * failures);
  }

  async *#run(): AsyncGenerator<ActivityStreamEvent, void, undefined> {
    const closing = this.#abort.signal;
    const s = this.#settings;
    let network = 0;
    let http = 0;
    let rateLimited = 0;
    let fatal: XAccountActivityError | undefined;
    try {
      const parse = await loadXaaParser();
      while (!closing.aborted) {
        if (s.endAt !== undefined && this.#attempts > 0 && Date.now() >= s.endAt) return;
        this.#attempts++;
        this.#firstAttemptAt ??= Date.now();
        const { query, backfill } = this.#query();
        const gap = this.#gap(Date.now());
        this.#setState({
          state: 'connecting',
          ...(backfill === undefined ? {} : { backfillMinutes: backfill }),
          ...(gap === undefined ? {} : { gap }),
        });
        const connection = new AbortController();
        const onClose = (): void => connection.abort();
        closing.addEventListener('abort', onClose, { once: true });
        let reason: ActivityStreamDisconnectReason | undefined;
        let failure: XAccountActivityError | undefined;
        let received = false;
        try {
          let opened: OpenedStream;
          try {
            opened = await this.#open(query, connection.signal, s.connectTimeoutMs);
          } catch (error) {
            if (closing.aborted) return;
            const retry = retryReason(error);
            // The client maps every network failure to a ConnectionError or TimeoutError (retried).
            // Anything else is no network failure but a fault (a bug, a broken `fetch` option): it ends
            // the stream as the base XAccountActivityError, never as a ConnectionError, so that
            // `isConnectionError` keeps meaning "retried network trouble". The fault is its `cause`.
            const typed =
              error instanceof XAccountActivityError || (error instanceof Error && '__xAccountActivityError' in error)
                ? (error as XAccountActivityError)
                : new XAccountActivityError(
                    'The activity stream could not be opened: an unexpected error (see `cause`).',
                    {
                      cause: error,
                    },
                  );
            this.#lastError = typed;
            if (retry === undefined) {
              fatal = typed;
              throw typed;
            }
            reason = retry;
            failure = typed;
          }
          if (reason === undefined) {
            http = 0;
            rateLimited = 0;
            this.#connects++;
            this.#setState({ state: 'connected' });
            const outcome = yield* this.#read(
              opened!,
              connection,
              () => {
                received = true;
                this.#lastDataAt = Date.now();
              },
              parse,
            );
            if (closing.aborted) return;
            reason = outcome.reason;
            failure = outcome.error;
            if (failure) this.#lastError = failure;
          }
        } finally {
          closing.removeEventListener('abort', onClose);
          connection.abort();
        }
        this.#disconnects[reason]++;
        this.#setState(
          failure === undefined ? { state: 'disconnected', reason } : { state: 'disconnected', reason, error: failure },
        );
        if (reason === 'ended' && s.endAt !== undefined && Date.now() >= s.endAt) return;
        let failures: number;
        if (reason === 'http') failures = ++http;
        else if (reason === 'rate-limit') failures = ++rateLimited;
        else {
          if (received) network = 0;
          failures = ++network;
        }
        const delay = this.#delay(reason, failures, failure);
        this.#setState({ state: 'waiting', reason, delayMs: delay });
        const started = Date.now();
        await sleep(delay, closing);
        this.#waited += Date.now() - started;
      }
    } finally {
      this.#abort.abort();
      this.#detach();
      // close() before the first attempt reported `closed` already.
      if (fatal !== undefined || this.#state !== 'closed') {
        this.#setState(fatal === undefined ? { state: 'closed' } : { state: 'closed', error: fatal });
      }
    }
  }

  /** Reads one connection until it ends; yields its new events. */
  async *#read(
    { body, sensitive }: OpenedStream,
    connection: AbortController,
    onData: () => void,
    parse: ParseXaa,
  ): AsyncGenerator<
    ActivityStreamEvent,
    { reason: ActivityStreamDisconnectReason; error?: XAccountActivityError },
    undefined
  > {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const stallMs = this.#settings.stallTimeoutMs;
    let stalled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        connection.abort();
        void reader.cancel().catch(() => undefined);
      }, stallMs);
    };
    // The body may not follow the signal (on Node 20 the AbortSignal.any() that ky hands fetch can be
    // garbage-collected mid-answer): close() and the end of a connection cancel the reader themselves.
    const cancel = (): void => void reader.cancel().catch(() => undefined);
    connection.signal.addEventListener('abort', cancel, { once: true });
    let buffer = '';
    try {
      arm();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (stalled) return { reason: 'stall' };
          return {
            reason: 'network',
            error: new ConnectionError('The activity stream connection dropped.', { cause: error }),
          };
        }
        if (stalled) return { reason: 'stall' };
        if (chunk.done) {
          // The last line may come without a line break: it counts as a line.
          buffer += decoder.decode();
          if (buffer.trim() === '') return { reason: 'ended' };
          buffer += '\n';
        } else {
          arm();
          buffer += decoder.decode(chunk.value, { stream: true });
        }
        const batch: ActivityStreamEvent[] = [];
        let streamError: ConnectionError | undefined;
        // Lines are cut by index and the rest kept once per chunk: a backfill of thousands of lines in
        // one chunk is not copied once per line.
        let start = 0;
        let newline = buffer.indexOf('\n');
        while (newline !== -1 && streamError === undefined) {
          const line = buffer.slice(start, newline);
          start = newline + 1;
          newline = buffer.indexOf('\n', start);
          const outcome = readLine(line, parse, sensitive);
          if (outcome.kind === 'keep-alive') {
            this.#keepAlives++;
            onData();
          } else if (outcome.kind === 'error') {
            streamError = outcome.error;
          } else {
            onData();
            const now = Date.now();
            for (const event of outcome.events) {
              this.#lastEventAt = now;
              if (this.#recent.seen(activityKey(event), now)) this.#duplicates++;
              else batch.push(event);
            }
          }
        }
        buffer = buffer.slice(start);
        if (buffer.length > MAX_LINE) {
          return {
            reason: 'network',
            error: new ConnectionError(
              `The activity stream sent a line longer than ${MAX_LINE} characters without a line break; reconnecting.`,
            ),
          };
        }
        if (batch.length > 0) {
          // The consumer's time with an event is not a stall of X's.
          clearTimeout(timer);
          for (const event of batch) {
            this.#events++;
            yield event;
            if (connection.signal.aborted) return { reason: 'network' };
          }
          arm();
        }
        if (streamError !== undefined) return { reason: 'stream-error', error: streamError };
        if (chunk.done) return { reason: 'ended' };
      }
    } finally {
      clearTimeout(timer);
      connection.signal.removeEventListener('abort', cancel);
      cancel();
    }
  }
}
