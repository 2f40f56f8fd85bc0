// Every operation in both API generations against the recording server: the right method, path,
// auth kind and parameters on the wire, and every documented success variant parsed.
import { describe, expect, it } from 'vitest';
import { AccountActivityClient } from '../../src/client/index.js';
import type { AccountActivityClientOptions } from '../../src/client/index.js';
import { ResponseValidationError, TimeoutError } from '../../src/errors.js';
import { recordingClient, useRecordingServer, TEST_CREDENTIALS, TEST_SUBSCRIBER } from '../helpers/recording-server.js';
import type { RecordedRequest, ScriptedResponse } from '../helpers/recording-server.js';

const server = useRecordingServer();

const client = (options: Partial<AccountActivityClientOptions> = {}): AccountActivityClient =>
  recordingClient(server, options);

const WEBHOOK = {
  id: '1234567890',
  url: 'https://example.com/webhook/x',
  valid: true,
  created_at: '2016-06-02T23:54:02Z',
};
const EXPECTED_WEBHOOK = {
  id: '1234567890',
  url: 'https://example.com/webhook/x',
  valid: true,
  createdAt: new Date('2016-06-02T23:54:02Z'),
};
const LIST = {
  webhook_id: '1234567890',
  webhook_url: 'https://example.com/webhook/x',
  application_id: '11231812',
  subscriptions: [{ user_id: '20212306' }, { user_id: '20212307' }],
};
const EXPECTED_LIST = {
  webhookId: '1234567890',
  webhookUrl: 'https://example.com/webhook/x',
  applicationId: '11231812',
  subscriptions: [{ userId: '20212306' }, { userId: '20212307' }],
};
const COUNT = {
  account_name: 'my-account',
  subscriptions_count_all: '1',
  subscriptions_count_direct_messages: '0',
  provisioned_count: '50',
};
const EXPECTED_COUNT = {
  accountName: 'my-account',
  subscriptionsCountAll: 1,
  subscriptionsCountDirectMessages: 0,
  provisionedCount: 50,
};

type AuthExpectation = 'bearer' | 'oauth1-owner' | 'oauth1-user' | 'oauth2-user';

function expectAuth(request: RecordedRequest, kind: AuthExpectation): void {
  if (kind === 'bearer') {
    expect(request.auth).toEqual({ kind: 'bearer', token: 'app-bearer-TOKEN-7777' });
  } else if (kind === 'oauth2-user') {
    expect(request.auth).toEqual({ kind: 'bearer', token: 'user-oauth2-TOKEN-8888' });
  } else {
    expect(request.auth.kind).toBe('oauth1');
    if (request.auth.kind !== 'oauth1') return;
    expect(request.auth.valid).toBe(true);
    expect(request.auth.params['oauth_token']).toBe(
      kind === 'oauth1-owner' ? TEST_CREDENTIALS.accessToken : TEST_SUBSCRIBER.accessToken,
    );
    expect(request.auth.params['oauth_signature_method']).toBe('HMAC-SHA1');
  }
}

interface Case {
  readonly name: string;
  readonly run: (c: AccountActivityClient) => Promise<unknown>;
  readonly method: string;
  readonly path: string;
  readonly auth: AuthExpectation;
  readonly query?: Record<string, string>;
  readonly json?: unknown;
  readonly responses: readonly {
    readonly variant: string;
    readonly reply: ScriptedResponse;
    readonly result: unknown;
  }[];
}

