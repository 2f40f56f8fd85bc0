/**
 * What the commands that call X's API share: the client from flags, environment and .env, the
 * subscribing user's credentials, a spinner around a call, and the dates of `--from`, `--start`...
 *
 * @internal
 * @packageDocumentation
 */
import { AccountActivityClient, type SubscriberCredentials } from '../client/index.js';
import { API_OPTIONS, COMMON_OPTIONS, UsageError, type Values } from './args.js';
import { clientOptions, loadEnv, setting } from './config.js';
import type { Context } from './context.js';
import { spinner } from './output.js';

/** Options of every command that calls X's API. */
export const OPTIONS = { ...COMMON_OPTIONS, ...API_OPTIONS } as const;

/** The options that name the user a call acts for (`subscriptions add`, `activity subscriptions create`). */
export const USER_OPTIONS = {
  'user-token': { type: 'string' },
  'user-token-secret': { type: 'string' },
  'user-oauth2-token': { type: 'string' },
} as const;

/** A client from flags, the environment and .env (or `--emulator`). */
export function client(values: Values, ctx: Context): AccountActivityClient {
  loadEnv(values, ctx.env, ctx.cwd);
  return new AccountActivityClient(clientOptions(values, ctx.env));
}

/** Runs `work` with a spinner (TTY only) saying what is awaited. */
export async function waiting<T>(ctx: Context, text: string, work: () => Promise<T>): Promise<T> {
  const spin = spinner(ctx, text);
  try {
    return await work();
  } finally {
    spin.stop();
  }
}

/** The user of a call: --user-* flags, their environment variables, else `undefined` (the app owner). */
export function subscriber(values: Values, ctx: Context): SubscriberCredentials | undefined {
  const oauth2 = setting(values, ctx.env, 'user-oauth2-token', 'X_USER_OAUTH2_TOKEN');
  if (oauth2 !== undefined) return { oauth2AccessToken: oauth2 };
  const token = setting(values, ctx.env, 'user-token', 'X_USER_ACCESS_TOKEN');
  const secret = setting(values, ctx.env, 'user-token-secret', 'X_USER_ACCESS_TOKEN_SECRET');
  if (token === undefined && secret === undefined) return undefined;
  if (token === undefined || secret === undefined) {
    throw new UsageError(
      '--user-token and --user-token-secret go together (X_USER_ACCESS_TOKEN, X_USER_ACCESS_TOKEN_SECRET)',
    );
  }
  return { accessToken: token, accessTokenSecret: secret };
}

/** ISO dates, yyyymmddhhmm (UTC), epoch milliseconds, or a time ago (90m, 3h, 1d). */
export function parseWhen(text: string, flag: string, now = Date.now()): Date {
  const ago = /^(\d+)(m|h|d)$/.exec(text);
  if (ago)
    return new Date(now - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 'm' | 'h' | 'd']);
  const compact = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (compact) {
    const [, y, mo, d, h, mi] = compact.map(Number) as [number, number, number, number, number, number];
    return new Date(Date.UTC(y, mo - 1, d, h, mi));
  }
  if (/^\d{13}$/.test(text)) return new Date(Number(text));
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--${flag} '${text}' is not a date: use ISO (2026-01-31T10:00Z), yyyymmddhhmm (UTC), or a time ago (90m, 3h, 1d)`,
    );
  }
  return date;
}

/** A comma-separated list option (`--tweet-fields a,b`), without blanks; `undefined` when absent. */
export function list(values: Values, name: string): string[] | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
