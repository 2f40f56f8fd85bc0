// Retries where allowed and none where not, retry-after / x-rate-limit-reset, rate-limit info after
// successful calls, timeouts and aborts. Backoff delays are set to a few milliseconds.
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { AccountActivityClient, AccountActivityClientOptions } from '../../src/client/index.js';
import { ConnectionError, RateLimitError, ServerError, TimeoutError } from '../../src/errors.js';
import { recordingClient, useRecordingServer } from '../helpers/recording-server.js';

const server = useRecordingServer();

const client = (options: Partial<AccountActivityClientOptions> = {}): AccountActivityClient =>
  recordingClient(server, { bearerToken: 'app-bearer-TOKEN-7777', retry: { baseDelay: 1, maxDelay: 3 }, ...options });

const COUNT_PATH = '/2/account_activity/subscriptions/count';
const COUNT = { data: { subscriptions_count_all: '3', provisioned_count: '50' } };
const down = { status: 503, body: { errors: [{ code: 67, message: 'Backend service down' }] } };
const now = Date.now();
const window = { from: new Date(now - 3 * 3600_000), to: new Date(now - 3600_000) };

describe('retries', () => {
  it.each([
    ['GET', 'GET', COUNT_PATH, (c: AccountActivityClient) => c.subscriptions.count(), COUNT],
    [
      'PUT (CRC trigger)',
      'PUT',
      '/2/webhooks/1234567890',
      (c: AccountActivityClient) => c.webhooks.validate('1234567890'),
      { data: { valid: true } },
    ],
    [
      'DELETE',
      'DELETE',
      '/2/webhooks/1234567890',
      (c: AccountActivityClient) => c.webhooks.delete('1234567890'),
      { data: { deleted: true } },
    ],
  ])('an idempotent %s is retried on 5xx and succeeds', async (_kind, method, path, run, body) => {
    server.reply(method, path, down, { status: 502, body: 'Bad Gateway' }, { body });
    await run(client());
    expect(server.seen(path)).toHaveLength(3);
  });

  it('gives up after retry.limit retries with the last error', async () => {
    server.reply('GET', COUNT_PATH, down);
    await expect(
      client({ retry: { limit: 3, baseDelay: 1, maxDelay: 2 } }).subscriptions.count(),
    ).rejects.toBeInstanceOf(ServerError);
    expect(server.seen(COUNT_PATH)).toHaveLength(4);
  });

  it('does not retry a 4xx other than 429', async () => {
    server.reply('GET', COUNT_PATH, { status: 400, body: { errors: [{ message: 'WebhookIdInvalid: no' }] } });
    await expect(client().subscriptions.count()).rejects.toMatchObject({ status: 400 });
    expect(server.seen(COUNT_PATH)).toHaveLength(1);
  });

  it.each([
    [
      'webhooks.register',
      'POST',
      '/2/webhooks',
      (c: AccountActivityClient) => c.webhooks.register('https://example.com/w'),
    ],
    [
      'subscriptions.add',
      'POST',
      '/2/account_activity/webhooks/1234567890/subscriptions/all',
      (c: AccountActivityClient) => c.subscriptions.add('1234567890'),
    ],
    ['replay.start', 'POST', '/2/webhooks/replay', (c: AccountActivityClient) => c.replay.start('1234567890', window)],
  ])('does not retry POST %s by default', async (_op, method, path, run) => {
    server.reply(method, path, down, { body: {} });
    await expect(run(client())).rejects.toBeInstanceOf(ServerError);
    expect(server.seen(path)).toHaveLength(1);
  });

  it('retries a POST when the client opts in (retryPost)', async () => {
    server.reply('POST', '/2/webhooks/replay', down, {
      body: { data: { job_id: '1', created_at: '2016-06-02T23:54:02Z' } },
    });
    const c = client({ retry: { retryPost: true, baseDelay: 1, maxDelay: 2 } });
    await expect(c.replay.start('1234567890', window)).resolves.toMatchObject({ jobId: '1' });
    expect(server.seen('/2/webhooks/replay')).toHaveLength(2);
  });

  it('retries a POST when the call opts in, and re-signs OAuth 1.0a each time', async () => {
    const path = '/1.1/account_activity/webhooks/1234567890/subscriptions/all.json';
    server.reply('POST', path, down, { status: 204 });
    await client({ apiVersion: '1.1' }).subscriptions.add('1234567890', undefined, { retry: true });
    const attempts = server.seen(path);
    expect(attempts).toHaveLength(2);
    expect(attempts.every((r) => r.auth.kind === 'oauth1' && r.auth.valid)).toBe(true);
  });

  it('every attempt, the first included, reaches a custom fetch as one signed Request', async () => {
    const path = '/1.1/account_activity/webhooks/1234567890.json';
    server.reply('PUT', path, down, { status: 204 });
    const seen: { request: boolean; authorization: string | null; userAgent: string | null }[] = [];
    const recording: typeof fetch = (input, init) => {
      const request = input instanceof Request ? input : undefined;
      seen.push({
        request: request !== undefined,
        authorization: request?.headers.get('authorization') ?? null,
        userAgent: request?.headers.get('user-agent') ?? null,
      });
      return globalThis.fetch(input, init);
    };
    await client({ apiVersion: '1.1', fetch: recording, userAgent: 'my-app/1.0' }).webhooks.validate('1234567890');
    expect(seen).toHaveLength(2);
    expect(seen.every((attempt) => attempt.request && attempt.userAgent === 'my-app/1.0')).toBe(true);
    const nonces = seen.map((attempt) => /oauth_nonce="([^"]+)"/.exec(attempt.authorization ?? '')?.[1]);
    expect(nonces.every((nonce) => nonce !== undefined)).toBe(true);
    expect(new Set(nonces).size).toBe(2);
  });

  it('a call can turn retries off', async () => {
    server.reply('GET', COUNT_PATH, down, { body: COUNT });
    await expect(client().subscriptions.count({ retry: false })).rejects.toBeInstanceOf(ServerError);
    expect(server.seen(COUNT_PATH)).toHaveLength(1);
  });

  it('retry: false on the client turns retries off', async () => {
    server.reply('GET', COUNT_PATH, down, { body: COUNT });
    await expect(client({ retry: false }).subscriptions.count()).rejects.toBeInstanceOf(ServerError);
    expect(server.seen(COUNT_PATH)).toHaveLength(1);
  });

  it('retries a network error (connection dropped) on an idempotent request', async () => {
    server.reply('GET', COUNT_PATH, { destroy: true }, { body: COUNT });
    await expect(client().subscriptions.count()).resolves.toMatchObject({ subscriptionsCountAll: 3 });
    expect(server.seen(COUNT_PATH)).toHaveLength(2);
  });

  it('a dropped connection on a POST is a ConnectionError with a cause, not retried', async () => {
    server.reply('POST', '/2/webhooks', { destroy: true });
    const error = await client()
      .webhooks.register('https://example.com/w')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).cause).toBeDefined();
    expect(server.seen('/2/webhooks')).toHaveLength(1);
  });

  it('an unreachable host is a ConnectionError after the retries', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const c = client({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await c.subscriptions.count().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('GET /2/account_activity/subscriptions/count');
  });
});

