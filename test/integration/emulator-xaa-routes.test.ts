/**
 * The emulator's X Activity API subscription routes, stream rules and stream links, driven with plain
 * fetch on 127.0.0.1: success bodies in both envelope variants, every documented error, limits and
 * auth refusals.
 */
import { describe, expect, it } from 'vitest';
import { call, emulator, reason, receiver, registerWebhook, subscribe } from './emulator-xaa-harness.js';

const SUB = '/2/activity/subscriptions';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;

describe('POST /2/activity/subscriptions', () => {
  it('creates a public subscription with the app bearer and answers the OpenAPI envelope', async () => {
    const emu = await emulator();
    const hook = await registerWebhook(emu, (await receiver()).url);
    const alice = emu.account('alice');
    const res = await call(emu, 'POST', SUB, 'app', {
      event_type: 'post.create',
      filter: { user_id: alice.id },
      tag: 'posts',
      webhook_id: hook,
    });
    expect(res.status).toBe(200);
    const sub = res.json.data.subscription;
    expect(sub).toEqual({
      subscription_id: expect.stringMatching(/^\d{1,19}$/),
      event_type: 'post.create',
      filter: { user_id: alice.id },
      tag: 'posts',
      webhook_id: hook,
      created_at: expect.stringMatching(TIMESTAMP),
      updated_at: expect.stringMatching(TIMESTAMP),
    });
    expect(Object.keys(res.json)).toEqual(['data']);
    expect(emu.xaa.subscriptions()).toEqual([
      {
        subscription_id: sub.subscription_id,
        event_type: 'post.create',
        filter: { user_id: alice.id },
        tag: 'posts',
        webhook_id: hook,
      },
    ]);
  });

  it('answers the docs envelopes when asked: {data: Sub, meta} and {data: [Sub], meta}', async () => {
    const docs = await emulator({ xaaEnvelope: 'docs' });
    const a = await call(docs, 'POST', SUB, 'app', { event_type: 'follow.follow', filter: { user_id: '1' } });
    expect(a.status).toBe(200);
    expect(a.json.data).toMatchObject({ event_type: 'follow.follow', filter: { user_id: '1' } });
    expect(a.json.meta).toEqual({ total_subscriptions: 1 });
    const array = await emulator({ xaaEnvelope: 'docs-array' });
    const b = await call(array, 'POST', SUB, 'app', { event_type: 'follow.follow', filter: { user_id: '1' } });
    expect(Array.isArray(b.json.data)).toBe(true);
    expect(b.json.data[0]).toMatchObject({ event_type: 'follow.follow', subscription_id: expect.any(String) });
    expect(b.json.meta).toEqual({ total_subscriptions: 1 });
  });

  it('answers the canonical name for the deprecated chat.conversation_join alias', async () => {
    const emu = await emulator();
    const alice = emu.account('alice');
    const res = await call(emu, 'POST', SUB, alice, {
      event_type: 'chat.conversation_join',
      filter: { user_id: alice.id },
    });
    expect(res.status).toBe(200);
    expect(res.json.data.subscription.event_type).toBe('chat.conversation.join');
  });

  it('refuses invalid bodies with 400 invalid-request problems and creates nothing', async () => {
    const emu = await emulator();
    const alice = emu.account('alice');
    const cases: [unknown, RegExp][] = [
      ['not json', /JSON object/],
      [{ event_type: 'post.nope', filter: { user_id: alice.id } }, /event_type/],
      [{ event_type: 'oauth.revoke', filter: {} }, /event_type/],
      [{ filter: { user_id: alice.id } }, /event_type/],
      [{ event_type: 'post.create' }, /filter/],
      [{ event_type: 'post.create', filter: { user_id: alice.id }, extra: 1 }, /unknown field `extra`/],
      [{ event_type: 'post.create', filter: { user_id: alice.id, screen_name: 'a' } }, /unknown field `screen_name`/],
      [{ event_type: 'post.create', filter: { user_id: 'alice' } }, /user_id/],
      [{ event_type: 'post.create', filter: {} }, /user_id/],
      [{ event_type: 'follow.follow', filter: { keyword: 'x' } }, /user_id/],
      [{ event_type: 'news.new', filter: { user_id: alice.id } }, /keyword/],
      [{ event_type: 'like.create', filter: { user_id: alice.id, direction: 'sideways' } }, /direction/],
      [{ event_type: 'post.create', filter: { user_id: alice.id }, tag: '' }, /tag/],
      [{ event_type: 'post.create', filter: { user_id: alice.id }, tag: 'x'.repeat(201) }, /tag/],
      [{ event_type: 'post.create', filter: { user_id: alice.id }, webhook_id: 'abc' }, /webhook_id/],
    ];
    for (const [body, message] of cases) {
      const res = await call(emu, 'POST', SUB, alice, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toMatchObject({
        title: 'Invalid Request',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      });
      expect(res.json.errors[0].message).toMatch(message);
    }
    // direction is not allowed for mute and block
    for (const event_type of ['mute.mute', 'block.unblock']) {
      const res = await call(emu, 'POST', SUB, alice, {
        event_type,
        filter: { user_id: alice.id, direction: 'outbound' },
      });
      expect(res.status).toBe(400);
      expect(res.json.errors[0].message).toMatch(/direction.*not allowed/);
    }
    const tag200 = await call(emu, 'POST', SUB, 'app', {
      event_type: 'post.create',
      filter: { user_id: alice.id },
      tag: 'x'.repeat(200),
    });
    expect(tag200.status).toBe(200);
    expect(emu.xaa.subscriptions()).toHaveLength(1);
  });

  it('refuses an unknown webhook (WebhookIdInvalid) and a duplicate (DuplicateSubscriptionFailed)', async () => {
    const emu = await emulator();
    const body = { event_type: 'post.create', filter: { user_id: '42' }, webhook_id: '123456' };
    const unknown = await call(emu, 'POST', SUB, 'app', body);
    expect(unknown.status).toBe(400);
    expect(reason(unknown)).toBe('WebhookIdInvalid');
    await subscribe(emu, 'app', { event_type: 'post.create', filter: { user_id: '42' } });
    const duplicate = await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '42' } });
    expect(duplicate.status).toBe(400);
    expect(reason(duplicate)).toBe('DuplicateSubscriptionFailed');
  });

  it('needs a user token of filter.user_id for private events (dm.*, like.*, post.mention/reply/quote/repost, mute, block, chat)', async () => {
    const emu = await emulator();
    const alice = emu.account('alice');
    const bob = emu.account('bob');
    for (const event_type of [
      'dm.received',
      'like.create',
      'post.mention.create',
      'mute.mute',
      'block.block',
      'chat.sent',
    ]) {
      const app = await call(emu, 'POST', SUB, 'app', { event_type, filter: { user_id: alice.id } });
      expect(app.status, event_type).toBe(403);
      expect(app.json).toMatchObject({
        title: 'Unsupported Authentication',
        type: 'https://api.twitter.com/2/problems/unsupported-authentication',
      });
      const other = await call(emu, 'POST', SUB, bob, { event_type, filter: { user_id: alice.id } });
      expect(other.status, event_type).toBe(403);
      expect(other.json.title).toBe('Forbidden');
    }
    expect(
      (await call(emu, 'POST', SUB, alice, { event_type: 'dm.received', filter: { user_id: alice.id } })).status,
    ).toBe(200);
    expect(
      (await call(emu, 'POST', SUB, { oauth2: alice }, { event_type: 'like.create', filter: { user_id: alice.id } }))
        .status,
    ).toBe(200);
    // Public and "not stated" types take the bearer.
    for (const event_type of ['post.create', 'post.delete', 'profile.update.bio', 'follow.unfollow', 'spaces.start']) {
      expect((await call(emu, 'POST', SUB, 'app', { event_type, filter: { user_id: alice.id } })).status).toBe(200);
    }
    const none = await call(emu, 'POST', SUB, 'none', { event_type: 'post.create', filter: { user_id: bob.id } });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ title: 'Unauthorized', status: 401 });
  });

  it('caps subscriptions per app (maxActivitySubscriptions)', async () => {
    const emu = await emulator({ maxActivitySubscriptions: 2 });
    await subscribe(emu, 'app', { event_type: 'post.create', filter: { user_id: '1' } });
    await subscribe(emu, 'app', { event_type: 'post.create', filter: { user_id: '2' } });
    const third = await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '3' } });
    expect(third.status).toBe(400);
    expect(reason(third)).toBe('SubscriptionLimitExceeded');
  });

  it('counts 500 requests per 15 minutes and answers 429 with the rate-limit headers beyond', async () => {
    const emu = await emulator({ rateLimits: { A1: 2 } });
    const first = await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '1' } });
    expect(first.headers.get('x-rate-limit-limit')).toBe('2');
    expect(first.headers.get('x-rate-limit-remaining')).toBe('1');
    await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '2' } });
    const limited = await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '3' } });
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ title: 'Too Many Requests' });
    expect(Number(limited.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
    const defaults = await emulator();
    const res = await call(defaults, 'GET', SUB, 'app');
    expect(res.headers.get('x-rate-limit-limit')).toBe('500');
  });
});

