// HTTP load generator of the HTTP benches, run as its own process so that it never shares an event
// loop with a server under test:
//   node lib/load.mjs <config.json>
// config: { connections, phaseMs, rampMs, warmupMs, warmupRounds, rounds, timeoutMs,
//           targets: [{ name, port, pid, request: <base64 of one whole HTTP/1.1 request> }] }
// Prints one JSON line: { phases: [{ name, round, requests, ms, statuses, errors, serverCpuMs,
// clientCpuMs }] } and exits. Only ever connects to 127.0.0.1.
//
// Why raw sockets and not http.Agent: the client shares this 2-core machine with the server under
// test, so it must cost as little as possible per request, and http.Agent adds a full HTTP parser
// and stream machinery per request. Here each of `connections` keep-alive sockets writes the same
// pre-built request bytes, waits for the whole answer (status line, headers, Content-Length or
// chunked body), then writes the next: one request in flight per connection, no pipelining, like
// `connections` concurrent clients. Most of what the client still spends is the kernel's loopback
// work. clientCpuMs tells how busy it was: a client near 100 % of its CPU would cap the figure.
//
// Phases: one warm-up phase per target and `warmupRounds` rounds (all discarded: the JIT of the
// servers settles, and so does the alternation itself), then `rounds` rounds in which every target
// has one phase, in an order rotated from round to round. A phase writes one request on each
// connection (opened once, kept alive), lets the load run `rampMs` uncounted, counts the answers
// completed in the next `phaseMs`, then lets the requests in flight finish, so that the next phase
// starts with every server idle.
// serverCpuMs is the CPU time the server process used during the phase (all its threads, from
// /proc/<pid>/task/*/schedstat).
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const HOST = '127.0.0.1';
const CRLF2 = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');

/** CPU time of a process, all threads, in ms (Linux); NaN when unavailable. */
function processCpuMs(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
    return ns / 1e6;
  } catch {
    return NaN;
  }
}

const LENGTH = Buffer.from('ength:'); // the end of "Content-Length:", in any letter case seen here
const CHUNKED = Buffer.from('chunked');

/**
 * Length of the first complete response in `buf`, or 0 when it is not all there yet. Searches the
 * bytes without decoding the head to text: the client must stay much cheaper than the servers.
 */
function responseLength(buf) {
  const headerEnd = buf.indexOf(CRLF2);
  if (headerEnd === -1) return 0;
  const at = buf.indexOf(LENGTH);
  if (at !== -1 && at < headerEnd) {
    let length = 0;
    for (let i = at + LENGTH.length; i < headerEnd; i++) {
      const c = buf[i];
      if (c >= 48 && c <= 57) length = length * 10 + (c - 48);
      else if (c !== 32) break;
    }
    const total = headerEnd + 4 + length;
    return buf.length >= total ? total : 0;
  }
  const chunked = buf.indexOf(CHUNKED);
  if (chunked !== -1 && chunked < headerEnd) {
    // Small answers only: the body ends at the first zero-length chunk.
    const end = buf.indexOf(CHUNKED_END, headerEnd + 2);
    return end === -1 ? 0 : end + CHUNKED_END.length;
  }
  return headerEnd + 4; // no body
}

function openConnection(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * The connections to one target, kept open from phase to phase (the servers keep idle connections
 * for 60 s): phases can then be short, which lets the two servers alternate often.
 */
class Target {
  constructor({ name, port, pid, request }) {
    Object.assign(this, { name, port, pid, request: Buffer.from(request, 'base64') });
    this.conns = [];
    this.running = false;
  }

  /** Opens connections up to `config.connections` (again after the server closed some). */
  async fill() {
    this.conns = this.conns.filter((c) => !c.closed);
    const missing = config.connections - this.conns.length;
    const sockets = await Promise.all(Array.from({ length: missing }, () => openConnection(this.port)));
    for (const socket of sockets) this.conns.push(this.#wire(socket));
  }

  #wire(socket) {
    const conn = { socket, waiting: false, pending: null, closed: false };
    socket.on('data', (chunk) => {
      conn.pending = conn.pending ? Buffer.concat([conn.pending, chunk]) : chunk;
      while (conn.pending !== null) {
        const length = responseLength(conn.pending);
        if (length === 0) return;
        const p = conn.pending;
        const status = (p[9] - 48) * 100 + (p[10] - 48) * 10 + (p[11] - 48);
        this.counts.statuses[status] = (this.counts.statuses[status] ?? 0) + 1;
        conn.pending = conn.pending.length === length ? null : conn.pending.subarray(length);
        conn.waiting = false;
        if (!this.running) return this.#checkDrained();
        this.counts.requests++;
        conn.waiting = true;
        socket.write(this.request);
      }
    });
    socket.on('error', () => {
      this.counts.errors++;
    });
    socket.on('close', () => {
      if (conn.waiting) this.counts.errors++; // closed by the server with a request unanswered
      conn.waiting = false;
      conn.closed = true;
      this.#checkDrained();
    });
    return conn;
  }

  #checkDrained() {
    if (!this.running && this.conns.every((c) => !c.waiting)) this.drained?.();
  }

  /** One phase: keeps every connection busy for `ms`; resolves the counts once all answers are in. */
  async phase(ms, rampMs = 0) {
    await this.fill();
    this.counts = { requests: 0, errors: 0, statuses: {} };
    this.running = true;
    for (const conn of this.conns) {
      conn.waiting = true;
      conn.socket.write(this.request);
    }
    // The first `rampMs` of load are not counted: the server that was idle gets going again.
    if (rampMs > 0) await new Promise((resolve) => setTimeout(resolve, rampMs));
    const countedBefore = this.counts.requests;
    const clientCpu0 = process.cpuUsage();
    const serverCpu0 = processCpuMs(this.pid);
    const start = performance.now();
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.counts.requests -= countedBefore;
    this.running = false;
    const elapsed = performance.now() - start;
    const serverCpuMs = processCpuMs(this.pid) - serverCpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    const drained = new Promise((resolve) => (this.drained = resolve));
    this.#checkDrained();
    await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 3000))]);
    for (const conn of this.conns) {
      if (conn.waiting) {
        this.counts.errors++; // no answer within 3 s
        conn.socket.destroy();
      }
    }
    return {
      name: this.name,
      ...this.counts,
      ms: elapsed,
      serverCpuMs,
      clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
      clientSysMs: clientCpu.system / 1000,
    };
  }

  close() {
    for (const conn of this.conns) conn.socket.destroy();
  }
}

setTimeout(() => {
  process.stderr.write('load generator: out of time\n');
  process.exit(3);
}, config.timeoutMs).unref();

const targets = config.targets.map((t) => new Target(t));
const phases = [];
for (const target of targets) await target.phase(config.warmupMs);
for (let round = -config.warmupRounds; round < config.rounds; round++) {
  for (let i = 0; i < targets.length; i++) {
    const n = targets.length;
    const result = await targets[(((i + round) % n) + n) % n].phase(config.phaseMs, config.rampMs ?? 0);
    if (round >= 0) phases.push({ ...result, round });
  }
}
for (const target of targets) target.close();
process.stdout.write(`${JSON.stringify({ phases })}\n`);
process.exit(0);
