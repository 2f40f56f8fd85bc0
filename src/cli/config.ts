/**
 * Where settings come from, in order: flags, then the environment, then a `.env` file (read with
 * Node's own `process.loadEnvFile`, which never overrides a variable already set). `--emulator`
 * fills what is still missing with the well-known credentials of `x-account-activity emulate`.
 *
 * @internal
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AccountActivityClientOptions } from '../client/index.js';
import { UsageError, type Values, bool, int, str } from './args.js';

/** The port `emulate` listens on unless told otherwise, and where `--emulator` looks. */
export const EMULATOR_PORT = 8787;

/** The fixed credentials `emulate` starts with, so that `--emulator` works without copying them. */
export const EMULATOR_CREDENTIALS = {
  consumerKey: 'emulator-consumer-key',
  consumerSecret: 'emulator-consumer-secret',
  accessToken: 'emulator-owner-access-token',
  accessTokenSecret: 'emulator-owner-access-token-secret',
  bearerToken: 'emulator-bearer-token',
} as const;

/** Loads `--env-file` (which must exist) or `./.env` (when there is one) into the environment. */
export function loadEnv(values: Values, env: NodeJS.ProcessEnv, cwd: string): void {
  const explicit = str(values, 'env-file');
  const file = resolve(cwd, explicit ?? '.env');
  if (!existsSync(file)) {
    if (explicit !== undefined) throw new UsageError(`--env-file ${explicit}: no such file`);
    return;
  }
  if (env !== process.env) return; // tests pass their own environment
  process.loadEnvFile(file);
}

/** A setting from its flag, else its environment variable. */
export function setting(values: Values, env: NodeJS.ProcessEnv, flag: string, variable: string): string | undefined {
  const fromFlag = str(values, flag);
  if (fromFlag !== undefined) return fromFlag;
  const fromEnv = env[variable];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

/** The consumer secret (for CRC, signing and listening), from flag, environment, .env or --emulator. */
export function consumerSecret(values: Values, env: NodeJS.ProcessEnv, what: string): string {
  const secret = setting(values, env, 'consumer-secret', 'X_CONSUMER_SECRET');
  if (secret !== undefined) return secret;
  if (bool(values, 'emulator')) return EMULATOR_CREDENTIALS.consumerSecret;
  throw new UsageError(
    `${what} needs the app's consumer secret: pass --consumer-secret, set X_CONSUMER_SECRET (environment or .env), or use --emulator`,
  );
}

/** Options for AccountActivityClient. Nothing here is ever printed. */
export function clientOptions(values: Values, env: NodeJS.ProcessEnv): AccountActivityClientOptions {
  const emulator = bool(values, 'emulator');
  const fallback = (key: keyof typeof EMULATOR_CREDENTIALS): string | undefined =>
    emulator ? EMULATOR_CREDENTIALS[key] : undefined;
  const baseUrl =
    setting(values, env, 'base-url', 'X_API_BASE_URL') ?? (emulator ? `http://127.0.0.1:${EMULATOR_PORT}` : undefined);
  const apiVersion = setting(values, env, 'api-version', 'X_API_VERSION');
  if (apiVersion !== undefined && apiVersion !== '2' && apiVersion !== '1.1') {
    throw new UsageError(`--api-version is '2' or '1.1', not '${apiVersion}'`);
  }
  const pick = (flag: string, variable: string, key: keyof typeof EMULATOR_CREDENTIALS): string | undefined =>
    setting(values, env, flag, variable) ?? fallback(key);
  const options: Record<string, unknown> = {
    consumerKey: pick('consumer-key', 'X_CONSUMER_KEY', 'consumerKey'),
    consumerSecret: pick('consumer-secret', 'X_CONSUMER_SECRET', 'consumerSecret'),
    accessToken: pick('access-token', 'X_ACCESS_TOKEN', 'accessToken'),
    accessTokenSecret: pick('access-token-secret', 'X_ACCESS_TOKEN_SECRET', 'accessTokenSecret'),
    bearerToken: pick('bearer-token', 'X_BEARER_TOKEN', 'bearerToken'),
    baseUrl,
    apiVersion,
    timeout: int(values, 'timeout', 30_000, 1, 600_000),
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  if (
    options.bearerToken === undefined &&
    (options.consumerKey === undefined || options.consumerSecret === undefined)
  ) {
    throw new UsageError(
      'no credentials: pass --consumer-key and --consumer-secret (or --bearer-token), set X_CONSUMER_KEY and X_CONSUMER_SECRET ' +
        '(environment or .env), or use --emulator with `x-account-activity emulate` running',
    );
  }
  return options as AccountActivityClientOptions;
}