describe('GET /2/activity/subscriptions', () => {
  it('pages with max_results and pagination_token, counting in meta (both variants)', async () => {
    for (const variant of ['openapi', 'docs'] as const) {
      const emu = await emulator({ xaaEnvelope: variant });
      const ids: string[] = [];
      for (let i = 1; i <= 5; i += 1) {
        const res = await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: String(i) } });
        const data = res.json.data;
        ids.push(variant === 'openapi' ? data.subscription.subscription_id : data.subscription_id);
      }
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await call(emu, 'GET', `${SUB}?max_results=2${token ? `&pagination_token=${token}` : ''}`, 'app');
        expect(res.status).toBe(200);
        pages += 1;
        seen.push(...res.json.data.map((s: { subscription_id: string }) => s.subscription_id));
        if (variant === 'openapi') expect(res.json.meta.result_count).toBe(res.json.data.length);
        else expect(res.json.meta.total_subscriptions).toBe(5);
        token = res.json.meta.next_token;
        if (token !== undefined) expect(token).toMatch(/^[0-9A-V]{16}$/);
      } while (token !== undefined && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(ids);
    }
  });

  it('accepts user tokens too, and refuses bad max_results and tokens', async () => {
    const emu = await emulator();
    const alice = emu.account('alice');
    expect((await call(emu, 'GET', SUB, alice)).json).toEqual({ data: [], meta: { result_count: 0 } });
    expect((await call(emu, 'GET', SUB, { oauth2: alice })).status).toBe(200);
    for (const query of ['max_results=0', 'max_results=1001', 'max_results=x', 'pagination_token=short', 'foo=1']) {
      const res = await call(emu, 'GET', `${SUB}?${query}`, 'app');
      expect(res.status, query).toBe(400);
      expect(res.json.title).toBe('Invalid Request');
    }
  });
});

