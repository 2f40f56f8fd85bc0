// Shared parts of the HTTP benches (http-node.bench.mjs, http-bun.bench.mjs): starting server
// processes, building the requests, running the load generator (load.mjs) and reading its phases.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fmt, median, summary } from '../harness.mjs';

/**
 * CPU pinning. Left to itself, the scheduler wakes a server on the CPU of the load generator that
 * just wrote to it (and the other way round), so the two often take turns on one CPU while the
 * other CPU runs something else: neither gets busy and the figure measures the ping-pong. With
 * `taskset` (util-linux) the servers run on CPU 1 and the load generator on CPU 0, side by side.
 * Without taskset, or on a single CPU, nothing is pinned.
 */
export const SERVER_CPU = 1;
export const LOAD_CPU = 0;
const canPin = cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** [command, args] to run `command args` on `cpu` when pinning is possible. */
export function pinned(cpu, command, args) {
  return canPin ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

export const SECRET = 'bench-consumer-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Starts `command args` (a server script printing {"port","path","pid"} on its first line) on
 * SERVER_CPU and resolves { port, path, pid, stop }. The server exits when its stdin closes, so it
 * cannot outlive this process; stop() also kills it if it is still there after a second, and
 * resolves what the server printed on stderr.
 */
export function startServer(command, args, { cwd, startupMs = 20_000 } = {}) {
  const child = spawn(...pinned(SERVER_CPU, command, args), {
    cwd,
    env: { ...process.env, BENCH_SECRET: SECRET },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(stderr);
      const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(stderr);
      });
      child.stdin.end();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start within ${startupMs} ms: ${stderr}`));
    }, startupMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`));
    });
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ ...JSON.parse(line), stop, stderr: () => stderr });
    });
  });
}

/** One whole HTTP/1.1 POST, as bytes. */
export function buildRequest({ port, path, headers, body }) {
  const bytes = Buffer.from(body);
  const head = [
    `POST ${path} HTTP/1.1`,
    `host: 127.0.0.1:${port}`,
    'content-type: application/json',
    `content-length: ${bytes.length}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), bytes]);
}

/** The GitHub-style headers @octokit/webhooks expects, signed with SECRET. */
export function octokitHeaders(body) {
  return {
    'x-github-event': 'push',
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
  };
}

/**
 * Runs the load generator (a node process) against `targets` ({ name, port, pid, request }) and
 * resolves its phases. Bounded: the generator exits by itself after `timeoutMs`, and is killed a
 * little later if it has not.
 */
export function runLoad(
  dir,
  targets,
  { connections = 48, phaseMs = 100, rampMs = 50, warmupMs = 2000, warmupRounds = 10, rounds = 100 } = {},
) {
  // Phases plus their drains (normally a few ms, at most 3 s each) plus a margin.
  const timeoutMs = targets.length * (warmupMs + (warmupRounds + rounds) * (rampMs + phaseMs)) * 1.5 + 20_000;
  mkdirSync(join(dir, 'http'), { recursive: true });
  const configFile = join(dir, 'http', `load-${process.pid}-${Date.now()}.json`);
  writeFileSync(
    configFile,
    JSON.stringify({
      connections,
      phaseMs,
      rampMs,
      warmupMs,
      warmupRounds,
      rounds,
      timeoutMs,
      targets: targets.map((t) => ({ ...t, request: t.request.toString('base64') })),
    }),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(...pinned(LOAD_CPU, process.execPath, [join(import.meta.dirname, 'load.mjs'), configFile]), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      rmSync(configFile, { force: true });
      if (code !== 0) return reject(new Error(`load generator exited with ${code}: ${err}`));
      resolve(JSON.parse(out).phases);
    });
  });
}

/**
 * Reads the phases of a subject and its reference. Per round: req/s of each (answers completed in
 * the phase ÷ its duration) and the ratio subject ÷ reference; the figure is the median ratio over
 * rounds, with its IQR. Also per-round requests per CPU-second of the server process (how much the
 * server did with the CPU it actually got, insensitive to other load on the machine), non-200
 * answers and connection errors, and the load generator's CPU use.
 */
export function compareTargets(phases, subject, reference) {
  const rounds = [...new Set(phases.map((p) => p.round))];
  const get = (name, round) => phases.find((p) => p.name === name && p.round === round);
  const ratios = [];
  const cpuRatios = [];
  for (const round of rounds) {
    const s = get(subject, round);
    const r = get(reference, round);
    ratios.push(rps(s) / rps(r));
    cpuRatios.push(perCpu(s) / perCpu(r));
  }
  return {
    ratio: summary(ratios),
    cpuRatio: summary(cpuRatios),
    subject: stats(phases, subject),
    reference: stats(phases, reference),
  };
}

const rps = (p) => (p.requests * 1000) / p.ms;
const perCpu = (p) => (p.requests * 1000) / p.serverCpuMs;

/** Per-target figures over its phases. */
export function stats(phases, name) {
  const mine = phases.filter((p) => p.name === name);
  const statuses = {};
  for (const p of mine)
    for (const [code, count] of Object.entries(p.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
  const bad = Object.entries(statuses).filter(([code]) => code !== '200');
  return {
    rps: summary(mine.map(rps)),
    perCpu: median(mine.map(perCpu)),
    serverBusy: median(mine.map((p) => p.serverCpuMs / p.ms)),
    clientBusy: median(mine.map((p) => p.clientCpuMs / p.ms)),
    answers: Object.values(statuses).reduce((a, b) => a + b, 0),
    non200: bad.reduce((a, [, count]) => a + count, 0),
    non200Text: bad.map(([code, count]) => `${count}× ${code}`).join(', '),
    errors: mine.reduce((a, p) => a + p.errors, 0),
  };
}

/** A warning when the load generator was close to saturating its CPU (the ratio could be capped). */
export const clientWarning = (...st) =>
  st.some((x) => x.clientBusy > 0.9) ? ' (WARNING: load generator above 90 % of its CPU: ratio may be capped)' : '';

/** '12.3k req/s (IQR 12.1k–12.6k)' */
export const rpsText = (s) => `${fmt(s.median / 1000, 1)}k req/s (IQR ${fmt(s.q1 / 1000, 1)}k–${fmt(s.q3 / 1000, 1)}k)`;

/**
 * Problems that invalidate a target's figures: non-200 answers, dropped connections, or fewer
 * events reaching the server's listener than 200s answered (`serverLog` is what the server printed
 * on exit: "<kind>: <n> events").
 */
export function problems(name, st, serverLog) {
  const out = [];
  if (st.answers === 0) out.push(`${name}: no answers`);
  if (st.non200 > 0) out.push(`${name}: ${st.non200Text}`);
  if (st.errors > 0) out.push(`${name}: ${st.errors} connection errors`);
  const events = Number(/(\d+) events/.exec(serverLog ?? '')?.[1] ?? NaN);
  const ok200 = st.answers - st.non200;
  if (!(events >= ok200)) out.push(`${name}: ${ok200} answered 200 but ${events} events reached the listener`);
  return out;
}
