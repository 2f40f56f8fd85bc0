/**
 * The HTTP layer's policy and its front door.
 *
 * Every attempt of every request, the app-only token request included, goes through one ky instance
 * per client (`ky-transport.ts`): the request is signed in ky's `beforeRequest` hook (each retry signed
 * afresh, so X never sees a reused OAuth nonce), ky's `timeout` bounds each attempt, and ky's retry
 * runs the policy of this module through `shouldRetry` and `delay`: which statuses and errors are
 * retried, backoff, and the waits X asks for with `retry-after` and `x-rate-limit-reset`.
 *
 * `HttpTransport` loads `ky-transport.ts` (and with it ky) on the first request, not at import of the
 * package: see `send`. No ky type appears in any signature here.
 *
 * Internal module.
 */
import { ConnectionError, InvalidArgumentError, TimeoutError, XAccountActivityError } from '../errors.js';
import type { HttpMethod } from './endpoints.js';
import { MAX_MESSAGE_TEXT, redactSecrets, safeText } from './error-text.js';

/**
 * When and how the client retries a failed request.
 *
 * Idempotent requests (GET, the CRC trigger PUT, DELETE) are retried on 429, 5xx and network errors.
 * POSTs are retried only with `retryPost: true` (or a call's `retry: true`). Timeouts are not retried.
 *
 * @example
 * ```ts
 * new AccountActivityClient({ ..., retry: { limit: 4, maxRetryAfter: 120_000 } });
 * ```
 */
export interface RetryOptions {
  /**
   * Retries after the first attempt.
   * @default 2
   */
  readonly limit?: number;
  /**
   * Retry POSTs (register, subscribe, replay) too. X may then see the request twice.
   * @default false
   */
  readonly retryPost?: boolean;
  /**
   * First backoff delay in milliseconds; doubles with each retry.
   * @default 500
   */
  readonly baseDelay?: number;
  /**
   * Longest backoff delay in milliseconds, when X gives no `retry-after` or `x-rate-limit-reset`.
   * @default 10000
   */
  readonly maxDelay?: number;
  /**
   * Longest wait in milliseconds that the client accepts from `retry-after` or `x-rate-limit-reset`.
   * When X asks for a longer wait the error is thrown at once (its `rateLimit.reset` says when to
   * come back) instead of holding the call open.
   * @default 60000
   */
  readonly maxRetryAfter?: number;
}

/** The retry options with every default filled in. */
export interface RetryPolicy {
  readonly limit: number;
  readonly retryPost: boolean;
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly maxRetryAfter: number;
}

const MAX_TIMER = 2_147_483_647;

/** @internal A number of milliseconds that a timer accepts, or an `InvalidArgumentError` naming `name`. */
export function checkMs(name: string, value: unknown, allowZero: boolean): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!allowZero && value === 0) ||
    value > MAX_TIMER
  ) {
    throw new InvalidArgumentError(
      `${name} must be a number of milliseconds ${allowZero ? 'from 0' : 'above 0'} up to ${MAX_TIMER}; got ${String(value)}.`,
    );
  }
  return value;
}

/** Validates retry options and fills in the defaults. `false` turns retries off. */
export function normalizeRetry(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { limit: 0, retryPost: false, baseDelay: 0, maxDelay: 0, maxRetryAfter: 0 };
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError('retry must be an object of retry options or false.');
  }
  const limit = options?.limit ?? 2;
  if (!Number.isInteger(limit) || limit < 0 || limit > 10) {
    throw new InvalidArgumentError(`retry.limit must be a whole number from 0 to 10; got ${String(limit)}.`);
  }
  const retryPost = options?.retryPost ?? false;
  if (typeof retryPost !== 'boolean') throw new InvalidArgumentError('retry.retryPost must be a boolean.');
  return {
    limit,
    retryPost,
    baseDelay: checkMs('retry.baseDelay', options?.baseDelay ?? 500, true),
    maxDelay: checkMs('retry.maxDelay', options?.maxDelay ?? 10_000, true),
    maxRetryAfter: checkMs('retry.maxRetryAfter', options?.maxRetryAfter ?? 60_000, true),
  };
}

/** Statuses worth another attempt. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * The wait in milliseconds before retry number `attempt` (1-based) after an answer with `status` and
 * `headers`, or undefined when this answer must not be retried. `retry-after` (seconds or an HTTP
 * date) wins over `x-rate-limit-reset` (epoch seconds); without either, exponential backoff capped
 * at `maxDelay`.
 */
export function retryDelay(
  status: number | undefined,
  headers: Headers | undefined,
  attempt: number,
  policy: RetryPolicy,
  now: number = Date.now(),
): number | undefined {
  if (status !== undefined && !RETRY_STATUSES.has(status)) return undefined;
  const backoff = Math.min(policy.maxDelay, policy.baseDelay * 2 ** (attempt - 1));
  if (status === undefined || headers === undefined) return backoff;
  let wait: number | undefined;
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now;
  } else if (status === 429) {
    const reset = Number(headers.get('x-rate-limit-reset') ?? Number.NaN);
    if (Number.isFinite(reset) && reset > 0) wait = reset * 1000 - now;
  }
  if (wait === undefined || Number.isNaN(wait)) return backoff;
  if (wait > policy.maxRetryAfter) return undefined;
  return Math.max(0, wait);
}

/** One request as the client prepared it. */
export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly body?: string;
  readonly contentType?: string;
  /** The `Authorization` header value; called again for every attempt (fresh nonce). */
  readonly authorize: () => string | Promise<string>;
  /** Whether this request may be retried at all. */
  readonly retry: boolean;
  /**
   * The credentials an error about this request must never quote (consumer key and secret, tokens,
   * the current app-only token), read when the error is made. Credential-shaped text is hidden too.
   */
  readonly sensitive?: () => readonly string[];
}