const v2Cases: Case[] = [
  {
    name: 'webhooks.register (V1)',
    run: (c) => c.webhooks.register('https://example.com/webhook/x'),
    method: 'POST',
    path: '/2/webhooks',
    auth: 'bearer',
    json: { url: 'https://example.com/webhook/x' },
    responses: [
      { variant: '{data: WebhookConfig}', reply: { body: { data: WEBHOOK } }, result: EXPECTED_WEBHOOK },
      { variant: 'bare WebhookConfig (OAS ≤2.166)', reply: { body: WEBHOOK }, result: EXPECTED_WEBHOOK },
    ],
  },
  {
    name: 'webhooks.list (V2)',
    run: (c) => c.webhooks.list(),
    method: 'GET',
    path: '/2/webhooks',
    auth: 'bearer',
    query: { 'webhook_config.fields': 'created_at,id,url,valid' },
    responses: [
      {
        variant: '{data: [...], meta}',
        reply: { body: { data: [WEBHOOK, { ...WEBHOOK, id: '99', valid: false }], meta: { result_count: 2 } } },
        result: [EXPECTED_WEBHOOK, { ...EXPECTED_WEBHOOK, id: '99', valid: false }],
      },
      { variant: 'no webhooks: meta only', reply: { body: { meta: { result_count: 0 } } }, result: [] },
    ],
  },
  {
    name: 'webhooks.validate (V3)',
    run: (c) => c.webhooks.validate('1234567890'),
    method: 'PUT',
    path: '/2/webhooks/1234567890',
    auth: 'bearer',
    responses: [
      {
        variant: '{data: {valid: true}} (OAS-167)',
        reply: { body: { data: { valid: true } } },
        result: { attempted: true, valid: true },
      },
      {
        variant: '{data: {valid: false}}',
        reply: { body: { data: { valid: false } } },
        result: { attempted: true, valid: false },
      },
      {
        variant: '{data: {attempted: true}} (OAS ≤2.166)',
        reply: { body: { data: { attempted: true } } },
        result: { attempted: true, valid: undefined },
      },
      { variant: '204', reply: { status: 204 }, result: { attempted: true, valid: true } },
    ],
  },
  {
    name: 'webhooks.delete (V4)',
    run: (c) => c.webhooks.delete('1234567890'),
    method: 'DELETE',
    path: '/2/webhooks/1234567890',
    auth: 'bearer',
    responses: [
      { variant: '{data: {deleted: true}}', reply: { body: { data: { deleted: true } } }, result: undefined },
      { variant: '204', reply: { status: 204 }, result: undefined },
    ],
  },
  {
    name: 'subscriptions.add (V6), app owner',
    run: (c) => c.subscriptions.add('1234567890'),
    method: 'POST',
    path: '/2/account_activity/webhooks/1234567890/subscriptions/all',
    auth: 'oauth1-owner',
    json: {},
    responses: [
      { variant: '{data: {subscribed: true}}', reply: { body: { data: { subscribed: true } } }, result: undefined },
      { variant: '204', reply: { status: 204 }, result: undefined },
    ],
  },
  {
    name: 'subscriptions.add (V6), subscribing user OAuth 1.0a',
    run: (c) => c.subscriptions.add('1234567890', TEST_SUBSCRIBER),
    method: 'POST',
    path: '/2/account_activity/webhooks/1234567890/subscriptions/all',
    auth: 'oauth1-user',
    json: {},
    responses: [
      { variant: '{data: {subscribed: true}}', reply: { body: { data: { subscribed: true } } }, result: undefined },
    ],
  },
  {
    name: 'subscriptions.add (V6), OAuth 2.0 user token',
    run: (c) => c.subscriptions.add('1234567890', { oauth2AccessToken: 'user-oauth2-TOKEN-8888' }),
    method: 'POST',
    path: '/2/account_activity/webhooks/1234567890/subscriptions/all',
    auth: 'oauth2-user',
    json: {},
    responses: [
      { variant: '{data: {subscribed: true}}', reply: { body: { data: { subscribed: true } } }, result: undefined },
    ],
  },
  {
    name: 'subscriptions.check (V7)',
    run: (c) => c.subscriptions.check('1234567890', TEST_SUBSCRIBER),
    method: 'GET',
    path: '/2/account_activity/webhooks/1234567890/subscriptions/all',
    auth: 'oauth1-user',
    responses: [
      { variant: 'subscribed', reply: { body: { data: { subscribed: true } } }, result: true },
      { variant: 'not subscribed', reply: { body: { data: { subscribed: false } } }, result: false },
    ],
  },
  {
    name: 'subscriptions.check (V7), OAuth 2.0 user token',
    run: (c) => c.subscriptions.check('1234567890', { oauth2AccessToken: 'user-oauth2-TOKEN-8888' }),
    method: 'GET',
    path: '/2/account_activity/webhooks/1234567890/subscriptions/all',
    auth: 'oauth2-user',
    responses: [{ variant: 'subscribed', reply: { body: { data: { subscribed: true } } }, result: true }],
  },
  {
    name: 'subscriptions.list (V8)',
    run: (c) => c.subscriptions.list('1234567890'),
    method: 'GET',
    path: '/2/account_activity/webhooks/1234567890/subscriptions/all/list',
    auth: 'bearer',
    responses: [
      { variant: '{data: {...}}', reply: { body: { data: LIST } }, result: EXPECTED_LIST },
      {
        variant: 'no subscriptions, ids only',
        reply: { body: { data: { application_id: '11231812' } } },
        result: { webhookId: '1234567890', webhookUrl: undefined, applicationId: '11231812', subscriptions: [] },
      },
    ],
  },
  {
    name: 'subscriptions.count (V9)',
    run: (c) => c.subscriptions.count(),
    method: 'GET',
    path: '/2/account_activity/subscriptions/count',
    auth: 'bearer',
    responses: [
      { variant: 'strings in {data}', reply: { body: { data: COUNT } }, result: EXPECTED_COUNT },
      {
        variant: 'numbers, no provisioned_count',
        reply: { body: { data: { subscriptions_count_all: 7, subscriptions_count_direct_messages: 0 } } },
        result: {
          accountName: undefined,
          subscriptionsCountAll: 7,
          subscriptionsCountDirectMessages: 0,
          provisionedCount: undefined,
        },
      },
    ],
  },
  {
    name: 'subscriptions.remove (V10)',
    run: (c) => c.subscriptions.remove('1234567890', '20212306'),
    method: 'DELETE',
    path: '/2/account_activity/webhooks/1234567890/subscriptions/20212306/all',
    auth: 'bearer',
    responses: [
      {
        variant: '{data: {subscribed: false}} (docs)',
        reply: { body: { data: { subscribed: false } } },
        result: undefined,
      },
      { variant: '204 (dashboard)', reply: { status: 204 }, result: undefined },
    ],
  },
];

