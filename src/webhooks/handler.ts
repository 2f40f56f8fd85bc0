import {
  CrcTokenError,
  InvalidPayloadError,
  ListenerError,
  PayloadTooLargeError,
  RawBodyError,
  SignatureVerificationError,
  type XAccountActivityError,
  isInvalidPayloadError,
} from '../errors.js';
import { activityKey, type Deduplicator } from '../events/dedup.js';
import { parseActivity } from '../events/parse.js';
import {
  ACTIVITY_TYPES,
  type AccountActivityEvent,
  type ActivityEventOf,
  type ActivityType,
} from '../events/types.js';
import { createCrcResponse, isValidCrcToken } from './crc.js';
import {
  type HeadersInput,
  concatBytes,
  contentLength,
  exceedsBytes,
  getHeader,
  rawQuery,
} from './http.js';
import { type ConsumerSecret, toSecrets, verifySignature } from './signature.js';

/** The header X signs deliveries with. */
export const SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

/** Default {@link WebhookHandlerOptions.maxBodyBytes}: 1 MiB, far above any documented delivery. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Where the handler reports what it does. Every method is optional; the library never writes to the
 * console by itself. Messages and metadata never contain secrets or signatures.
 */
export interface Logger {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info?(message: string, meta?: Record<string, unknown>): void;
  warn?(message: string, meta?: Record<string, unknown>): void;
  error?(message: string, meta?: Record<string, unknown>): void;
}

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
  readonly crcSignature?: 'ignore' | 'verify-if-present' | 'require';
  /**
   * Drops events already handled (X retries, replays, and sometimes sends plain duplicates). Each
   * event's {@link activityKey} is claimed before its listeners run; when a listener fails, the claim
   * is released so that X's retry is handled. If the store fails, the event is dispatched anyway
   * (a duplicate is better than a lost event) and the failure is logged.
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
   * answered 503 so that X tries again later. Copies that reach another server sharing the store
   * cannot be seen in flight and are dropped as duplicates at once.
   * @default 10000
   */
  readonly inFlightWaitMs?: number;
}

/** Default {@link WebhookHandlerOptions.inFlightWaitMs}. */
export const DEFAULT_IN_FLIGHT_WAIT_MS = 10_000;

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

/** A listener for events of some types. It may be async; a rejection makes the answer 500. */
export type ActivityListener<E> = (event: E) => void | Promise<void>;

/** A listener for errors: refused requests and listener failures. */
export type ErrorListener = (error: XAccountActivityError) => void | Promise<void>;

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
  on<T extends ActivityType>(
    type: T | readonly T[],
    listener: ActivityListener<ActivityEventOf<T>>,
  ): () => void;
  /** Listens to every event. Returns a function that removes the listener. */
  onAny(listener: ActivityListener<AccountActivityEvent>): () => void;
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
  /** The body limit in bytes; adapters read no more than this from a stream. */
  readonly maxBodyBytes: number;
  /**
   * For adapters that read the body themselves (such as `toNodeListener`): answers a POST whose body
   * could not be had, and reports it like every other refusal (logger, `onError`, `stats()`).
   * `'too-large'` answers 413 with a {@link PayloadTooLargeError}; `'consumed'` (a body parser read
   * the stream first) answers 500 with a {@link RawBodyError} whose message is `hint`.
   */
  refuseBody(reason: 'too-large' | 'consumed', hint?: string): Promise<RawWebhookResponse>;
}

