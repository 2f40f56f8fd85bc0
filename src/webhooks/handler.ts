/**
 * The webhook handler's core: the path of one request, from method to answer. The rooms it walks
 * through each live in their own module: CRC answering (`crc-answer.ts`), signature checks
 * (`signature.ts`), parsing (`../events/parse.ts`), duplicate and in-flight coordination
 * (`in-flight.ts`), listeners (`listeners.ts`) and web body reading (`body.ts`).
 *
 * @packageDocumentation
 */
import {
  InvalidArgumentError,
  InvalidPayloadError,
  type ListenerError,
  PayloadTooLargeError,
  RawBodyError,
  SignatureVerificationError,
  type XAccountActivityError,
  isInvalidPayloadError,
} from '../errors.js';
import type { Deduplicator } from '../events/dedup.js';
import { parseActivity } from '../events/parse.js';
import type {
  AccountActivityEvent,
  ActivityEventOf,
  ActivityEventOfFamily,
  ActivityFamily,
  ActivityType,
} from '../events/types.js';
import { readWebBody } from './body.js';
import { type CrcSignatureMode, CrcResponder, SIGNATURE_HEADER } from './crc-answer.js';
import { type HeadersInput, exceedsBytes, getHeader } from './http.js';
import { type ActivityListener, type ErrorListener, ListenerRegistry } from './listeners.js';
import { COORDINATOR, type Coordinator, type CoordinatorFactory } from './in-flight.js';
import { type Logger, safeLogger } from './logger.js';
import { type ConsumerSecret, createVerifier, isWellFormedSignature, toSecrets } from './signature.js';

export { SIGNATURE_HEADER } from './crc-answer.js';
export type { CrcSignatureMode } from './crc-answer.js';
export type { ActivityListener, ErrorListener } from './listeners.js';
export type { Logger } from './logger.js';

/** Default {@link WebhookHandlerOptions.maxBodyBytes}: 1 MiB, far above any documented delivery. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /**
   * The app's consumer secret (API secret key). During a rotation pass several: the first one
   * answers CRC checks, and a delivery signed with any of them is accepted.
   */
  readonly consumerSecret: ConsumerSecret;
  /**
   * Largest accepted request body, in bytes; a larger one is answered 413.
   * @default 1048576 (1 MiB)
   */
  readonly maxBodyBytes?: number;
  /** Receives one line per request outcome. Silent by default. */
  readonly logger?: Logger;
  /**
   * What to do with the `x-twitter-webhooks-signature` header that X's v1.1 CRC GET carries,
   * computed over the raw query string (`crc_token=...&nonce=...`):
   * `'ignore'` answers every well-formed token; `'verify-if-present'` answers 401 when a header is
   * present and wrong; `'require'` also answers 401 when it is missing (v1.1 only: v2 sends none).
   * @default 'ignore'
   */
  readonly crcSignature?: CrcSignatureMode;
  /**
   * Drops events already handled (X retries, replays, and sometimes sends plain duplicates). Each
   * event's {@link activityKey} is claimed before its listeners run; when a listener fails, the claim
   * is released so that X's retry is handled. If the store fails, or does not answer within
   * `storeTimeoutMs`, the event is dispatched anyway (a duplicate is better than a lost event) and the
   * failure is logged.
   *
   * Made by {@link createDeduplicator} (a store of your own goes in its `store` option) or by a store's
   * `deduplicator()` (`x-account-activity/redis`), or a copy of one spread with methods of your own
   * (`{ ...deduplicator, claim }`, to watch claims); another object is refused with an
   * `InvalidArgumentError`. The deduplication code comes with the deduplicator: a handler made without
   * one carries none of it into a bundle.
   *
   * @example
   * ```ts
   * createWebhookHandler({ consumerSecret, deduplicator: createDeduplicator({ ttlMs: 24 * 3600_000 }) });
   * ```
   */
  readonly deduplicator?: Deduplicator;
  /**
   * With a deduplicator: how long a copy of an event waits for the same event still being handled
   * in this process (X retries after 3 s). When the first attempt succeeds the copy is a duplicate;
   * when it fails the copy is handled; when it is still running after this long, the copy is
   * answered 503 so that X tries again later. With a store that coordinates across processes (the
   * Redis store of `x-account-activity/redis`), copies that reach another server wait the same way;
   * with a plain shared store they cannot be seen in flight and are dropped as duplicates at once.
   *
   * The claim step of each event (waiting and store calls) ends within `inFlightWaitMs +
   * storeTimeoutMs`; after the listeners one more store call (mark done, or release) takes at most
   * `storeTimeoutMs`. So an event is answered within `inFlightWaitMs + 2 * storeTimeoutMs` plus its
   * listeners' time (7 s by default), however the store behaves: keep that under X's answer limit.
   * @default 3000
   * @example
   * ```ts
   * createWebhookHandler({ consumerSecret, deduplicator, inFlightWaitMs: 2_000 });
   * ```
   */
  readonly inFlightWaitMs?: number;
  /**
   * With a deduplicator: how long one call to its store (claim, wait's answer, mark done, release)
   * may take. A call with no answer by then counts as a store failure: the event is dispatched anyway
   * and the failure logged, so a store that hangs never holds a delivery past X's answer limit. The
   * in-memory store answers at once and is not timed.
   * @default 2000
   * @example
   * ```ts
   * createWebhookHandler({ consumerSecret, deduplicator, storeTimeoutMs: 500 });
   * ```
   */
  readonly storeTimeoutMs?: number;
}

