/**
 * The emulator's API driven with real fetch, OAuth 1.0a headers signed here (oauth-1.0a), bearer
 * tokens from POST /oauth2/token, and a real node:http webhook receiver that answers CRC with
 * createCrcResponse and verifies every delivery's signature.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createCrcResponse,
  type EmulatedAccount,
  type Emulator,
  type EmulatorOptions,
} from '../../src/testing/index.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { oauth1Signer, startTestEmulator } from '../helpers/emulator.js';

const KEY = 'test-consumer-key';
const SECRET = 'test-consumer-secret';
const APP = { consumerKey: KEY, consumerSecret: SECRET };

// ------------------------------------------------------------------------------------------------
// Harness
// ------------------------------------------------------------------------------------------------

type CrcMode = 'ok' | 'wrong' | 'hang' | 'status500' | 'redirect';

interface Received {
  readonly body: string;
  readonly json: Record<string, unknown>;
  readonly signatureValid: boolean;
}

interface Receiver {
  readonly url: string;
  crcMode: CrcMode;
  /** Status for each POST, in order; the last one repeats. */
  postStatuses: number[];
  /** When set, POSTs wait for it before answering. */
  hold: Promise<void> | undefined;
  readonly received: Received[];
  crcCount: number;
  close(): Promise<void>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startReceiver(path = '/webhook'): Promise<Receiver> {
  const state: Omit<Receiver, 'url' | 'close'> = {
    crcMode: 'ok',
    postStatuses: [200],
    hold: undefined,
    received: [],
    crcCount: 0,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async (): Promise<unknown> => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'GET') {
          state.crcCount += 1;
          const token = url.searchParams.get('crc_token') ?? '';
          if (state.crcMode === 'hang') return;
          if (state.crcMode === 'status500') return res.writeHead(500).end();
          if (state.crcMode === 'redirect') return res.writeHead(302, { location: '/elsewhere' }).end();
          const answer = await createCrcResponse(state.crcMode === 'wrong' ? 'not-the-token' : token, SECRET);
          return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        }
        const body = Buffer.concat(chunks).toString('utf8');
        const signatureValid = await verifySignature(body, String(req.headers['x-twitter-webhooks-signature']), SECRET);
        state.received.push({ body, json: JSON.parse(body) as Record<string, unknown>, signatureValid });
        if (state.hold) await state.hold;
        const status = state.postStatuses.length > 1 ? state.postStatuses.shift()! : state.postStatuses[0]!;
        return res.writeHead(status).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  closers.push(close);
  const receiver = Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close,
  }) as Receiver;
  return receiver;
}

async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startTestEmulator(APP, { crcTimeoutMs: 300, ...options });
  closers.push(() => emu.close());
  return emu;
}

const oauth = oauth1Signer(APP);

type Auth = 'app' | 'none' | EmulatedAccount | { bearer: string } | { header: string };

