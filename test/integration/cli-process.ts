/**
 * Runs the command line as a real process: `node --import tsx src/cli/main.ts ...` (the packed bin
 * is run by scripts/smoke.mjs). Every run has a timeout; long-running ones are stopped by the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../../src/testing/index.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch working directory with no .env (unless written), so nothing leaks in from the repository. */
export function scratch(envFile?: string): { readonly cwd: string; remove(): void } {
  const cwd = mkdtempSync(join(tmpdir(), 'xaa-cli-'));
  if (envFile !== undefined) writeFileSync(join(cwd, '.env'), envFile);
  return { cwd, remove: () => rmSync(cwd, { recursive: true, force: true }) };
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...extra };
}

export interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout or stderr, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function start(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: boolean } = {},
): Running {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    env: baseEnv(options.env ?? {}),
    cwd: options.cwd ?? tmpdir(),
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const poll = (): void => {
          const match = out.match(pattern) ?? err.match(pattern);
          if (match) {
            resolve(match);
            return;
          }
          if (child.exitCode !== null || Date.now() > deadline) {
            reject(new Error(`no ${pattern} (exit ${child.exitCode})\nstdout: ${out}\nstderr: ${err}`));
            return;
          }
          setTimeout(poll, 20);
        };
        poll();
      }),
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A loopback port with nothing listening on it (fetch refuses some well-known ports, such as 9). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs a command to its end, killed after `timeoutMs`. */
export async function run(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<Result> {
  const running = start(args, options);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const code = await running.exited;
  clearTimeout(timer);
  return { code, stdout: running.stdout(), stderr: running.stderr() };
}

/** The environment that points the command line at an emulator, as the app owner (its `clientOptions()`). */
export function emulatorEnv(emulator: Emulator): Record<string, string> {
  const o = emulator.clientOptions();
  return {
    X_API_BASE_URL: o.baseUrl,
    X_CONSUMER_KEY: o.consumerKey,
    X_CONSUMER_SECRET: o.consumerSecret,
    X_ACCESS_TOKEN: o.accessToken,
    X_ACCESS_TOKEN_SECRET: o.accessTokenSecret,
  };
}
