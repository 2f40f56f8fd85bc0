// Several receivers for real: receiver processes (receiver.ts) behind a small round-robin loopback
// proxy, and a deliverer that behaves like X: signed deliveries, some copies (racing their original
// across processes, or later), retried on any answer but 200 and on connection errors.
import { type ChildProcess, fork } from 'node:child_process';
import { Agent, type IncomingMessage, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedFavorite } from '../helpers/deliveries.js';

const RECEIVER = new URL('./receiver.ts', import.meta.url).pathname;

export interface Receiver {
  readonly port: number;
  readonly child: ChildProcess;
}

export interface ReceiverOptions {
  readonly secret: string;
  readonly store: 'redis' | 'memory';
  readonly redisUrl?: string;
  readonly redisClient?: 'ioredis' | 'node-redis';
  readonly prefix?: string;
  readonly slowMs?: number;
  readonly failRate?: number;
}

/** Starts one receiver process; resolves when it listens. */
export function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const child = fork(RECEIVER, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      SECRET: options.secret,
      STORE: options.store,
      REDIS_URL: options.redisUrl ?? '',
      REDIS_CLIENT: options.redisClient ?? 'ioredis',
      PREFIX: options.prefix ?? 'soak:',
      SLOW_MS: String(options.slowMs ?? 10),
      FAIL_RATE: String(options.failRate ?? 0.05),
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a receiver did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`a receiver exited at start (code ${code})`)));
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message?.type === 'ready' && typeof message.port === 'number') {
        clearTimeout(timer);
        resolve({ port: message.port, child });
      }
    });
  });
}

export interface ReceiverReport {
  readonly handled: [number, number][];
  readonly rss: number;
  readonly stats: Record<string, number>;
}

/** Asks a receiver for what it handled. */
export function reportOf(receiver: Receiver): Promise<ReceiverReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a receiver did not report within 10 s')), 10_000);
    const onMessage = (message: ReceiverReport & { type?: string }): void => {
      if (message?.type !== 'report') return;
      clearTimeout(timer);
      receiver.child.off('message', onMessage);
      resolve(message);
    };
    receiver.child.on('message', onMessage);
    receiver.child.send({ type: 'report' });
  });
}

/** Stops a receiver process (SIGKILL after 2 s). */
export function stopReceiver(receiver: Receiver): Promise<void> {
  const { child } = receiver;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface LoopbackProxy {
  readonly port: number;
  close(): Promise<void>;
}

/** A round-robin HTTP proxy on 127.0.0.1 in front of the receivers' ports. */
export async function startProxy(ports: readonly number[]): Promise<LoopbackProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const port = ports[next++ % ports.length] as number;
    const upstream = request(
      { host: '127.0.0.1', port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface LoadOptions {
  readonly port: number;
  readonly secret: string;
  /** Deliveries in all, copies included. */
  readonly deliveries: number;
  /** The first event number (so that runs sharing a store do not overlap). */
  readonly firstEvent?: number;
  readonly concurrency?: number;
  /** Share of the deliveries that are copies of another; half of them race their original. */
  readonly copyRate?: number;
  /** Called once when this share of the deliveries has been answered (e.g. to restart Redis). */
  readonly midway?: { readonly at: number; readonly run: () => Promise<void> };
}

export interface LoadReport {
  readonly distinct: number;
  readonly deliveries: number;
  readonly copies: number;
  readonly racing: number;
  /** HTTP attempts in all (retries included), and the answers by status. */
  readonly attempts: number;
  readonly statuses: Record<string, number>;
  readonly elapsedMs: number;
  /** Per delivery, first attempt to the 200 that ended it. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Deliveries still not answered 200 after every retry. */
  readonly gaveUp: number;
  readonly events: readonly number[];
}

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

function post(port: number, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/webhook', headers, agent, timeout: 30_000 },
      (answer: IncomingMessage) => {
        answer.resume();
        answer.on('end', () => resolve(answer.statusCode ?? 0));
        answer.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Sends the deliveries as X would, and measures. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const concurrency = options.concurrency ?? 64;
  const copyRate = options.copyRate ?? 0.2;
  const first = options.firstEvent ?? 1;
  const copies = Math.round(options.deliveries * copyRate);
  const distinct = options.deliveries - copies;
  const events = Array.from({ length: distinct }, (_, i) => first + i);
  // The plan: each original in order; a racing copy right after its original (in flight together,
  // and sent to another receiver by the round robin), a late copy somewhere later.
  const plan: number[] = [...events];
  let racing = 0;
  for (let c = 0; c < copies; c++) {
    const original = Math.floor(Math.random() * distinct);
    const n = first + original;
    const at = plan.indexOf(n);
    if (c % 2 === 0) {
      plan.splice(at + 1, 0, n);
      racing++;
    } else {
      const later = at + 1 + Math.floor(Math.random() * Math.max(1, plan.length - at));
      plan.splice(later, 0, n);
    }
  }
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let attempts = 0;
  let gaveUp = 0;
  let answered = 0;
  let midwayDone = options.midway === undefined;
  const midwayAt = Math.floor(plan.length * (options.midway?.at ?? 1));
  let midwayRun: Promise<void> | undefined;
  let cursor = 0;
  const started = Date.now();

  async function deliver(n: number): Promise<void> {
    const { body, headers } = signedFavorite(n, options.secret);
    const begun = Date.now();
    for (let attempt = 0; attempt < 200; attempt++) {
      attempts++;
      const status = await post(options.port, body, headers);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 200) {
        latencies.push(Date.now() - begun);
        return;
      }
      // X retries a failed delivery later (3 s, 27 s, 242 s); here scaled down, with a little jitter.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(500, 10 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())),
      );
    }
    gaveUp++;
  }

  async function worker(): Promise<void> {
    while (cursor < plan.length) {
      const n = plan[cursor++] as number;
      await deliver(n);
      answered++;
      if (!midwayDone && answered >= midwayAt) {
        midwayDone = true;
        midwayRun = options.midway?.run();
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  await midwayRun;
  const elapsedMs = Date.now() - started;
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    distinct,
    deliveries: plan.length,
    copies,
    racing,
    attempts,
    statuses,
    elapsedMs,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    gaveUp,
    events,
  };
}

/** Lost (never handled) and doubled (handled more than once) among the events sent. */
export function tally(
  events: readonly number[],
  reports: readonly ReceiverReport[],
): { lost: number; doubled: number; extra: number } {
  const counts = new Map<number, number>();
  for (const report of reports) for (const [n, c] of report.handled) counts.set(n, (counts.get(n) ?? 0) + c);
  let lost = 0;
  let doubled = 0;
  let extra = 0;
  for (const n of events) {
    const c = counts.get(n) ?? 0;
    if (c === 0) lost++;
    if (c > 1) {
      doubled++;
      extra += c - 1;
    }
  }
  return { lost, doubled, extra };
}
