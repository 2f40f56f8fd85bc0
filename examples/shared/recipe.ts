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

/** Prints one line per event. */
export const printEvent = (event: AccountActivityEvent): void => {
  console.log(describeEvent(event));
};

/** Starts a recipe from the command line with X_CONSUMER_SECRET and PORT from the environment. */
export async function runFromCli(start: (options: RecipeOptions) => Promise<RunningRecipe>): Promise<void> {
  const consumerSecret = process.env['X_CONSUMER_SECRET'];
  if (!consumerSecret) {
    console.error('Set X_CONSUMER_SECRET to your app\'s consumer secret (API secret key).');
    process.exitCode = 1;
    return;
  }
  const running = await start({ consumerSecret, port: Number(process.env['PORT'] ?? 3000) });
  console.log(`Webhook listening at ${running.url}`);
  const stop = (): void => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