interface Call {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

async function call(
  emu: Emulator,
  method: string,
  path: string,
  auth: Auth,
  body?: unknown,
  form?: Record<string, string>,
): Promise<Call> {
  const url = emu.url + path;
  const headers: Record<string, string> = {};
  if (auth === 'app') headers.authorization = `Bearer ${emu.bearerToken}`;
  else if (auth !== 'none' && 'bearer' in auth) headers.authorization = `Bearer ${auth.bearer}`;
  else if (auth !== 'none' && 'header' in auth) headers.authorization = auth.header;
  else if (auth !== 'none') {
    const signed = oauth.authorize(
      { url, method, ...(form ? { data: form } : {}) },
      { key: auth.accessToken, secret: auth.accessTokenSecret },
    );
    headers.authorization = oauth.toHeader(signed).Authorization;
  }
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  } else if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  }
  const res = await fetch(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const reason = (c: Call): string =>
  String((c.json as { errors?: { message?: string }[] }).errors?.[0]?.message ?? '').split(':')[0]!;
const code = (c: Call): number | undefined => (c.json as { errors?: { code?: number }[] }).errors?.[0]?.code;

async function registerV2(emu: Emulator, url: string): Promise<string> {
  const res = await call(emu, 'POST', '/2/webhooks', 'app', { url });
  expect(res.status).toBe(200);
  return (res.json as { data: { id: string } }).data.id;
}

async function subscribe(emu: Emulator, webhookId: string, ...users: EmulatedAccount[]): Promise<void> {
  for (const user of users) {
    const res = await call(emu, 'POST', `/2/account_activity/webhooks/${webhookId}/subscriptions/all`, user);
    expect(res.status).toBe(200);
  }
}

// ------------------------------------------------------------------------------------------------
// Auth
// ------------------------------------------------------------------------------------------------

describe('auth', () => {
  it('POST /oauth2/token issues the app-only token for HTTP Basic key:secret and grant_type=client_credentials', async () => {
    const emu = await emulator();
    const basic = (k: string, s: string) =>
      `Basic ${Buffer.from(`${encodeURIComponent(k)}:${encodeURIComponent(s)}`).toString('base64')}`;
    const token = async (authorization: string, body: string) => {
      const res = await fetch(`${emu.url}/oauth2/token`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body,
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const ok = await token(basic(KEY, SECRET), 'grant_type=client_credentials');
    expect(ok).toEqual({ status: 200, json: { token_type: 'bearer', access_token: emu.bearerToken } });
    const bad = await token(basic(KEY, 'wrong'), 'grant_type=client_credentials');
    expect(bad.status).toBe(403);
    expect(bad.json).toMatchObject({ errors: [{ code: 99 }] });
    const missing = await token(basic(KEY, SECRET), '');
    expect(missing.json).toMatchObject({ errors: [{ code: 170 }] });
    // The issued token works on a bearer endpoint.
    expect((await call(emu, 'GET', '/2/webhooks', { bearer: String(ok.json.access_token) })).status).toBe(200);
  });

  it('verifies OAuth 1.0a signatures, refuses reused nonces, stale timestamps and unknown tokens', async () => {
    const emu = await emulator();
    const alice = emu.account('alice');
    const url = `${emu.url}/1.1/account_activity/subscriptions/count.json`;
    // A user-context endpoint (E6) on an unknown webhook: authenticated means 404/34, not 401.
    const path = '/1.1/account_activity/webhooks/123/subscriptions/all.json';
    const signed = oauth.authorize(
      { url: emu.url + path, method: 'GET' },
      { key: alice.accessToken, secret: alice.accessTokenSecret },
    );
    const header = oauth.toHeader(signed).Authorization;
    expect(code(await call(emu, 'GET', path, { header }))).toBe(34);
    // Same nonce again: refused.
    const replayed = await call(emu, 'GET', path, { header });
    expect(replayed.status).toBe(401);
    expect(code(replayed)).toBe(32);
    // Tampered signature.
    const tampered = oauth.toHeader({
      ...oauth.authorize(
        { url: emu.url + path, method: 'GET' },
        { key: alice.accessToken, secret: alice.accessTokenSecret },
      ),
      oauth_signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    }).Authorization;
    expect(code(await call(emu, 'GET', path, { header: tampered }))).toBe(32);
    // Signed with the wrong token secret.
    const wrongSecret = oauth.toHeader(
      oauth.authorize({ url: emu.url + path, method: 'GET' }, { key: alice.accessToken, secret: 'nope' }),
    ).Authorization;
    expect(code(await call(emu, 'GET', path, { header: wrongSecret }))).toBe(32);
    // Signed for another URL (the query is part of the signature base).
    const otherQuery = oauth.toHeader(
      oauth.authorize(
        { url: `${emu.url + path}?x=1`, method: 'GET' },
        { key: alice.accessToken, secret: alice.accessTokenSecret },
      ),
    ).Authorization;
    expect(code(await call(emu, 'GET', path, { header: otherQuery }))).toBe(32);
    // Timestamp outside the window.
    const stale = {
      ...oauth.authorize(
        { url: emu.url + path, method: 'GET' },
        { key: alice.accessToken, secret: alice.accessTokenSecret },
      ),
    };
    stale.oauth_timestamp -= 3600;
    const base = oauth.getBaseString({ url: emu.url + path, method: 'GET' }, stale);
    stale.oauth_signature = createHmac('sha1', `${SECRET}&${alice.accessTokenSecret}`).update(base).digest('base64');
    const staleRes = await call(emu, 'GET', path, { header: oauth.toHeader(stale).Authorization });
    expect(staleRes.status).toBe(401);
    expect(code(staleRes)).toBe(135);
    // Unknown access token.
    const ghost = oauth.toHeader(
      oauth.authorize({ url: emu.url + path, method: 'GET' }, { key: '1-unknown', secret: 'x' }),
    ).Authorization;
    expect(code(await call(emu, 'GET', path, { header: ghost }))).toBe(89);
    // No auth at all (v1.1): 400/215; v2: 401 problem.
    expect(code(await call(emu, 'GET', path, 'none'))).toBe(215);
    const v2 = await call(emu, 'GET', '/2/webhooks', 'none');
    expect(v2.status).toBe(401);
    expect(v2.json).toMatchObject({ title: 'Unauthorized' });
    expect((await call(emu, 'GET', '/2/webhooks', { bearer: 'AAAAnot-a-token' })).status).toBe(401);
    expect(url).toContain('count.json');
  });

  it('checks the kind of auth per endpoint as X does', async () => {
    const emu = await emulator();
    const alice = emu.account('alice');
    // Bearer-only v2 endpoint with OAuth 1.0a: 403 Unsupported Authentication.
    const v2 = await call(emu, 'GET', '/2/account_activity/subscriptions/count', alice);
    expect(v2.status).toBe(403);
    expect((v2.json as { type: string }).type).toMatch(/unsupported-authentication$/);
    // User-context endpoint with app-only bearer.
    expect((await call(emu, 'GET', '/2/account_activity/webhooks/1/subscriptions/all', 'app')).status).toBe(403);
    // E1 with app-only auth: 403/261; E1 by a user who is not the owner: 403/99.
    const e1 = `/1.1/account_activity/webhooks.json?url=${encodeURIComponent('https://example.com/hook')}`;
    const app = await call(emu, 'POST', e1, 'app');
    expect([app.status, code(app)]).toEqual([403, 261]);
    const notOwner = await call(emu, 'POST', e1, alice);
    expect([notOwner.status, code(notOwner)]).toEqual([403, 99]);
    // E11 with a 3-legged token: 401/32.
    const e11 = await call(
      emu,
      'POST',
      '/1.1/account_activity/replay/webhooks/1/subscriptions/all.json?from_date=202001010000&to_date=202001010100',
      alice,
    );
    expect([e11.status, code(e11)]).toEqual([401, 32]);
  });
});

// ------------------------------------------------------------------------------------------------
// Webhooks
// ------------------------------------------------------------------------------------------------

describe('webhooks (V1-V4, E1-E4)', () => {
  it('registers with a real CRC and lists, validates and deletes in both generations', async () => {
    const emu = await emulator();
    const hook = await startReceiver();
    const created = await call(emu, 'POST', '/2/webhooks', 'app', { url: hook.url });
    expect(created.status).toBe(200);
    const data = (created.json as { data: Record<string, unknown> }).data;
    expect(data).toMatchObject({ url: hook.url, valid: true });
    expect(String(data.id)).toMatch(/^\d{1,19}$/);
    expect(String(data.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(hook.crcCount).toBe(1);

    const listed = await call(emu, 'GET', '/2/webhooks?webhook_config.fields=created_at,id,url,valid', 'app');
    expect(listed.json).toMatchObject({
      data: [{ id: data.id, url: hook.url, valid: true }],
      meta: { result_count: 1 },
    });
    const e2 = await call(emu, 'GET', '/1.1/account_activity/webhooks.json', 'app');
    expect(e2.json).toEqual([{ id: data.id, url: hook.url, valid: true, created_at: data.created_at }]);

    expect((await call(emu, 'PUT', `/2/webhooks/${String(data.id)}`, 'app')).json).toEqual({ data: { valid: true } });
    expect((await call(emu, 'PUT', `/1.1/account_activity/webhooks/${String(data.id)}.json`, emu.owner)).status).toBe(
      204,
    );
    expect(hook.crcCount).toBe(3);
    expect(reason(await call(emu, 'PUT', '/2/webhooks/999', 'app'))).toBe('WebhookIdInvalid');
    expect(code(await call(emu, 'PUT', '/1.1/account_activity/webhooks/999.json', emu.owner))).toBe(34);

    expect((await call(emu, 'DELETE', `/2/webhooks/${String(data.id)}`, 'app')).json).toEqual({
      data: { deleted: true },
    });
    expect(reason(await call(emu, 'DELETE', `/2/webhooks/${String(data.id)}`, 'app'))).toBe('WebhookIdInvalid');

    const e1 = await call(
      emu,
      'POST',
      `/1.1/account_activity/webhooks.json?url=${encodeURIComponent(hook.url)}`,
      emu.owner,
    );
    expect(e1.status).toBe(200);
    const id = (e1.json as { id: string }).id;
    expect((await call(emu, 'DELETE', `/1.1/account_activity/webhooks/${id}.json`, emu.owner)).status).toBe(204);
    expect(code(await call(emu, 'DELETE', `/1.1/account_activity/webhooks/${id}.json`, emu.owner))).toBe(34);
    // OAuth 1.0a app-owner auth is accepted on V1 too, and E1 accepts `url` as a signed form field.
    expect((await call(emu, 'POST', '/2/webhooks', emu.owner, { url: hook.url })).status).toBe(200);
    const hook2 = await startReceiver('/second');
    const form = await call(emu, 'POST', '/1.1/account_activity/webhooks.json', emu.owner, undefined, {
      url: hook2.url,
    });
    expect(form.status).toBe(200);
  });

  it('refuses bad URLs, duplicates and the webhook limit with the documented errors', async () => {
    const emu = await emulator({ maxWebhooks: 1 });
    const hook = await startReceiver();
    const http = await call(emu, 'POST', '/2/webhooks', 'app', { url: 'http://example.com/hook' });
    expect([http.status, reason(http)]).toEqual([400, 'UrlValidationFailed']);
    expect((http.json as { type: string }).type).toMatch(/invalid-request$/);
    expect(reason(await call(emu, 'POST', '/2/webhooks', 'app', { url: 'https://example.com:8443/hook' }))).toBe(
      'UrlValidationFailed',
    );
    expect(
      reason(await call(emu, 'POST', '/2/webhooks', 'app', { url: `https://example.com/${'x'.repeat(200)}` })),
    ).toBe('UrlValidationFailed');
    await registerV2(emu, hook.url);
    expect(reason(await call(emu, 'POST', '/2/webhooks', 'app', { url: hook.url }))).toBe('DuplicateUrlFailed');
    const other = await startReceiver('/other');
    expect(reason(await call(emu, 'POST', '/2/webhooks', 'app', { url: other.url }))).toBe('WebhookLimitExceeded');
    const e1 = await call(
      emu,
      'POST',
      `/1.1/account_activity/webhooks.json?url=${encodeURIComponent(other.url)}`,
      emu.owner,
    );
    expect([e1.status, code(e1)]).toEqual([400, 214]);
    expect((e1.json as { errors: { message: string }[] }).errors[0]?.message).toBe(
      'Too many resources already created.',
    );
    const badUrl = await call(
      emu,
      'POST',
      `/1.1/account_activity/webhooks.json?url=${encodeURIComponent('http://example.com/x')}`,
      emu.owner,
    );
    expect((badUrl.json as { errors: { message: string }[] }).errors[0]?.message).toBe(
      'Webhook URL does not meet the requirements.',
    );
  });

  it('fails registration when the CRC answer is wrong, slow, not 200 or a redirect', async () => {
    const emu = await emulator();
    const hook = await startReceiver();
    const messages: string[] = [];
    for (const mode of ['wrong', 'hang', 'status500', 'redirect'] as const) {
      hook.crcMode = mode;
      const v2 = await call(emu, 'POST', '/2/webhooks', 'app', { url: hook.url });
      expect([v2.status, reason(v2)]).toEqual([400, 'CrcValidationFailed']);
      const e1 = await call(
        emu,
        'POST',
        `/1.1/account_activity/webhooks.json?url=${encodeURIComponent(hook.url)}`,
        emu.owner,
      );
      expect([e1.status, code(e1)]).toEqual([400, 214]);
      messages.push((e1.json as { errors: { message: string }[] }).errors[0]!.message);
    }
    expect(messages[0]).toBe('Webhook URL does not meet the requirements. Invalid CRC token or json response format.');
    expect(messages[1]).toBe('High latency on CRC GET request. Your webhook should respond in less than 3 seconds.');
    expect(messages[2]).toBe('Non-200 response code during CRC GET request (i.e. 404, 500, etc).');
    expect(messages[3]).toBe(messages[2]);
    expect(emu.webhooks()).toEqual([]);
  });

  it('answers code 214 with HTTP 403 when that documented variant is chosen', async () => {
    const emu = await emulator({ variants: { crcErrorStatus: 403, v3Response: 'attempted' } });
    const hook = await startReceiver();
    hook.crcMode = 'wrong';
    const e1 = await call(
      emu,
      'POST',
      `/1.1/account_activity/webhooks.json?url=${encodeURIComponent(hook.url)}`,
      emu.owner,
    );
    expect([e1.status, code(e1)]).toEqual([403, 214]);
    hook.crcMode = 'ok';
    const id = await registerV2(emu, hook.url);
    expect((await call(emu, 'PUT', `/2/webhooks/${id}`, 'app')).json).toEqual({ data: { attempted: true } });
  });
});

// ------------------------------------------------------------------------------------------------
// Subscriptions
// ------------------------------------------------------------------------------------------------

describe('subscriptions (V6-V10, E5-E10)', () => {
  it('subscribes, checks, lists, counts and removes users in both generations', async () => {
    const emu = await emulator({ maxSubscriptions: 2 });
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    const [alice, bob, carol] = [emu.account('alice'), emu.account('bob'), emu.account('carol')];
    const sub = `/2/account_activity/webhooks/${id}/subscriptions/all`;

    expect((await call(emu, 'GET', sub, alice)).json).toEqual({ data: { subscribed: false } });
    expect((await call(emu, 'POST', sub, alice)).json).toEqual({ data: { subscribed: true } });
    expect(reason(await call(emu, 'POST', sub, alice))).toBe('DuplicateSubscriptionFailed');
    expect((await call(emu, 'GET', sub, alice)).json).toEqual({ data: { subscribed: true } });
    // OAuth 2.0 user context is accepted by V6 and V7.
    expect((await call(emu, 'POST', sub, { bearer: bob.oauth2AccessToken })).json).toEqual({
      data: { subscribed: true },
    });
    expect(reason(await call(emu, 'POST', sub, carol))).toBe('SubscriptionLimitExceeded');
    expect(reason(await call(emu, 'POST', '/2/account_activity/webhooks/42/subscriptions/all', carol))).toBe(
      'WebhookIdInvalid',
    );

    expect((await call(emu, 'GET', `${sub}/list`, 'app')).json).toEqual({
      data: {
        application_id: emu.appId,
        webhook_id: id,
        webhook_url: hook.url,
        subscriptions: [{ user_id: alice.id }, { user_id: bob.id }],
      },
    });
    expect((await call(emu, 'GET', '/2/account_activity/subscriptions/count', 'app')).json).toEqual({
      data: {
        account_name: 'app_owner',
        provisioned_count: '2',
        subscriptions_count_all: '2',
        subscriptions_count_direct_messages: '0',
      },
    });
    expect((await call(emu, 'GET', '/1.1/account_activity/subscriptions/count.json', 'app')).json).toEqual({
      account_name: 'app_owner',
      provisioned_count: '2',
      subscriptions_count_all: '2',
      subscriptions_count_direct_messages: '0',
    });
    const e7 = await call(emu, 'GET', `/1.1/account_activity/webhooks/${id}/subscriptions/all/list.json`, 'app');
    expect(e7.json).toMatchObject({
      webhook_id: id,
      webhook_url: hook.url,
      application_id: emu.appId,
      subscriptions: [{ user_id: alice.id }, { user_id: bob.id }],
    });

    const del = `/2/account_activity/webhooks/${id}/subscriptions/${bob.id}/all`;
    expect((await call(emu, 'DELETE', del, 'app')).json).toEqual({ data: { subscribed: false } });
    expect(reason(await call(emu, 'DELETE', del, 'app'))).toBe('SubscriptionNotFound');

    const e = `/1.1/account_activity/webhooks/${id}/subscriptions/all.json`;
    expect((await call(emu, 'POST', e, carol)).status).toBe(204);
    expect((await call(emu, 'GET', e, carol)).status).toBe(204);
    expect((await call(emu, 'GET', e, bob)).status).toBe(404);
    expect(code(await call(emu, 'POST', '/1.1/account_activity/webhooks/42/subscriptions/all.json', bob))).toBe(34);
    expect(code(await call(emu, 'POST', e, bob))).toBe(214); // limit reached
    expect(
      (await call(emu, 'DELETE', `/1.1/account_activity/webhooks/${id}/subscriptions/${carol.id}/all.json`, 'app'))
        .status,
    ).toBe(204);
    expect(
      code(await call(emu, 'DELETE', `/1.1/account_activity/webhooks/${id}/subscriptions/${carol.id}/all.json`, 'app')),
    ).toBe(34);
    expect((await call(emu, 'DELETE', e, alice)).status).toBe(204);
    expect((await call(emu, 'DELETE', e, alice)).status).toBe(404);
    expect(emu.webhooks()[0]?.subscriptions).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------
// Rate limits and faults
// ------------------------------------------------------------------------------------------------

describe('rate limits and fault injection', () => {
  it('reports x-rate-limit-* headers and answers 429 past the limit, per generation', async () => {
    const emu = await emulator({ rateLimits: { V9: 2, E8: 1 } });
    const first = await call(emu, 'GET', '/2/account_activity/subscriptions/count', 'app');
    expect(first.headers.get('x-rate-limit-limit')).toBe('2');
    expect(first.headers.get('x-rate-limit-remaining')).toBe('1');
    expect(Number(first.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
    await call(emu, 'GET', '/2/account_activity/subscriptions/count', 'app');
    const third = await call(emu, 'GET', '/2/account_activity/subscriptions/count', 'app');
    expect(third.status).toBe(429);
    expect(third.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(third.json).toMatchObject({ title: 'Too Many Requests', status: 429 });
    await call(emu, 'GET', '/1.1/account_activity/subscriptions/count.json', 'app');
    const e8 = await call(emu, 'GET', '/1.1/account_activity/subscriptions/count.json', 'app');
    expect([e8.status, code(e8)]).toEqual([429, 88]);
    emu.resetRateLimits();
    expect((await call(emu, 'GET', '/2/account_activity/subscriptions/count', 'app')).status).toBe(200);
  });

  it('opens a new window after 15 minutes of the emulator clock', async () => {
    let now = Date.now();
    const emu = await emulator({ rateLimits: { V2: 1 }, clock: () => now });
    expect((await call(emu, 'GET', '/2/webhooks', 'app')).status).toBe(200);
    expect((await call(emu, 'GET', '/2/webhooks', 'app')).status).toBe(429);
    now += 15 * 60 * 1000;
    expect((await call(emu, 'GET', '/2/webhooks', 'app')).status).toBe(200);
  });

  it('injects 503s, latency and dropped connections', async () => {
    const emu = await emulator();
    emu.faults.inject({ type: 'status', match: { operation: 'webhooks.list', version: 'v2' }, times: 2 });
    // The v1.1 endpoint of the same operation is not matched by a v2 fault.
    expect((await call(emu, 'GET', '/1.1/account_activity/webhooks.json', 'app')).status).toBe(200);
    const a = await call(emu, 'GET', '/2/webhooks', 'app');
    expect(a.status).toBe(503);
    expect(a.json).toMatchObject({ title: 'Service Unavailable' });
    expect((await call(emu, 'GET', '/2/webhooks', 'app')).status).toBe(503);
    expect((await call(emu, 'GET', '/2/webhooks', 'app')).status).toBe(200);

    emu.faults.inject({ type: 'status', match: { path: /^\/1\.1\// } });
    const e2 = await call(emu, 'GET', '/1.1/account_activity/webhooks.json', 'app');
    expect([e2.status, code(e2)]).toEqual([503, 67]);

    emu.faults.inject({ type: 'drop', match: { method: 'GET', path: '/2/webhooks' } });
    await expect(call(emu, 'GET', '/2/webhooks', 'app')).rejects.toThrow();
    expect((await call(emu, 'GET', '/2/webhooks', 'app')).status).toBe(200);

    emu.faults.inject({ type: 'latency', ms: 20 });
    expect((await call(emu, 'GET', '/2/webhooks', 'app')).status).toBe(200);
    emu.faults.inject({ type: 'status', status: 500, times: 5 });
    emu.faults.clear();
    expect((await call(emu, 'GET', '/2/webhooks', 'app')).status).toBe(200);
  });
});

// ------------------------------------------------------------------------------------------------
// DM send endpoint
// ------------------------------------------------------------------------------------------------

describe('POST /2/dm_conversations/with/:participant_id/messages', () => {
  it('sends as the signing user and delivers a direct_message_events activity to both subscribed users', async () => {
    const emu = await emulator();
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    const [alice, bob] = [emu.account('alice'), emu.account('bob')];
    await subscribe(emu, id, alice, bob);
    const res = await call(emu, 'POST', `/2/dm_conversations/with/${bob.id}/messages`, alice, { text: 'hi bob' });
    expect(res.status).toBe(201);
    const data = (res.json as { data: { dm_conversation_id: string; dm_event_id: string } }).data;
    expect(data.dm_conversation_id).toBe([alice.id, bob.id].sort().join('-'));
    await emu.settled();
    expect(hook.received.map((r) => r.json.for_user_id).sort()).toEqual([alice.id, bob.id].sort());
    for (const r of hook.received) {
      expect(r.signatureValid).toBe(true);
      expect(r.json).toMatchObject({
        direct_message_events: [
          {
            type: 'message_create',
            id: data.dm_event_id,
            message_create: {
              sender_id: alice.id,
              source_app_id: emu.appId,
              target: { recipient_id: bob.id },
              message_data: { text: 'hi bob' },
            },
          },
        ],
        apps: { [emu.appId]: { id: emu.appId } },
        users: { [alice.id]: { screen_name: 'alice' }, [bob.id]: { screen_name: 'bob' } },
      });
    }
    // OAuth 2.0 user context works too; bad bodies and unknown participants are refused.
    expect(
      (
        await call(
          emu,
          'POST',
          `/2/dm_conversations/with/${alice.id}/messages`,
          { bearer: bob.oauth2AccessToken },
          { text: 'hey' },
        )
      ).status,
    ).toBe(201);
    expect((await call(emu, 'POST', `/2/dm_conversations/with/${bob.id}/messages`, alice, {})).status).toBe(400);
    expect(
      (await call(emu, 'POST', `/2/dm_conversations/with/${bob.id}/messages`, alice, { text: 'x', extra: 1 })).status,
    ).toBe(400);
    expect((await call(emu, 'POST', '/2/dm_conversations/with/77/messages', alice, { text: 'x' })).status).toBe(400);
    expect((await call(emu, 'POST', `/2/dm_conversations/with/${bob.id}/messages`, 'app', { text: 'x' })).status).toBe(
      403,
    );
  });
});

// ------------------------------------------------------------------------------------------------
// Activity and delivery
// ------------------------------------------------------------------------------------------------

const families = (hook: Receiver): string[] =>
  hook.received.map(
    (r) =>
      Object.keys(r.json).find(
        (k) => k !== 'for_user_id' && k !== 'users' && k !== 'apps' && k !== 'user_has_blocked',
      )!,
  );

describe('activity and delivery', () => {
  it('delivers every activity kind, signed, once per subscribed user involved', async () => {
    const emu = await emulator();
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    const [alice, bob, carol] = [emu.account('alice'), emu.account('bob'), emu.account('carol')];
    await subscribe(emu, id, alice, bob);
    const a = emu.activity;

    const post = await a.post(carol, 'hello @alice and @bob');
    expect(post.deliveries.map((d) => d.forUserId).sort()).toEqual([alice.id, bob.id].sort());
    const mention = hook.received.find((r) => r.json.for_user_id === alice.id)!;
    expect(mention.json.user_has_blocked).toBe(false);
    // Tweet ids keep their exact digits in the raw body, above 2^53.
    expect(mention.body).toContain(`"id":${post.tweet.id_str},"id_str":"${post.tweet.id_str}"`);
    expect(BigInt(post.tweet.id_str) > 2n ** 53n).toBe(true);
    expect(typeof (mention.json.tweet_create_events as { timestamp_ms: unknown }[])[0]?.timestamp_ms).toBe('string');

    const own = await a.post(alice, 'my own post');
    expect(own.deliveries.map((d) => d.forUserId)).toEqual([alice.id]);
    expect(hook.received.at(-1)?.json).not.toHaveProperty('user_has_blocked');
    await a.reply(bob, own.tweet, 'a reply');
    await a.retweet(bob, own.tweet);
    const quote = await a.quote(carol, own.tweet, 'quoting');
    hook.received.length = 0;
    await a.retweet(bob, quote.tweet); // retweet of a quote: bob and alice (quoted author); carol is not subscribed
    expect(hook.received.map((r) => r.json.for_user_id).sort()).toEqual([alice.id, bob.id].sort());
    const rt = hook.received[0]!.json.tweet_create_events as {
      retweeted_status: { quoted_status: { id_str: string } };
    }[];
    expect(rt[0]?.retweeted_status.quoted_status.id_str).toBe(own.tweet.id_str);

    hook.received.length = 0;
    await a.like(bob, own.tweet);
    expect(hook.received.map((r) => r.json.for_user_id).sort()).toEqual([alice.id, bob.id].sort());
    const like = (hook.received[0]!.json.favorite_events as { id: string; timestamp_ms: unknown }[])[0]!;
    expect(like.id).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof like.timestamp_ms).toBe('number');

    hook.received.length = 0;
    await a.follow(alice, bob);
    expect(hook.received).toHaveLength(2);
    const follow = (
      hook.received[0]!.json.follow_events as {
        type: string;
        created_timestamp: unknown;
        source: Record<string, unknown>;
      }[]
    )[0]!;
    expect(follow.type).toBe('follow');
    expect(typeof follow.created_timestamp).toBe('string');
    expect(follow.source).toMatchObject({ id: alice.id, screen_name: 'alice', profile_link_color: -1 });
    expect(follow.source).not.toHaveProperty('id_str');
    hook.received.length = 0;
    for (const act of [a.unfollow, a.block, a.unblock, a.mute, a.unmute]) await act(alice, bob);
    expect(hook.received.map((r) => r.json.for_user_id)).toEqual(Array(5).fill(alice.id));
    expect(
      hook.received.map(
        (r) =>
          Object.values(r.json)
            .flat()
            .map((e) => (e as { type?: string }).type)[1],
      ),
    ).toEqual(['unfollow', 'block', 'unblock', 'mute', 'unmute']);

    hook.received.length = 0;
    await a.block(alice, carol);
    hook.received.length = 0;
    await a.mention(carol, alice, 'blocked mention');
    expect(hook.received[0]?.json.user_has_blocked).toBe(true);

    hook.received.length = 0;
    const dm = await a.sendDirectMessage(alice, bob, 'psst');
    await a.typing(bob, alice);
    await a.markRead(bob, alice, dm.event.id);
    await a.deleteTweet(alice, own.tweet);
    expect(families(hook)).toEqual([
      'direct_message_events',
      'direct_message_events',
      'direct_message_indicate_typing_events',
      'direct_message_mark_read_events',
      'tweet_delete_events',
    ]);
    expect(hook.received[0]?.json).not.toHaveProperty('apps');
    expect(hook.received[3]?.json).toMatchObject({
      for_user_id: alice.id,
      direct_message_mark_read_events: [
        { sender_id: bob.id, target: { recipient_id: alice.id }, last_read_event_id: dm.event.id },
      ],
    });
    expect(hook.received[4]?.json).toMatchObject({
      tweet_delete_events: [{ status: { id: own.tweet.id_str, user_id: alice.id } }],
    });

    hook.received.length = 0;
    await a.revoke(bob);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]?.json).toEqual({
      user_event: {
        revoke: {
          date_time: expect.stringMatching(/\+00:00$/) as unknown,
          target: { app_id: emu.appId },
          source: { user_id: bob.id },
        },
      },
    });
    // After a revoke the subscription is gone and the user's tokens are refused.
    expect(emu.webhooks()[0]?.subscriptions).toEqual([alice.id]);
    expect((await call(emu, 'GET', `/2/account_activity/webhooks/${id}/subscriptions/all`, bob)).status).toBe(401);
    await a.like(alice, post.tweet);
    expect(hook.received.at(-1)?.json.for_user_id).toBe(alice.id);
    expect(hook.received.every((r) => r.signatureValid)).toBe(true);
    expect(emu.deliveries({ eventType: 'user_event' })).toHaveLength(1);
  });

  it('stops delivering to an invalid webhook until a CRC passes again', async () => {
    const emu = await emulator();
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    await subscribe(emu, id, emu.account('alice'));
    hook.crcMode = 'status500';
    // A transient failure within the grace period leaves the webhook valid.
    expect(await emu.revalidate()).toEqual([{ webhookId: id, valid: true }]);
    hook.crcMode = 'wrong';
    expect(await emu.revalidate()).toEqual([{ webhookId: id, valid: false }]);
    expect((await call(emu, 'GET', '/2/webhooks', 'app')).json).toMatchObject({ data: [{ id, valid: false }] });
    const skipped = await emu.activity.post('alice', 'nobody hears this');
    expect(skipped.deliveries).toEqual([]);
    expect(hook.received).toEqual([]);
    const failed = await call(emu, 'PUT', `/2/webhooks/${id}`, 'app');
    expect(reason(failed)).toBe('CrcValidationFailed');
    hook.crcMode = 'ok';
    expect((await call(emu, 'PUT', `/2/webhooks/${id}`, 'app')).json).toEqual({ data: { valid: true } });
    await emu.activity.post('alice', 'back again');
    expect(hook.received).toHaveLength(1);
  });

  it('invalidates after a transient failure once the grace period has passed', async () => {
    let now = Date.now();
    const emu = await emulator({ clock: () => now, crcGracePeriodMs: 1000 });
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    now += 2000;
    hook.crcMode = 'status500';
    expect(await emu.revalidate()).toEqual([{ webhookId: id, valid: false }]);
  });

  it("retries non-200 answers on X's schedule, scaled, and logs every attempt", async () => {
    const emu = await emulator();
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    await subscribe(emu, id, emu.account('alice'));
    hook.postStatuses = [500, 503, 200];
    const { deliveries } = await emu.activity.post('alice', 'flaky');
    expect(deliveries[0]?.state).toBe('retrying');
    await emu.settled();
    const [record] = emu.deliveries();
    expect(record?.attempts.map((x) => x.status)).toEqual([500, 503, 200]);
    expect(record?.state).toBe('delivered');
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);

    hook.received.length = 0;
    hook.postStatuses = [500];
    await emu.activity.post('alice', 'down');
    await emu.settled();
    const last = emu.deliveries().at(-1)!;
    expect(last.attempts).toHaveLength(4);
    expect(last.state).toBe('failed');
  });

  it('times a delivery out instead of hanging, and close() stops pending retries', async () => {
    const emu = await emulator({ deliveryTimeoutMs: 100, retryScale: 1 });
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    await subscribe(emu, id, emu.account('alice'));
    let release!: () => void;
    hook.hold = new Promise<void>((resolve) => (release = resolve));
    const { deliveries } = await emu.activity.post('alice', 'slow');
    expect(deliveries[0]?.attempts).toEqual([{ at: expect.any(Date) as unknown, error: 'timeout' }]);
    expect(deliveries[0]?.state).toBe('retrying');
    release();
    await emu.close();
    await emu.settled();
    expect(emu.deliveries()[0]?.state).toBe('failed');
  });
});

// ------------------------------------------------------------------------------------------------
// Replay
// ------------------------------------------------------------------------------------------------

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-T:]/g, '').slice(0, 12);
const HOUR = 3_600_000;

describe('replay (V5, V11, E11)', () => {
  it('re-delivers the window in order, then sends replay_job_status Complete', async () => {
    const emu = await emulator();
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    const [alice, bob] = [emu.account('alice'), emu.account('bob')];
    await subscribe(emu, id, alice, bob);
    const now = Date.now();
    await emu.activity.post(alice, 'third', { at: new Date(now - 2 * HOUR) });
    await emu.activity.follow(bob, alice, { at: new Date(now - 3 * HOUR) }); // two deliveries
    await emu.activity.post(alice, 'outside', { at: new Date(now - 10 * HOUR) });
    hook.received.length = 0;
    const res = await call(emu, 'POST', '/2/webhooks/replay', 'app', {
      webhook_id: id,
      from_date: stamp(now - 4 * HOUR),
      to_date: stamp(now - HOUR),
    });
    expect(res.status).toBe(200);
    const job = (res.json as { data: { job_id: string; created_at: string } }).data;
    expect(job.job_id).toMatch(/^\d+$/);
    await emu.settled();
    expect(families(hook)).toEqual(['follow_events', 'follow_events', 'tweet_create_events', 'replay_job_status']);
    expect(hook.received.at(-1)?.json).toEqual({
      replay_job_status: {
        webhook_id: id,
        job_state: 'Complete',
        job_state_description: 'Job completed successfully',
        job_id: job.job_id,
      },
    });
    expect(hook.received.every((r) => r.signatureValid)).toBe(true);
    expect(emu.deliveries({ kind: 'replay' })).toHaveLength(3);
  });

  it('refuses a second job while one runs, and reports Incomplete when deliveries fail', async () => {
    const emu = await emulator();
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    await subscribe(emu, id, emu.account('alice'));
    const now = Date.now();
    await emu.activity.post('alice', 'old', { at: new Date(now - 2 * HOUR) });
    const window = { from_date: stamp(now - 3 * HOUR), to_date: stamp(now - HOUR) };
    let release!: () => void;
    hook.hold = new Promise<void>((resolve) => (release = resolve));
    hook.postStatuses = [500];
    expect((await call(emu, 'POST', '/2/webhooks/replay', 'app', { webhook_id: id, ...window })).status).toBe(200);
    const conflict = await call(emu, 'POST', '/2/webhooks/replay', 'app', { webhook_id: id, ...window });
    expect([conflict.status, reason(conflict)]).toEqual([400, 'ReplayConflictError']);
    const e11 = await call(
      emu,
      'POST',
      `/1.1/account_activity/replay/webhooks/${id}/subscriptions/all.json?from_date=${window.from_date}&to_date=${window.to_date}`,
      'app',
    );
    expect([e11.status, code(e11)]).toEqual([409, 355]);
    release();
    hook.hold = undefined;
    await emu.settled();
    expect(hook.received.at(-1)?.json).toMatchObject({ replay_job_status: { job_state: 'Incomplete' } });
    // After the status event another job may start: E11 answers 202 with a bare job body.
    hook.postStatuses = [200];
    const again = await call(
      emu,
      'POST',
      `/1.1/account_activity/replay/webhooks/${id}/subscriptions/all.json?from_date=${window.from_date}&to_date=${window.to_date}`,
      'app',
    );
    expect(again.status).toBe(202);
    expect(Object.keys(again.json as object).sort()).toEqual(['created_at', 'job_id']);
    const v11 = await (async () => {
      await emu.settled();
      return call(
        emu,
        'POST',
        `/2/account_activity/replay/webhooks/${id}/subscriptions/all?from_date=${window.from_date}&to_date=${window.to_date}`,
        'app',
      );
    })();
    expect(v11.json).toMatchObject({ data: { job_id: expect.any(String) as unknown } });
    await emu.settled();
  });

  it('applies the documented window rules and errors', async () => {
    const emu = await emulator({ rateLimits: { E11: 100 } }); // E11 allows 5 per window by default
    const hook = await startReceiver();
    const id = await registerV2(emu, hook.url);
    const now = Date.now();
    const e11 = (q: string) =>
      call(emu, 'POST', `/1.1/account_activity/replay/webhooks/${id}/subscriptions/all.json${q}`, 'app');
    expect(code(await e11(`?to_date=${stamp(now - HOUR)}`))).toBe(357);
    expect(code(await e11(`?from_date=2024-01-01&to_date=${stamp(now - HOUR)}`))).toBe(358);
    expect(code(await e11(`?from_date=${stamp(now - 20 * 60_000)}&to_date=${stamp(now - 15 * 60_000)}`))).toBe(368);
    expect(code(await e11(`?from_date=${stamp(now - 2 * HOUR)}&to_date=${stamp(now - 5 * 60_000)}`))).toBe(368);
    expect(code(await e11(`?from_date=${stamp(now - 2 * HOUR)}&to_date=${stamp(now - 3 * HOUR)}`))).toBe(356);
    expect(code(await e11(`?from_date=${stamp(now - 6 * 24 * HOUR)}&to_date=${stamp(now - HOUR)}`))).toBe(356);
    const neg = await call(
      emu,
      'POST',
      `/1.1/account_activity/replay/webhooks/-5/subscriptions/all.json?from_date=${stamp(now - 2 * HOUR)}&to_date=${stamp(now - HOUR)}`,
      'app',
    );
    expect(code(neg)).toBe(360);
    expect(
      code(
        await call(
          emu,
          'POST',
          `/1.1/account_activity/replay/webhooks/77/subscriptions/all.json?from_date=${stamp(now - 2 * HOUR)}&to_date=${stamp(now - HOUR)}`,
          'app',
        ),
      ),
    ).toBe(34);
    // V5 windows are 24 hours; V11 windows 5 days.
    const v5 = await call(emu, 'POST', '/2/webhooks/replay', 'app', {
      webhook_id: id,
      from_date: stamp(now - 30 * HOUR),
      to_date: stamp(now - HOUR),
    });
    expect(reason(v5)).toBe('QueryParamInvalid');
    const v11 = await call(
      emu,
      'POST',
      `/2/account_activity/replay/webhooks/${id}/subscriptions/all?from_date=${stamp(now - 30 * HOUR)}&to_date=${stamp(now - HOUR)}`,
      'app',
    );
    expect(v11.status).toBe(200);
    await emu.settled();
    // An invalid webhook must pass a CRC first.
    hook.crcMode = 'wrong';
    await emu.revalidate();
    const invalid = await e11(`?from_date=${stamp(now - 2 * HOUR)}&to_date=${stamp(now - HOUR)}`);
    expect([invalid.status, code(invalid)]).toEqual([400, 214]);
    expect(
      reason(
        await call(emu, 'POST', '/2/webhooks/replay', 'app', {
          webhook_id: id,
          from_date: stamp(now - 2 * HOUR),
          to_date: stamp(now - HOUR),
        }),
      ),
    ).toBe('CrcValidationFailed');
  });
});

describe('secrets', () => {
  it('keeps secrets out of JSON.stringify and util.inspect of the handle and its accounts', async () => {
    const { inspect } = await import('node:util');
    const emu = await emulator();
    const alice = emu.account('alice');
    for (const text of [JSON.stringify(emu), inspect(emu, { depth: 4 }), JSON.stringify(alice), inspect(alice)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(emu.bearerToken);
      expect(text).not.toContain(alice.accessTokenSecret);
      expect(text).not.toContain(alice.oauth2AccessToken);
    }
  });
});