describe('PUT and DELETE /2/activity/subscriptions/:id', () => {
  it('updates tag and webhook_id only, in both envelopes', async () => {
    for (const variant of ['openapi', 'docs'] as const) {
      const emu = await emulator({ xaaEnvelope: variant });
      const hook = await registerWebhook(emu, (await receiver()).url);
      const created = await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '7' } });
      const id =
        variant === 'openapi' ? created.json.data.subscription.subscription_id : created.json.data.subscription_id;
      const res = await call(emu, 'PUT', `${SUB}/${id}`, 'app', { tag: 'renamed', webhook_id: hook });
      expect(res.status).toBe(200);
      const sub = variant === 'openapi' ? res.json.data.subscription : res.json.data;
      expect(sub).toMatchObject({ subscription_id: id, tag: 'renamed', webhook_id: hook, filter: { user_id: '7' } });
      if (variant === 'openapi') expect(res.json.data.total_subscriptions).toBe(1);
      else expect(res.json.meta).toEqual({ total_subscriptions: 1 });
      const cases: [unknown, RegExp][] = [
        [{ event_type: 'post.delete' }, /delete the subscription/],
        [{ filter: { user_id: '8' } }, /delete the subscription/],
        [{}, /At least one/],
        [{ tag: 'ok', other: 1 }, /unknown field/],
        [{ webhook_id: '999' }, /WebhookIdInvalid/],
      ];
      for (const [body, message] of cases) {
        const bad = await call(emu, 'PUT', `${SUB}/${id}`, 'app', body);
        expect(bad.status).toBe(400);
        expect(bad.json.errors[0].message).toMatch(message);
      }
      const missing = await call(emu, 'PUT', `${SUB}/123`, 'app', { tag: 'x' });
      expect(reason(missing)).toBe('SubscriptionNotFound');
      expect((await call(emu, 'PUT', `${SUB}/abc`, 'app', { tag: 'x' })).status).toBe(400);
      // Bearer only (the OpenAPI spec): a user token is refused.
      const user = await call(emu, 'PUT', `${SUB}/${id}`, emu.account('alice'), { tag: 'x' });
      expect(user.status).toBe(403);
      expect(user.json.title).toBe('Unsupported Authentication');
    }
  });

  it('deletes one: {data: {deleted: true}} (docs add meta.total_subscriptions); an unknown id is SubscriptionNotFound', async () => {
    for (const variant of ['openapi', 'docs'] as const) {
      const emu = await emulator({ xaaEnvelope: variant });
      await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '1' } });
      const second = await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '2' } });
      const id =
        variant === 'openapi' ? second.json.data.subscription.subscription_id : second.json.data.subscription_id;
      const res = await call(emu, 'DELETE', `${SUB}/${id}`, 'app');
      expect(res.json).toEqual(
        variant === 'openapi'
          ? { data: { deleted: true } }
          : { data: { deleted: true }, meta: { total_subscriptions: 1 } },
      );
      const again = await call(emu, 'DELETE', `${SUB}/${id}`, 'app');
      expect(again.status).toBe(400);
      expect(reason(again)).toBe('SubscriptionNotFound');
    }
  });

  it('bulk-deletes 1-100 ids, reporting per-id failures and continuing past them', async () => {
    const emu = await emulator();
    const ids: string[] = [];
    for (let i = 1; i <= 3; i += 1)
      ids.push(await subscribe(emu, 'app', { event_type: 'post.create', filter: { user_id: String(i) } }));
    const res = await call(emu, 'DELETE', `${SUB}?ids=${ids[0]},999,abc,${ids[1]}`, 'app');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      data: [
        { deleted: true, subscription_id: ids[0] },
        { deleted: true, subscription_id: ids[1] },
      ],
      errors: [
        { message: expect.any(String), reason: 'SubscriptionNotFound', subscription_id: '999' },
        { message: expect.any(String), reason: 'SubscriptionIdInvalid', subscription_id: 'abc' },
      ],
      meta: { total_subscriptions: 1 },
    });
    const many = Array.from({ length: 101 }, (_, i) => String(i + 1)).join(',');
    expect((await call(emu, 'DELETE', `${SUB}?ids=${many}`, 'app')).status).toBe(400);
    expect((await call(emu, 'DELETE', SUB, 'app')).status).toBe(400);
    const hundred = Array.from({ length: 100 }, (_, i) => String(i + 1)).join(',');
    const ok = await call(emu, 'DELETE', `${SUB}?ids=${hundred}`, 'app');
    expect(ok.status).toBe(200);
    expect(ok.json.errors).toHaveLength(100);
    expect((await call(emu, 'DELETE', `${SUB}?ids=${ids[2]}`, emu.account('alice'))).status).toBe(403);
  });
});

