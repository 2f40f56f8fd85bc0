/**
 * Server-sent events for the dashboard: one `text/event-stream` per open page, a numbered backlog so a
 * reloaded (or reconnecting) page catches up from `Last-Event-ID`, a comment line as heartbeat so
 * proxies keep the stream open, and a clean close that tells pages not to reconnect.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Options of {@link EventStream}. */
export interface EventStreamOptions {
  /**
   * Milliseconds between heartbeat comments.
   * @default 15000
   */
  readonly heartbeatMs?: number;
  /**
   * How many past messages a newly connected page receives at most.
   * @default 500
   */
  readonly backlog?: number;
}

interface Message {
  readonly id: number;
  readonly frame: string;
}

/** Broadcasts named JSON messages to every connected page. */
export class EventStream {
  readonly #clients = new Set<ServerResponse>();
  readonly #backlog: Message[] = [];
  readonly #max: number;
  readonly #timer: NodeJS.Timeout;
  #nextId = 1;
  #closed = false;

  constructor(options: EventStreamOptions = {}) {
    this.#max = options.backlog ?? 500;
    this.#timer = setInterval(
      () => this.#write(`: heartbeat ${new Date().toISOString()}\n\n`),
      options.heartbeatMs ?? 15_000,
    );
    this.#timer.unref();
  }

  /** Pages connected now. */
  get size(): number {
    return this.#clients.size;
  }

  /** Answers `GET /events`: keeps the response open and sends the backlog after `Last-Event-ID`. */
  connect(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('The dashboard is shutting down.');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const last = Number(req.headers['last-event-id'] ?? 0);
    for (const message of this.#backlog) if (!(message.id <= last)) res.write(message.frame);
    this.#clients.add(res);
    const forget = (): void => {
      this.#clients.delete(res);
    };
    req.on('close', forget);
    res.on('error', forget);
  }

  /** Sends `data` as JSON under the event name `event` to every page, and keeps it in the backlog. */
  send(event: string, data: unknown): void {
    if (this.#closed) return;
    const id = this.#nextId++;
    const frame = `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    this.#backlog.push({ id, frame });
    if (this.#backlog.length > this.#max) this.#backlog.shift();
    this.#write(frame);
  }

  /** Says goodbye (pages then stop reconnecting) and ends every stream. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const res of this.#clients) res.end('event: bye\ndata: {}\n\n');
    this.#clients.clear();
  }

  #write(frame: string): void {
    for (const res of this.#clients) res.write(frame);
  }
}
