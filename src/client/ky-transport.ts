/**
 * The client's one HTTP path: a ky instance per client, through which every attempt of every request
 * goes, the app-only token request included.
 *
 * - Signing: the `beforeRequest` hook sets the `Authorization` header on every attempt, so each retry
 *   carries a fresh OAuth 1.0a nonce and timestamp (X refuses a reused nonce) and waits for the
 *   app-only token when it is being obtained.
 * - Retries: ky's `retry`, whose `shouldRetry` and `delay` carry the policy of `http.ts`
 *   (`retryDelay`): 429, 5xx and network errors on requests that may be retried, `retry-after` and
 *   `x-rate-limit-reset` honoured up to `maxRetryAfter`, exponential backoff otherwise; never a timeout,
 *   never an error of this package (a refused token request), never after the caller aborted.
 * - Timeouts: ky's `timeout`, per attempt. The answer's body is read inside the timed fetch, so a
 *   stalled body is a timeout too, as a missing answer is.
 * - Aborts: the caller's signal is ky's `signal`: it ends the attempt in flight or the retry wait, and
 *   the call rejects with the signal's reason.
 *
 * ky's errors stay inside this module: they become `TimeoutError`, `ConnectionError` or a plain answer
 * here. Loaded by `HttpTransport` on the first request (see `http.ts`), which hands it the policy and
 * the error classes in a `TransportKit`: this module imports nothing of the package at run time, only
 * ky and types. (A module reached through `import()` that imported `errors.ts` would make bundlers
 * evaluate `errors.ts` lazily, behind a wrapper, in every bundle of the root entry, webhook-only
 * bundles included.)
 *
 * Internal module.
 */
import ky, { isHTTPError, isTimeoutError } from 'ky';
import type { HttpMethod } from './endpoints.js';
import type { HttpRequest, HttpResponse, Send, TransportKit, TransportOptions } from './http.js';
import type { Open, OpenedResponse } from './stream-transport.js';

/** What each request hands its hooks through ky's `context`. */
type SigningContext = {
  /** The `Authorization` header value; called for every attempt. */
  readonly authorize: HttpRequest['authorize'];
};

/** The text of each answer, read inside its attempt (see `fetch` below). */
const texts = new WeakMap<Response, string>();

/** The body of an answer: read already by `fetch` below (or, should ky hand over another object, now). */
const textOf = (response: Response): string | Promise<string> => texts.get(response) ?? response.text();

/**
 * What both ky instances (requests and streams) share: the headers, and the hook that signs every
 * attempt with the request's own `authorize` (one copy of the signing path).
 */
function shared(settings: TransportOptions) {
  return {
    headers:
      settings.userAgent === undefined
        ? { accept: 'application/json' }
        : { accept: 'application/json', 'user-agent': settings.userAgent },
    hooks: {
      beforeRequest: [
        async (request: Request, options: { context: unknown }) => {
          const pending = (options.context as SigningContext).authorize();
          request.headers.set('authorization', typeof pending === 'string' ? pending : await pending);
        },
      ],
    },
  };
}

/** Creates the client's ky instance and returns the function that sends a request through it. */
export function createSend(settings: TransportOptions, kit: TransportKit): Send {
  const policy = settings.retry;
  const { isOwnError, retryDelay } = kit;
  const fetchImpl = settings.fetch;
  const api = ky.create({
    /**
     * Reads the body inside the attempt: ky's `timeout` covers the call of this function, so an
     * answer whose body stalls times out, and a body cut off half-way is a network error that may be
     * retried, like a dropped connection. X's answers are small JSON documents. The text is kept
     * beside the response rather than in a new `Response` built from it, which would cost about as
     * much as the rest of ky's work on a call; ky itself reads only the status and headers.
     */
    fetch: async (input, init) => {
      const response = await fetchImpl(input, init);
      texts.set(response, await response.text());
      return response;
    },
    ...shared(settings),
    // Only answers worth a retry become ky errors (and so reach `shouldRetry`); every other status is
    // returned as it is, for the caller's error mapping.
    throwHttpErrors: (status) => kit.retryStatuses.has(status),
  });

  return async (request: HttpRequest, { signal, timeout }): Promise<HttpResponse> => {
    signal?.throwIfAborted();
    // The wait that `shouldRetry` chose for the next retry, read by `delay`.
    let wait = 0;
    const context: SigningContext = { authorize: request.authorize };
    try {
      const response = await api(request.url, {
        method: request.method,
        ...(request.contentType === undefined ? {} : { headers: { 'content-type': request.contentType } }),
        ...(request.body === undefined ? {} : { body: request.body }),
        timeout,
        ...(signal === undefined ? {} : { signal }),
        context,
        retry: {
          limit: request.retry ? policy.limit : 0,
          methods: [request.method.toLowerCase() as Lowercase<HttpMethod>],
          // Only `shouldRetry` decides (it runs before ky's own checks); ky's header reading is off.
          afterStatusCodes: [],
          retryOnTimeout: false,
          shouldRetry: ({ error, retryCount }) => {
            if (signal?.aborted || isTimeoutError(error) || isOwnError(error)) return false;
            const next = isHTTPError(error)
              ? retryDelay(error.response.status, error.response.headers, retryCount, policy)
              : retryDelay(undefined, undefined, retryCount, policy);
            if (next === undefined) return false;
            wait = next;
            return true;
          },
          delay: () => wait,
        },
      });
      return { status: response.status, headers: response.headers, text: await textOf(response) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isOwnError(error)) throw error;
      if (isHTTPError(error)) {
        const response = error.response;
        return { status: response.status, headers: response.headers, text: await textOf(response) };
      }
      if (isTimeoutError(error)) throw kit.timeoutError(request, timeout);
      throw kit.connectionError(request, error);
    }
  };
}

/**
 * Creates the ky instance of streaming requests (`GET /2/activity/stream`) and returns the function
 * that opens one: the same headers and signing hook as `createSend`, one attempt (the stream consumer
 * has X's own backoff), `timeout` bounding the wait for the status and headers only, and the body
 * handed over unread. The caller's signal ends the request and the reading of its body.
 */
export function createOpen(settings: TransportOptions, kit: TransportKit): Open {
  const fetchImpl = settings.fetch;
  const api = ky.create({
    fetch: (input, init) => fetchImpl(input, init),
    ...shared(settings),
    throwHttpErrors: false,
    retry: 0,
  });
  return async (request: HttpRequest, { signal, timeout }): Promise<OpenedResponse> => {
    signal.throwIfAborted();
    const context: SigningContext = { authorize: request.authorize };
    try {
      const response = await api(request.url, { method: request.method, timeout, signal, context });
      return {
        status: response.status,
        headers: response.headers,
        body: response.body,
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (kit.isOwnError(error)) throw error;
      if (isTimeoutError(error)) throw kit.timeoutError(request, timeout);
      throw kit.connectionError(request, error);
    }
  };
}
