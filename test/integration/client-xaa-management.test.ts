// XAA subscriptions, Filtered-Stream links and rules against the recording server: the request on
// the wire (method, path, query, JSON body, auth kind) of every operation, and every documented
// answer variant (x-activity-api.md §6, §8) read into one typed result.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AccountActivityClient } from '../../src/client/index.js';
import type { AccountActivityClientOptions } from '../../src/client/index.js';
import {
  AuthenticationError,
  InvalidArgumentError,
  isAuthenticationError,
  isXApiError,
  NotFoundError,
  ResponseValidationError,
} from '../../src/errors.js';
import { recordingClient, useRecordingServer, TEST_CREDENTIALS, TEST_SUBSCRIBER } from '../helpers/recording-server.js';
import type { RecordedRequest } from '../helpers/recording-server.js';

const server = useRecordingServer();

const BEARER = 'app-bearer-TOKEN-7777';
const OAUTH2_USER = 'user-oauth2-TOKEN-8888';

const client = (options: Partial<AccountActivityClientOptions> = {}): AccountActivityClient =>
  recordingClient(server, options);

type AuthKind = 'bearer' | 'oauth1-owner' | 'oauth1-user' | 'oauth2-user';

function expectAuth(request: RecordedRequest | undefined, kind: AuthKind): void {
  if (request === undefined) throw new Error('no request recorded');
  if (kind === 'bearer') expect(request.auth).toEqual({ kind: 'bearer', token: BEARER });
  else if (kind === 'oauth2-user') expect(request.auth).toEqual({ kind: 'bearer', token: OAUTH2_USER });
  else {
    expect(request.auth.kind).toBe('oauth1');
    if (request.auth.kind !== 'oauth1') return;
    expect(request.auth.valid).toBe(true);
    expect(request.auth.params['oauth_token']).toBe(
      kind === 'oauth1-owner' ? TEST_CREDENTIALS.accessToken : TEST_SUBSCRIBER.accessToken,
    );
  }
}

/** The one non-token request the server saw. */
function only(path: string): RecordedRequest {
  const seen = server.seen(path);
  expect(seen).toHaveLength(1);
  return seen[0] as RecordedRequest;
}

const SUB = {
  subscription_id: '1146654567674912769',
  event_type: 'profile.update.bio',
  filter: { user_id: '2244994945' },
  tag: 'bios',
  webhook_id: '1234567890',
  created_at: '2025-10-09T16:35:08.000Z',
  updated_at: '2025-10-09T16:35:08.000Z',
};
const EXPECTED_SUB = {
  id: '1146654567674912769',
  eventType: 'profile.update.bio',
  filter: { userId: '2244994945', keyword: undefined, direction: undefined },
  tag: 'bios',
  webhookId: '1234567890',
  createdAt: new Date('2025-10-09T16:35:08.000Z'),
  updatedAt: new Date('2025-10-09T16:35:08.000Z'),
};
const ACTIVITY = '/2/activity/subscriptions';

