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
 * here. Loaded by `HttpTransport` on the first request (see `http.ts`).
 *
 * Internal module.
 */
import ky, { isHTTPError, isTimeoutError } from 'ky';
import { ConnectionError, TimeoutError, XAccountActivityError } from '../errors.js';
import type { HttpMethod } from './endpoints.js';
import { pathOf, redact, RETRY_STATUSES, retryDelay } from './http.js';
import type { HttpRequest, HttpResponse, Send, TransportOptions } from './http.js';

/** What each request hands its hooks through ky's `context`. */
type SigningContext = {
  /** The `Authorization` header value; called for every attempt. */
  readonly authorize: HttpRequest['authorize'];
};

/** Creates the client's ky instance and returns the function that sends a request through it. */
export function createSend(settings: TransportOptions): Send {
  const policy = settings.retry;
  const fetchImpl = settings.fetch;
  const api = ky.create({
    /**
     * Reads the body inside the attempt: ky's `timeout` covers the call of this function, so an
     * answer whose body stalls times out, and a body cut off half-way is a network error that may be
     * retried, like a dropped connection. X's answers are small JSON documents.
     */
    fetch: async (input, init) => {
      const response = await fetchImpl(input, init);
      const text = await response.text();
      // No body rather than an empty one: a `Response` for 204 or 205 must have none.
      return new Response(text === '' ? null : text, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
    headers: settings.userAgent === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'user-agent': settings.userAgent },
    // Only answers worth a retry become ky errors (and so reach `shouldRetry`); every other status is
    // returned as it is, for the caller's error mapping.
    throwHttpErrors: (status) => RETRY_STATUSES.has(status),
    hooks: {
      beforeRequest: [
        async (request, options) => {
          const pending = (options.context as SigningContext).authorize();
          request.headers.set('authorization', typeof pending === 'string' ? pending : await pending);
        },
      ],
    },
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
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isOwnError(error)) throw error;
      if (isHTTPError(error)) {
        const response = error.response;
        return { status: response.status, headers: response.headers, text: await response.text() };
      }
      if (isTimeoutError(error)) throw timeoutError(request, timeout);
      throw connectionError(request, error);
    }
  };
}

/**
 * True for errors this copy of the package created (a refused token request, say). `instanceof`, not
 * the name-based guard: ky's own `TimeoutError` shares a name with ours. Not a type guard, so that it
 * does not narrow ky's `Error` to `never`.
 */
function isOwnError(error: unknown): boolean {
  return error instanceof XAccountActivityError;
}

function timeoutError(request: HttpRequest, timeout: number): TimeoutError {
  return new TimeoutError(
    `X API ${request.method} ${pathOf(request.url)} got no answer within ${timeout} ms: raise the \`timeout\` option (client or call), e.g. for a webhook CRC.`,
  );
}

function connectionError(request: HttpRequest, cause: unknown): ConnectionError {
  const detail = describe(cause);
  const safe = redact(detail);
  return new ConnectionError(
    `Could not reach X for ${request.method} ${pathOf(request.url)}${safe ? `: ${safe}` : ''}. Check the network and baseUrl.`,
    // A runtime error that quotes an Authorization header is not kept as the cause: the message
    // carries its redacted text.
    safe === detail ? { cause } : undefined,
  );
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
