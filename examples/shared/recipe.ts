/** What every framework recipe shares: its options, its handle and how it runs from the command line. */
import { pathToFileURL } from 'node:url';
import type { AccountActivityEvent } from 'x-account-activity';
import { describeEvent } from './describe.js';

/** Options every recipe's `start` takes. */
export interface RecipeOptions {
  /** The app's consumer secret. */
  readonly consumerSecret: string;
  /** Port to listen on; 0 picks a free one. */
  readonly port?: number;
  /** Called with every verified, typed event. Defaults to printing one line. */
  readonly onEvent?: (event: AccountActivityEvent) => void;
}

/** A running recipe server. */
export interface RunningRecipe {
  /** The webhook URL (CRC GETs and deliveries go here). */
  readonly url: string;
  close(): Promise<void>;
}

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

/** An environment variable that running against real X needs; throws naming it when unset. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Running against real X needs ${name} in the environment (see examples/README.md).`);
  return value;
}

/**
 * The options of an `AccountActivityClient` for real X, from X_CONSUMER_KEY, X_CONSUMER_SECRET,
 * X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET and, when set, X_BEARER_TOKEN.
 */
export function realClientOptionsFromEnv(): {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
  bearerToken?: string;
} {
  const bearerToken = process.env['X_BEARER_TOKEN'];
  return {
    consumerKey: requireEnv('X_CONSUMER_KEY'),
    consumerSecret: requireEnv('X_CONSUMER_SECRET'),
    accessToken: requireEnv('X_ACCESS_TOKEN'),
    accessTokenSecret: requireEnv('X_ACCESS_TOKEN_SECRET'),
    ...(bearerToken ? { bearerToken } : {}),
  };
}

/** Prints one line per event. */
export const printEvent = (event: AccountActivityEvent): void => {
  console.log(describeEvent(event));
};

/**
 * Starts a recipe from the command line.
 *
 * - With `X_CONSUMER_SECRET` set: serves real X on `PORT` (default 3000) at `/webhook`; register that
 *   public URL with `client.webhooks.register` and subscribe users.
 * - Without it: runs against the local emulator. The recipe's webhook is registered through
 *   `AccountActivityClient` (the emulator runs a real CRC against it), alice and bob are subscribed,
 *   and a few accounts act, so typed events print at once. `--once` exits after that.
 */
export async function runFromCli(start: (options: RecipeOptions) => Promise<RunningRecipe>): Promise<void> {
  const consumerSecret = process.env['X_CONSUMER_SECRET'];
  const port = Number(process.env['PORT'] ?? (consumerSecret ? 3000 : 0));
  if (consumerSecret) {
    const running = await start({ consumerSecret, port });
    console.log(`Webhook listening at ${running.url}; register its public https URL with X.`);
    stopOnSignal(running.close);
    return;
  }
  const { startEmulator } = await import('x-account-activity/testing');
  const { AccountActivityClient } = await import('x-account-activity');
  const emulator = await startEmulator();
  const running = await start({ consumerSecret: emulator.consumerSecret, port });
  const close = async (): Promise<void> => {
    await running.close();
    await emulator.close();
  };
  console.log(`No X_CONSUMER_SECRET: running against the local X API emulator at ${emulator.url}`);
  const client = new AccountActivityClient(emulator.clientOptions());
  const webhook = await client.webhooks.register(running.url);
  console.log(`Registered ${running.url} as webhook ${webhook.id} (the CRC passed)`);
  for (const name of ['alice', 'bob']) await client.subscriptions.add(webhook.id, emulator.account(name));
  console.log('Subscribed @alice and @bob; making accounts act:');
  const { tweet } = await emulator.activity.post('alice', 'Hello from the recipe');
  await emulator.activity.mention('bob', 'alice', 'nice to see you here');
  await emulator.activity.like('carol', tweet);
  await emulator.activity.sendDirectMessage('carol', 'alice', 'Hi alice!');
  await emulator.settled();
  if (process.argv.includes('--once')) {
    await close();
    return;
  }
  console.log('Still listening (Ctrl-C to stop).');
  stopOnSignal(close);
}

function stopOnSignal(close: () => Promise<void>): void {
  const stop = (): void => void close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
