/**
 * `x-account-activity/node`: run a webhook handler inside `node:http`, Express, Connect or Fastify.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError, isXAccountActivityError } from '../errors.js';
import type { RawWebhookResponse, WebhookHandler } from '../webhooks/handler.js';
import { contentLength } from '../webhooks/http.js';

/**
 * A Node request as frameworks hand it over: `node:http`'s `IncomingMessage`, possibly with a
 * pre-buffered `rawBody` (a common convention) or a `body` already set by a body parser.
 */
export type NodeWebhookRequest = IncomingMessage & {
  rawBody?: unknown;
  body?: unknown;
  originalUrl?: string;
};

/** The `next` callback of Express and Connect. */
export type NextFunction = (error?: unknown) => void;

/** A listener usable as `http.createServer(listener)` and as Express or Connect middleware. */
export type NodeListener = (req: NodeWebhookRequest, res: ServerResponse, next?: NextFunction) => Promise<void>;

const CONSUMED_HINT =
  'The request body was consumed by a body parser before the webhook handler ran, so its raw bytes ' +
  'are gone and the signature cannot be verified. Mount the handler before any JSON parser, or give ' +
  "it the raw bytes: with Express use express.raw({ type: 'application/json' }) on this route; with " +
  "Fastify register a content-type parser with { parseAs: 'buffer' }; or set req.rawBody to the body Buffer.";

const ENCODING_HINT =
  'req.setEncoding() was called before the webhook handler, so the body arrives as decoded text and ' +
  "the exact bytes X signed are gone. Do not set an encoding on this route, or use express.raw({ type: 'application/json' }).";

function rawFrom(value: unknown): Uint8Array | string | undefined {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  return undefined;
}

const TOO_LARGE = Symbol('too large');
const TIMED_OUT = Symbol('timed out');
const ABORTED = Symbol('aborted');

/** Default {@link NodeListenerOptions.bodyTimeoutMs}. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * How long the whole body may take to arrive. A slower client is answered 408 and its connection
   * closed, so that slow or stalled uploads cannot each hold a connection and up to `maxBodyBytes` for
   * the server's own (much longer) timeouts. X sends small bodies at once and expects an answer within
   * seconds, so the default leaves it ample room. One timer per listener watches every read, so a
   * read ends up to a tenth of this (at most 1 s) after its deadline.
   * @default 10000
   */
  readonly bodyTimeoutMs?: number;
}

/**
 * The body reads in progress of one listener, each with its deadline, checked by one timer instead of
 * a timer per request (a timer armed and cleared per delivery is a measurable share of a small
 * request's cost). The timer ticks every tenth of `timeoutMs` (at most once a second), so a read ends
 * at most that much after its deadline, and it stops at the first tick that finds nothing to watch.
 */
class Deadlines {
  readonly #reads = new Map<() => void, number>();
  readonly #tickMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(timeoutMs: number) {
    this.#tickMs = Math.max(1, Math.min(1000, Math.ceil(timeoutMs / 10)));
  }

  watch(expire: () => void, at: number): void {
    this.#reads.set(expire, at);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), this.#tickMs);
      // Never keeps a process alive on its own.
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  forget(expire: () => void): void {
    this.#reads.delete(expire);
  }

  #sweep(): void {
    if (this.#reads.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const now = Date.now();
    for (const [expire, at] of this.#reads) if (at <= now) expire();
  }
}

/** Reads the stream up to `limit` bytes before `deadlines` ends it; TOO_LARGE, TIMED_OUT or ABORTED otherwise. */
function readStream(
  req: IncomingMessage,
  limit: number,
  timeoutMs: number,
  deadlines: Deadlines,
): Promise<Uint8Array | typeof TOO_LARGE | typeof TIMED_OUT | typeof ABORTED> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    // Once settled, the listeners stay on the finished request (they do nothing more, and go with
    // it); they are removed only when reading stops early, so that no more chunks are kept.
    const settle = (value: Uint8Array | typeof TOO_LARGE | typeof TIMED_OUT | typeof ABORTED, stop: boolean): void => {
      if (done) return;
      done = true;
      deadlines.forget(expire);
      if (stop) {
        req.off('data', onData);
        req.off('end', onEnd);
      }
      resolve(value);
    };
    const expire = (): void => settle(TIMED_OUT, true);
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) settle(TOO_LARGE, true);
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (done) return;
      try {
        settle(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total), false);
      } catch (error) {
        done = true;
        deadlines.forget(expire);
        reject(error);
      }
    };
    const onError = (error: Error): void => {
      if (done) return;
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || req.destroyed) settle(ABORTED, true);
      else {
        done = true;
        deadlines.forget(expire);
        reject(error);
      }
    };
    const onClose = (): void => {
      if (!req.complete) settle(ABORTED, true);
    };
    deadlines.watch(expire, Date.now() + timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    // A stream paused by earlier middleware does not flow by adding a 'data' listener.
    req.resume();
  });
}

