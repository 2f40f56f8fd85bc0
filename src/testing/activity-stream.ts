/**
 * The emulator's `GET /2/activity/stream`: newline-delimited JSON, one XAA envelope per line, a blank
 * `\r\n` keep-alive every `keepAliveMs`, a backfill from a retained event log (on the emulator clock),
 * a connection limit, and the stream faults (drop after N events, stall, in-stream
 * `operational-disconnect`).
 */
import type { ServerResponse } from 'node:http';

/** A failure injected into `/2/activity/stream` connections (see `EmulatorFault`). */
export type StreamFault =
  | {
      /** Destroy the connection (no final chunk: a network error for the client) after `afterEvents` event lines. */
      readonly type: 'stream-drop';
      /** @default 0 */
      readonly afterEvents?: number;
    }
  | {
      /**
       * After `afterEvents` event lines, send nothing more, not even keep-alives, while the connection
       * stays open (until the client gives up, `stallMs` passes, or the emulator closes).
       */
      readonly type: 'stream-stall';
      /** @default 0 */
      readonly afterEvents?: number;
      /** Close the stalled connection after this long (real time). @default never */
      readonly stallMs?: number;
    }
  | {
      /**
       * After `afterEvents` event lines, send X's in-stream error
       * `{"errors":[{"title":"operational-disconnect",...}]}` and end the response.
       */
      readonly type: 'operational-disconnect';
      /** @default 0 */
      readonly afterEvents?: number;
    };

/** Why a stream connection ended. */
export type StreamCloseReason =
  /** The client closed it. */
  | 'client'
  /** A `stream-drop` fault destroyed it. */
  | 'drop'
  /** A `stream-stall` fault's `stallMs` ran out. */
  | 'stall'
  /** An `operational-disconnect` fault ended it. */
  | 'operational-disconnect'
  /** `end_time` was reached. */
  | 'end_time'
  /** `emulator.stream.disconnectAll()` or `close()`. */
  | 'emulator';

/** A stream connection as the emulator saw it. */
export interface StreamConnectionInfo {
  /** From 1, in connection order. */
  readonly id: number;
  readonly openedAt: Date;
  readonly state: 'open' | 'stalled' | 'closed';
  /** Event lines written (backfill included). */
  readonly eventsSent: number;
  /** Of which backfilled from the log. */
  readonly backfilled: number;
  /** Blank keep-alive lines written. */
  readonly keepAlivesSent: number;
  /** The fault applied to this connection, if any. */
  readonly fault: StreamFault['type'] | undefined;
  readonly closeReason: StreamCloseReason | undefined;
}

/** Counters over every connection since the emulator started. */
export interface StreamStats {
  /** Connections accepted (200). */
  readonly opened: number;
  /** Connections open now (stalled ones included). */
  readonly active: number;
  /** Connections refused with 429 `TooManyConnections`. */
  readonly refused: number;
  /** Ended connections by reason. */
  readonly closed: Readonly<Record<StreamCloseReason, number>>;
  /** Event lines written, over all connections. */
  readonly eventsSent: number;
  /** Keep-alives written, over all connections. */
  readonly keepAlivesSent: number;
  /** Events in the retained log (what a backfill can reach). */
  readonly retained: number;
}

/** One retained stream event. */
export interface StreamEventRecord {
  /** Sequence number, from 1. */
  readonly seq: number;
  /** When the event happened (emulator clock). */
  readonly at: Date;
  /** The exact line sent (without `\r\n`). */
  readonly body: string;
}

/** X's in-stream error when a stream is disconnected for operational reasons. */
export const OPERATIONAL_DISCONNECT = {
  errors: [
    {
      title: 'operational-disconnect',
      disconnect_type: 'OperationalDisconnect',
      detail: 'This stream has been disconnected for operational reasons.',
      type: 'https://api.twitter.com/2/problems/operational-disconnect',
    },
  ],
} as const;

/** X's 429 body for a connection beyond the limit. */
export const TOO_MANY_CONNECTIONS = {
  title: 'ConnectionException',
  detail: 'This stream is currently at the maximum allowed connection limit.',
  connection_issue: 'TooManyConnections',
  type: 'https://api.twitter.com/2/problems/streaming-connection',
} as const;

interface Connection {
  info: {
    id: number;
    openedAt: Date;
    state: 'open' | 'stalled' | 'closed';
    eventsSent: number;
    backfilled: number;
    keepAlivesSent: number;
    fault: StreamFault['type'] | undefined;
    closeReason: StreamCloseReason | undefined;
  };
  readonly res: ServerResponse;
  readonly fault: StreamFault | undefined;
  readonly endMs: number | undefined;
  timers: ReturnType<typeof setTimeout>[];
}

/** Settings of {@link ActivityStream}. */
export interface ActivityStreamSettings {
  readonly clock: () => number;
  readonly keepAliveMs: number;
  readonly maxConnections: number;
  /** How many events the log keeps. */
  readonly retain: number;
}

const MAX_HISTORY = 1_000;

