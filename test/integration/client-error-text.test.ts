// Issue 15, defect 7: what the client puts in its errors and shows of itself, against a real
// loopback server.
// - A `baseUrl` with `user:password@` is refused, without echoing the password.
// - Server-supplied error text is redacted (a proxy echoing the Authorization header it received, the
//   client's own keys and tokens quoted back) and bounded (a 5 MiB message), with the body kept,
//   redacted and bounded, on `error.body`.
// - A 200 whose body is only `{"errors": [...]}` throws the typed error, on every operation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccountActivityClient } from '../../src/client/index.js';
import type { AccountActivityClientOptions } from '../../src/client/index.js';
import { AuthenticationError, InvalidArgumentError, RateLimitError, XApiError, isXApiError } from '../../src/errors.js';
import { errorRenderings } from '../helpers/renderings.js';
import { type Started, listen } from '../helpers/server.js';

const CREDENTIALS = {
  consumerKey: 'ck-KEY-4242',
  consumerSecret: 'cs-SECRET-4343',
  accessToken: '1111-ACCESS-TOKEN-4444',
  accessTokenSecret: 'ats-SECRET-4545',
};
const BEARER = 'AAAA-app-BEARER-4646';
const SUBSCRIBER = { accessToken: '2222-SUB-TOKEN-4747', accessTokenSecret: 'sub-SECRET-4848' };
const OAUTH2 = 'user-OAUTH2-TOKEN-4949';
const SECRETS = [...Object.values(CREDENTIALS), BEARER, ...Object.values(SUBSCRIBER), OAUTH2];

/** What the server answers next: status, body text, content type. */
type Answer = (request: IncomingMessage) => { status: number; body: string; type?: string };

let server: Started;
let answer: Answer;
const seen: { method: string; path: string }[] = [];

beforeAll(async () => {
  server = await listen((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      seen.push({ method: request.method ?? '', path: (request.url ?? '').replace(/\?.*$/, '') });
      const { status, body, type } = answer(request);
      response.writeHead(status, { 'content-type': type ?? 'application/json' });
      response.end(body);
    });
  });
});
afterAll(() => server.close());
beforeEach(() => {
  seen.length = 0;
});

const client = (options: Partial<AccountActivityClientOptions> = {}): AccountActivityClient =>
  new AccountActivityClient({ ...CREDENTIALS, bearerToken: BEARER, baseUrl: server.url, retry: false, ...options });

function renderings(error: unknown): string {
  const e = error as Error & { body?: unknown; errors?: unknown };
  return [...errorRenderings(error), JSON.stringify(e.errors), String(e.body)].join('\n');
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );

