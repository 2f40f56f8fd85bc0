// The activity-stream consumer against a real loopback server scripted to misbehave: dropped
// connections, stalls, 429, 503 and in-stream operational-disconnect lines, each forced 20 times;
// every event must come out exactly once, the reconnects must ask for a backfill, and every state
// change must be observable. Time is scaled through the documented options (stallTimeoutMs, backoff),
// never slept through.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountActivityClient } from '../../src/client/index.js';
import type { ActivityStreamOptions, ActivityStreamStateChange } from '../../src/client/index.js';
import { isAuthenticationError, isForbiddenError, isInvalidRequestError } from '../../src/errors.js';
import { listen } from '../helpers/server.js';
import type { Started } from '../helpers/server.js';

const BEARER = 'app-bearer-TOKEN-7777';
const SECRET = 'consumer-SECRET-9999';

/** What one connection does. */
type Fault =
  | { readonly kind: 'serve'; readonly events: number } // send N new events, then keep-alives forever
  | { readonly kind: 'drop'; readonly events: number } // N new events, half a line, then destroy
  | { readonly kind: 'stall'; readonly events: number } // N new events, then silence
  | { readonly kind: 'disconnect'; readonly events: number } // N new events, then operational-disconnect
  | { readonly kind: 'end'; readonly events: number } // N new events, then end the answer
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Record<string, string> }
  | { readonly kind: 'raw'; readonly lines: readonly string[] } // these lines, then keep-alives
  | { readonly kind: 'hang' } // no status, no headers
  | { readonly kind: 'tail'; readonly events: number } // N new events, the last without a line break, then end
  | { readonly kind: 'trickle'; readonly status: number }; // an error status whose body never ends

interface Seen {
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly userAgent: string | undefined;
}

/** A line of X's published XAA envelope, one per event number. */
function eventLine(n: number): string {
  return JSON.stringify({
    data: {
      event_uuid: String(100000 + n),
      filter: { user_id: '2244994945' },
      event_type: 'profile.update.bio',
      tag: 'bios',
      payload: { before: `bio ${n - 1}`, after: `bio ${n}` },
    },
  });
}

class StreamServer {
  readonly seen: Seen[] = [];
  /** Events written so far (their numbers), replayed on a backfill request. */
  readonly sent: number[] = [];
  tokenRequests = 0;
  #next = 1;
  #script: Fault[];
  #after: Fault;
  readonly #open = new Set<ServerResponse>();
  #started: Started | undefined;

  constructor(script: Fault[], after: Fault = { kind: 'serve', events: 0 }) {
    this.#script = script;
    this.#after = after;
  }