/** Default {@link WebhookHandlerOptions.inFlightWaitMs}. */
export const DEFAULT_IN_FLIGHT_WAIT_MS = 3_000;

/** Default {@link WebhookHandlerOptions.storeTimeoutMs}. */
export const DEFAULT_STORE_TIMEOUT_MS = 2_000;

/** The framework-free request the core handles. */
export interface RawWebhookRequest {
  /** HTTP method, any letter case. */
  readonly method: string;
  /** A path with its query (`/webhook?crc_token=...`) or a full URL. */
  readonly url: string;
  /** The request headers: a `Headers`, or a plain object with keys in any letter case. */
  readonly headers: HeadersInput;
  /** The exact body bytes or text; absent for GET. */
  readonly body?: string | Uint8Array | ArrayBuffer | null | undefined;
}

/** The framework-free response: write `status`, `headers` and `body` to your server's response. */
export interface RawWebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body text; `''` for an accepted delivery. */
  readonly body: string;
}

/** Counters since the handler was created. */
export interface WebhookHandlerStats {
  /** CRC challenges answered with 200. */
  readonly crcAnswered: number;
  /** POSTs received. */
  readonly deliveries: number;
  /** POSTs whose signature verified. */
  readonly verified: number;
  /** Requests refused (4xx). */
  readonly rejected: number;
  /** Events handed to listeners. */
  readonly dispatched: number;
  /** Deliveries answered 500 because a listener failed. */
  readonly failed: number;
  /** Events dropped by the deduplicator. */
  readonly duplicates: number;
  /**
   * Keys the deduplicator's in-memory store dropped while still inside their TTL, because it held
   * `maxEntries` keys: copies of those events would be handled again. Above 0, raise `maxEntries`
   * (docs/scaling.md). Always 0 for other stores.
   */
  readonly dedupEvictedEarly: number;
}