describe('baseUrl with credentials', () => {
  it.each([
    'http://admin:hunter2-PASSWORD@127.0.0.1:9',
    'https://user:hunter2-PASSWORD@api.x.com/',
    'https://hunter2-PASSWORD@api.x.com',
  ])('is refused with InvalidArgumentError, naming neither the password nor the URL: %s', (baseUrl) => {
    let caught: unknown;
    try {
      new AccountActivityClient({ bearerToken: BEARER, baseUrl });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    const text = renderings(caught);
    expect(text).toContain('`baseUrl` must not carry credentials');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('admin');
  });

  it('a plain baseUrl is kept, and JSON and inspect of the client show it and no secret', () => {
    const c = client();
    expect(JSON.parse(JSON.stringify(c))).toEqual({ apiVersion: '2', baseUrl: server.url });
    expectNoSecret(inspect(c, { depth: 10, showHidden: true }));
  });
});

describe('server-supplied error text', () => {
  /** A proxy in front of X that answers with the request headers it received. */
  const echoing: Answer = (request) => ({
    status: 400,
    body: JSON.stringify({
      errors: [{ code: 215, message: `Bad request. Received authorization: ${request.headers.authorization ?? ''}` }],
      detail: `headers=${JSON.stringify(request.headers)}`,
    }),
  });

  it.each([
    ['bearer (app-only)', (c: AccountActivityClient) => c.webhooks.list()],
    ['OAuth 1.0a (app owner)', (c: AccountActivityClient) => c.webhooks.validate('1', {})],
    ['OAuth 1.0a (subscriber)', (c: AccountActivityClient) => c.subscriptions.add('1', SUBSCRIBER)],
    ['OAuth 2.0 user token', (c: AccountActivityClient) => c.subscriptions.check('1', { oauth2AccessToken: OAUTH2 })],
  ])('a JSON body echoing the %s Authorization header: redacted everywhere', async (_kind, run) => {
    answer = echoing;
    const c = client({ apiVersion: _kind.includes('app owner') ? '1.1' : '2' });
    const error = await failure(run(c));
    expect(error).toBeInstanceOf(XApiError);
    expect((error as XApiError).code).toBe(215);
    expect((error as Error).message).toContain('[redacted]');
    expect((error as XApiError).body).toContain('[redacted]');
    expectNoSecret(renderings(error));
  });

  it('a text body echoing the header, and a JSON body quoting the keys and tokens bare: redacted', async () => {
    answer = (request) => ({
      status: 401,
      type: 'text/plain',
      body: `Proxy refused. Authorization: ${request.headers.authorization ?? ''}\n`,
    });
    const first = await failure(client().webhooks.list());
    expect(first).toBeInstanceOf(AuthenticationError);
    expect((first as Error).message).toContain('Authorization: [redacted]');
    expectNoSecret(renderings(first));

    answer = () => ({
      status: 401,
      body: JSON.stringify({
        errors: [
          {
            code: 32,
            message: `Could not authenticate consumer ${CREDENTIALS.consumerKey} (secret ${CREDENTIALS.consumerSecret}) with token ${SUBSCRIBER.accessToken}/${SUBSCRIBER.accessTokenSecret}`,
          },
        ],
      }),
    });
    const second = await failure(client().subscriptions.add('1', SUBSCRIBER));
    expect(second).toBeInstanceOf(AuthenticationError);
    expect((second as Error).message).toMatch(/Could not authenticate consumer \[redacted\] \(secret \[redacted\]\)/);
    expectNoSecret(renderings(second));
  });

  it('a 5 MiB error message: the message is bounded, the body kept bounded on error.body', async () => {
    const huge = `Rate limit exceeded ${'x'.repeat(5 * 1024 * 1024)}`;
    answer = () => ({ status: 429, body: JSON.stringify({ errors: [{ code: 88, message: huge }] }) });
    const error = (await failure(client().subscriptions.count())) as XApiError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.code).toBe(88);
    expect(error.message).toMatch(
      /^X API GET \/2\/account_activity\/subscriptions\/count failed with HTTP 429 \(code 88\): Rate limit exceeded x+… \[cut: /,
    );
    expect(error.message.length).toBeLessThan(800);
    expect(error.errors[0]?.message.length).toBeLessThan(2_100);
    expect(error.body?.length).toBeGreaterThan(60_000);
    expect(error.body?.length).toBeLessThan(64 * 1024 + 100);
    expect(error.body?.startsWith('{"errors":[{"code":88,"message":"Rate limit exceeded xxx')).toBe(true);
    expect(inspect(error).length).toBeLessThan(80_000);
  });

  it('a huge text body (an HTML error page): bounded the same way', async () => {
    answer = () => ({ status: 403, type: 'text/html', body: `<html>${'<p>denied</p>'.repeat(500_000)}</html>` });
    const error = (await failure(client().webhooks.list())) as XApiError;
    expect(isXApiError(error)).toBe(true);
    expect(error.message.length).toBeLessThan(800);
    expect(error.body?.length).toBeLessThan(64 * 1024 + 100);
  });
});

describe('a 200 whose body is only errors', () => {
  const errorsOnly: Answer = () => ({
    status: 200,
    body: JSON.stringify({ errors: [{ code: 88, message: 'Rate limit exceeded' }] }),
  });
  const now = Date.now();
  const window = { from: new Date(now - 3 * 3600_000), to: new Date(now - 3600_000) };
  const operations: [string, (c: AccountActivityClient) => Promise<unknown>][] = [
    ['webhooks.register', (c) => c.webhooks.register('https://example.com/webhook')],
    ['webhooks.list', (c) => c.webhooks.list()],
    ['webhooks.validate', (c) => c.webhooks.validate('1')],
    ['webhooks.delete', (c) => c.webhooks.delete('1')],
    ['subscriptions.add', (c) => c.subscriptions.add('1', SUBSCRIBER)],
    ['subscriptions.check', (c) => c.subscriptions.check('1', SUBSCRIBER)],
    ['subscriptions.list', (c) => c.subscriptions.list('1')],
    ['subscriptions.count', (c) => c.subscriptions.count()],
    ['subscriptions.remove', (c) => c.subscriptions.remove('1', '2')],
    ['replay.start', (c) => c.replay.start('1', window)],
    ['directMessages.send', (c) => c.directMessages.send('2', 'hi', SUBSCRIBER)],
  ];

  for (const version of ['2', '1.1'] as const) {
    it.each(operations)(`v${version} %s throws the typed API error`, async (_name, run) => {
      answer = errorsOnly;
      const error = await failure(run(client({ apiVersion: version })));
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as XApiError).status).toBe(200);
      expect((error as XApiError).code).toBe(88);
      expect((error as Error).message).toContain('Rate limit exceeded');
      expect(seen).toHaveLength(1);
    });
  }

  it('a partial success (data beside errors) still returns the data', async () => {
    answer = () => ({
      status: 200,
      body: JSON.stringify({
        data: [{ id: '1', url: 'https://example.com/w', valid: true, created_at: '2024-01-01T00:00:00.000Z' }],
        errors: [{ message: 'one field could not be read' }],
      }),
    });
    const list = await client().webhooks.list();
    expect(list.map((webhook) => webhook.id)).toEqual(['1']);
  });
});