  get url(): string {
    return (this.#started as Started).url;
  }

  async start(): Promise<this> {
    this.#started = await listen((req, res) => this.#handle(req, res));
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.#open) res.destroy();
    await this.#started?.close();
  }

  #newEvents(res: ServerResponse, count: number): void {
    for (let i = 0; i < count; i++) {
      const n = this.#next++;
      this.sent.push(n);
      res.write(`${eventLine(n)}\r\n`);
    }
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      this.tokenRequests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token_type: 'bearer', access_token: 'obtained-TOKEN-5555' }));
      return;
    }
    if (url.pathname !== '/2/activity/stream') {
      res.writeHead(404).end();
      return;
    }
    this.seen.push({
      query: url.searchParams,
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
    });
    const fault = this.#script.shift() ?? this.#after;
    if (fault.kind === 'hang') {
      this.#open.add(res);
      return;
    }
    if (fault.kind === 'trickle') {
      this.#open.add(res);
      res.on('close', () => this.#open.delete(res));
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.write('{"title":"');
      const timer = setInterval(() => res.write('.'), 10);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (fault.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(
        JSON.stringify({
          title: `status ${fault.status}`,
          detail: 'scripted',
          type: 'about:blank',
          status: fault.status,
        }),
      );
      return;
    }
    this.#open.add(res);
    res.on('close', () => this.#open.delete(res));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    // A backfill request replays every event written so far (all are within the last minute).
    if (Number(url.searchParams.get('backfill_minutes') ?? '0') > 0) {
      for (const n of this.sent) res.write(`${eventLine(n)}\r\n`);
    }
    if (fault.kind === 'raw') {
      for (const line of fault.lines) res.write(`${line}\n`);
      const timer = setInterval(() => res.write('\r\n'), 10);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (fault.kind === 'tail') {
      this.#newEvents(res, fault.events - 1);
      const n = this.#next++;
      this.sent.push(n);
      res.end(eventLine(n));
      return;
    }
    this.#newEvents(res, fault.events);
    switch (fault.kind) {
      case 'serve': {
        const timer = setInterval(() => res.write('\r\n'), 10);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'drop':
        res.write(eventLine(this.#next).slice(0, 40), () => res.destroy());
        return;
      case 'stall':
        return;
      case 'disconnect':
        res.write(
          `${JSON.stringify({
            errors: [
              {
                title: 'operational-disconnect',
                disconnect_type: 'OperationalDisconnect',
                detail: 'This stream has been disconnected for operational reasons.',
                type: 'https://api.twitter.com/2/problems/operational-disconnect',
              },
            ],
          })}\r\n`,
        );
        return;
      case 'end':
        res.end();
        return;
    }
  }
}

const servers: StreamServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(script: Fault[], after?: Fault): Promise<StreamServer> {
  const server = await new StreamServer(script, after).start();
  servers.push(server);
  return server;
}

function client(server: StreamServer): AccountActivityClient {
  return new AccountActivityClient({
    bearerToken: BEARER,
    consumerKey: 'consumer-KEY-1111',
    consumerSecret: SECRET,
    baseUrl: server.url,
    userAgent: 'xaa-stream-test',
  });
}

// A stall timeout far above the 10 ms keep-alives, so that a busy machine does not stall by itself;
// the stall tests set their own.
const FAST: ActivityStreamOptions = {
  stallTimeoutMs: 1000,
  backoff: {
    networkStepMs: 1,
    networkMaxMs: 5,
    httpInitialMs: 2,
    httpMaxMs: 10,
    rateLimitInitialMs: 3,
    rateLimitMaxMs: 12,
  },
};

/** Iterates until `count` events arrived, then closes the stream. */
async function take(
  server: StreamServer,
  count: number,
  options: ActivityStreamOptions = {},
): Promise<{
  uuids: string[];
  states: ActivityStreamStateChange[];
  stream: ReturnType<AccountActivityClient['activity']['stream']>;
}> {
  const states: ActivityStreamStateChange[] = [];
  const stream = client(server).activity.stream({ ...FAST, ...options, onState: (change) => states.push(change) });
  const uuids: string[] = [];
  for await (const event of stream) {
    expect(event.type).toBe('profile.update.bio');
    if (event.type === 'profile.update.bio') uuids.push(event.eventUuid ?? '');
    if (uuids.length === count) stream.close();
  }
  return { uuids, states, stream };
}

const expected = (count: number): string[] => Array.from({ length: count }, (_, i) => String(100001 + i));

describe('activity stream: reading', () => {
  it('yields typed events from NDJSON with keep-alives, sends the bearer token, the user agent and the first query', async () => {
    const server = await serve([{ kind: 'serve', events: 3 }]);
    const start = new Date(Date.now() - 3_600_000);
    const end = new Date(Date.now() + 3_600_000);
    const states: ActivityStreamStateChange[] = [];
    const stream = client(server).activity.stream({
      ...FAST,
      backfillMinutes: 2,
      startTime: start,
      endTime: end.toISOString(),
      onState: (change) => states.push(change),
    });
    const events = [];
    for await (const event of stream) {
      events.push(event);
      // Closed once keep-alives were counted after the events (not after some wall time).
      if (events.length === 3) {
        void vi
          .waitFor(
            () => {
              if (stream.stats().keepAlives < 5) throw new Error('waiting for keep-alives');
            },
            { timeout: 10_000, interval: 5 },
          )
          .finally(() => stream.close());
      }
    }
    expect(events.map((e) => e.type)).toEqual(['profile.update.bio', 'profile.update.bio', 'profile.update.bio']);
    const first = events[0];
    if (first?.type !== 'profile.update.bio') throw new Error('not typed');
    expect(first.family).toBe('xaa');
    expect(first.tag).toBe('bios');
    expect(first.filter.userId).toBe('2244994945');
    expect(server.seen).toHaveLength(1);
    const [request] = server.seen;
    expect(request?.authorization).toBe(`Bearer ${BEARER}`);
    expect(request?.userAgent).toBe('xaa-stream-test');
    expect(request?.query.get('backfill_minutes')).toBe('2');
    expect(request?.query.get('start_time')).toBe(start.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(request?.query.get('end_time')).toBe(end.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const stats = stream.stats();
    expect(stats.keepAlives).toBeGreaterThanOrEqual(5);
    expect(stats.connects).toBe(1);
    expect(stats.reconnects).toBe(0);
    expect(stats.state).toBe('closed');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected', 'closed']);
  });

  it('a line of another shape becomes an unknown event, never an exception; an in-line error beside data is not a disconnect', async () => {
    const server = await serve([
      {
        kind: 'raw',
        lines: [
          'this is not JSON',
          '[1, 2]',
          JSON.stringify({ for_user_id: '2244994945', brand_new_events: [{ id: '1' }] }),
          JSON.stringify({
            data: { event_uuid: '7', event_type: 'brand.new.type', filter: { user_id: '1' }, payload: {} },
          }),
          JSON.stringify({ data: JSON.parse(eventLine(1)).data, errors: [{ title: 'partial' }] }),
        ],
      },
    ]);
    const stream = client(server).activity.stream(FAST);
    const seen = [];
    for await (const event of stream) {
      seen.push(event);
      if (seen.length === 5) stream.close();
    }
    expect(seen.map((event) => event.type)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'profile.update.bio']);
    const [notJson, array, aaa, newType] = seen;
    expect(notJson?.type === 'unknown' && notJson.raw).toBe('this is not JSON');
    expect(array?.type === 'unknown' && array.reason).toMatch(/not a JSON object/);
    expect(aaa?.type === 'unknown' && aaa.family).not.toBe('xaa');
    expect(newType?.type === 'unknown' && newType.family).toBe('xaa');
    expect(newType?.type === 'unknown' && newType.eventType).toBe('brand.new.type');
    expect(stream.stats().disconnects['stream-error']).toBe(0);
  });
});

describe('activity stream: 20 forced disconnects of each kind', () => {
  const kinds = ['drop', 'stall', 'disconnect', 'end'] as const;
  for (const kind of kinds) {
    it(`${kind}: every event exactly once, a backfill asked for on each reconnect, every disconnect reported`, async () => {
      const script: Fault[] = Array.from({ length: 20 }, (_, i) => ({ kind, events: 1 + (i % 3) }));
      const server = await serve(script, { kind: 'serve', events: 2 });
      const total = script.reduce((sum, fault) => sum + ('events' in fault ? fault.events : 0), 0) + 2;
      const { uuids, states, stream } = await take(server, total, kind === 'stall' ? { stallTimeoutMs: 100 } : {});
      expect(uuids).toEqual(expected(total));
      const reason =
        kind === 'disconnect' ? 'stream-error' : kind === 'end' ? 'ended' : kind === 'drop' ? 'network' : 'stall';
      const stats = stream.stats();
      expect(stats.disconnects[reason]).toBe(20);
      expect(stats.connects).toBe(21);
      expect(stats.reconnects).toBe(20);
      expect(stats.events).toBe(total);
      expect(stats.duplicates).toBeGreaterThan(0);
      expect(server.seen).toHaveLength(21);
      expect(server.seen[0]?.query.has('backfill_minutes')).toBe(false);
      for (const request of server.seen.slice(1)) expect(request.query.get('backfill_minutes')).toBe('1');
      const disconnected = states.filter((s) => s.state === 'disconnected');
      expect(disconnected).toHaveLength(20);
      expect(disconnected.every((s) => s.reason === reason)).toBe(true);
      if (kind === 'disconnect') {
        expect(disconnected[0]?.error?.message).toContain('operational-disconnect');
      }
      const waits = states.filter((s) => s.state === 'waiting');
      expect(waits).toHaveLength(20);
      // Linear network backoff, reset by a connection that delivered something.
      expect(waits.every((s) => s.delayMs === 1)).toBe(true);
    });
  }

  it('429 and 503: X backoff schedules (doubling, capped), then every event exactly once', async () => {
    const script: Fault[] = [];
    for (let i = 0; i < 20; i++) {
      script.push({ kind: 'status', status: i % 2 === 0 ? 429 : 503 });
      script.push({ kind: 'status', status: i % 2 === 0 ? 429 : 503 });
      script.push({ kind: 'drop', events: 1 });
    }
    const server = await serve(script, { kind: 'serve', events: 1 });
    const { uuids, states, stream } = await take(server, 21);
    expect(uuids).toEqual(expected(21));
    const stats = stream.stats();
    expect(stats.disconnects['rate-limit']).toBe(20);
    expect(stats.disconnects.http).toBe(20);
    const waits = states.filter((s) => s.state === 'waiting');
    const rate = waits.filter((s) => s.reason === 'rate-limit').map((s) => s.delayMs);
    const http = waits.filter((s) => s.reason === 'http').map((s) => s.delayMs);
    // Two consecutive failures each time: initial, then doubled; a 200 resets the count.
    expect(rate).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 3 : 6)));
    expect(http).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 2 : 4)));
    const errors = states.filter((s) => s.state === 'disconnected' && s.reason === 'rate-limit');
    expect(errors[0]?.error?.name).toBe('RateLimitError');
    expect(states.find((s) => s.reason === 'http' && s.state === 'disconnected')?.error?.name).toBe('ServerError');
  });

  it('the backoff grows and is capped: network linear, HTTP and 429 doubling', async () => {
    const script: Fault[] = [
      ...Array.from({ length: 7 }, (): Fault => ({ kind: 'status', status: 503 })),
      ...Array.from({ length: 6 }, (): Fault => ({ kind: 'status', status: 429 })),
      ...Array.from({ length: 8 }, (): Fault => ({ kind: 'stall', events: 0 })),
    ];
    const server = await serve(script, { kind: 'serve', events: 1 });
    const { states } = await take(server, 1, { stallTimeoutMs: 50 });
    const delays = (reason: string): (number | undefined)[] =>
      states.filter((s) => s.state === 'waiting' && s.reason === reason).map((s) => s.delayMs);
    expect(delays('http')).toEqual([2, 4, 8, 10, 10, 10, 10]);
    expect(delays('rate-limit')).toEqual([3, 6, 12, 12, 12, 12]);
    expect(delays('stall')).toEqual([1, 2, 3, 4, 5, 5, 5, 5]);
  });

  it('a 429 with x-rate-limit-reset waits for the reset, within rateLimitMaxMs', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    const server = await serve(
      [
        {
          kind: 'status',
          status: 429,
          headers: { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset },
        },
      ],
      { kind: 'serve', events: 1 },
    );
    const c = client(server);
    const states: ActivityStreamStateChange[] = [];
    const stream = c.activity.stream({ ...FAST, onState: (change) => states.push(change) });
    for await (const _ of stream) stream.close();
    expect(states.find((s) => s.state === 'waiting')?.delayMs).toBe(12);
    // The stream's rate-limit headers are the client's, as for any call.
    expect(c.rateLimit('activity.stream')).toEqual({ limit: 450, remaining: 0, reset: new Date(Number(reset) * 1000) });
  });
});