/** What {@link createWebhookHandler} returns. */
export interface WebhookHandler {
  /**
   * Listens to one type of event, or to several: the listener's argument is narrowed to exactly
   * those types. Returns a function that removes the listener.
   *
   * @example
   * ```ts
   * handler.on('favorite', (event) => console.log(event.type));
   * handler.on(['follow', 'unfollow'], (event) => console.log(event.type));
   * ```
   */
  on<T extends ActivityType>(type: T | readonly T[], listener: ActivityListener<ActivityEventOf<T>>): () => void;
  /** Listens to every event. Returns a function that removes the listener. */
  onAny(listener: ActivityListener<AccountActivityEvent>): () => void;
  /**
   * Listens to every event of one family (or several): `'aaa'` (Account Activity API), `'xaa'`
   * (X Activity API, including its `unknown` events), `'filtered_stream'`. The listener gets that
   * family's union. Returns a function that removes the listener.
   *
   * @example
   * ```ts
   * handler.onFamily('xaa', (event) => console.log(event.type, event.filter.userId));
   * ```
   */
  onFamily<F extends ActivityFamily>(
    family: F | readonly F[],
    listener: ActivityListener<ActivityEventOfFamily<F>>,
  ): () => void;
  /**
   * Listens to failures: refused requests (bad signature, oversized or malformed body, refused CRC
   * token) and listener failures. Returns a function that removes the listener.
   */
  onError(listener: ErrorListener): () => void;
  /**
   * Handles a web-standard `Request` (Next.js route handlers, Hono, Bun, Deno, workerd).
   *
   * @example
   * ```ts
   * export const GET = (request: Request) => handler.handle(request);
   * export const POST = GET;
   * ```
   */
  handle(request: Request): Promise<Response>;
  /** The framework-free core: any server that can give the method, URL, headers and raw body. */
  handleRaw(request: RawWebhookRequest): Promise<RawWebhookResponse>;
  /** Counters since creation. */
  stats(): WebhookHandlerStats;
  /**
   * For adapter authors: the body limit in bytes. An adapter that reads the body itself reads no more
   * than this, and answers with {@link WebhookHandler.refuseBody} when the body is larger.
   */
  readonly maxBodyBytes: number;
  /**
   * For adapter authors (such as `toNodeListener`), when the body could not be had: answers the POST
   * and reports it like every other refusal (logger, `onError`, `stats()`). `'aborted'` (the client
   * went away mid-upload) answers 400 and `'timeout'` (the body did not arrive in time) 408, both
   * with a {@link RawBodyError}.
   * `'too-large'` answers 413 with a {@link PayloadTooLargeError}; `'consumed'` (a body parser read
   * the stream first) answers 500 with a {@link RawBodyError} whose message is `hint`.
   */
  refuseBody(reason: 'too-large' | 'consumed' | 'aborted' | 'timeout', hint?: string): Promise<RawWebhookResponse>;
}

const WEB_CONSUMED_HINT =
  'The Request body was already read (request.json() or request.text() ran before the webhook ' +
  'handler), so the exact bytes X signed are gone. Pass the untouched Request to handler.handle().';

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };
const ACCEPTED: RawWebhookResponse = { status: 200, headers: {}, body: '' };
const ACCEPTED_INIT: ResponseInit = { status: 200 };

function reply(status: number, message: string, extra?: Record<string, string>): RawWebhookResponse {
  return {
    status,
    headers: extra ? { ...JSON_HEADERS, ...extra } : JSON_HEADERS,
    body: JSON.stringify({ error: message }),
  };
}

