// The packed package on Bun and Deno for real: each runtime comes from its npm package (the binary is
// in the package, nothing is downloaded) and runs a script of test/runtimes/ in a consumer folder whose
// node_modules holds the tarball that `npm run smoke` unpacked (npm test runs it before vitest).
// 1. The webhook toolkit behind the runtime's own server (Bun.serve / Deno.serve ->
//    `handler.handle(request)`): this test, in Node, sends a CRC GET, a signed delivery of a fixture
//    and forged ones; the runtime reports over stdout, as JSON lines, what its listener saw.
// 2. The client, the emulator and a webhook app all inside the runtime: `startEmulator` (node:http)
//    on 127.0.0.1, `AccountActivityClient` registering, validating, subscribing, removing and
//    deleting through it in API v2 and v1.1, and an emulated post delivered signed to the app; this
//    test also calls the runtime's emulator from Node.
// Loopback only; each child is killed (its whole process group) after its time. Where a runtime
// cannot execute, its suite is reported skipped with the reason, except under CI=true, where that fails.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { xCrcAnswer, xSignature } from '../helpers/sign.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const packed = join(root, '.tmp', 'smoke', 'node_modules', 'x-account-activity');
const consumer = join(root, '.tmp', 'runtimes');
const SCRIPTS = ['runtime.mjs', 'webhook-server.mjs', 'client-emulator.mjs'];
const required = process.env['CI'] === 'true';

interface Runtime {
  readonly name: 'bun' | 'deno';
  /** The version of the npm package, which the runtime must report as its own. */
  readonly version: string;
  /** The executable (the package's binary, or its Node wrapper when its postinstall did not run). */
  readonly bin: string;
  /** Arguments that run `script` with `args`. */
  argv(script: string, args: readonly string[]): string[];
  /** Why it cannot run here, or '' when it can. */
  readonly unavailable: string;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '';
  }
}

function probe(name: 'bun' | 'deno', argv: Runtime['argv']): Runtime {
  const version = packageVersion(name);
  const link = join(root, 'node_modules', '.bin', name);
  const bin = existsSync(link) ? realpathSync(link) : link;
  let unavailable = '';
  if (version === '') unavailable = `the npm package \`${name}\` is not installed (run \`npm ci\`)`;
  else {
    const run = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (run.status !== 0 || !run.stdout.includes(version)) {
      const why = run.error ? run.error.message : `exit ${String(run.status)}: ${(run.stderr || run.stdout).trim()}`;
      unavailable = `\`${bin} --version\` failed (${why.slice(0, 200)})`;
    }
  }
  return { name, version, bin, argv, unavailable };
}

const RUNTIMES: readonly Runtime[] = [
  // --no-install: never fetch a missing import from a registry.
  probe('bun', (script, args) => ['--no-install', script, ...args]),
  // Loopback networking is the only permission: no file, env or subprocess access beyond loading
  // modules. node_modules as it is (nothing installed), and nothing fetched that is not cached.
  probe('deno', (script, args) => [
    'run',
    '--no-prompt',
    '--node-modules-dir=manual',
    '--cached-only',
    '--allow-net=127.0.0.1',
    script,
    ...args,
  ]),
];

/** The file URL of a file of the packed package's dist/, where every import must go. */
const packedFile = (file: string): string => pathToFileURL(join(realpathSync(packed), 'dist', file)).href;

/** One JSON line reported by a runtime script. */
type Line = { readonly kind: string } & Record<string, unknown>;

/** A runtime script running in a child process. */
class ScriptRun {
  readonly lines: Line[] = [];
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #output = '';
  #stdoutRest = '';
  #waiters: (() => void)[] = [];