describe('activity stream: failures that end it', () => {
  for (const [status, guard, name] of [
    [401, isAuthenticationError, 'AuthenticationError'],
    [403, isForbiddenError, 'ForbiddenError'],
    [400, isInvalidRequestError, 'InvalidRequestError'],
  ] as const) {
    it(`${status} ends the iteration with ${name}, without a retry and without a secret`, async () => {
      const server = await serve([{ kind: 'status', status }]);
      const states: ActivityStreamStateChange[] = [];
      const stream = client(server).activity.stream({ ...FAST, onState: (change) => states.push(change) });
      let caught: unknown;
      try {
        for await (const _ of stream) {
          // nothing arrives
        }
      } catch (error) {
        caught = error;
      }
      expect(guard(caught)).toBe(true);
      expect((caught as { status: number }).status).toBe(status);
      expect(server.seen).toHaveLength(1);
      const closed = states.at(-1);
      expect(closed?.state).toBe('closed');
      expect(closed?.error).toBe(caught);
      expect(stream.stats().lastError).toBe(caught);
      for (const text of [
        String(caught),
        (caught as Error).stack ?? '',
        JSON.stringify(caught),
        inspect(caught, { depth: 5 }),
        JSON.stringify(states),
        inspect(stream.stats(), { depth: 5 }),
        inspect(stream),
        JSON.stringify(stream),
      ]) {
        expect(text).not.toContain(BEARER);
        expect(text).not.toContain(SECRET);
      }
    });
  }

  it('a refused connection (nothing listening) is retried as a network error, and close() during the wait ends it', async () => {
    const server = await serve([]);
    const url = server.url;
    await server.close();
    servers.length = 0;
    const states: ActivityStreamStateChange[] = [];
    const stream = new AccountActivityClient({ bearerToken: BEARER, baseUrl: url }).activity.stream({
      ...FAST,
      backoff: { networkStepMs: 5, networkMaxMs: 5 },
      onState: (change) => {
        states.push(change);
        if (states.filter((s) => s.state === 'waiting').length === 3) stream.close();
      },
    });
    const events = [];
    for await (const event of stream) events.push(event);
    expect(events).toEqual([]);
    const disconnects = states.filter((s) => s.state === 'disconnected');
    expect(disconnects).toHaveLength(3);
    expect(disconnects.every((s) => s.reason === 'network' && s.error?.name === 'ConnectionError')).toBe(true);
    expect(states.at(-1)?.state).toBe('closed');
    expect(stream.stats().connects).toBe(0);
    for (const change of disconnects) expect(String(change.error)).not.toContain(BEARER);
  });

  it('no answer within connectTimeoutMs: a TimeoutError, retried as a network failure', async () => {
    const server = await serve([{ kind: 'hang' }, { kind: 'hang' }], { kind: 'serve', events: 1 });
    const { uuids, states, stream } = await take(server, 1, { connectTimeoutMs: 50 });
    expect(uuids).toEqual(expected(1));
    const failures = states.filter((s) => s.state === 'disconnected');
    expect(failures.map((s) => [s.reason, s.error?.name])).toEqual([
      ['network', 'TimeoutError'],
      ['network', 'TimeoutError'],
    ]);
    expect(stream.stats().attempts).toBe(3);
  });

  it('the signal ends the iteration like close(), and endTime ends it once X ends the answer', async () => {
    const server = await serve([], { kind: 'serve', events: 1 });
    const controller = new AbortController();
    const stream = client(server).activity.stream({ ...FAST, signal: controller.signal });
    const got = [];
    for await (const event of stream) {
      got.push(event);
      controller.abort();
    }
    expect(got).toHaveLength(1);
    expect(stream.state).toBe('closed');

    const ending = await serve([{ kind: 'end', events: 2 }]);
    const past = client(ending).activity.stream({
      ...FAST,
      startTime: new Date(Date.now() - 120_000),
      endTime: new Date(Date.now() - 60_000),
    });
    const replayed = [];
    for await (const event of past) replayed.push(event);
    expect(replayed).toHaveLength(2);
    expect(ending.seen).toHaveLength(1);
  });

  it('refuses bad options before any request, and a second iteration', async () => {
    const server = await serve([]);
    const activity = client(server).activity;
    expect(() => activity.stream({ backfillMinutes: 6 })).toThrow(/backfillMinutes/);
    expect(() => activity.stream({ backfillMinutes: 1.5 })).toThrow(/backfillMinutes/);
    expect(() => activity.stream({ startTime: 'yesterday' })).toThrow(/startTime/);
    expect(() => activity.stream({ startTime: new Date(2000), endTime: new Date(1000) })).toThrow(/before/);
    expect(() => activity.stream({ stallTimeoutMs: 0 })).toThrow(/stallTimeoutMs/);
    expect(() => activity.stream({ backoff: { httpInitialMs: -1 } })).toThrow(/httpInitialMs/);
    expect(() => activity.stream({ dedupMaxKeys: 0 })).toThrow(/dedupMaxKeys/);
    expect(server.seen).toHaveLength(0);
    const stream = activity.stream(FAST);
    stream[Symbol.asyncIterator]();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/iterated once/);
    stream.close();
  });

  it("the app-only token is obtained with the client's own token request, then used for the stream", async () => {
    const server = await serve([{ kind: 'serve', events: 1 }]);
    const stream = new AccountActivityClient({
      consumerKey: 'k',
      consumerSecret: SECRET,
      baseUrl: server.url,
    }).activity.stream(FAST);
    for await (const event of stream) {
      expect(event.type).toBe('profile.update.bio');
      stream.close();
    }
    expect(server.seen[0]?.authorization).toBe('Bearer obtained-TOKEN-5555');
    expect(server.tokenRequests).toBe(1);
  });
});

