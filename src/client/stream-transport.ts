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
import { transportKit } from './http.js';
import type { HttpRequest, TransportOptions } from './http.js';

/** An answer whose body has not been read. */
export interface OpenedResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body, for a caller that reads it as it arrives; `null` when there is none. */
  readonly body: ReadableStream<Uint8Array> | null;
}

/** An accepted stream: its unread body, and the credentials that text read from it must never quote. */
export interface OpenedStream {
  readonly body: ReadableStream<Uint8Array>;
  readonly sensitive: readonly string[];
}

/**
 * The text of `body` (an error answer), at most `limit` characters, read for at most `timeout` ms or
 * until `signal` aborts; the reader is cancelled then, whatever is left. Never throws: a body that
 * fails half-way gives what arrived.
 */
export async function readBounded(
  body: ReadableStream<Uint8Array>,
  limit: number,
  timeout: number,
  signal: AbortSignal,
): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = (): void => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeout);
  });
  try {
    while (text.length < limit && !signal.aborted) {
      const chunk = await Promise.race([reader.read(), deadline]);
      if (chunk === 'late' || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    text += decoder.decode();
  } catch {
    // Cut short: what arrived is kept.
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
    stop();
  }
  return text.length > limit ? text.slice(0, limit) : text;
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
      pending = import('./ky-transport.js').then((module) => module.createOpen(settings, transportKit()));
      this.#open = pending;
      pending.catch(() => {
        if (this.#open === pending) this.#open = undefined;
      });
    }
    const open = await pending;
    return open(request, options);
  }
}