  constructor(runtime: Runtime, script: string, args: readonly string[], env: Record<string, string>) {
    // Its own process group, so that a wrapper and the runtime it started are killed together.
    this.#child = spawn(runtime.bin, runtime.argv(script, args), {
      cwd: consumer,
      env: { ...process.env, NO_COLOR: '1', DO_NOT_TRACK: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.#exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      const text = this.#stdoutRest + chunk.toString('utf8');
      const parts = text.split('\n');
      this.#stdoutRest = parts.pop() ?? '';
      for (const part of parts) this.#line(part);
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString('utf8')));
    this.#child.once('exit', () => this.#wake());
  }

  #line(text: string): void {
    this.#output += `${text}\n`;
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && typeof (value as Line).kind === 'string') {
        this.lines.push(value as Line);
      }
    } catch {
      // Not a report line: kept in the output shown on failure.
    }
    this.#wake();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Everything the child printed, for failure messages. */
  get output(): string {
    return this.#output;
  }

  /** The first line of `kind` (waiting for it up to `ms`); fails on an `error` line or an early exit. */
  async next(kind: string, ms = 20_000): Promise<Line> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.lines.find((line) => line.kind === kind);
      if (found) return found;
      if (this.lines.some((line) => line.kind === 'error')) throw new Error(`the script failed:\n${this.#output}`);
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
        throw new Error(
          `the script exited (${String(this.#child.exitCode ?? this.#child.signalCode)}) before "${kind}":\n${this.#output}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${kind}" line within ${ms} ms:\n${this.#output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Closes stdin (the script's signal to finish) and resolves its exit code; kills it after `ms`. */
  async finish(ms = 10_000): Promise<number | null> {
    this.#child.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const result = await Promise.race([this.#exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.kill();
      throw new Error(`the script did not exit within ${ms} ms of the end of stdin:\n${this.#output}`);
    }
    return result;
  }

  /** Kills the child and everything it started. */
  kill(): void {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null || this.#child.pid === undefined) return;
    try {
      process.kill(-this.#child.pid, 'SIGKILL');
    } catch {
      this.#child.kill('SIGKILL');
    }
  }
}

const runs: ScriptRun[] = [];
function start(runtime: Runtime, script: string, ...args: string[]): ScriptRun {
  const run = new ScriptRun(runtime, script, args, {
    // Deno: its caches in the consumer folder, and no update check (there is no network for it).
    DENO_DIR: join(consumer, '.deno'),
    DENO_NO_UPDATE_CHECK: '1',
  });
  runs.push(run);
  return run;
}

afterEach(() => {
  for (const run of runs.splice(0)) run.kill();
});