describe('activity stream: review fixes', () => {
  it('a last line without a line break before X ends the answer is read, on that connection', async () => {
    const server = await serve([{ kind: 'tail', events: 2 }], { kind: 'hang' });
    const stream = client(server).activity.stream(FAST);
    const uuids: string[] = [];
    let connectsAtSecond = 0;
    // Bounded: a lost last line leaves the stream waiting on the next (hanging) connection.
    const guard = setTimeout(() => stream.close(), 5_000);
    for await (const event of stream) {
      if (event.type === 'profile.update.bio') uuids.push(event.eventUuid ?? '');
      if (uuids.length === 2) {
        connectsAtSecond = stream.stats().connects;
        stream.close();
      }
    }
    clearTimeout(guard);
    expect(uuids).toEqual(expected(2));
    // Not recovered by the backfill of a second connection: read from the first one's last line.
    expect(connectsAtSecond).toBe(1);
    expect(stream.stats().duplicates).toBe(0);
  });

  it('an error answer whose body never ends is read within connectTimeoutMs, then mapped on its status', async () => {
    const server = await serve([{ kind: 'trickle', status: 503 }], { kind: 'hang' });
    const states: ActivityStreamStateChange[] = [];
    const stream = client(server).activity.stream({
      ...FAST,
      connectTimeoutMs: 200,
      onState: (change) => {
        states.push(change);
        if (change.state === 'disconnected') stream.close();
      },
    });
    // Bounded: a stream left in `connecting` is closed after 5 s, and the assertions below fail.
    const guard = setTimeout(() => stream.close(), 5_000);
    for await (const _ of stream) {
      // nothing arrives
    }
    clearTimeout(guard);
    const disconnected = states.find((s) => s.state === 'disconnected');
    expect(disconnected?.reason).toBe('http');
    expect(disconnected?.error?.name).toBe('ServerError');
    expect((disconnected?.error as { status?: number } | undefined)?.status).toBe(503);
  });

  it('an in-stream error line is redacted and bounded in the message, onState and stats().lastError', async () => {
    const long = 'x'.repeat(20_000);
    const server = await serve(
      [
        {
          kind: 'raw',
          lines: [
            JSON.stringify({
              errors: [
                {
                  title: 'operational-disconnect',
                  detail: `echo: Authorization: Bearer ${BEARER} app=${SECRET} ${long}`,
                  message: `token ${BEARER}`,
                },
              ],
            }),
          ],
        },
      ],
      { kind: 'hang' },
    );
    const states: ActivityStreamStateChange[] = [];
    const stream = client(server).activity.stream({
      ...FAST,
      onState: (change) => {
        states.push(change);
        if (change.state === 'disconnected') stream.close();
      },
    });
    for await (const _ of stream) {
      // nothing arrives
    }
    const error = states.find((s) => s.state === 'disconnected')?.error;
    expect(error?.message).toContain('operational-disconnect');
    expect(error?.message.length).toBeLessThan(1_000);
    for (const text of [error?.message ?? '', inspect(error), JSON.stringify(states), inspect(stream.stats())]) {
      expect(text).not.toContain(BEARER);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(long);
    }
    expect(stream.stats().lastError).toBe(error);
  });

  it("removes its listener from the caller's signal when it ends, iterated or not", async () => {
    const server = await serve([], { kind: 'serve', events: 1 });
    const controller = new AbortController();
    const stream = client(server).activity.stream({ ...FAST, signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for await (const _ of stream) stream.close();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

    const never = client(server).activity.stream({ ...FAST, signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    never.close();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(controller.signal.aborted).toBe(false);
  });

  it("a reconnect later than X's 5-minute backfill reports the gap; one within it reports none", async () => {
    // Only Date is faked: the clock jumps 6 minutes during the backoff wait; timers and sockets are real.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const server = await serve(
        [
          { kind: 'end', events: 1 },
          { kind: 'end', events: 1 },
        ],
        { kind: 'serve', events: 1 },
      );
      const states: ActivityStreamStateChange[] = [];
      let waits = 0;
      const stream = client(server).activity.stream({
        ...FAST,
        onState: (change) => {
          states.push(change);
          if (change.state === 'waiting' && ++waits === 2) vi.setSystemTime(Date.now() + 6 * 60_000);
        },
      });
      const uuids: string[] = [];
      for await (const event of stream) {
        if (event.type === 'profile.update.bio') uuids.push(event.eventUuid ?? '');
        if (uuids.length === 3) stream.close();
      }
      const connecting = states.filter((s) => s.state === 'connecting');
      expect(connecting).toHaveLength(3);
      expect(connecting[0]?.gap).toBeUndefined();
      // The first reconnect came within the window.
      expect(connecting[1]?.gap).toBeUndefined();
      const gap = connecting[2]?.gap;
      expect(gap).toBeDefined();
      // From the last data of the second connection to 5 minutes before the third attempt.
      expect((gap?.to.getTime() ?? 0) - (gap?.from.getTime() ?? 0)).toBe(60_000);
      expect(gap?.to.getTime()).toBe((connecting[2]?.at.getTime() ?? 0) - 5 * 60_000);
      expect(connecting[2]?.backfillMinutes).toBe(5);
      expect(stream.stats().gaps).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