/**
 * Creates a webhook endpoint for X's Account Activity API: it answers CRC challenges, verifies every
 * delivery's signature on the raw body, parses it into typed events and awaits your listeners.
 *
 * | request | answer |
 * |---|---|
 * | GET with a valid `crc_token` | 200, `application/json` `{"response_token":"sha256=..."}` |
 * | GET without `crc_token`, or with a refused one | 400 |
 * | POST with a missing or wrong signature | 401, nothing dispatched |
 * | POST larger than `maxBodyBytes` | 413 |
 * | POST that is not a JSON object | 400 |
 * | POST, listeners done | 200, empty body |
 * | POST, a listener threw | 500, so that X retries |
 * | any other method | 405 |
 *
 * @example
 * ```ts
 * const handler = createWebhookHandler({ consumerSecret: process.env.X_CONSUMER_SECRET! });
 * handler.on('direct_message', async (event) => { ... });
 * // web standard:
 * export const POST = (request: Request) => handler.handle(request);
 * // node:http, Express: toNodeListener(handler) from 'x-account-activity/node'
 * ```
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const { secrets, maxBodyBytes, crcSignature, inFlightWaitMs, storeTimeoutMs } = checkOptions(options);
  const logger = safeLogger(options.logger);
  const listeners = new ListenerRegistry(logger);
  const verify = createVerifier(secrets);
  const crc = new CrcResponder(secrets[0] as string, crcSignature, verify);
  const dedup = options.deduplicator
    ? coordinatorFactory(options.deduplicator)(options.deduplicator, inFlightWaitMs, storeTimeoutMs, logger)
    : undefined;
  const counts = { crcAnswered: 0, deliveries: 0, verified: 0, rejected: 0, dispatched: 0, failed: 0, duplicates: 0 };

  async function refuse(status: number, message: string, error: XAccountActivityError): Promise<RawWebhookResponse> {
    counts.rejected++;
    logger.warn(message, { status, error: error.name });
    await listeners.report(error);
    return reply(status, message);
  }

  const tooLarge = (): Promise<RawWebhookResponse> =>
    refuse(413, 'Request body too large.', new PayloadTooLargeError(maxBodyBytes));

  function refuseBody(
    reason: 'too-large' | 'consumed' | 'aborted' | 'timeout',
    hint?: string,
  ): Promise<RawWebhookResponse> {
    counts.deliveries++;
    if (reason === 'too-large') return tooLarge();
    if (reason === 'aborted') {
      const error = new RawBodyError(hint ?? 'The client aborted the request before its body was read to its end.');
      return refuse(400, error.message, error);
    }
    if (reason === 'timeout') {
      const error = new RawBodyError(hint ?? 'The request body did not arrive in time.');
      return refuse(408, error.message, error);
    }
    const error = new RawBodyError(hint ?? WEB_CONSUMED_HINT);
    return refuse(500, error.message, error);
  }

  /** A body stream that failed while being read (the client went away mid-upload): 400, reported. */
  function refuseUnreadable(cause: unknown): Promise<RawWebhookResponse> {
    counts.deliveries++;
    const error = new RawBodyError(
      'The request body could not be read to its end (did the client abort the upload?).',
      {
        cause,
      },
    );
    return refuse(400, error.message, error);
  }

  function handleRaw(request: RawWebhookRequest): Promise<RawWebhookResponse> {
    const method = request.method.toUpperCase();
    if (method === 'POST') return acceptDelivery(request);
    if (method === 'GET') return answerCrc(request.url, request.headers);
    counts.rejected++;
    return Promise.resolve(reply(405, 'Method not allowed.', { allow: 'GET, POST' }));
  }

  async function answerCrc(url: string, headers: HeadersInput): Promise<RawWebhookResponse> {
    const outcome = await crc.answer(url, headers);
    if (!outcome.ok) return refuse(outcome.status, outcome.message, outcome.error);
    counts.crcAnswered++;
    logger.debug('Answered CRC challenge');
    return { status: 200, headers: JSON_HEADERS, body: outcome.body };
  }

  /** A POST: size, signature, parse, dispatch, answer. */
  async function acceptDelivery(request: RawWebhookRequest): Promise<RawWebhookResponse> {
    counts.deliveries++;
    let body = request.body ?? '';
    if (body instanceof ArrayBuffer) body = new Uint8Array(body);
    if (exceedsBytes(body, maxBodyBytes)) return tooLarge();
    const header = getHeader(request.headers, SIGNATURE_HEADER);
    const verified = verify(body, header);
    if (!(typeof verified === 'boolean' ? verified : await verified)) {
      // Which check failed, never the signature itself.
      const message =
        header === undefined
          ? 'Missing x-twitter-webhooks-signature header.'
          : !isWellFormedSignature(header)
            ? 'Malformed x-twitter-webhooks-signature header: expected "sha256=" and the base64 of 32 bytes.'
            : 'x-twitter-webhooks-signature does not match the raw body: a different consumer secret, or a body changed before verification.';
      return refuse(401, message, new SignatureVerificationError(message));
    }
    counts.verified++;
    let events: AccountActivityEvent[];
    try {
      events = parseActivity(body);
    } catch (error) {
      const refused = isInvalidPayloadError(error)
        ? error
        : new InvalidPayloadError('The delivery could not be parsed.', { cause: error });
      return refuse(400, 'The body is not a JSON object.', refused);
    }
    let failures: ListenerError[];
    let busy = false;
    if (dedup) ({ failures, busy } = await dispatch(events, dedup));
    else {
      const ran = dispatchPlain(events);
      failures = Array.isArray(ran) ? ran : await ran;
    }
    if (failures.length > 0) {
      counts.failed++;
      logger.error('A listener failed; answering 500 so that X retries', { failures: failures.length });
      for (const failure of failures) await listeners.report(failure);
      return reply(500, 'A listener failed; the delivery will be retried.');
    }
    if (busy) {
      logger.warn('A copy of an event still being handled waited too long; answering 503 so that X retries');
      return reply(503, 'This event is still being handled; try again later.', { 'retry-after': '5' });
    }
    logger.debug('Delivery accepted', { events: events.length });
    return ACCEPTED;
  }

  /**
   * Without a deduplicator: the listeners of each event in order, one event after the other; the
   * failures. Synchronous as long as the listeners are (see ListenerRegistry.run).
   */
  function dispatchPlain(events: readonly AccountActivityEvent[]): ListenerError[] | Promise<ListenerError[]> {
    const failures: ListenerError[] = [];
    for (let i = 0; i < events.length; i++) {
      counts.dispatched++;
      const ran = listeners.run(events[i] as AccountActivityEvent);
      if (!Array.isArray(ran)) return finishPlain(events, i + 1, failures, ran);
      if (ran.length > 0) failures.push(...ran);
    }
    return failures;
  }

  /** The rest of {@link dispatchPlain} once a listener returned a promise. */
  async function finishPlain(
    events: readonly AccountActivityEvent[],
    from: number,
    failures: ListenerError[],
    pending: Promise<ListenerError[]>,
  ): Promise<ListenerError[]> {
    failures.push(...(await pending));
    for (let i = from; i < events.length; i++) {
      counts.dispatched++;
      failures.push(...(await listeners.run(events[i] as AccountActivityEvent)));
    }
    return failures;
  }

  /**
   * With a deduplicator: runs the listeners of each event in order, skipping duplicates; failures,
   * and whether a copy was busy.
   */
  async function dispatch(
    events: readonly AccountActivityEvent[],
    { key: keyOf, claims }: Coordinator,
  ): Promise<{ failures: ListenerError[]; busy: boolean }> {
    const failures: ListenerError[] = [];
    let busy = false;
    for (const event of events) {
      const key = keyOf(event);
      const entry = await claims.enter(key);
      if (entry === 'duplicate' || entry === 'busy') {
        if (entry === 'busy') busy = true;
        else counts.duplicates++;
        logger.debug('Dropped a duplicate event', { type: event.type, inFlight: entry === 'busy' });
        continue;
      }
      let failed = false;
      try {
        counts.dispatched++;
        const failedHere = await listeners.run(event);
        failed = failedHere.length > 0;
        failures.push(...failedHere);
        if (failed) await claims.release(key);
      } finally {
        await entry.settle(!failed);
      }
    }
    return { failures, busy };
  }

  async function handle(request: Request): Promise<Response> {
    let raw: RawWebhookResponse;
    if (request.method.toUpperCase() === 'POST') {
      let body: Uint8Array | undefined | null = null;
      let unreadable: unknown;
      if (!request.bodyUsed && request.body?.locked !== true) {
        try {
          body = await readWebBody(request, maxBodyBytes);
        } catch (error) {
          unreadable = error ?? new Error('unreadable body');
        }
      }
      if (unreadable !== undefined) raw = await refuseUnreadable(unreadable);
      else if (body === null) raw = await refuseBody('consumed');
      else if (body === undefined) raw = await refuseBody('too-large');
      else raw = await handleRaw({ method: 'POST', url: request.url, headers: request.headers, body });
    } else {
      raw = await handleRaw({ method: request.method, url: request.url, headers: request.headers });
    }
    // The usual answer (200, no body, no header) without building a header list.
    if (raw === ACCEPTED) return new Response(null, ACCEPTED_INIT);
    return new Response(raw.body === '' ? null : raw.body, { status: raw.status, headers: raw.headers });
  }

  return {
    on(type, listener) {
      return listeners.on(typeof type === 'string' ? [type] : type, listener as ActivityListener<AccountActivityEvent>);
    },
    onAny: (listener) => listeners.onAny(listener),
    onFamily(family, listener) {
      return listeners.on(
        typeof family === 'string' ? [family] : family,
        listener as ActivityListener<AccountActivityEvent>,
        true,
      );
    },
    onError: (listener) => listeners.onError(listener),
    handle,
    handleRaw,
    stats: () => ({ ...counts, dedupEvictedEarly: dedup?.claims.evictedEarly ?? 0 }),
    maxBodyBytes,
    refuseBody,
  };
}