const anyAvailable = RUNTIMES.some((runtime) => runtime.unavailable === '');
beforeAll(() => {
  if (!anyAvailable) return;
  if (!existsSync(join(packed, 'package.json'))) {
    throw new Error('The packed package is missing: run `npx tsup && npm run smoke` first (npm test does).');
  }
  // A consumer folder: the scripts, a package.json (Deno reads node_modules where there is one) and
  // node_modules/x-account-activity -> the unpacked tarball.
  rmSync(consumer, { recursive: true, force: true });
  mkdirSync(join(consumer, 'node_modules'), { recursive: true });
  symlinkSync(packed, join(consumer, 'node_modules', 'x-account-activity'), 'dir');
  writeFileSync(
    join(consumer, 'package.json'),
    `${JSON.stringify({ name: 'runtime-consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  // Its own tsconfig.json: without it Bun applies the repository's, whose `paths` send
  // `x-account-activity` to src/ (the `resolved` checks below catch that).
  writeFileSync(join(consumer, 'tsconfig.json'), '{ "compilerOptions": {} }\n');
  for (const script of SCRIPTS) copyFileSync(new URL(`../runtimes/${script}`, import.meta.url), join(consumer, script));
});

afterAll(() => {
  for (const run of runs.splice(0)) run.kill();
});

const SECRET = 'runtime-consumer-secret';
const CRC_TOKEN = 'OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi';
const FIXTURE = readFileSync(new URL('../fixtures/events/follow-of-user.json', import.meta.url), 'utf8');

for (const runtime of RUNTIMES) {
  if (runtime.unavailable !== '') {
    if (required) {
      describe(`${runtime.name} under CI=true`, () => {
        it('runs here', () => {
          throw new Error(`CI=true but ${runtime.name} cannot run: ${runtime.unavailable}.`);
        });
      });
    } else {
      console.warn(`${runtime.name} suite: SKIPPED, ${runtime.unavailable}`);
    }
  }
  const skipped = runtime.unavailable === '' ? '' : ` (SKIPPED: ${runtime.unavailable})`;

  describe.skipIf(runtime.unavailable !== '')(`the packed package on ${runtime.name}${skipped}`, () => {
    it(`webhook toolkit behind ${runtime.name === 'bun' ? 'Bun.serve' : 'Deno.serve'}: CRC answered, the signed delivery dispatched typed, forged ones refused`, async () => {
      const run = start(runtime, 'webhook-server.mjs', SECRET);
      const ready = await run.next('ready');
      expect(ready['runtime']).toEqual({ name: runtime.name, version: runtime.version });
      expect(ready['resolved']).toEqual([packedFile('webhooks.js')]);
      const url = String(ready['url']);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/x$/);

      const crc = await fetch(`${url}?crc_token=${CRC_TOKEN}`, { signal: AbortSignal.timeout(5_000) });
      expect(crc.status).toBe(200);
      expect(crc.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await crc.json()).toEqual({ response_token: xCrcAnswer(CRC_TOKEN, SECRET) });

      const post = async (body: string, signature: string): Promise<number> => {
        const response = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature },
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        return response.status;
      };
      expect(await post(FIXTURE, xSignature(FIXTURE, 'forged-secret'))).toBe(401);
      const tampered = FIXTURE.replace('furiouscamper', 'furiouscamp3r');
      expect(await post(tampered, xSignature(FIXTURE, SECRET))).toBe(401);
      expect(await post(FIXTURE, xSignature(FIXTURE, SECRET))).toBe(200);

      expect(await run.finish()).toBe(0);
      expect(run.lines.find((line) => line.kind === 'closed')).toEqual({ kind: 'closed', seen: 1 });
      expect(run.lines.filter((line) => line.kind === 'event')).toEqual([
        {
          kind: 'event',
          type: 'follow',
          family: 'aaa',
          forUserId: '2244994945',
          source: 'furiouscamper',
          target: 'XDevelopers',
          createdAt: new Date(1517588749178).toISOString(),
        },
      ]);
      expect(run.lines.filter((line) => line.kind === 'handler-error')).toEqual([
        { kind: 'handler-error', name: 'SignatureVerificationError' },
        { kind: 'handler-error', name: 'SignatureVerificationError' },
      ]);
    }, 40_000);

    it('client and emulator in the runtime: webhook and subscription managed in v2 and v1.1, a post delivered signed', async () => {
      const run = start(runtime, 'client-emulator.mjs');
      const ready = await run.next('ready');
      expect(ready['runtime']).toEqual({ name: runtime.name, version: runtime.version });
      expect(ready['resolved']).toEqual([packedFile('index.js'), packedFile('testing.js'), packedFile('webhooks.js')]);
      const webhookUrl = String(ready['webhookUrl']);
      await run.next('done', 30_000);

      for (const apiVersion of ['2', '1.1']) {
        const report = run.lines.find((line) => line.kind === 'client' && line['apiVersion'] === apiVersion);
        const aliceId = String(report?.['aliceId']);
        const url = `${webhookUrl}/webhooks/v${apiVersion}`;
        const text = `hello from ${runtime.name}, API v${apiVersion}`;
        expect(aliceId).toMatch(/^\d+$/);
        expect(report).toEqual({
          kind: 'client',
          apiVersion,
          registered: { url, valid: true, createdAtIsDate: true },
          listed: [{ id: true, url, valid: true }],
          validation: { attempted: true, valid: true },
          // One CRC when registering, one for validate().
          crcRequests: 2,
          subscribed: true,
          subscriptions: [aliceId],
          aliceId,
          posted: { deliveries: 1, text },
          delivered: [{ state: 'delivered', statuses: [200] }],
          received: [{ type: 'tweet_create', family: 'aaa', forUserId: aliceId, text }],
          // The emulator answers v2 failures with 400 problems, v1.1's unknown webhook with 404 (code 34).
          notFound:
            apiVersion === '2'
              ? { isXApiError: true, name: 'InvalidRequestError', status: 400 }
              : { isXApiError: true, name: 'NotFoundError', status: 404 },
          afterDelete: 0,
        });
      }
      expect(run.lines.find((line) => line.kind === 'done')).toEqual({ kind: 'done', handlerErrors: [] });

      // The emulator in the runtime answers a caller from outside it too: no credentials, 401.
      const unauthenticated = await fetch(`${String(ready['emulatorUrl'])}/2/webhooks`, {
        signal: AbortSignal.timeout(5_000),
      });
      expect(unauthenticated.status).toBe(401);
      expect(await unauthenticated.json()).toMatchObject({ title: 'Unauthorized', status: 401 });

      expect(await run.finish()).toBe(0);
      expect(run.lines.at(-1)).toEqual({ kind: 'closed' });
    }, 60_000);
  });
}