describe('rate limits', () => {
  const headers = (remaining: number, reset: number) => ({
    'x-rate-limit-limit': '450',
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(reset),
  });

  it('is available after a successful call, per operation and overall', async () => {
    const reset = Math.floor(now / 1000) + 600;
    server.reply('GET', COUNT_PATH, { headers: headers(449, reset), body: COUNT });
    server.reply('GET', '/2/webhooks', { headers: headers(10, reset + 1), body: { data: [] } });
    const c = client();
    expect(c.rateLimit()).toBeUndefined();
    await c.subscriptions.count();
    expect(c.rateLimit('subscriptions.count')).toEqual({ limit: 450, remaining: 449, reset: new Date(reset * 1000) });
    await c.webhooks.list();
    expect(c.rateLimit()).toEqual({ limit: 450, remaining: 10, reset: new Date((reset + 1) * 1000) });
    expect(c.rateLimit('subscriptions.count')?.remaining).toBe(449);
    expect(c.rateLimit('replay.start')).toBeUndefined();
  });

  it('a 429 whose x-rate-limit-reset has passed is retried', async () => {
    const reset = Math.floor(Date.now() / 1000) - 1;
    server.reply(
      'GET',
      COUNT_PATH,
      { status: 429, headers: headers(0, reset), body: { errors: [{ code: 88, message: 'Rate limit exceeded' }] } },
      { body: COUNT },
    );
    await expect(client().subscriptions.count()).resolves.toMatchObject({ subscriptionsCountAll: 3 });
    expect(server.seen(COUNT_PATH)).toHaveLength(2);
  });

  it('a 429 whose reset is beyond maxRetryAfter is thrown at once, with the reset time', async () => {
    const reset = Math.floor(Date.now() / 1000) + 900;
    server.reply(
      'GET',
      COUNT_PATH,
      { status: 429, headers: headers(0, reset), body: { errors: [{ code: 88, message: 'Rate limit exceeded' }] } },
      { body: COUNT },
    );
    const error = await client()
      .subscriptions.count()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).rateLimit?.reset).toEqual(new Date(reset * 1000));
    expect((error as RateLimitError).code).toBe(88);
    expect(server.seen(COUNT_PATH)).toHaveLength(1);
  });

  it('retry-after wins: a long retry-after beyond the cap stops retries even on 503', async () => {
    server.reply('GET', COUNT_PATH, { ...down, headers: { 'retry-after': '3600' } }, { body: COUNT });
    await expect(client().subscriptions.count()).rejects.toBeInstanceOf(ServerError);
    expect(server.seen(COUNT_PATH)).toHaveLength(1);
  });

  it('a short retry-after is honoured and retried (on the ky retry path too)', async () => {
    server.reply(
      'GET',
      COUNT_PATH,
      { status: 429, headers: { 'retry-after': '0' }, body: {} },
      { status: 429, headers: { 'retry-after': '0' }, body: {} },
      { body: COUNT },
    );
    await expect(client().subscriptions.count()).resolves.toMatchObject({ subscriptionsCountAll: 3 });
    expect(server.seen(COUNT_PATH)).toHaveLength(3);
  });
});

