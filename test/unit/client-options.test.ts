// Option and argument validation (before any request), retry delays, and error-body parsing.
import { describe, expect, it } from 'vitest';
import { AccountActivityClient } from '../../src/client/index.js';
import type { AccountActivityClientOptions } from '../../src/client/index.js';
import { parseErrorBody, reasonOf } from '../../src/client/errors-map.js';
import { normalizeRetry, retryDelay } from '../../src/client/http.js';
import { InvalidArgumentError } from '../../src/errors.js';

const noFetch: typeof fetch = async () => {
  throw new Error('no request may be sent');
};
const base = { consumerKey: 'ck', consumerSecret: 'cs', fetch: noFetch };

describe('client options', () => {
  it.each([
    ['no credentials', {}, /needs credentials/],
    ['key without secret', { consumerKey: 'ck' }, /`consumerKey` and `consumerSecret` together/],
    ['token without secret', { ...base, accessToken: 'a' }, /`accessToken` and `accessTokenSecret` together/],
    ['tokens without consumer', { bearerToken: 'b', accessToken: 'a', accessTokenSecret: 's' }, /need `consumerKey`/],
    ['empty string', { ...base, bearerToken: '' }, /`bearerToken` must be a non-empty string/],
    ['bad version', { ...base, apiVersion: '3' }, /`apiVersion` must be '2' or '1.1'/],
    ['bad baseUrl', { ...base, baseUrl: 'ftp://x' }, /`baseUrl` must be an http\(s\) URL/],
    ['baseUrl with query', { ...base, baseUrl: 'https://x?y=1' }, /without a query/],
    ['bad timeout', { ...base, timeout: 0 }, /`timeout` must be a number of milliseconds above 0/],
    ['bad retry limit', { ...base, retry: { limit: -1 } }, /retry.limit/],
    ['bad retry delay', { ...base, retry: { baseDelay: Number.NaN } }, /retry.baseDelay/],
    ['bad fetch', { ...base, fetch: 'nope' }, /`fetch` must be a function/],
  ])('refuses %s', (_name, options, message) => {
    expect(() => new AccountActivityClient(options as unknown as AccountActivityClientOptions)).toThrow(message);
  });

  it('defaults: v2 on https://api.x.com, trailing slashes dropped', () => {
    expect(new AccountActivityClient(base).toJSON()).toEqual({ apiVersion: '2', baseUrl: 'https://api.x.com' });
    expect(new AccountActivityClient({ ...base, baseUrl: 'http://127.0.0.1:9/' }).baseUrl).toBe('http://127.0.0.1:9');
  });
});

