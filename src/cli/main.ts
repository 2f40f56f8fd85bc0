#!/usr/bin/env node
/**
 * The `x-account-activity` command line. Loaded only by its bin (dist/cli.js); no library entry
 * imports this module. Exit codes: 0 ok, 1 API or check failure, 2 usage.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { ReportedFailure, UsageError } from './args.js';
import type { Context } from './context.js';
import { HELP } from './help.js';
import { line, printError } from './output.js';

type Command = (argv: string[], ctx: Context) => Promise<number>;

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  emulate: async () => (await import('./emulate.js')).emulate,
  listen: async () => (await import('./listen.js')).listen,
  crc: async () => (await import('./crc.js')).crc,
  send: async () => (await import('./send.js')).send,
  webhooks: async () => (await import('./api.js')).webhooks,
  subscriptions: async () => (await import('./api.js')).subscriptions,
  replay: async () => (await import('./api.js')).replay,
  auth: async () => (await import('./auth.js')).auth,
  activity: async () => (await import('./activity.js')).activity,
  'stream-rules': async () => (await import('./filtered-stream.js')).streamRules,
  'stream-links': async () => (await import('./filtered-stream.js')).streamLinks,
};

/** Runs one command line; resolves to the exit code. */
export async function run(argv: string[], ctx: Context): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    line(ctx.stdout, HELP[topic ?? 'main'] ?? HELP.main);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    line(ctx.stdout, version());
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    line(ctx.stderr, `x-account-activity: unknown command '${name}'. Run \`x-account-activity --help\`.`);
    return 2;
  }
  try {
    return await (await load())(rest, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      line(ctx.stderr, `x-account-activity ${name}: ${error.message}`);
      line(ctx.stderr, `Run \`x-account-activity ${name} --help\` for usage.`);
      return 2;
    }
    if (error instanceof ReportedFailure) return 1;
    printError(ctx, error, json);
    return 1;
  }
}

/** The package's version, from dist/../package.json (or src/cli/../../package.json when run from source). */
function version(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'x-account-activity' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next place
    }
  }
  return 'unknown';
}

async function main(): Promise<void> {
  const controller = new AbortController();
  let stops = 0;
  const stop = (): void => {
    stops += 1;
    if (stops > 1) process.exit(130); // a second Ctrl-C does not wait
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.exitCode = code;
  // Long-running commands close their servers; anything left (a keep-alive socket) must not hold the exit.
  setTimeout(() => process.exit(code), 2000).unref();
}

void main();