const v11Cases: Case[] = [
  {
    name: 'webhooks.register (E1)',
    run: (c) => c.webhooks.register('https://example.com/webhook/x?a=1 b'),
    method: 'POST',
    path: '/1.1/account_activity/webhooks.json',
    auth: 'oauth1-owner',
    query: { url: 'https://example.com/webhook/x?a=1 b' },
    responses: [
      { variant: 'bare webhook', reply: { body: WEBHOOK }, result: EXPECTED_WEBHOOK },
      {
        variant: 'classic created_at format',
        reply: { body: { ...WEBHOOK, created_at: '2016-06-02 23:54:02 +0000' } },
        result: EXPECTED_WEBHOOK,
      },
    ],
  },
  {
    name: 'webhooks.list (E2)',
    run: (c) => c.webhooks.list(),
    method: 'GET',
    path: '/1.1/account_activity/webhooks.json',
    auth: 'bearer',
    query: {},
    responses: [
      { variant: 'bare array', reply: { body: [WEBHOOK] }, result: [EXPECTED_WEBHOOK] },
      { variant: 'empty array', reply: { body: [] }, result: [] },
    ],
  },
  {
    name: 'webhooks.validate (E3)',
    run: (c) => c.webhooks.validate('1234567890'),
    method: 'PUT',
    path: '/1.1/account_activity/webhooks/1234567890.json',
    auth: 'oauth1-owner',
    responses: [{ variant: '204', reply: { status: 204 }, result: { attempted: true, valid: true } }],
  },
  {
    name: 'webhooks.delete (E4)',
    run: (c) => c.webhooks.delete('1234567890'),
    method: 'DELETE',
    path: '/1.1/account_activity/webhooks/1234567890.json',
    auth: 'oauth1-owner',
    responses: [{ variant: '204', reply: { status: 204 }, result: undefined }],
  },
  {
    name: 'subscriptions.add (E5)',
    run: (c) => c.subscriptions.add('1234567890', TEST_SUBSCRIBER),
    method: 'POST',
    path: '/1.1/account_activity/webhooks/1234567890/subscriptions/all.json',
    auth: 'oauth1-user',
    responses: [{ variant: '204', reply: { status: 204 }, result: undefined }],
  },
  {
    name: 'subscriptions.add (E5), app owner by default',
    run: (c) => c.subscriptions.add('1234567890'),
    method: 'POST',
    path: '/1.1/account_activity/webhooks/1234567890/subscriptions/all.json',
    auth: 'oauth1-owner',
    responses: [{ variant: '204', reply: { status: 204 }, result: undefined }],
  },
  {
    name: 'subscriptions.check (E6)',
    run: (c) => c.subscriptions.check('1234567890', TEST_SUBSCRIBER),
    method: 'GET',
    path: '/1.1/account_activity/webhooks/1234567890/subscriptions/all.json',
    auth: 'oauth1-user',
    responses: [
      { variant: '204 = subscribed', reply: { status: 204 }, result: true },
      {
        variant: '404/34 = not subscribed',
        reply: { status: 404, body: { errors: [{ code: 34, message: 'Sorry, that page does not exist.' }] } },
        result: false,
      },
    ],
  },
  {
    name: 'subscriptions.list (E7)',
    run: (c) => c.subscriptions.list('1234567890'),
    method: 'GET',
    path: '/1.1/account_activity/webhooks/1234567890/subscriptions/all/list.json',
    auth: 'bearer',
    responses: [{ variant: 'bare object', reply: { body: LIST }, result: EXPECTED_LIST }],
  },
  {
    name: 'subscriptions.count (E8)',
    run: (c) => c.subscriptions.count(),
    method: 'GET',
    path: '/1.1/account_activity/subscriptions/count.json',
    auth: 'bearer',
    responses: [{ variant: 'bare, all strings', reply: { body: COUNT }, result: EXPECTED_COUNT }],
  },
  {
    name: 'subscriptions.remove (E9)',
    run: (c) => c.subscriptions.remove('1234567890', '20212306'),
    method: 'DELETE',
    path: '/1.1/account_activity/webhooks/1234567890/subscriptions/20212306/all.json',
    auth: 'bearer',
    responses: [{ variant: '204', reply: { status: 204 }, result: undefined }],
  },
];

