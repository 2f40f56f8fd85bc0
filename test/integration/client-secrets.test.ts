// Secrets never appear in JSON.stringify / util.inspect of the client, nor in any error it throws
// (message, String(error), util.inspect(error), JSON of the error), on every failure path.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AccountActivityClient } from '../../src/client/index.js';
import type { AccountActivityClientOptions } from '../../src/client/index.js';
import { ConnectionError, isInvalidArgumentError, isXAccountActivityError } from '../../src/errors.js';
import { recordingClient, useRecordingServer, TEST_CREDENTIALS, TEST_SUBSCRIBER } from '../helpers/recording-server.js';
import { errorRenderings } from '../helpers/renderings.js';

const BEARER = 'app-bearer-TOKEN-7777';
const OAUTH2 = 'user-oauth2-TOKEN-8888';
const SECRETS = [...Object.values(TEST_CREDENTIALS), ...Object.values(TEST_SUBSCRIBER), BEARER, OAUTH2];
// The consumer key is not a secret in OAuth terms, but it is kept out of output all the same.

const server = useRecordingServer(BEARER);

const client = (options: Partial<AccountActivityClientOptions> = {}): AccountActivityClient =>
  recordingClient(server, { retry: { baseDelay: 1, maxDelay: 2, limit: 1 }, ...options });

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/authorization/i);
}

function everyRendering(error: unknown): string {
  const e = error as Error & { cause?: unknown };
  return [...errorRenderings(error), inspect(e.cause, { depth: 10, showHidden: true })].join('\n');
}

describe('the client object', () => {
  it('JSON.stringify shows no secret', () => {
    const c = client({ bearerToken: BEARER });
    const json = JSON.stringify(c);
    expectNoSecret(json);
    expect(JSON.parse(json)).toEqual({ apiVersion: '2', baseUrl: server.url });
  });

  it('util.inspect shows no secret, even with showHidden', () => {
    const c = client({ bearerToken: BEARER });
    const text = inspect(c, { depth: 10, showHidden: true });
    expectNoSecret(text);
    expect(text).toContain('AccountActivityClient');
    expectNoSecret(inspect(c.webhooks, { depth: 10, showHidden: true }));
    expectNoSecret(JSON.stringify(c.subscriptions));
  });

  it('after an obtained token is cached, still no secret', async () => {
    server.reply('GET', '/2/webhooks', { body: { data: [] } });
    const c = client();
    await c.webhooks.list();
    expectNoSecret(inspect(c, { depth: 10, showHidden: true }));
    expectNoSecret(JSON.stringify(c));
  });
});