/** The stream side of the emulator: the retained log and the open connections. */
export class ActivityStream {
  readonly #settings: ActivityStreamSettings;
  readonly #log: StreamEventRecord[] = [];
  readonly #open = new Set<Connection>();
  readonly #history: Connection[] = [];
  #seq = 0;
  #ids = 0;
  #refused = 0;
  #eventsSent = 0;
  #keepAlives = 0;
  readonly #closed: Record<StreamCloseReason, number> = {
    client: 0,
    drop: 0,
    stall: 0,
    'operational-disconnect': 0,
    end_time: 0,
    emulator: 0,
  };

  constructor(settings: ActivityStreamSettings) {
    this.#settings = settings;
  }

  /** Open connections (stalled ones included). */
  get active(): number {
    return this.#open.size;
  }

  /** The connection limit. */
  get maxConnections(): number {
    return this.#settings.maxConnections;
  }

  /** Counts a refused connection. */
  refused(): void {
    this.#refused += 1;
  }

  /** Logs an event and writes it to every open connection that wants it. */
  publish(at: Date, body: string): void {
    const record: StreamEventRecord = { seq: ++this.#seq, at, body };
    this.#log.push(record);
    if (this.#log.length > this.#settings.retain) this.#log.splice(0, this.#log.length - this.#settings.retain);
    for (const connection of [...this.#open]) {
      if (connection.endMs !== undefined && at.getTime() > connection.endMs) continue;
      this.#send(connection, record, false);
    }
  }

  /**
   * Serves one accepted connection: headers were written by the caller. Sends the backfill (events at
   * or after `fromMs`, at or before `endMs`), then live events and keep-alives.
   */
  connect(
    res: ServerResponse,
    options: { fromMs: number | undefined; endMs: number | undefined; fault?: StreamFault },
  ): void {
    const connection: Connection = {
      info: {
        id: ++this.#ids,
        openedAt: new Date(),
        state: 'open',
        eventsSent: 0,
        backfilled: 0,
        keepAlivesSent: 0,
        fault: options.fault?.type,
        closeReason: undefined,
      },
      res,
      fault: options.fault,
      endMs: options.endMs,
      timers: [],
    };
    this.#open.add(connection);
    this.#history.push(connection);
    if (this.#history.length > MAX_HISTORY) this.#history.splice(0, this.#history.length - MAX_HISTORY);
    res.on('close', () => this.#end(connection, 'client'));
    res.flushHeaders();
    if (this.#applyFault(connection)) return;
    if (options.fromMs !== undefined) {
      const from = options.fromMs;
      for (const record of this.#log) {
        const at = record.at.getTime();
        if (at < from || (options.endMs !== undefined && at > options.endMs)) continue;
        if (!this.#send(connection, record, true)) return;
      }
    }
    if (options.endMs !== undefined && this.#settings.clock() >= options.endMs) {
      this.#finish(connection, 'end_time');
      return;
    }
    const keepAlive = setInterval(() => {
      if (connection.info.state !== 'open') return;
      if (connection.endMs !== undefined && this.#settings.clock() >= connection.endMs) {
        this.#finish(connection, 'end_time');
        return;
      }
      connection.info.keepAlivesSent += 1;
      this.#keepAlives += 1;
      res.write('\r\n');
    }, this.#settings.keepAliveMs);
    connection.timers.push(keepAlive);
  }

  /** Writes one event; false when the connection is no longer writable. */
  #send(connection: Connection, record: StreamEventRecord, backfill: boolean): boolean {
    if (connection.info.state !== 'open') return false;
    connection.info.eventsSent += 1;
    if (backfill) connection.info.backfilled += 1;
    this.#eventsSent += 1;
    connection.res.write(`${record.body}\r\n`);
    return !this.#applyFault(connection);
  }

  /** Applies the connection's fault once its event count is reached; true when it took effect. */
  #applyFault(connection: Connection): boolean {
    const fault = connection.fault;
    if (!fault || connection.info.state !== 'open' || connection.info.eventsSent < (fault.afterEvents ?? 0))
      return false;
    const { res } = connection;
    switch (fault.type) {
      case 'stream-drop':
        this.#end(connection, 'drop');
        // End the socket (written lines still reach the client) without the response's final chunk.
        if (res.socket) res.socket.end();
        else res.destroy();
        return true;
      case 'stream-stall':
        connection.info.state = 'stalled';
        if (fault.stallMs !== undefined) {
          connection.timers.push(setTimeout(() => this.#finish(connection, 'stall', true), fault.stallMs));
        }
        return true;
      case 'operational-disconnect':
        res.write(`${JSON.stringify(OPERATIONAL_DISCONNECT)}\r\n`);
        this.#finish(connection, 'operational-disconnect');
        return true;
    }
  }

  /** Ends a connection from the emulator's side (`destroy` cuts it, else the response ends cleanly). */
  #finish(connection: Connection, reason: StreamCloseReason, destroy = false): void {
    // Released at once, so that a client reconnecting right away is not refused as a third connection.
    this.#end(connection, reason);
    if (destroy) connection.res.destroy();
    else connection.res.end();
  }

  #end(connection: Connection, reason: StreamCloseReason): void {
    if (!this.#open.delete(connection)) return;
    for (const timer of connection.timers) clearTimeout(timer);
    connection.timers = [];
    connection.info.closeReason ??= reason;
    connection.info.state = 'closed';
    this.#closed[connection.info.closeReason] += 1;
  }

  /** Snapshots of the connections, oldest first (the last 1,000). */
  connections(): StreamConnectionInfo[] {
    return this.#history.map((c) => Object.freeze({ ...c.info }));
  }

  /** The counters. */
  stats(): StreamStats {
    return {
      opened: this.#ids,
      active: this.#open.size,
      refused: this.#refused,
      closed: { ...this.#closed },
      eventsSent: this.#eventsSent,
      keepAlivesSent: this.#keepAlives,
      retained: this.#log.length,
    };
  }

  /** The retained log, oldest first. */
  events(): StreamEventRecord[] {
    return [...this.#log];
  }

  /** Ends every open connection cleanly (`reason` `emulator`). */
  disconnectAll(): void {
    for (const connection of [...this.#open]) this.#finish(connection, 'emulator');
  }

  /** Cuts every connection and stops every timer. */
  close(): void {
    for (const connection of [...this.#open]) this.#finish(connection, 'emulator', true);
  }
}