/**
 * How the handler coordinates with `deduplicator`: what `createDeduplicator` (or a store's
 * `deduplicator()`) put under COORDINATOR. Another object with `claim` and `release` is refused, with
 * the way to plug a custom store in.
 */
function coordinatorFactory(deduplicator: Deduplicator): CoordinatorFactory {
  const factory: unknown =
    typeof deduplicator === 'object' && deduplicator !== null
      ? (deduplicator as { [COORDINATOR]?: unknown })[COORDINATOR]
      : undefined;
  if (typeof factory !== 'function') {
    throw new InvalidArgumentError(
      "createWebhookHandler(): deduplicator must come from createDeduplicator() or a store's deduplicator(). A store of your own goes in createDeduplicator's `store` option; to wrap a deduplicator, spread it: { ...deduplicator, claim }.",
    );
  }
  return factory as CoordinatorFactory;
}

/** The options checked once, when the handler is made. */
function checkOptions(options: WebhookHandlerOptions): {
  secrets: readonly string[];
  maxBodyBytes: number;
  crcSignature: CrcSignatureMode;
  inFlightWaitMs: number;
  storeTimeoutMs: number;
} {
  const secrets = toSecrets(options?.consumerSecret, 'createWebhookHandler');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new InvalidArgumentError('createWebhookHandler(): maxBodyBytes must be a positive whole number of bytes.');
  }
  const crcSignature = options.crcSignature ?? 'ignore';
  if (!['ignore', 'verify-if-present', 'require'].includes(crcSignature)) {
    throw new InvalidArgumentError(
      "createWebhookHandler(): crcSignature must be 'ignore', 'verify-if-present' or 'require'.",
    );
  }
  const inFlightWaitMs = milliseconds(options.inFlightWaitMs ?? DEFAULT_IN_FLIGHT_WAIT_MS, 'inFlightWaitMs');
  const storeTimeoutMs = milliseconds(options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS, 'storeTimeoutMs');
  return { secrets, maxBodyBytes, crcSignature, inFlightWaitMs, storeTimeoutMs };
}

function milliseconds(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`createWebhookHandler(): ${name} must be a positive whole number of milliseconds.`);
  }
  return value;
}