describe.each([
  ['2', v2Cases],
  ['1.1', v11Cases],
] as const)('API v%s', (apiVersion, cases) => {
  for (const testCase of cases) {
    for (const response of testCase.responses) {
      it(`${testCase.name}: ${response.variant}`, async () => {
        server.reply(testCase.method, testCase.path, response.reply);
        const result = await testCase.run(client({ apiVersion }));
        expect(result).toEqual(response.result);
        const calls = server.seen(testCase.path);
        expect(calls).toHaveLength(1);
        const [request] = calls as [RecordedRequest];
        expect(request.method).toBe(testCase.method);
        expectAuth(request, testCase.auth);
        if (testCase.query) expect(request.query).toEqual(testCase.query);
        if (testCase.json === undefined) {
          expect(request.body).toBe('');
        } else {
          expect(JSON.parse(request.body)).toEqual(testCase.json);
          expect(request.headers['content-type']).toBe('application/json');
        }
        // The bearer token was obtained with client credentials exactly when the operation needed it.
        const tokenCalls = server.seen('/oauth2/token');
        expect(tokenCalls).toHaveLength(testCase.auth === 'bearer' ? 1 : 0);
      });
    }
  }
});

describe('replay.start', () => {
  const now = Date.now();
  const from = new Date(now - 3 * 3600_000);
  const to = new Date(now - 3600_000);
  const fmt = (d: Date): string => d.toISOString().replace(/[-T:]/g, '').slice(0, 12);
  const job = { job_id: '1234567890', created_at: '2016-06-02T23:54:02Z' };
  const expected = { jobId: '1234567890', createdAt: new Date('2016-06-02T23:54:02Z') };

  it.each([
    ['{data: {job_id, created_at}} (OAS-167)', { status: 200, body: { data: job } }],
    ['bare {job_id, created_at}', { status: 200, body: job }],
    ['{for_user_id, replay_event} (V2-QS)', { status: 200, body: { for_user_id: '20212306', replay_event: job } }],
  ])('v2 POST /2/webhooks/replay with a JSON body, bearer: %s', async (_variant, reply) => {
    server.reply('POST', '/2/webhooks/replay', reply);
    await expect(client().replay.start('1234567890', { from, to })).resolves.toEqual(expected);
    const [request] = server.seen('/2/webhooks/replay') as [RecordedRequest];
    expectAuth(request, 'bearer');
    expect(request.rawQuery).toBe('');
    expect(JSON.parse(request.body)).toEqual({ webhook_id: '1234567890', from_date: fmt(from), to_date: fmt(to) });
  });

  it('v1.1 POST the enterprise replay endpoint with query dates, bearer, 202', async () => {
    const path = '/1.1/account_activity/replay/webhooks/1234567890/subscriptions/all.json';
    server.reply('POST', path, { status: 202, body: job });
    const from11 = new Date(now - 4 * 24 * 3600_000);
    await expect(client({ apiVersion: '1.1' }).replay.start('1234567890', { from: from11, to })).resolves.toEqual(
      expected,
    );
    const [request] = server.seen(path) as [RecordedRequest];
    expectAuth(request, 'bearer');
    expect(request.query).toEqual({ from_date: fmt(from11), to_date: fmt(to) });
    expect(request.body).toBe('');
  });
});