describe('errors', () => {
  const cases: [string, (c: AccountActivityClient) => Promise<unknown>, () => void][] = [
    [
      'a 401 from an OAuth 1.0a endpoint',
      (c) => c.subscriptions.add('1', TEST_SUBSCRIBER),
      () =>
        server.reply('POST', '/2/account_activity/webhooks/1/subscriptions/all', {
          status: 401,
          body: { errors: [{ code: 32, message: 'Could not authenticate you.' }] },
        }),
    ],
    [
      'a 500 after retries with bearer auth',
      (c) => c.webhooks.list(),
      () => server.reply('GET', '/2/webhooks', { status: 500, body: 'boom' }),
    ],
    [
      'a token request refused',
      (c) => c.webhooks.list(),
      () =>
        server.reply('POST', '/oauth2/token', {
          status: 403,
          body: { errors: [{ code: 99, message: 'Unable to verify your credentials' }] },
        }),
    ],
    [
      'a timeout on the first attempt',
      (c) => c.subscriptions.count({ timeout: 30 }),
      () => server.reply('GET', '/2/account_activity/subscriptions/count', { delayMs: 200, body: {} }),
    ],
    [
      'a timeout on a retry attempt',
      (c) => c.subscriptions.count({ timeout: 60 }),
      () =>
        server.reply(
          'GET',
          '/2/account_activity/subscriptions/count',
          { status: 503, body: {} },
          { delayMs: 300, body: {} },
        ),
    ],
    [
      'a dropped connection',
      (c) => c.subscriptions.check('1', { oauth2AccessToken: OAUTH2 }),
      () => server.reply('GET', '/2/account_activity/webhooks/1/subscriptions/all', { destroy: true }),
    ],
    [
      'an undocumented success body',
      (c) => c.subscriptions.count(),
      () => server.reply('GET', '/2/account_activity/subscriptions/count', { body: { nope: true } }),
    ],
    ['invalid arguments', (c) => c.subscriptions.add('not-an-id', TEST_SUBSCRIBER), () => undefined],
    [
      'an OAuth 2.0 user token on v1.1',
      (_c) =>
        new AccountActivityClient({ ...TEST_CREDENTIALS, apiVersion: '1.1', baseUrl: server.url }).subscriptions.check(
          '1',
          { oauth2AccessToken: OAUTH2 },
        ),
      () => undefined,
    ],
  ];

  it.each(cases)('%s: no secret in any rendering', async (_name, run, script) => {
    script();
    const error = await run(client()).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e,
    );
    expect(isXAccountActivityError(error)).toBe(true);
    expectNoSecret(everyRendering(error));
  });

  it.each([
    ['OAuth 1.0a', (c: AccountActivityClient) => c.subscriptions.add('1', TEST_SUBSCRIBER)],
    ['bearer', (c: AccountActivityClient) => c.webhooks.list()],
  ])('a runtime error quoting the %s Authorization header: redacted, and not kept as the cause', async (_kind, run) => {
    const quoting: typeof fetch = async (input) => {
      const header = input instanceof Request ? input.headers.get('authorization') : null;
      throw new TypeError(`Headers.set: "${String(header)}" is an invalid header value.`);
    };
    const error = await run(client({ bearerToken: BEARER, fetch: quoting, retry: false })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('[redacted]" is an invalid header value');
    expect((error as Error).cause).toBeUndefined();
    expectNoSecret(everyRendering(error));
  });

  it('invalid options name the option, never its value', () => {
    let caught: unknown;
    try {
      new AccountActivityClient({
        consumerKey: TEST_CREDENTIALS.consumerKey,
        accessToken: TEST_CREDENTIALS.accessToken,
      });
    } catch (error) {
      caught = error;
    }
    expect(isXAccountActivityError(caught)).toBe(true);
    expect((caught as Error).message).toContain('consumerSecret');
    expectNoSecret(everyRendering(caught));
  });
});

describe('credentials that cannot go into a header', () => {
  it('are refused by name, before any request, without echoing them', () => {
    for (const name of ['bearerToken', 'accessToken', 'accessTokenSecret', 'consumerKey', 'consumerSecret'] as const) {
      const options = {
        consumerKey: 'key',
        consumerSecret: 'secret',
        accessToken: 'token',
        accessTokenSecret: 'tsecret',
        [name]: 'AAAAsecret\nInjected: x',
      };
      let caught: unknown;
      try {
        new AccountActivityClient({ ...options, baseUrl: 'http://127.0.0.1:9' });
      } catch (error) {
        caught = error;
      }
      expect(isInvalidArgumentError(caught)).toBe(true);
      const text = `${String(caught)} ${inspect(caught)}`;
      expect(text).toContain(`\`${name}\``);
      expect(text).not.toContain('AAAAsecret');
    }
  });

  it('refuses a subscriber token with a line break, without echoing it', async () => {
    const client = new AccountActivityClient({ bearerToken: 'app-token', baseUrl: 'http://127.0.0.1:9', retry: false });
    const error = await client.subscriptions
      .check('1', { oauth2AccessToken: 'u2secret\r\nX: y' })
      .catch((e: unknown) => e);
    expect(isInvalidArgumentError(error)).toBe(true);
    expect(`${String(error)} ${inspect(error)}`).not.toContain('u2secret');
  });
});
