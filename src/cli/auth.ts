/**
 * `auth oauth1|oauth2`: signs a user in with the library's flows (src/auth) and prints their tokens
 * as environment lines. The only command that prints secrets: that is its job.
 *
 * @internal
 * @packageDocumentation
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AAA_SUBSCRIPTION_SCOPES, type OAuth2Scope, createOAuth1Flow, createOAuth2Flow } from '../auth/index.js';
import { COMMON_OPTIONS, UsageError, bool, int, noMore, parse, str } from './args.js';
import { EMULATOR_CREDENTIALS, EMULATOR_PORT, loadEnv, setting } from './config.js';
import type { Context } from './context.js';
import { HELP } from './help.js';
import { line, printJson, spinner } from './output.js';

const EMULATOR_OAUTH2 = {
  clientId: 'emulator-oauth2-client-id',
  clientSecret: 'emulator-oauth2-client-secret',
} as const;

export async function auth(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...COMMON_OPTIONS,
    'base-url': { type: 'string' },
    emulator: { type: 'boolean' },
    'consumer-key': { type: 'string' },
    'consumer-secret': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    scope: { type: 'string' },
    port: { type: 'string' },
    pin: { type: 'string' },
    timeout: { type: 'string' },
  });
  const [method] = positionals;
  if (bool(values, 'help') || method === undefined) {
    line(bool(values, 'help') ? ctx.stdout : ctx.stderr, HELP.auth);
    return bool(values, 'help') ? 0 : 2;
  }
  noMore(positionals, 1);
  loadEnv(values, ctx.env, ctx.cwd);
  const emulator = bool(values, 'emulator');
  const baseUrl =
    setting(values, ctx.env, 'base-url', 'X_API_BASE_URL') ??
    (emulator ? `http://127.0.0.1:${EMULATOR_PORT}` : undefined);
  const json = bool(values, 'json');
  const waitMs = int(values, 'timeout', 300_000, 1, 3_600_000);
  if (method === 'oauth1') {
    const consumerKey =
      setting(values, ctx.env, 'consumer-key', 'X_CONSUMER_KEY') ??
      (emulator ? EMULATOR_CREDENTIALS.consumerKey : undefined);
    const consumerSecret =
      setting(values, ctx.env, 'consumer-secret', 'X_CONSUMER_SECRET') ??
      (emulator ? EMULATOR_CREDENTIALS.consumerSecret : undefined);
    if (consumerKey === undefined || consumerSecret === undefined) {
      throw new UsageError(
        'auth oauth1 needs the consumer key and secret: --consumer-key/--consumer-secret or X_CONSUMER_KEY/X_CONSUMER_SECRET',
      );
    }
    const flow = createOAuth1Flow({ consumerKey, consumerSecret, ...(baseUrl ? { baseUrl } : {}) });
    const request = await flow.requestToken({ callback: 'oob' });
    line(ctx.stderr, `Open this page, authorise the app, then type the PIN X shows:\n\n  ${request.authorizeUrl}\n`);
    const pin = str(values, 'pin') ?? (await ask(ctx, 'PIN: ', waitMs));
    const tokens = await flow.accessToken({
      token: request.token,
      tokenSecret: request.tokenSecret,
      verifier: pin.trim(),
    });
    if (json) printJson(ctx, tokens);
    else {
      line(ctx.stdout, `# @${tokens.screenName ?? '?'} (user id ${tokens.userId ?? '?'}): OAuth 1.0a user tokens`);
      line(ctx.stdout, `X_USER_ACCESS_TOKEN=${tokens.accessToken}`);
      line(ctx.stdout, `X_USER_ACCESS_TOKEN_SECRET=${tokens.accessTokenSecret}`);
    }
    return 0;
  }
  if (method === 'oauth2') {
    const clientId =
      setting(values, ctx.env, 'client-id', 'X_CLIENT_ID') ?? (emulator ? EMULATOR_OAUTH2.clientId : undefined);
    const clientSecret =
      setting(values, ctx.env, 'client-secret', 'X_CLIENT_SECRET') ??
      (emulator ? EMULATOR_OAUTH2.clientSecret : undefined);
    if (clientId === undefined)
      throw new UsageError('auth oauth2 needs the OAuth 2.0 Client ID: --client-id or X_CLIENT_ID');
    const scopes = (str(values, 'scope')
      ?.split(/[\s,]+/)
      .filter(Boolean) ?? [...AAA_SUBSCRIPTION_SCOPES]) as OAuth2Scope[];
    let resolveCallback: (url: string) => void = () => {};
    const callback = new Promise<string>((resolve) => {
      resolveCallback = resolve;
    });
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') return void res.writeHead(404).end();
      res
        .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Signed in: you can close this tab and go back to the terminal.\n');
      resolveCallback(url.href);
    });
    await new Promise<void>((resolve) => server.listen(int(values, 'port', 8976, 0, 65535), '127.0.0.1', resolve));
    try {
      const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
      const flow = createOAuth2Flow({
        clientId,
        ...(clientSecret ? { clientSecret } : {}),
        redirectUri,
        ...(baseUrl ? { baseUrl } : {}),
      });
      const pending = await flow.authorizeUrl({ scopes });
      line(ctx.stderr, `Open this page and authorise the app (callback ${redirectUri}):\n\n  ${pending.url}\n`);
      const spin = spinner(ctx, 'waiting for X to send you back');
      let timer: NodeJS.Timeout | undefined;
      const url = await Promise.race([
        callback,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no callback within ${waitMs} ms`)), waitMs);
        }),
      ]).finally(() => {
        clearTimeout(timer);
        spin.stop();
      });
      const tokens = await flow.handleCallback(url, pending);
      if (json) printJson(ctx, tokens);
      else {
        line(
          ctx.stdout,
          `# OAuth 2.0 user token, scopes ${tokens.scopes.join(' ')}, expires ${tokens.expiresAt.toISOString()}`,
        );
        line(ctx.stdout, `X_USER_OAUTH2_TOKEN=${tokens.accessToken}`);
        if (tokens.refreshToken) line(ctx.stdout, `X_USER_OAUTH2_REFRESH_TOKEN=${tokens.refreshToken}`);
      }
      return 0;
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }
  throw new UsageError(`unknown sign-in '${method}': auth oauth1|oauth2`);
}

/** Reads one line from stdin (the PIN), with a timeout. */
function ask(ctx: Context, question: string, timeoutMs: number): Promise<string> {
  ctx.stderr.write(question);
  const input = process.stdin;
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      if (error) reject(error);
      else resolve(text.split(/\r?\n/)[0] ?? '');
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (/\r?\n/.test(text)) finish();
    };
    const onEnd = (): void =>
      text.trim() ? finish() : finish(new UsageError('no PIN given (stdin closed): pass --pin'));
    const timer = setTimeout(() => finish(new Error(`no PIN within ${timeoutMs} ms`)), timeoutMs);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