/** A received answer, body read. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Per-call options of the transport. */
export interface SendOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeout: number;
}

/** The transport's settings. */
export interface TransportOptions {
  readonly fetch: typeof globalThis.fetch;
  readonly userAgent: string | undefined;
  readonly retry: RetryPolicy;
}

/** Sends one request (every attempt of it) and returns X's final answer. */
export type Send = (request: HttpRequest, options: SendOptions) => Promise<HttpResponse>;

/**
 * What `ky-transport.ts` takes from the rest of the package (it imports none of it: see there), for
 * requests (`createSend`) and streams (`createOpen`) alike.
 */
export interface TransportKit {
  /** Statuses worth another attempt. */
  readonly retryStatuses: ReadonlySet<number>;
  readonly retryDelay: typeof retryDelay;
  /** True for errors of this package (a refused token request, say): never retried, thrown as they are. */
  readonly isOwnError: (error: unknown) => boolean;
  readonly timeoutError: (request: HttpRequest, timeout: number) => TimeoutError;
  readonly connectionError: (request: HttpRequest, cause: unknown) => ConnectionError;
}

/** Sends requests through the client's ky instance, which is created with the first request. */
export class HttpTransport {
  readonly #options: TransportOptions;
  #send: Promise<Send> | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  /** The retry policy in force. */
  get retryPolicy(): RetryPolicy {
    return this.#options.retry;
  }

  /**
   * Sends `request` and returns X's final answer, whatever its status. Throws `TimeoutError`,
   * `ConnectionError`, an error of this package raised while signing (say, a failed token request),
   * or the signal's reason when the caller aborts.
   *
   * ky is loaded here, on the first request, with a dynamic `import()` of a local module: importing the
   * package then costs nothing for ky, bundlers still see (and tree-shake) a static graph, and the
   * CommonJS build, which bundles ky, evaluates it on first use too.
   */
  async send(request: HttpRequest, options: SendOptions): Promise<HttpResponse> {
    options.signal?.throwIfAborted();
    let pending = this.#send;
    if (!pending) {
      const settings = this.#options;
      pending = import('./ky-transport.js').then((module) => module.createSend(settings, transportKit()));
      this.#send = pending;
      // A failed load is forgotten, so that the next request tries again.
      pending.catch(() => {
        if (this.#send === pending) this.#send = undefined;
      });
    }
    const send = await pending;
    return send(request, options);
  }
}

/** The path of a URL, without host and query. */
export function pathOf(url: string): string {
  return url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\?.*$/, '');
}

/**
 * True for errors this copy of the package created (a refused token request, say). `instanceof`, not
 * the name-based guard: ky's own `TimeoutError` shares a name with ours. Not a type guard, so that it
 * does not narrow ky's `Error` to `never`.
 */
export function isOwnError(error: unknown): boolean {
  return error instanceof XAccountActivityError;
}

/** The error for an attempt that got no answer within `timeout` ms. */
export function timeoutError(request: HttpRequest, timeout: number): TimeoutError {
  return new TimeoutError(
    `X API ${request.method} ${pathOf(request.url)} got no answer within ${timeout} ms: raise the \`timeout\` option (client or call), e.g. for a webhook CRC.`,
  );
}

/**
 * The error for a request that could not be sent or answered. A runtime or proxy error may quote the
 * request (`authorization=Basic ...` on the token request, a bearer token, an OAuth header): the
 * message carries the error's text with the request's credentials and every credential-shaped value
 * hidden (see `error-text.ts`), and the runtime error is kept as `cause` only when none of its text
 * (messages, stacks, fields, nested causes) held anything to hide, since `util.inspect` prints it whole.
 */
export function connectionError(request: HttpRequest, cause: unknown): ConnectionError {
  const sensitive = request.sensitive?.() ?? [];
  const detail = describe(cause);
  const safe = safeText(detail, MAX_MESSAGE_TEXT, sensitive);
  return new ConnectionError(
    `Could not reach X for ${request.method} ${pathOf(request.url)}${safe ? `: ${safe}` : ''}. Check the network and baseUrl.`,
    holdsSecret(cause, sensitive) ? undefined : { cause },
  );
}

/** True when any text reachable from `value` (bounded walk) would be changed by `redactSecrets`. */
function holdsSecret(value: unknown, sensitive: readonly string[]): boolean {
  const seen = new Set<unknown>();
  let budget = 200;
  const visit = (item: unknown, depth: number): boolean => {
    if (typeof item === 'string') return redactSecrets(item, sensitive) !== item;
    if (typeof item !== 'object' || item === null || seen.has(item)) return false;
    // Too deep or too wide to examine: not kept, to be safe.
    if (depth > 6 || --budget < 0) return true;
    seen.add(item);
    if (item instanceof Error) {
      if (visit(item.message, depth + 1) || visit(item.stack, depth + 1)) return true;
      if (visit((item as { cause?: unknown }).cause, depth + 1)) return true;
    }
    for (const key of Object.keys(item)) {
      let field: unknown;
      try {
        field = (item as Record<string, unknown>)[key];
      } catch {
        return true;
      }
      if (visit(field, depth + 1)) return true;
    }
    return false;
  };
  return visit(value, 0);
}

/** @internal The kit handed to `ky-transport.ts` by both transports (see `TransportKit`). */
export function transportKit(): TransportKit {
  return { retryStatuses: RETRY_STATUSES, retryDelay, isOwnError, timeoutError, connectionError };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return '';
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message} (${typeof code === 'string' ? code : cause.message})`;
  }
  return error.message;
}