describe('stream rules /2/tweets/search/stream/rules', () => {
  const RULES = '/2/tweets/search/stream/rules';

  it('adds, lists, refuses duplicates and invalid rules, dry-runs and deletes', async () => {
    const emu = await emulator();
    const added = await call(emu, 'POST', RULES, 'app', {
      add: [{ value: 'cat has:images', tag: 'cats' }, { value: 'from:alice' }],
    });
    expect(added.status).toBe(200);
    expect(added.json.data).toEqual([
      { id: expect.stringMatching(/^\d+$/), value: 'cat has:images', tag: 'cats' },
      { id: expect.stringMatching(/^\d+$/), value: 'from:alice' },
    ]);
    expect(added.json.meta).toEqual({
      sent: expect.any(String),
      summary: { created: 2, not_created: 0, valid: 2, invalid: 0 },
    });
    const [cat, alice] = added.json.data as { id: string }[];

    const duplicate = await call(emu, 'POST', RULES, 'app', { add: [{ value: 'from:alice' }, { value: 'dog' }] });
    expect(duplicate.status).toBe(200);
    expect(duplicate.json.errors).toEqual([
      {
        value: 'from:alice',
        id: alice!.id,
        title: 'DuplicateRule',
        type: 'https://api.twitter.com/2/problems/duplicate-rules',
      },
    ]);
    expect(duplicate.json.meta.summary).toEqual({ created: 1, not_created: 1, valid: 2, invalid: 0 });

    for (const value of ['(cat', 'cat OR', '-cat', '"open quote', '', 'x'.repeat(2049)]) {
      const invalid = await call(emu, 'POST', RULES, 'app', { add: [{ value }, { value: 'fine' }] });
      expect(invalid.status, value).toBe(400);
      expect(invalid.json.errors[0]).toMatchObject({
        value,
        title: 'UnprocessableEntity',
        type: 'https://api.twitter.com/2/problems/invalid-rules',
      });
      expect(invalid.json.meta.summary).toEqual({ created: 0, not_created: 2, valid: 1, invalid: 1 });
    }

    const dry = await call(emu, 'POST', `${RULES}?dry_run=true`, 'app', { add: [{ value: 'bird' }] });
    expect(dry.json.meta.summary.created).toBe(1);
    const list = await call(emu, 'GET', RULES, 'app');
    expect(list.json.data.map((r: { value: string }) => r.value)).toEqual(['cat has:images', 'from:alice', 'dog']);
    expect(list.json.meta).toEqual({ sent: expect.any(String), result_count: 3 });
    const byId = await call(emu, 'GET', `${RULES}?ids=${cat!.id}`, 'app');
    expect(byId.json.data).toEqual([{ id: cat!.id, value: 'cat has:images', tag: 'cats' }]);
    const paged = await call(emu, 'GET', `${RULES}?max_results=2`, 'app');
    expect(paged.json.meta.next_token).toMatch(/^[0-9A-V]{16}$/);

    const deleted = await call(emu, 'POST', RULES, 'app', { delete: { ids: [cat!.id, '1'], values: ['dog'] } });
    expect(deleted.status).toBe(200);
    expect(deleted.json.meta.summary).toEqual({ deleted: 2, not_deleted: 1 });
    expect(deleted.json.errors[0]).toMatchObject({
      errors: [{ parameters: { ids: ['1'] }, message: 'Rule does not exist' }],
      title: 'Invalid Request',
    });
    expect(emu.xaa.rules()).toEqual([{ id: alice!.id, value: 'from:alice' }]);

    for (const body of [
      { add: [{ value: 'a' }], delete: { ids: [alice!.id] } },
      {},
      { add: [] },
      { add: [{ value: 'a', x: 1 }] },
    ]) {
      expect((await call(emu, 'POST', RULES, 'app', body)).status, JSON.stringify(body)).toBe(400);
    }
    const all = await call(emu, 'POST', `${RULES}?delete_all=true`, 'app');
    expect(all.json.meta.summary).toEqual({ deleted: 1, not_deleted: 0 });
    expect((await call(emu, 'GET', RULES, 'app')).json).toEqual({
      meta: { sent: expect.any(String), result_count: 0 },
    });
    expect((await call(emu, 'GET', RULES, emu.owner)).status).toBe(403);
  });

  it('caps rules (maxStreamRules)', async () => {
    const emu = await emulator({ maxStreamRules: 2 });
    expect((await call(emu, 'POST', RULES, 'app', { add: [{ value: 'a' }, { value: 'b' }] })).status).toBe(200);
    const over = await call(emu, 'POST', RULES, 'app', { add: [{ value: 'c' }] });
    expect(over.status).toBe(400);
    expect(over.json.title).toBe('RulesCapExceeded');
  });
});

