/**
 * `emulate`: the local X API emulator as a long-running server.
 *
 * @internal
 * @packageDocumentation
 */
import { startEmulator } from '../testing/emulator.js';
import { COMMON_OPTIONS, bool, int, noMore, parse, str } from './args.js';
import { EMULATOR_CREDENTIALS, EMULATOR_PORT } from './config.js';
import { type Context, untilStopped } from './context.js';
import { HELP } from './help.js';
import { colorEnabled, line, painter } from './output.js';

const ACCOUNTS = ['alice', 'bob', 'carol'] as const;

export async function emulate(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...COMMON_OPTIONS,
    port: { type: 'string' },
    host: { type: 'string' },
  });
  if (bool(values, 'help')) {
    line(ctx.stdout, HELP.emulate);
    return 0;
  }
  noMore(positionals, 0);
  const port = int(values, 'port', EMULATOR_PORT, 0, 65535);
  const host = str(values, 'host') ?? '127.0.0.1';
  const emulator = await startEmulator({
    host,
    port,
    consumerKey: EMULATOR_CREDENTIALS.consumerKey,
    consumerSecret: EMULATOR_CREDENTIALS.consumerSecret,
    bearerToken: EMULATOR_CREDENTIALS.bearerToken,
    owner: {
      screenName: 'app_owner',
      accessToken: EMULATOR_CREDENTIALS.accessToken,
      accessTokenSecret: EMULATOR_CREDENTIALS.accessTokenSecret,
    },
    accounts: ACCOUNTS.map((name) => ({
      screenName: name,
      accessToken: `emulator-${name}-access-token`,
      accessTokenSecret: `emulator-${name}-access-token-secret`,
    })),
  });
  const vars: Record<string, string> = {
    X_API_BASE_URL: emulator.url,
    X_CONSUMER_KEY: emulator.consumerKey,
    X_CONSUMER_SECRET: emulator.consumerSecret,
    X_ACCESS_TOKEN: EMULATOR_CREDENTIALS.accessToken,
    X_ACCESS_TOKEN_SECRET: EMULATOR_CREDENTIALS.accessTokenSecret,
    X_BEARER_TOKEN: emulator.bearerToken,
    X_CLIENT_ID: emulator.oauth2ClientId,
    X_CLIENT_SECRET: emulator.oauth2ClientSecret,
  };
  const accounts = emulator.accounts.map((a) => ({
    screenName: a.screenName,
    id: a.id,
    accessToken: a.accessToken,
    accessTokenSecret: a.accessTokenSecret,
  }));
  if (bool(values, 'json')) {
    line(ctx.stdout, JSON.stringify({ ...vars, accounts }));
  } else {
    const paint = painter(colorEnabled(ctx));
    line(ctx.stdout, paint('gray', `# X API emulator at ${emulator.url} (its own test credentials; Ctrl-C stops it)`));
    for (const [key, value] of Object.entries(vars)) line(ctx.stdout, `${key}=${value}`);
    for (const a of accounts) {
      const upper = a.screenName.toUpperCase();
      line(ctx.stdout, paint('gray', `# @${a.screenName}, user id ${a.id}`));
      line(ctx.stdout, `X_${upper}_ACCESS_TOKEN=${a.accessToken}`);
      line(ctx.stdout, `X_${upper}_ACCESS_TOKEN_SECRET=${a.accessTokenSecret}`);
    }
  }
  await untilStopped(ctx.signal);
  await emulator.close();
  if (!bool(values, 'json')) line(ctx.stderr, 'emulator stopped');
  return 0;
}