describe('activity.subscriptions.create', () => {
  const variants: [string, unknown, number | undefined][] = [
    ['OAS {data: {subscription}}', { data: { subscription: SUB } }, undefined],
    ['docs {data: Sub}', { data: SUB }, undefined],
    ['docs {data: [Sub], meta: {total_subscriptions}}', { data: [SUB], meta: { total_subscriptions: 3 } }, 3],
    ['a string count', { data: [SUB], meta: { total_subscriptions: '12' } }, 12],
  ];
  for (const [name, body, total] of variants) {
    it(`reads ${name}`, async () => {
      server.reply('POST', ACTIVITY, { status: 201, body });
      const result = await client().activity.subscriptions.create({
        eventType: 'profile.update.bio',
        filter: { userId: '2244994945' },
        tag: 'bios',
        webhookId: '1234567890',
      });
      expect(result).toEqual({ subscription: EXPECTED_SUB, totalSubscriptions: total });
    });
  }

  it('a public event type: app-only bearer, JSON body with snake_case keys and nothing else', async () => {
    server.reply('POST', ACTIVITY, { body: { data: SUB } });
    await client().activity.subscriptions.create({
      eventType: 'profile.update.bio',
      filter: { userId: '2244994945' },
      tag: 'bios',
      webhookId: '1234567890',
    });
    const request = only(ACTIVITY);
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      event_type: 'profile.update.bio',
      filter: { user_id: '2244994945' },
      tag: 'bios',
      webhook_id: '1234567890',
    });
    expectAuth(request, 'bearer');
  });

  it('a private event type: the app owner OAuth 1.0a by default, the passed user (OAuth 1.0a or 2.0) otherwise', async () => {
    server.reply('POST', ACTIVITY, { body: { data: { subscription: { ...SUB, event_type: 'like.create' } } } });
    const c = client();
    const like = { eventType: 'like.create', filter: { userId: '2244994945', direction: 'inbound' } } as const;
    await c.activity.subscriptions.create(like);
    await c.activity.subscriptions.create(like, { user: TEST_SUBSCRIBER });
    await c.activity.subscriptions.create(like, { user: { oauth2AccessToken: OAUTH2_USER } });
    // A public type with a user passed is sent in that user's context.
    await c.activity.subscriptions.create(
      { eventType: 'post.create', filter: { userId: '1' } },
      { user: TEST_SUBSCRIBER },
    );
    const seen = server.seen(ACTIVITY);
    expect(seen).toHaveLength(4);
    expectAuth(seen[0], 'oauth1-owner');
    expectAuth(seen[1], 'oauth1-user');
    expectAuth(seen[2], 'oauth2-user');
    expectAuth(seen[3], 'oauth1-user');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      event_type: 'like.create',
      filter: { user_id: '2244994945', direction: 'inbound' },
    });
  });

  it('a keyword filter (news.new) and an event type this version does not know are sent as given', async () => {
    server.reply('POST', ACTIVITY, {
      body: {
        data: { ...SUB, event_type: 'news.new', filter: { keyword: 'space' }, tag: undefined, webhook_id: undefined },
      },
    });
    const c = client();
    const result = await c.activity.subscriptions.create({ eventType: 'news.new', filter: { keyword: 'space' } });
    expect(result.subscription.filter).toEqual({ userId: undefined, keyword: 'space', direction: undefined });
    expect(result.subscription.tag).toBeUndefined();
    await c.activity.subscriptions.create({ eventType: 'brand.new_type', filter: { userId: '42' } });
    expect(JSON.parse(server.seen(ACTIVITY)[1]?.body ?? '').event_type).toBe('brand.new_type');
  });

  it('refuses bad input before any request', async () => {
    const subs = client().activity.subscriptions;
    const bad: [unknown, RegExp][] = [
      [{ eventType: '', filter: { userId: '1' } }, /eventType/],
      [{ eventType: 'post.create', filter: {} }, /filter/],
      [{ eventType: 'post.create', filter: { userId: 2244994945 } }, /filter.userId/],
      [{ eventType: 'post.create', filter: { userId: '1' }, tag: '' }, /tag/],
      [{ eventType: 'post.create', filter: { userId: '1' }, tag: 'x'.repeat(201) }, /tag/],
      [{ eventType: 'post.create', filter: { userId: '1' }, webhookId: 'abc' }, /webhookId/],
      [{ eventType: 'post.create', filter: { keyword: ' ' } }, /keyword/],
      [null, /subscription/],
    ];
    for (const [input, message] of bad) {
      await expect(subs.create(input as never)).rejects.toThrow(message);
      await expect(subs.create(input as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(
      subs.create(
        { eventType: 'post.create', filter: { userId: '1' } },
        { user: { accessToken: 'only-half' } as never },
      ),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(server.seen()).toHaveLength(0);
  });

  it('a private type without any user context is refused before any request', async () => {
    const bearerOnly = new AccountActivityClient({ bearerToken: BEARER, baseUrl: server.url });
    await expect(
      bearerOnly.activity.subscriptions.create({ eventType: 'dm.received', filter: { userId: '1' } }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(server.seen()).toHaveLength(0);
  });
});

describe('activity.subscriptions.list / listPage', () => {
  it('listPage: max_results and pagination_token in the query, bearer auth, every meta variant', async () => {
    server.reply(
      'GET',
      ACTIVITY,
      { body: { data: [SUB], meta: { total_subscriptions: 1 } } },
      { body: { data: [SUB], meta: { next_token: 'AAAAAAAAAAAAAAAB', result_count: '1' } } },
      { body: {} },
    );
    const subs = client().activity.subscriptions;
    expect(await subs.listPage()).toEqual({
      subscriptions: [EXPECTED_SUB],
      nextToken: undefined,
      totalSubscriptions: 1,
      resultCount: undefined,
    });
    expect(await subs.listPage({ maxResults: 10, paginationToken: 'AAAAAAAAAAAAAAAA' })).toEqual({
      subscriptions: [EXPECTED_SUB],
      nextToken: 'AAAAAAAAAAAAAAAB',
      totalSubscriptions: undefined,
      resultCount: 1,
    });
    expect((await subs.listPage()).subscriptions).toEqual([]);
    const seen = server.seen(ACTIVITY);
    expect(seen[0]?.rawQuery).toBe('');
    expect(seen[1]?.query).toEqual({ max_results: '10', pagination_token: 'AAAAAAAAAAAAAAAA' });
    for (const request of seen) expectAuth(request, 'bearer');
  });

  it('list(): an async iterable over every page', async () => {
    const page = (n: number, next?: string) => ({
      body: { data: [{ ...SUB, subscription_id: String(n) }], meta: next ? { next_token: next } : {} },
    });
    server.reply('GET', ACTIVITY, page(1, 'TOKEN-PAGE-2'), page(2, 'TOKEN-PAGE-3'), page(3));
    const ids: string[] = [];
    for await (const sub of client().activity.subscriptions.list({ maxResults: 1 })) ids.push(sub.id);
    expect(ids).toEqual(['1', '2', '3']);
    const queries = server.seen(ACTIVITY).map((r) => r.query);
    expect(queries).toEqual([
      { max_results: '1' },
      { max_results: '1', pagination_token: 'TOKEN-PAGE-2' },
      { max_results: '1', pagination_token: 'TOKEN-PAGE-3' },
    ]);
  });

  it('a page token that repeats ends the iteration with ResponseValidationError instead of looping', async () => {
    server.reply('GET', ACTIVITY, { body: { data: [SUB], meta: { next_token: 'SAME-TOKEN-1234' } } });
    const ids: string[] = [];
    await expect(
      (async () => {
        for await (const sub of client().activity.subscriptions.list()) ids.push(sub.id);
      })(),
    ).rejects.toBeInstanceOf(ResponseValidationError);
    expect(ids).toHaveLength(2);
  });

  it('refuses bad page options', async () => {
    const subs = client().activity.subscriptions;
    await expect(subs.listPage({ maxResults: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(subs.listPage({ maxResults: 1001 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(subs.listPage({ paginationToken: 'a b' })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => subs.list({ paginationToken: 'x' } as never)).toThrow(InvalidArgumentError);
    expect(server.seen()).toHaveLength(0);
  });
});

describe('activity.subscriptions.update / delete', () => {
  it('update: PUT with {tag, webhook_id}, bearer, OAS and docs envelopes', async () => {
    server.reply(
      'PUT',
      `${ACTIVITY}/1146654567674912769`,
      { body: { data: { subscription: SUB, total_subscriptions: 4 } } },
      { body: { data: SUB, meta: { total_subscriptions: '5' } } },
    );
    const subs = client().activity.subscriptions;
    expect(await subs.update('1146654567674912769', { tag: 'bios', webhookId: '1234567890' })).toEqual({
      subscription: EXPECTED_SUB,
      totalSubscriptions: 4,
    });
    expect(await subs.update('1146654567674912769', { tag: 'bios' })).toEqual({
      subscription: EXPECTED_SUB,
      totalSubscriptions: 5,
    });
    const [first, second] = server.seen(`${ACTIVITY}/1146654567674912769`);
    expect(first?.method).toBe('PUT');
    expect(JSON.parse(first?.body ?? '')).toEqual({ tag: 'bios', webhook_id: '1234567890' });
    expect(JSON.parse(second?.body ?? '')).toEqual({ tag: 'bios' });
    expectAuth(first, 'bearer');
    await expect(subs.update('1146654567674912769', {})).rejects.toThrow(/delete the subscription and create/);
    await expect(subs.update('x', { tag: 'a' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('delete: DELETE, bearer; {data: {deleted}}, with meta, or 204', async () => {
    const path = `${ACTIVITY}/1146654567674912769`;
    server.reply(
      'DELETE',
      path,
      { body: { data: { deleted: true } } },
      { body: { data: { deleted: true }, meta: { total_subscriptions: 2 } } },
      { status: 204 },
    );
    const subs = client().activity.subscriptions;
    expect(await subs.delete('1146654567674912769')).toEqual({ deleted: true, totalSubscriptions: undefined });
    expect(await subs.delete('1146654567674912769')).toEqual({ deleted: true, totalSubscriptions: 2 });
    expect(await subs.delete('1146654567674912769')).toEqual({ deleted: true, totalSubscriptions: undefined });
    const seen = server.seen(path);
    expect(seen.map((r) => r.method)).toEqual(['DELETE', 'DELETE', 'DELETE']);
    expectAuth(seen[0], 'bearer');
  });

  it('delete of an unknown id: the typed error with X reason', async () => {
    server.reply('DELETE', `${ACTIVITY}/1`, {
      status: 404,
      body: { errors: [{ message: 'SubscriptionNotFound: no such subscription' }], title: 'Not Found' },
    });
    const error = await client()
      .activity.subscriptions.delete('1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(isXApiError(error) && error.reason).toBe('SubscriptionNotFound');
  });
});

describe('activity.subscriptions.deleteMany', () => {
  it('chunks of 100 ids, each request reported per id: deleted, per-id errors, unmentioned ids', async () => {
    const ids = Array.from({ length: 230 }, (_, i) => String(1000 + i));
    const answer = (chunk: string[], failedId?: string) => ({
      body: {
        data: chunk.filter((id) => id !== failedId).map((id) => ({ deleted: true, subscription_id: id })),
        ...(failedId
          ? { errors: [{ subscription_id: failedId, reason: 'SubscriptionNotFound', message: 'not found' }] }
          : {}),
        meta: { total_subscriptions: 7 },
      },
    });
    server.reply(
      'DELETE',
      ACTIVITY,
      answer(ids.slice(0, 100), '1005'),
      answer(ids.slice(100, 200)),
      // The last chunk: X mentions one id less than it was sent.
      answer(ids.slice(200, 229)),
    );
    const result = await client().activity.subscriptions.deleteMany([...ids, '1000']);
    const seen = server.seen(ACTIVITY);
    expect(seen.map((r) => r.query['ids']?.split(',').length)).toEqual([100, 100, 30]);
    expect(seen[0]?.query['ids']).toBe(ids.slice(0, 100).join(','));
    expect(seen.every((r) => r.method === 'DELETE')).toBe(true);
    expectAuth(seen[0], 'bearer');
    expect(result.deleted).toHaveLength(228);
    expect(result.failed).toEqual([
      { subscriptionId: '1005', reason: 'SubscriptionNotFound', message: 'not found', error: undefined },
      expect.objectContaining({ subscriptionId: '1229', reason: undefined, error: undefined }),
    ]);
    expect(result.totalSubscriptions).toBe(7);
  });

  it('every id failing: a 200 with errors and no data is read, not thrown', async () => {
    server.reply('DELETE', ACTIVITY, {
      body: {
        errors: [
          { subscription_id: '1', reason: 'SubscriptionNotFound', message: 'not found' },
          { subscription_id: '2', reason: 'SubscriptionNotFound', message: 'not found' },
        ],
        meta: { total_subscriptions: 0 },
      },
    });
    const result = await client().activity.subscriptions.deleteMany(['1', '2']);
    expect(result.deleted).toEqual([]);
    expect(result.failed.map((f) => [f.subscriptionId, f.reason])).toEqual([
      ['1', 'SubscriptionNotFound'],
      ['2', 'SubscriptionNotFound'],
    ]);
  });

  it('a request that fails as a whole: its ids fail with the typed error; after a 401 nothing more is sent', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => String(5000 + i));
    server.reply(
      'DELETE',
      ACTIVITY,
      { status: 503, body: { title: 'Service Unavailable' } },
      { status: 503, body: { title: 'Service Unavailable' } },
      { status: 503, body: { title: 'Service Unavailable' } },
      { status: 401, body: { title: 'Unauthorized', detail: 'Unauthorized', type: 'about:blank', status: 401 } },
    );
    const result = await client().activity.subscriptions.deleteMany(ids);
    // 1 attempt + 2 retries for the first chunk, then the 401, then nothing.
    expect(server.seen(ACTIVITY)).toHaveLength(4);
    expect(result.deleted).toEqual([]);
    expect(result.failed).toHaveLength(250);
    expect(result.failed[0]?.error?.name).toBe('ServerError');
    expect(result.failed[100]?.error).toBeInstanceOf(AuthenticationError);
    expect(isAuthenticationError(result.failed[249]?.error)).toBe(true);
    for (const text of [inspect(result, { depth: 6 }), JSON.stringify(result)]) {
      expect(text).not.toContain(BEARER);
      expect(text).not.toContain(TEST_CREDENTIALS.consumerSecret);
    }
  });

  it('an abort rejects with the signal reason (the only rejection once the ids are valid)', async () => {
    server.reply('DELETE', ACTIVITY, { delayMs: 2_000, body: { data: [] } });
    const controller = new AbortController();
    const pending = client().activity.subscriptions.deleteMany(['1', '2'], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop now')), 20);
    await expect(pending).rejects.toThrow('stop now');
  });

  it('refuses bad ids before any request', async () => {
    const subs = client().activity.subscriptions;
    await expect(subs.deleteMany([])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(subs.deleteMany(['1', 'two'])).rejects.toThrow(/subscriptionIds\[1\]/);
    expect(server.seen()).toHaveLength(0);
  });
});

describe('streamLinks', () => {
  const LINK = {
    application_id: '29893711',
    business_user_id: '1234567890',
    created_at: '2025-10-09T16:35:08.000Z',
    fields: ['tweet.fields=created_at,author_id', 'expansions=author_id'],
    instance_id: '1915080406443843584',
    webhook_id: '1146654567674912769',
  };
  const EXPECTED_LINK = {
    applicationId: '29893711',
    businessUserId: '1234567890',
    createdAt: new Date('2025-10-09T16:35:08.000Z'),
    fields: ['tweet.fields=created_at,author_id', 'expansions=author_id'],
    instanceId: '1915080406443843584',
    webhookId: '1146654567674912769',
  };

  it('create: POST with the fields as query parameters, bearer; {data: {provisioned}}', async () => {
    server.reply('POST', '/2/tweets/search/webhooks/1146654567674912769', { body: { data: { provisioned: true } } });
    const result = await client().streamLinks.create('1146654567674912769', {
      fields: { tweet: ['created_at', 'author_id'], expansions: ['author_id'], user: ['username'], media: [] },
    });
    expect(result).toEqual({ provisioned: true });
    const request = only('/2/tweets/search/webhooks/1146654567674912769');
    expect(request.method).toBe('POST');
    expect(request.query).toEqual({
      'tweet.fields': 'created_at,author_id',
      expansions: 'author_id',
      'user.fields': 'username',
    });
    expectAuth(request, 'bearer');
  });

  it('delete: DELETE, bearer; {data: {deleted}} or 204', async () => {
    server.reply(
      'DELETE',
      '/2/tweets/search/webhooks/1146654567674912769',
      { body: { data: { deleted: true } } },
      { status: 204 },
    );
    const links = client().streamLinks;
    expect(await links.delete('1146654567674912769')).toEqual({ deleted: true });
    expect(await links.delete('1146654567674912769')).toEqual({ deleted: true });
    expectAuth(server.seen('/2/tweets/search/webhooks/1146654567674912769')[0], 'bearer');
  });

  it('list: docs {data: {links}}, OAS {data: [...]}, and no data', async () => {
    server.reply(
      'GET',
      '/2/tweets/search/webhooks',
      { body: { data: { links: [LINK] } } },
      { body: { data: [LINK] } },
      { body: { meta: { result_count: 0 } } },
    );
    const links = client().streamLinks;
    expect(await links.list()).toEqual([EXPECTED_LINK]);
    expect(await links.list()).toEqual([EXPECTED_LINK]);
    expect(await links.list()).toEqual([]);
    const request = server.seen('/2/tweets/search/webhooks')[0];
    expect(request?.method).toBe('GET');
    expectAuth(request, 'bearer');
  });

  it('refuses bad input', async () => {
    const links = client().streamLinks;
    await expect(links.create('abc')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(links.create('1', { fields: { tweets: ['x'] } as never })).rejects.toThrow(/unknown `fields.tweets`/);
    await expect(links.create('1', { fields: { tweet: ['a,b'] } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(links.delete('')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(server.seen()).toHaveLength(0);
  });
});

describe('streamRules', () => {
  const RULES = '/2/tweets/search/stream/rules';

  it('add: POST {add: [...]}, dry_run, bearer; {data, meta: {sent, summary}, errors?}', async () => {
    server.reply(
      'POST',
      RULES,
      {
        status: 201,
        body: {
          data: [{ value: 'cat has:images', tag: 'cats', id: '1273026480692322304' }],
          meta: { sent: '2020-06-16T22:55:39.356Z', summary: { created: 1, not_created: 1, valid: 1, invalid: 1 } },
          errors: [
            {
              value: 'dog has:images',
              id: '1273026480692322305',
              title: 'DuplicateRule',
              type: 'https://api.twitter.com/2/problems/duplicate-rules',
            },
          ],
        },
      },
      // Every rule refused: no data at all, still an answer to read.
      {
        body: {
          meta: { sent: '2020-06-16T22:55:39.356Z', summary: { created: 0, not_created: 1, valid: 0, invalid: 1 } },
          errors: [{ value: '(', title: 'UnprocessableEntity', detail: 'syntax error' }],
        },
      },
    );
    const rules = client().streamRules;
    const result = await rules.add([{ value: 'cat has:images', tag: 'cats' }, { value: 'dog has:images' }], {
      dryRun: true,
    });
    expect(result).toEqual({
      rules: [{ id: '1273026480692322304', value: 'cat has:images', tag: 'cats' }],
      summary: { created: 1, notCreated: 1, valid: 1, invalid: 1, deleted: undefined, notDeleted: undefined },
      sent: new Date('2020-06-16T22:55:39.356Z'),
      errors: [
        {
          value: 'dog has:images',
          id: '1273026480692322305',
          title: 'DuplicateRule',
          detail: undefined,
          type: 'https://api.twitter.com/2/problems/duplicate-rules',
        },
      ],
    });
    const refused = await rules.add([{ value: '(' }]);
    expect(refused.rules).toEqual([]);
    expect(refused.errors[0]?.detail).toBe('syntax error');
    const [first, second] = server.seen(RULES);
    expect(first?.method).toBe('POST');
    expect(first?.query).toEqual({ dry_run: 'true' });
    expect(second?.rawQuery).toBe('');
    expect(JSON.parse(first?.body ?? '')).toEqual({
      add: [{ value: 'cat has:images', tag: 'cats' }, { value: 'dog has:images' }],
    });
    expectAuth(first, 'bearer');
  });

  it('delete: POST {delete: {ids}}; summary deleted / not_deleted', async () => {
    server.reply('POST', RULES, {
      body: { meta: { sent: '2020-06-16T22:55:39.356Z', summary: { deleted: 1, not_deleted: 0 } } },
    });
    const result = await client().streamRules.delete(['1273026480692322304']);
    expect(result.summary).toEqual({
      created: undefined,
      notCreated: undefined,
      valid: undefined,
      invalid: undefined,
      deleted: 1,
      notDeleted: 0,
    });
    expect(JSON.parse(only(RULES).body)).toEqual({ delete: { ids: ['1273026480692322304'] } });
  });

  it('list: GET pages with ids, max_results, pagination_token; no data on an empty list', async () => {
    server.reply(
      'GET',
      RULES,
      {
        body: {
          data: [{ id: '1', value: 'a' }],
          meta: { sent: '2020-06-16T22:55:39.356Z', result_count: 1, next_token: 'NEXT-RULES-PAGE' },
        },
      },
      { body: { data: [{ id: '2', value: 'b', tag: 't' }], meta: { result_count: 1 } } },
      { body: { meta: { sent: '2020-06-16T22:55:39.356Z', result_count: 0 } } },
    );
    const rules = client().streamRules;
    const values: string[] = [];
    for await (const rule of rules.list({ maxResults: 1 })) values.push(`${rule.id}:${rule.value}:${rule.tag ?? ''}`);
    expect(values).toEqual(['1:a:', '2:b:t']);
    const empty = await rules.listPage({ ids: ['3', '4'] });
    expect(empty).toEqual({
      rules: [],
      nextToken: undefined,
      resultCount: 0,
      sent: new Date('2020-06-16T22:55:39.356Z'),
    });
    const seen = server.seen(RULES);
    expect(seen.map((r) => r.query)).toEqual([
      { max_results: '1' },
      { max_results: '1', pagination_token: 'NEXT-RULES-PAGE' },
      { ids: '3,4' },
    ]);
    expectAuth(seen[0], 'bearer');
  });

  it('refuses bad input', async () => {
    const rules = client().streamRules;
    await expect(rules.add([])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(rules.add([{ value: ' ' }])).rejects.toThrow(/rules\[0\].value/);
    await expect(rules.add([{ value: 'x'.repeat(2049) }])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(rules.add([{ value: 'a', tag: '' }])).rejects.toThrow(/tag/);
    await expect(rules.add([{ value: 'a' }], { dryRun: 'yes' as never })).rejects.toThrow(/dryRun/);
    await expect(rules.delete(['1', 'x'])).rejects.toThrow(/ids\[1\]/);
    await expect(rules.listPage({ ids: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(server.seen()).toHaveLength(0);
  });
});

describe('API generations', () => {
  it('a v1.1 client manages XAA and Filtered Stream through the same v2 endpoints', async () => {
    server.reply('POST', ACTIVITY, { body: { data: SUB } });
    server.reply('GET', '/2/tweets/search/stream/rules', { body: { meta: { result_count: 0 } } });
    const c = client({ apiVersion: '1.1' });
    await c.activity.subscriptions.create({ eventType: 'post.create', filter: { userId: '2' } });
    await c.streamRules.listPage();
    expectAuth(only(ACTIVITY), 'bearer');
    expectAuth(only('/2/tweets/search/stream/rules'), 'bearer');
  });
});

describe('rate limits and operation names', () => {
  it('rateLimit(operation) knows the new operations', async () => {
    server.reply('GET', '/2/tweets/search/webhooks', {
      body: { data: [] },
      headers: { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '449', 'x-rate-limit-reset': '1700000000' },
    });
    const c = client();
    await c.streamLinks.list();
    expect(c.rateLimit('streamLinks.list')).toEqual({ limit: 450, remaining: 449, reset: new Date(1_700_000_000_000) });
    expect(c.rateLimit('activity.subscriptions.create')).toBeUndefined();
  });
});