describe('auth details', () => {
  it('signs the query parameters into the OAuth 1.0a base (a tampered query is refused)', async () => {
    // The server recomputes the signature over the query it received; the E1 url parameter with
    // reserved characters must survive encoding exactly.
    const path = '/1.1/account_activity/webhooks.json';
    server.reply('POST', path, { body: WEBHOOK });
    await client({ apiVersion: '1.1' }).webhooks.register("https://example.com/a!b*c'(d)~e");
    const [request] = server.seen(path) as [RecordedRequest];
    expect(request.auth.kind === 'oauth1' && request.auth.valid).toBe(true);
    expect(request.rawQuery).toBe('url=https%3A%2F%2Fexample.com%2Fa%21b%2Ac%27%28d%29~e');
  });

  it('uses a given bearer token and never calls /oauth2/token', async () => {
    server.reply('GET', '/2/account_activity/subscriptions/count', { body: { data: COUNT } });
    const c = new AccountActivityClient({ bearerToken: 'given-BEARER-9999', baseUrl: server.url });
    await c.subscriptions.count();
    expect(server.seen('/oauth2/token')).toHaveLength(0);
    expect(server.seen('/2/account_activity/subscriptions/count')[0]?.auth).toEqual({
      kind: 'bearer',
      token: 'given-BEARER-9999',
    });
  });

  it('obtains the app-only token with HTTP Basic and client credentials, once', async () => {
    server.reply('GET', '/2/account_activity/subscriptions/count', { body: { data: COUNT } });
    const c = client();
    await c.subscriptions.count();
    await c.subscriptions.count();
    const tokenCalls = server.seen('/oauth2/token');
    expect(tokenCalls).toHaveLength(1);
    const [token] = tokenCalls as [RecordedRequest];
    expect(token.method).toBe('POST');
    expect(token.auth).toEqual({
      kind: 'basic',
      user: TEST_CREDENTIALS.consumerKey,
      password: TEST_CREDENTIALS.consumerSecret,
    });
    expect(token.body).toBe('grant_type=client_credentials');
    expect(token.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it('concurrent first calls share one token request', async () => {
    server.reply('POST', '/oauth2/token', {
      delayMs: 30,
      body: { token_type: 'bearer', access_token: 'app-bearer-TOKEN-7777' },
    });
    server.reply('GET', '/2/account_activity/subscriptions/count', { body: { data: COUNT } });
    const c = client();
    const results = await Promise.all(Array.from({ length: 5 }, () => c.subscriptions.count()));
    expect(results).toHaveLength(5);
    expect(server.seen('/oauth2/token')).toHaveLength(1);
    expect(server.seen('/2/account_activity/subscriptions/count')).toHaveLength(5);
  });

  it('a failed token request is not cached: the next call asks again', async () => {
    server.reply(
      'POST',
      '/oauth2/token',
      { status: 503, body: { errors: [{ code: 67, message: 'Backend service down' }] } },
      { body: { token_type: 'bearer', access_token: 'app-bearer-TOKEN-7777' } },
    );
    server.reply('GET', '/2/account_activity/subscriptions/count', { body: { data: COUNT } });
    const c = client();
    await expect(c.subscriptions.count()).rejects.toMatchObject({ name: 'ServerError', code: 67 });
    await expect(c.subscriptions.count()).resolves.toEqual(EXPECTED_COUNT);
    expect(server.seen('/oauth2/token')).toHaveLength(2);
  });

  it('a token refused with 401 is dropped and obtained again on the next call', async () => {
    server.reply(
      'GET',
      '/2/account_activity/subscriptions/count',
      { status: 401, body: { errors: [{ code: 89, message: 'Invalid or expired token.' }] } },
      { body: { data: COUNT } },
    );
    const c = client();
    await expect(c.subscriptions.count()).rejects.toMatchObject({ name: 'AuthenticationError', code: 89 });
    await expect(c.subscriptions.count()).resolves.toEqual(EXPECTED_COUNT);
    expect(server.seen('/oauth2/token')).toHaveLength(2);
  });

  it('token endpoint 403/99 (asked too often) is a ForbiddenError with code 99', async () => {
    server.reply('POST', '/oauth2/token', {
      status: 403,
      body: { errors: [{ code: 99, label: 'authenticity_token_error', message: 'Unable to verify your credentials' }] },
    });
    await expect(client().webhooks.list()).rejects.toMatchObject({ name: 'ForbiddenError', status: 403, code: 99 });
  });

  it('the token request is sent like any other: with the user agent, and within the client timeout', async () => {
    server.reply('GET', '/2/webhooks', { body: { data: [] } });
    await client({ userAgent: 'my-app/1.0' }).webhooks.list();
    expect(server.seen('/oauth2/token')[0]?.headers['user-agent']).toBe('my-app/1.0');

    server.reset();
    server.reply('POST', '/oauth2/token', {
      delayMs: 300,
      body: { token_type: 'bearer', access_token: 'app-bearer-TOKEN-7777' },
    });
    const error = await client({ timeout: 40 })
      .webhooks.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('POST /oauth2/token');
    expect(server.seen('/2/webhooks')).toHaveLength(0);
  });

  it('a token answer without a token is a ResponseValidationError naming the field, and nothing else is sent', async () => {
    server.reply('POST', '/oauth2/token', { body: { token_type: 'bearer' } });
    const error = await client()
      .webhooks.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toContain('POST /oauth2/token');
    expect((error as Error).message).toContain('access_token');
    expect(server.seen('/2/webhooks')).toHaveLength(0);
  });

  it('every OAuth 1.0a attempt carries a fresh nonce (the server refuses a reused one)', async () => {
    const path = '/1.1/account_activity/webhooks/1234567890.json';
    server.reply('PUT', path, { status: 503, body: { errors: [{ code: 67, message: 'down' }] } }, { status: 204 });
    await expect(client({ apiVersion: '1.1' }).webhooks.validate('1234567890')).resolves.toEqual({
      attempted: true,
      valid: true,
    });
    const attempts = server.seen(path);
    expect(attempts).toHaveLength(2);
    const nonces = attempts.map((r) => (r.auth.kind === 'oauth1' ? r.auth.params['oauth_nonce'] : undefined));
    expect(new Set(nonces).size).toBe(2);
    expect(attempts.every((r) => r.auth.kind === 'oauth1' && r.auth.valid)).toBe(true);
  });

  it('a wrong consumer secret is refused by the server (the signature check can fail)', async () => {
    const path = '/1.1/account_activity/webhooks/1234567890.json';
    server.reply('PUT', path, { status: 204 });
    const c = client({ apiVersion: '1.1', consumerSecret: 'not-the-secret' });
    await expect(c.webhooks.validate('1234567890')).rejects.toMatchObject({ name: 'AuthenticationError', code: 32 });
    const [request] = server.seen(path) as [RecordedRequest];
    expect(request.auth.kind === 'oauth1' && request.auth.valid).toBe(false);
  });

  it('sends the configured user agent', async () => {
    server.reply('GET', '/2/account_activity/subscriptions/count', { body: { data: COUNT } });
    await client({ bearerToken: 'b', userAgent: 'my-app/1.0' }).subscriptions.count();
    expect(server.seen('/2/account_activity/subscriptions/count')[0]?.headers['user-agent']).toBe('my-app/1.0');
  });
});
