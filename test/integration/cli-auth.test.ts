/**
 * `auth oauth1` (PIN flow, the PIN typed on stdin) and `auth oauth2` (PKCE, a local callback server)
 * as spawned processes against the emulator's sign-in endpoints; the tokens printed work.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../src/testing/index.js';
import { type Running, start } from './cli-process.js';

vi.setConfig({ testTimeout: 120_000 });

let x: Emulator;
const running: Running[] = [];
beforeEach(async () => {
  x = await startEmulator();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop('SIGKILL')));
  await x.close();
});

it('auth oauth1: prints the authorize URL, reads the PIN, prints the user tokens as env lines', async () => {
  const env = { X_API_BASE_URL: x.url, X_CONSUMER_KEY: x.consumerKey, X_CONSUMER_SECRET: x.consumerSecret };
  const cli = start(['auth', 'oauth1'], { env, stdin: true });
  running.push(cli);
  const [authorizeUrl] = await cli.waitFor(/http:\/\/\S+oauth_token=\S+/);
  await cli.waitFor(/PIN: /);
  const approval = x.auth.approve(authorizeUrl, { account: 'alice' });
  if (approval.flow !== 'oauth1') throw new Error('not an OAuth 1.0a approval');
  cli.child.stdin?.end(`${approval.verifier}\n`);
  expect(await cli.exited, cli.stderr()).toBe(0);
  const alice = x.account('alice');
  expect(cli.stdout()).toContain(`# @alice (user id ${alice.id})`);
  const token = /^X_USER_ACCESS_TOKEN=(\S+)$/m.exec(cli.stdout())?.[1];
  const secret = /^X_USER_ACCESS_TOKEN_SECRET=(\S+)$/m.exec(cli.stdout())?.[1];
  expect(token).toBeTruthy();
  expect(secret).toBeTruthy();
  expect(cli.stdout() + cli.stderr()).not.toContain(x.consumerSecret);
});

it('auth oauth2: a local callback server receives the redirect; prints a user token with the granted scopes', async () => {
  const env = { X_API_BASE_URL: x.url, X_CLIENT_ID: x.oauth2ClientId, X_CLIENT_SECRET: x.oauth2ClientSecret };
  const cli = start(['auth', 'oauth2', '--port', '0', '--json'], { env });
  running.push(cli);
  const [authorizeUrl] = await cli.waitFor(/http:\/\/\S+\/oauth2\/authorize\?\S+/);
  const { callbackUrl } = x.auth.approve(authorizeUrl, { account: 'bob' });
  const page = await fetch(String(callbackUrl));
  expect(page.status).toBe(200);
  expect(await cli.exited).toBe(0);
  const tokens = JSON.parse(cli.stdout()) as { accessToken: string; scopes: string[] };
  expect(tokens.scopes).toEqual(expect.arrayContaining(['tweet.read', 'users.read', 'dm.read']));
  expect(x.auth.scopesOf(tokens.accessToken)).toEqual(expect.arrayContaining(['dm.read']));
});

it('auth: usage errors exit 2', async () => {
  const none = start(['auth', 'oauth2']);
  running.push(none);
  expect(await none.exited).toBe(2);
  expect(none.stderr()).toContain('X_CLIENT_ID');
  const unknown = start(['auth', 'saml'], { env: { X_CONSUMER_KEY: 'k', X_CONSUMER_SECRET: 's' } });
  running.push(unknown);
  expect(await unknown.exited).toBe(2);
});