describe('timeouts and aborts', () => {
  it('a slow answer is a TimeoutError naming the request (client timeout)', async () => {
    server.reply('POST', '/2/webhooks', { delayMs: 300, body: {} });
    const error = await client({ timeout: 40 })
      .webhooks.register('https://example.com/w')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('POST /2/webhooks');
    expect((error as Error).message).toContain('40 ms');
  });

  it('a per-call timeout overrides the client timeout', async () => {
    server.reply('GET', COUNT_PATH, { delayMs: 300, body: COUNT });
    await expect(client({ timeout: 10_000 }).subscriptions.count({ timeout: 40 })).rejects.toBeInstanceOf(TimeoutError);
    expect(server.seen(COUNT_PATH)).toHaveLength(1);
  });

  it('a timeout on a retry attempt (ky path) is a TimeoutError too', async () => {
    server.reply('GET', COUNT_PATH, down, { delayMs: 300, body: COUNT });
    await expect(client({ timeout: 60 }).subscriptions.count()).rejects.toBeInstanceOf(TimeoutError);
    expect(server.seen(COUNT_PATH)).toHaveLength(2);
  });

  it('an answer whose body stalls after the headers is a TimeoutError: the timeout covers the whole answer', async () => {
    const stalling: Server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = stalling.address() as { port: number };
      const error = await client({ baseUrl: `http://127.0.0.1:${port}`, timeout: 60 })
        .subscriptions.count()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toContain('GET /2/account_activity/subscriptions/count');
    } finally {
      stalling.closeAllConnections();
      await new Promise<void>((resolve) => stalling.close(() => resolve()));
    }
  });

  it('an aborted signal rejects with its reason and sends nothing', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(client().subscriptions.count({ signal: controller.signal })).rejects.toBe(reason);
    expect(server.seen(COUNT_PATH)).toHaveLength(0);
  });

  it('aborting during the request rejects with the reason', async () => {
    server.reply('GET', COUNT_PATH, { delayMs: 300, body: COUNT });
    const controller = new AbortController();
    const reason = new Error('stop');
    const promise = client().subscriptions.count({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await expect(promise).rejects.toBe(reason);
  });

  it('aborting during a retry wait rejects with the reason and stops retrying', async () => {
    server.reply('GET', COUNT_PATH, down, { body: COUNT });
    const controller = new AbortController();
    const reason = new Error('stop');
    const c = client({ retry: { baseDelay: 5_000, maxDelay: 5_000 } });
    const promise = c.subscriptions.count({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(promise).rejects.toBe(reason);
    expect(server.seen(COUNT_PATH)).toHaveLength(1);
  });
});
