/**
 * Outbound HTTP of the emulator (CRC GETs and event POSTs): node:http / node:https without
 * keep-alive, a hard timeout, no redirects followed, and every request aborted on close().
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What came back from a webhook. */
export type OutboundResult =
  | { readonly kind: 'response'; readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly message: string };

/** One outbound request. */
export interface OutboundRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** Sends requests and can abort all of them at once. */
export class Outbound {
  readonly #controller = new AbortController();

  /** Whether {@link Outbound.abortAll} was called. */
  get closed(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Aborts every request in flight and refuses new ones. */
  abortAll(): void {
    this.#controller.abort();
  }

  /** Sends one request; never rejects. */
  send(req: OutboundRequest): Promise<OutboundResult> {
    if (this.closed) return Promise.resolve({ kind: 'network', message: 'emulator closed' });
    const send = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: OutboundResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      let r: ReturnType<typeof send>;
      try {
        r = send(req.url, {
          method: req.method,
          headers:
            req.body === undefined
              ? req.headers
              : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
          agent: false,
          signal: this.#controller.signal,
        });
      } catch (error) {
        // http.request throws synchronously for an invalid header or URL: still a result, never a rejection.
        resolve({ kind: 'network', message: error instanceof Error ? error.message : String(error) });
        return;
      }
      const timer = setTimeout(() => {
        finish({ kind: 'timeout' });
        r.destroy();
      }, req.timeoutMs);
      r.on('error', (error) => finish({ kind: 'network', message: error.message }));
      r.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        });
        res.on('error', (error) => finish({ kind: 'network', message: error.message }));
        res.on('end', () =>
          finish({
            kind: 'response',
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      r.end(req.body);
    });
  }
}
