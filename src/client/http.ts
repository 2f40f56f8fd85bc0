/**
 * The HTTP layer: one attempt on the plain `fetch` path, retries through ky.
 *
 * The first attempt is a bare `fetch` with the call's timeout and signal: a call that succeeds costs
 * what `fetch` costs. When it fails in a way that may be retried (429, 5xx, a network error) and the
 * request may be retried (idempotent, or a POST the caller opted in for), the failed answer is handed
 * to ky as its first attempt, and ky runs the retries: backoff, `retry-after` and
 * `x-rate-limit-reset` honoured up to a cap, a fresh OAuth signature per attempt (X refuses a reused
 * nonce), per-attempt timeout, and the caller's signal during the waits.
 *
 * ky stays inside this module: its errors are turned into `TimeoutError`, `ConnectionError` or a
 * plain response here, and no ky type appears in any signature.
 *
 * Internal module.
 */
import ky, { isHTTPError, isTimeoutError } from 'ky';
import { ConnectionError, InvalidArgumentError, TimeoutError, XAccountActivityError } from '../errors.js';
import type { HttpMethod } from './endpoints.js';

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
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

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

const timedOut = Symbol('timeout');

/** Sends requests: a lean first attempt, then ky for retries. */
export class HttpTransport {
  readonly #fetch: typeof globalThis.fetch;
  readonly #userAgent: string | undefined;
  readonly #retry: RetryPolicy;

  constructor(options: TransportOptions) {
    this.#fetch = options.fetch;
    this.#userAgent = options.userAgent;
    this.#retry = options.retry;
  }

  /** The retry policy in force. */
  get retryPolicy(): RetryPolicy {
    return this.#retry;
  }

  #headers(request: HttpRequest, authorization: string): Record<string, string> {
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (request.contentType !== undefined) headers['content-type'] = request.contentType;
    if (this.#userAgent !== undefined) headers['user-agent'] = this.#userAgent;
    return headers;
  }

  /**
   * Sends `request` and returns X's final answer, whatever its status. Throws `TimeoutError`,
   * `ConnectionError`, or the signal's reason when the caller aborts.
   */
  async send(request: HttpRequest, options: SendOptions): Promise<HttpResponse> {
    const { signal, timeout } = options;
    signal?.throwIfAborted();
    const limit = request.retry ? this.#retry.limit : 0;
    let first: HttpResponse | undefined;
    let failure: unknown;
    // Outside the try: a failure to authorize (say, the token request failed) is not a network error.
    const pending = request.authorize();
    const authorization = typeof pending === 'string' ? pending : await pending;
    try {
      first = await this.#attempt(request, authorization, timeout, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error === timedOut) throw this.#timeoutError(request, timeout);
      failure = error;
    }
    if (first) {
      if (limit === 0 || first.status < 400) return first;
      if (retryDelay(first.status, first.headers, 1, this.#retry) === undefined) return first;
    } else if (limit === 0) {
      throw this.#connectionError(request, failure);
    }
    return this.#retryWithKy(request, first, failure, limit, options);
  }

  async #attempt(
    request: HttpRequest,
    authorization: string,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const controller = new AbortController();
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      controller.abort();
    }, timeout);
    const forward = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    // Aborted while the request was being signed (Web Crypto signs asynchronously): do not send it.
    if (signal?.aborted) forward();
    try {
      const init: RequestInit = {
        method: request.method,
        headers: this.#headers(request, authorization),
        signal: controller.signal,
      };
      if (request.body !== undefined) init.body = request.body;
      const response = await this.#fetch(request.url, init);
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      if (expired) throw timedOut;
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    }
  }

  async #retryWithKy(
    request: HttpRequest,
    first: HttpResponse | undefined,
    failure: unknown,
    limit: number,
    options: SendOptions,
  ): Promise<HttpResponse> {
    const policy = this.#retry;
    let wait = 0;
    const replayFirst = (): Response => {
      if (!first) throw failure;
      const body = first.text === '' ? null : first.text;
      return new Response(body, { status: first.status, headers: first.headers });
    };
    try {
      const response = await ky(request.url, {
        method: request.method,
        headers: this.#headers(request, ''),
        ...(request.body === undefined ? {} : { body: request.body }),
        fetch: this.#fetch,
        timeout: options.timeout,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        throwHttpErrors: true,
        retry: {
          limit,
          methods: [request.method.toLowerCase() as Lowercase<HttpMethod>],
          statusCodes: [...RETRY_STATUSES],
          afterStatusCodes: [],
          retryOnTimeout: false,
          shouldRetry: ({ error, retryCount }) => {
            if (options.signal?.aborted || isTimeoutError(error) || isOwnError(error)) return false;
            const next = isHTTPError(error)
              ? retryDelay(error.response.status, error.response.headers, retryCount, policy)
              : retryDelay(undefined, undefined, retryCount, policy);
            if (next === undefined) return false;
            wait = next;
            return true;
          },
          delay: () => wait,
        },
        hooks: {
          beforeRequest: [
            async (kyRequest, _options, state) => {
              // ky's first attempt is the one already made on the fetch path.
              if (state.retryCount === 0) return replayFirst();
              kyRequest.headers.set('authorization', await request.authorize());
              return undefined;
            },
          ],
        },
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (isOwnError(error)) throw error;
      if (isHTTPError(error)) {
        const response = error.response;
        return { status: response.status, headers: response.headers, text: await response.text() };
      }
      if (isTimeoutError(error)) throw this.#timeoutError(request, options.timeout);
      throw this.#connectionError(request, error);
    }
  }

  #timeoutError(request: HttpRequest, timeout: number): TimeoutError {
    return new TimeoutError(
      `X API ${request.method} ${pathOf(request.url)} got no answer within ${timeout} ms: raise the \`timeout\` option (client or call), e.g. for a webhook CRC.`,
    );
  }

  #connectionError(request: HttpRequest, cause: unknown): ConnectionError {
    const detail = describe(cause);
    const safe = redact(detail);
    return new ConnectionError(
      `Could not reach X for ${request.method} ${pathOf(request.url)}${safe ? `: ${safe}` : ''}. Check the network and baseUrl.`,
      // A runtime error that quotes an Authorization header is not kept as the cause.
      { cause: safe === detail ? cause : new Error(safe) },
    );
  }
}

/**
 * True for errors this copy of the package created. `instanceof`, not the name-based guard: ky's
 * own `TimeoutError` shares a name with ours. Not a type guard, so that it does not narrow ky's
 * `Error` to `never`.
 */
function isOwnError(error: unknown): boolean {
  return error instanceof XAccountActivityError;
}

/** The path of a URL, without host and query. */
export function pathOf(url: string): string {
  return url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\?.*$/, '');
}

/** Hides credentials a runtime error may quote (an Authorization header value). */
export function redact(text: string): string {
  // Through the end of the header value: OAuth values are quoted pairs (`oauth_token="..."`).
  return text.replace(/\b(Bearer|OAuth)\s+(?:[^"\n]|"[^"\n]*")*/g, '$1 [redacted]');
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
