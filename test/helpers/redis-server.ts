// A real redis-server for the Redis tests: started on a free loopback port with persistence off,
// answered PING before the tests run, stopped (and restartable on the same port) by the test.
// When Debian's redis-server is missing the Redis suites report themselves skipped with the install
// command, except under CI=true, where its absence fails the run.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';
export const INSTALL_HINT = 'apt-get install -y redis-server';

/** Whether redis-server can be run here. */
export const redisAvailable: boolean = (() => {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  return probe.status === 0;
})();

/** Under CI=true a missing redis-server is a failure, never a skip. */
export const redisRequired: boolean = process.env['CI'] === 'true';

/** The reason shown in the name of a skipped Redis suite. */
export const redisSkipReason = redisAvailable
  ? ''
  : ` (SKIPPED: redis-server not found; install it with \`${INSTALL_HINT}\`)`;

/** Says once, on stderr, that a Redis suite is skipped and how to install redis-server. */
export function announceRedisSkip(suite: string): void {
  if (redisAvailable || redisRequired) return;
  console.warn(`${suite}: SKIPPED, redis-server not found; install it with \`${INSTALL_HINT}\``);
}

/** A free TCP port on 127.0.0.1 (bind to port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends PING over a raw connection; true when +PONG comes back. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: everything in memory is gone) and starts a new one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server exited at start on port ${port}`);
    if (await ping(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer PING on port ${port} within 10 s`);
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Starts redis-server on a free port; call `stop()` in afterAll. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await kill(child);
      child = await launch(port);
    },
    async stop() {
      await kill(child);
    },
  };
}