const WEB_CONSUMED_HINT =
  'The Request body was already read (request.json() or request.text() ran before the webhook ' +
  'handler), so the exact bytes X signed are gone. Pass the untouched Request to handler.handle().';

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };
const ACCEPTED: RawWebhookResponse = { status: 200, headers: {}, body: '' };

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
  const secrets = toSecrets(options?.consumerSecret, 'createWebhookHandler');
  const crcSecret = secrets[0] as string;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError('createWebhookHandler(): maxBodyBytes must be a positive whole number of bytes.');
  }
  const crcSignature = options.crcSignature ?? 'ignore';
  if (!['ignore', 'verify-if-present', 'require'].includes(crcSignature)) {
    throw new TypeError(
      "createWebhookHandler(): crcSignature must be 'ignore', 'verify-if-present' or 'require'.",
    );
  }
  const logger = safeLogger(options.logger);
  const inFlightWaitMs = options.inFlightWaitMs ?? DEFAULT_IN_FLIGHT_WAIT_MS;
  if (!Number.isSafeInteger(inFlightWaitMs) || inFlightWaitMs <= 0) {
    throw new TypeError('createWebhookHandler(): inFlightWaitMs must be a positive whole number of milliseconds.');
  }

  const typed = new Map<ActivityType, Set<ActivityListener<AccountActivityEvent>>>();
  const any = new Set<ActivityListener<AccountActivityEvent>>();
  const errorListeners = new Set<ErrorListener>();
  const deduplicator = options.deduplicator;
  const counts = {
    crcAnswered: 0,
    deliveries: 0,
    verified: 0,
    rejected: 0,
    dispatched: 0,
    failed: 0,
    duplicates: 0,
  };

  const report = async (error: XAccountActivityError): Promise<void> => {
    for (const listener of errorListeners) {
      try {
        await listener(error);
      } catch (thrown) {
        logger.error('An onError listener threw', { error: String(thrown) });
      }
    }
  };

  const refuse = async (
    status: number,
    message: string,
    error: XAccountActivityError,
  ): Promise<RawWebhookResponse> => {
    counts.rejected++;
    logger.warn(message, { status, error: error.name });
    await report(error);
    return reply(status, message);
  };

  const tooLarge = (): Promise<RawWebhookResponse> =>
    refuse(413, 'Request body too large.', new PayloadTooLargeError(maxBodyBytes));

  const refuseBody = (reason: 'too-large' | 'consumed', hint?: string): Promise<RawWebhookResponse> => {
    counts.deliveries++;
    if (reason === 'too-large') return tooLarge();
    const error = new RawBodyError(hint ?? WEB_CONSUMED_HINT);
    return refuse(500, error.message, error);
  };

  async function answerCrc(request: RawWebhookRequest): Promise<RawWebhookResponse> {
    const query = rawQuery(request.url);
    const tokens = new URLSearchParams(query).getAll('crc_token');
    const token = tokens[0];
    if (token === undefined) {
      return refuse(400, 'Missing crc_token query parameter.', new CrcTokenError('Missing crc_token.'));
    }
    if (tokens.length > 1 || !isValidCrcToken(token)) {
      return refuse(
        400,
        'Refused crc_token: not of the documented opaque shape.',
        new CrcTokenError('Refused crc_token: not one token of the documented opaque shape.'),
      );
    }
    if (crcSignature !== 'ignore') {
      const header = getHeader(request.headers, SIGNATURE_HEADER);
      if ((header !== undefined || crcSignature === 'require') && !(await crcSignatureValid(query, token, header))) {
        return refuse(
          401,
          'Invalid CRC request signature.',
          new SignatureVerificationError('The CRC GET signature does not match its query string.'),
        );
      }
    }
    const body = JSON.stringify(await createCrcResponse(token, crcSecret));
    counts.crcAnswered++;
    logger.debug('Answered CRC challenge');
    return { status: 200, headers: JSON_HEADERS, body };
  }

  /**
   * X signs `crc_token=...&nonce=...`. When the webhook URL has a query of its own, the signature is
   * accepted over the whole query or over those two pairs alone (spec §9.18 leaves it open), and
   * then the signed pairs must hold the very token answered (so an unsigned, percent-encoded
   * `crc_token` cannot ride along with a captured signature).
   */
  async function crcSignatureValid(query: string, token: string, header: string | undefined): Promise<boolean> {
    if (await verifySignature(query, header, secrets)) return true;
    const own = query
      .split('&')
      .filter((pair) => pair.startsWith('crc_token=') || pair.startsWith('nonce='))
      .join('&');
    return (
      own !== query &&
      new URLSearchParams(own).get('crc_token') === token &&
      verifySignature(own, header, secrets)
    );
  }

  /**
   * Events being handled in this process now, by key: resolves true when their listeners succeeded.
   * A copy that arrives meanwhile (X retries after 3 s; plain duplicates arrive together) waits for
   * the outcome instead of being answered 200 at once: if the first attempt fails, its claim is
   * released and the copy is handled. The entry is registered before the store is asked, so no copy
   * slips between the claim and the registration.
   */
  const inFlight = new Map<string, Promise<boolean>>();

  /** What {@link enter} answers: handle the event (and settle), a duplicate, or busy (503). */
  type Entry = { readonly settle: (ok: boolean) => void } | 'duplicate' | 'busy';

  async function enter(key: string): Promise<Entry> {
    for (;;) {
      const pending = inFlight.get(key);
      if (pending) {
        const outcome = await within(pending, inFlightWaitMs);
        if (outcome === undefined) return 'busy';
        if (outcome) return 'duplicate';
        continue; // the first attempt failed and released its claim: try to claim it now
      }
      let settle: (ok: boolean) => void = () => undefined;
      const mine = new Promise<boolean>((resolve) => (settle = resolve));
      inFlight.set(key, mine);
      const finish = (ok: boolean): void => {
        if (inFlight.get(key) === mine) inFlight.delete(key);
        settle(ok);
      };
      if (await claim(key)) return { settle: finish };
      finish(true); // claimed before (here or by another server): a duplicate
      return 'duplicate';
    }
  }

  /** Claims an event's key; true when it is new (or the store failed: dispatch anyway). */
  async function claim(key: string): Promise<boolean> {
    try {
      return await (deduplicator as Deduplicator).claim(key);
    } catch (error) {
      logger.warn('The deduplicator failed; dispatching the event anyway', { error: String(error) });
      return true;
    }
  }

  /** Runs the listeners of each event in order; collects failures, and whether a copy was busy. */
  async function dispatch(
    events: readonly AccountActivityEvent[],
  ): Promise<{ failures: ListenerError[]; busy: boolean }> {
    const failures: ListenerError[] = [];
    let busy = false;
    for (const event of events) {
      const key = deduplicator ? activityKey(event) : undefined;
      const entry = key === undefined ? undefined : await enter(key);
      if (entry === 'duplicate' || entry === 'busy') {
        if (entry === 'busy') busy = true;
        else counts.duplicates++;
        logger.debug('Dropped a duplicate event', { type: event.type, inFlight: entry === 'busy' });
        continue;
      }
      let failed = false;
      try {
        const forType = typed.get(event.type);
        const listeners = forType ? [...forType, ...any] : [...any];
        counts.dispatched++;
        const results = await Promise.allSettled(listeners.map(async (listener) => listener(event)));
        for (const result of results) {
          if (result.status === 'rejected') {
            failed = true;
            failures.push(
              new ListenerError(`A listener for "${event.type}" failed.`, event, { cause: result.reason }),
            );
          }
        }
        if (failed && key !== undefined) {
          const store = deduplicator as Deduplicator;
          await Promise.resolve()
            .then(() => store.release(key))
            .catch((error: unknown) => {
              logger.warn('The deduplicator could not release a claim', { error: String(error) });
            });
        }
      } finally {
        entry?.settle(!failed);
      }
    }
    return { failures, busy };
  }

  async function acceptDelivery(request: RawWebhookRequest): Promise<RawWebhookResponse> {
    counts.deliveries++;
    let body = request.body ?? '';
    if (body instanceof ArrayBuffer) body = new Uint8Array(body);
    if (exceedsBytes(body, maxBodyBytes)) return tooLarge();
    const header = getHeader(request.headers, SIGNATURE_HEADER);
    if (!(await verifySignature(body, header, secrets))) {
      return refuse(
        401,
        'Invalid or missing x-twitter-webhooks-signature.',
        new SignatureVerificationError(
          header === undefined
            ? 'The delivery has no x-twitter-webhooks-signature header.'
            : 'The x-twitter-webhooks-signature header does not match the raw body.',
        ),
      );
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
    const { failures, busy } = await dispatch(events);
    if (failures.length > 0) {
      counts.failed++;
      logger.error('A listener failed; answering 500 so that X retries', {
        failures: failures.length,
      });
      for (const failure of failures) await report(failure);
      return reply(500, 'A listener failed; the delivery will be retried.');
    }
    if (busy) {
      logger.warn('A copy of an event still being handled waited too long; answering 503 so that X retries');
      return reply(503, 'This event is still being handled; try again later.', { 'retry-after': '5' });
    }
    logger.debug('Delivery accepted', { events: events.length });
    return ACCEPTED;
  }

  async function handleRaw(request: RawWebhookRequest): Promise<RawWebhookResponse> {
    const method = request.method.toUpperCase();
    if (method === 'POST') return acceptDelivery(request);
    if (method === 'GET') return answerCrc(request);
    counts.rejected++;
    return reply(405, 'Method not allowed.', { allow: 'GET, POST' });
  }

  async function readBody(request: Request): Promise<Uint8Array | undefined> {
    const declared = contentLength(request.headers.get('content-length') ?? undefined);
    if (declared !== undefined && declared > maxBodyBytes) {
      await request.body?.cancel().catch(() => undefined);
      return undefined;
    }
    if (!request.body) return new Uint8Array(0);
    if (declared !== undefined) {
      // A known length within the limit: one arrayBuffer() call is much faster than a read loop (about
      // twice on Bun). A server enforces the declared length; the check below covers a Request built
      // by hand with a smaller content-length than its body.
      const bytes = new Uint8Array(await request.arrayBuffer());
      return bytes.byteLength > maxBodyBytes ? undefined : bytes;
    }
    // Unknown length (chunked): stream, and stop reading as soon as the limit is passed.
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBodyBytes) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
    return concatBytes(chunks, total);
  }

  async function handle(request: Request): Promise<Response> {
    let raw: RawWebhookResponse;
    if (request.method.toUpperCase() === 'POST') {
      const body = request.bodyUsed ? null : await readBody(request);
      if (body === null) {
        raw = await refuseBody('consumed');
      } else if (body === undefined) {
        raw = await refuseBody('too-large');
      } else {
        raw = await handleRaw({ method: 'POST', url: request.url, headers: request.headers, body });
      }
    } else {
      raw = await handleRaw({ method: request.method, url: request.url, headers: request.headers });
    }
    return new Response(raw.body === '' ? null : raw.body, { status: raw.status, headers: raw.headers });
  }

  const add = <L>(set: Set<L>, listener: L): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('A listener must be a function.');
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };

  return {
    on(type, listener) {
      const types: readonly ActivityType[] = typeof type === 'string' ? [type] : type;
      for (const t of types) {
        if (!(ACTIVITY_TYPES as readonly string[]).includes(t)) {
          throw new TypeError(
            `handler.on(): unknown event type ${JSON.stringify(t)}. Known types: ${ACTIVITY_TYPES.join(', ')}.`,
          );
        }
      }
      const removers = types.map((t) => {
        let set = typed.get(t);
        if (!set) typed.set(t, (set = new Set()));
        return add(set, listener as ActivityListener<AccountActivityEvent>);
      });
      return () => {
        for (const remove of removers) remove();
      };
    },
    onAny: (listener) => add(any, listener),
    onError: (listener) => add(errorListeners, listener),
    handle,
    handleRaw,
    stats: () => ({ ...counts }),
    maxBodyBytes,
    refuseBody,
  };
}

/** The promise's value, or undefined when it takes longer than `ms` (the timer is cleared either way). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The user's logger with every method present and none able to throw into the handler. */
function safeLogger(logger: Logger | undefined): Required<Logger> {
  const call =
    (level: keyof Logger) =>
    (message: string, meta?: Record<string, unknown>): void => {
      try {
        logger?.[level]?.(message, meta);
      } catch {
        // A broken logger must not change an answer to X.
      }
    };
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') };
}
