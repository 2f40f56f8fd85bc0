/**
 * The client's streaming requests (`GET /2/activity/stream`): the same ky instance settings as every
 * other request (`ky-transport.ts`: user agent, the `beforeRequest` hook that signs each attempt), but
 * the answer's body is handed over unread, and the transport never retries: the stream consumer
 * (`activity-stream.ts`) reconnects with X's own backoff.
 *
 * ky loads with the first stream, like the rest of the client's HTTP path (see `http.ts`).
 *
 * Internal module.
 */
import { connectionError, isOwnError, timeoutError } from './http.js';
import type { HttpRequest, TransportOptions } from './http.js';

/** An answer whose body has not been read. */
export interface OpenedResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body, for a caller that reads it as it arrives; `null` when there is none. */
  readonly body: ReadableStream<Uint8Array> | null;
  /** Reads the whole body as text (for error answers). */
  text(): Promise<string>;
}

/** Per-request options of a streaming request. */
export interface OpenOptions {
  /** Ends the request, and the reading of its body. */
  readonly signal: AbortSignal;
  /** Milliseconds to wait for the status and headers (not for the body). */
  readonly timeout: number;
}

/** Sends one streaming request (one attempt) and returns the answer with its body unread. */
export type Open = (request: HttpRequest, options: OpenOptions) => Promise<OpenedResponse>;

/** What `ky-transport.ts` takes to build the streaming path (it imports none of the package). */
export interface OpenKit {
  readonly isOwnError: (error: unknown) => boolean;
  readonly timeoutError: (request: HttpRequest, timeout: number) => Error;
  readonly connectionError: (request: HttpRequest, cause: unknown) => Error;
}

/** Opens streams through a ky instance created with the first one. */
export class StreamTransport {
  readonly #options: TransportOptions;
  #open: Promise<Open> | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  /**
   * Sends `request` once and returns the answer, whatever its status, with the body unread. Throws
   * `TimeoutError` (no status within `timeout`), `ConnectionError`, an error of this package raised
   * while signing, or the signal's reason.
   */
  async open(request: HttpRequest, options: OpenOptions): Promise<OpenedResponse> {
    options.signal.throwIfAborted();
    let pending = this.#open;
    if (!pending) {
      const settings = this.#options;
      pending = import('./ky-transport.js').then((module) =>
        module.createOpen(settings, { isOwnError, timeoutError, connectionError }),
      );
      this.#open = pending;
      pending.catch(() => {
        if (this.#open === pending) this.#open = undefined;
      });
    }
    const open = await pending;
    return open(request, options);
  }
}