describe('stream links /2/tweets/search/webhooks', () => {
  it('links with field parameters, lists on both paths in both variants, unlinks', async () => {
    for (const variant of ['openapi', 'docs'] as const) {
      const emu = await emulator({ xaaEnvelope: variant });
      const hook = await registerWebhook(emu, (await receiver()).url);
      const linked = await call(
        emu,
        'POST',
        `/2/tweets/search/webhooks/${hook}?expansions=author_id&tweet.fields=created_at,lang&user.fields=description`,
        'app',
      );
      expect(linked.status).toBe(200);
      expect(linked.json).toEqual({ data: { provisioned: true } });
      const expected = [
        {
          application_id: emu.appId,
          business_user_id: emu.owner.id,
          created_at: expect.stringMatching(TIMESTAMP),
          fields: ['expansions=author_id', 'tweet.fields=created_at,lang', 'user.fields=description'],
          instance_id: expect.any(String),
          webhook_id: hook,
        },
      ];
      for (const path of ['/2/tweets/search/webhooks', '/2/tweets/search/stream/webhooks']) {
        const list = await call(emu, 'GET', path, 'app');
        expect(list.status).toBe(200);
        expect(list.json).toEqual(variant === 'openapi' ? { data: expected } : { data: { links: expected } });
      }
      const again = await call(emu, 'POST', `/2/tweets/search/webhooks/${hook}`, 'app');
      expect(reason(again)).toBe('StreamLinkExists');
      expect((await call(emu, 'DELETE', `/2/tweets/search/webhooks/${hook}`, 'app')).json).toEqual({
        data: { deleted: true },
      });
      expect(reason(await call(emu, 'DELETE', `/2/tweets/search/webhooks/${hook}`, 'app'))).toBe('StreamLinkNotFound');
      expect(reason(await call(emu, 'POST', '/2/tweets/search/webhooks/123', 'app'))).toBe('WebhookIdInvalid');
      expect((await call(emu, 'POST', '/2/tweets/search/webhooks/x1', 'app')).status).toBe(400);
      expect((await call(emu, 'POST', `/2/tweets/search/webhooks/${hook}?bogus=1`, 'app')).status).toBe(400);
      const owner = await call(emu, 'POST', `/2/tweets/search/webhooks/${hook}`, emu.owner);
      expect(owner.status).toBe(403);
      expect(emu.xaa.links()).toEqual([]);
    }
  });
});

describe('fault injection by operation', () => {
  it('matches the XAA operation names, and streamRules.delete only the delete body', async () => {
    const emu = await emulator();
    emu.faults.inject({ type: 'status', status: 503, match: { operation: 'activity.subscriptions.create' } });
    const failed = await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '1' } });
    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({ title: 'Service Unavailable', status: 503 });
    expect((await call(emu, 'POST', SUB, 'app', { event_type: 'post.create', filter: { user_id: '1' } })).status).toBe(
      200,
    );

    emu.faults.inject({ type: 'status', status: 500, match: { operation: 'streamRules.delete' } });
    const add = await call(emu, 'POST', '/2/tweets/search/stream/rules', 'app', { add: [{ value: 'x' }] });
    expect(add.status).toBe(200);
    const del = await call(emu, 'POST', '/2/tweets/search/stream/rules', 'app', { delete: { values: ['x'] } });
    expect(del.status).toBe(500);
    expect(del.json.title).toBe('Internal Server Error');
  });
});