function write(res: ServerResponse, response: RawWebhookResponse, close = false): void {
  if (res.headersSent) return;
  res.writeHead(response.status, close ? { ...response.headers, connection: 'close' } : response.headers);
  res.end(response.body);
}

/**
 * Turns a webhook handler into a Node listener that works as `http.createServer(listener)` and as
 * Express or Connect middleware `(req, res, next)`.
 *
 * The raw body comes from, in order: `req.rawBody` (Buffer or string), `req.body` when it is a Buffer
 * or string (`express.raw()`, `express.text()`), or the request stream. When a JSON body parser has
 * already consumed the stream and left no raw bytes, the answer is 500 with a message naming the
 * fix, and never a hang. A body over the handler's `maxBodyBytes` is answered 413 without being
 * buffered.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * import { createWebhookHandler } from 'x-account-activity/webhooks';
 * import { toNodeListener } from 'x-account-activity/node';
 *
 * const handler = createWebhookHandler({ consumerSecret: process.env.X_CONSUMER_SECRET! });
 * http.createServer(toNodeListener(handler)).listen(3000);
 *
 * // Express 5: keep the raw bytes for this route
 * app.all('/webhook', express.raw({ type: 'application/json' }), toNodeListener(handler));
 * ```
 */
export function toNodeListener(handler: WebhookHandler, options: NodeListenerOptions = {}): NodeListener {
  if (typeof handler?.handleRaw !== 'function' || typeof handler.refuseBody !== 'function') {
    throw new InvalidArgumentError('toNodeListener() needs the handler returned by createWebhookHandler().');
  }
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  if (!Number.isSafeInteger(bodyTimeoutMs) || bodyTimeoutMs <= 0) {
    throw new InvalidArgumentError('toNodeListener(): bodyTimeoutMs must be a positive whole number of milliseconds.');
  }
  const limit = handler.maxBodyBytes;
  const deadlines = new Deadlines(bodyTimeoutMs);
  return async (req, res, next) => {
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      const url = req.originalUrl ?? req.url ?? '/';
      let body: Uint8Array | string | undefined;
      if (method === 'POST') {
        body = rawFrom(req.rawBody) ?? rawFrom(req.body);
        if (body === undefined) {
          const parsed = req.body !== undefined && req.body !== null;
          if (parsed || req.readableEnded) {
            write(res, await handler.refuseBody('consumed', CONSUMED_HINT));
            return;
          }
          if (req.readableEncoding) {
            // Chunks would arrive as decoded text: the exact bytes X signed are gone.
            write(res, await handler.refuseBody('consumed', ENCODING_HINT));
            return;
          }
          const declared = contentLength(req.headers['content-length']);
          const read =
            declared !== undefined && declared > limit
              ? TOO_LARGE
              : await readStream(req, limit, bodyTimeoutMs, deadlines);
          if (read === TOO_LARGE) {
            // Answer at once and close the connection; drain what the client still sends.
            req.resume();
            write(res, await handler.refuseBody('too-large'), true);
            return;
          }
          if (read === TIMED_OUT) {
            write(res, await handler.refuseBody('timeout'), true);
            req.destroy();
            return;
          }
          if (read === ABORTED) {
            // Nobody is left to answer; the refusal is still counted and reported.
            await handler.refuseBody('aborted');
            return;
          }
          body = read;
        }
      }
      const response = await handler.handleRaw({ method, url, headers: req.headers, body });
      write(res, response);
    } catch (error) {
      if (next && !res.headersSent) {
        next(error);
        return;
      }
      if (!res.headersSent) {
        const message = isXAccountActivityError(error) ? error.message : 'Internal error.';
        write(res, {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: message }),
        });
      }
      if (!req.complete) req.destroy();
    }
  };
}