describe('arguments are checked before any request', () => {
  const client = new AccountActivityClient({ ...base, accessToken: 'a', accessTokenSecret: 's' });
  it.each([
    ['webhook id not numeric', () => client.webhooks.validate('abc'), /`webhookId` must be a numeric id string/],
    ['webhook id a number', () => client.webhooks.delete(123 as unknown as string), /numeric id string/],
    ['user id too long', () => client.subscriptions.remove('1', '12345678901234567890'), /`userId`/],
    ['url too long', () => client.webhooks.register(`https://e.com/${'a'.repeat(200)}`), /1 to 200 characters/],
    ['url not absolute', () => client.webhooks.register('/webhook'), /not an absolute URL/],
    ['url not http(s)', () => client.webhooks.register('ftp://e.com/w'), /https/],
    ['bad user credentials', () => client.subscriptions.add('1', { accessToken: 'x' } as never), /`user` must be/],
    ['bad timeout', () => client.subscriptions.count({ timeout: -1 }), /`timeout`/],
    ['unknown rate-limit operation', async () => client.rateLimit('nope' as never), /unknown operation/],
  ])('%s', async (_name, run, message) => {
    await expect(run()).rejects.toThrow(message);
    await expect(run()).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('names the missing credentials of an operation', async () => {
    const bearerOnly = new AccountActivityClient({ bearerToken: 'b', apiVersion: '1.1', fetch: noFetch });
    await expect(bearerOnly.webhooks.register('https://e.com/w')).rejects.toThrow(
      /OAuth 1.0a: give the client `consumerKey`/,
    );
    const noOwner = new AccountActivityClient({ ...base, apiVersion: '1.1' });
    await expect(noOwner.webhooks.delete('1')).rejects.toThrow(/app owner's `accessToken` and `accessTokenSecret`/);
    await expect(noOwner.subscriptions.add('1')).rejects.toThrow(/or pass the subscribing user's credentials/);
  });
});

describe('retryDelay', () => {
  const policy = normalizeRetry({ baseDelay: 100, maxDelay: 1000, maxRetryAfter: 5000 });
  const NOW = 1_700_000_000_000;
  const h = (init: Record<string, string>) => new Headers(init);

  it('backs off exponentially up to maxDelay', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(503, h({}), n, policy, NOW))).toEqual([100, 200, 400, 800, 1000]);
    expect(retryDelay(undefined, undefined, 2, policy, NOW)).toBe(200);
  });

  it('only retries 429 and 5xx', () => {
    expect(retryDelay(400, h({}), 1, policy, NOW)).toBeUndefined();
    expect(retryDelay(404, h({}), 1, policy, NOW)).toBeUndefined();
    expect(retryDelay(429, h({}), 1, policy, NOW)).toBe(100);
  });

  it('honours retry-after in seconds and as an HTTP date, capped by maxRetryAfter', () => {
    expect(retryDelay(503, h({ 'retry-after': '2' }), 1, policy, NOW)).toBe(2000);
    expect(retryDelay(429, h({ 'retry-after': new Date(NOW + 3000).toUTCString() }), 1, policy, NOW)).toBe(3000);
    expect(retryDelay(429, h({ 'retry-after': '6' }), 1, policy, NOW)).toBeUndefined();
  });

  it('honours x-rate-limit-reset (epoch seconds) on 429', () => {
    expect(retryDelay(429, h({ 'x-rate-limit-reset': String(NOW / 1000 + 4) }), 1, policy, NOW)).toBe(4000);
    expect(retryDelay(429, h({ 'x-rate-limit-reset': String(NOW / 1000 - 4) }), 1, policy, NOW)).toBe(0);
    expect(retryDelay(429, h({ 'x-rate-limit-reset': String(NOW / 1000 + 900) }), 1, policy, NOW)).toBeUndefined();
  });

  it('retry: false means no retries', () => {
    expect(normalizeRetry(false).limit).toBe(0);
    expect(normalizeRetry(undefined)).toEqual({
      limit: 2,
      retryPost: false,
      baseDelay: 500,
      maxDelay: 10_000,
      maxRetryAfter: 60_000,
    });
  });
});

describe('error bodies', () => {
  it('reads the reason prefix of v2 messages', () => {
    expect(reasonOf('CrcValidationFailed: no')).toBe('CrcValidationFailed');
    expect(reasonOf('WebhookIdInvalid')).toBe('WebhookIdInvalid');
    expect(reasonOf('Something: else')).toBeUndefined();
  });

  it('reads v1.1, v2 and problem shapes', () => {
    expect(parseErrorBody({ errors: [{ code: 34, message: 'x' }] }).errors).toEqual([{ code: 34, message: 'x' }]);
    expect(parseErrorBody({ errors: 'plain' }).errors).toEqual([{ message: 'plain' }]);
    expect(parseErrorBody({ error: 'old style' }).errors).toEqual([{ message: 'old style' }]);
    expect(parseErrorBody({ title: 't', detail: 'd', type: 'u' })).toEqual({
      errors: [],
      title: 't',
      detail: 'd',
      type: 'u',
    });
    expect(parseErrorBody('not json').errors).toEqual([]);
  });
});
