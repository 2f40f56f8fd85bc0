// Every documented error answer (spec §1.1, §1.2, §5.2) mapped to the right class, code and reason,
// with the problem fields, the request and the rate-limit headers.
import { describe, expect, it } from 'vitest';
import type { AccountActivityClient } from '../../src/client/index.js';
import {
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  isXApiError,
  NotFoundError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  XApiError,
} from '../../src/errors.js';
import type { XApiErrorReason } from '../../src/errors.js';
import { recordingClient, useRecordingServer } from '../helpers/recording-server.js';

const server = useRecordingServer();

const client = (apiVersion: '2' | '1.1'): AccountActivityClient =>
  recordingClient(server, { apiVersion, retry: false });

async function failure(promise: Promise<unknown>): Promise<XApiError> {
  try {
    await promise;
  } catch (error) {
    expect(isXApiError(error)).toBe(true);
    return error as XApiError;
  }
  throw new Error('expected the call to fail');
}

const now = Date.now();
const window = { from: new Date(now - 3 * 3600_000), to: new Date(now - 3600_000) };

describe('v1.1 error codes', () => {
  const v11 = (code: number, message: string) => ({ errors: [{ code, message }] });
  const REPLAY = '/1.1/account_activity/replay/webhooks/1234567890/subscriptions/all.json';
  const cases: [
    string,
    string,
    string,
    (c: AccountActivityClient) => Promise<unknown>,
    number,
    number,
    typeof XApiError,
  ][] = [
    [
      'E1 214 CRC failure as 403 (docs)',
      'POST',
      '/1.1/account_activity/webhooks.json',
      (c) => c.webhooks.register('https://example.com/w'),
      403,
      214,
      ForbiddenError,
    ],
    [
      'E1 214 CRC failure as 400 (capture)',
      'POST',
      '/1.1/account_activity/webhooks.json',
      (c) => c.webhooks.register('https://example.com/w'),
      400,
      214,
      InvalidRequestError,
    ],
    [
      'E1 261 app cannot write',
      'POST',
      '/1.1/account_activity/webhooks.json',
      (c) => c.webhooks.register('https://example.com/w'),
      403,
      261,
      ForbiddenError,
    ],
    [
      'E3 34 unknown webhook',
      'PUT',
      '/1.1/account_activity/webhooks/1234567890.json',
      (c) => c.webhooks.validate('1234567890'),
      404,
      34,
      NotFoundError,
    ],
    [
      'E5 348 not permitted',
      'POST',
      '/1.1/account_activity/webhooks/1234567890/subscriptions/all.json',
      (c) => c.subscriptions.add('1234567890'),
      401,
      348,
      AuthenticationError,
    ],
    [
      'E7 32 could not authenticate',
      'GET',
      '/1.1/account_activity/webhooks/1234567890/subscriptions/all/list.json',
      (c) => c.subscriptions.list('1234567890'),
      401,
      32,
      AuthenticationError,
    ],
    [
      'E8 32 could not authenticate',
      'GET',
      '/1.1/account_activity/subscriptions/count.json',
      (c) => c.subscriptions.count(),
      401,
      32,
      AuthenticationError,
    ],
    [
      'E9 not subscribed',
      'DELETE',
      '/1.1/account_activity/webhooks/1234567890/subscriptions/20212306/all.json',
      (c) => c.subscriptions.remove('1234567890', '20212306'),
      404,
      34,
      NotFoundError,
    ],
    [
      'E11 214 webhook invalid',
      'POST',
      REPLAY,
      (c) => c.replay.start('1234567890', window),
      400,
      214,
      InvalidRequestError,
    ],
    [
      'E11 357 missing parameter',
      'POST',
      REPLAY,
      (c) => c.replay.start('1234567890', window),
      400,
      357,
      InvalidRequestError,
    ],
    ['E11 358 malformed', 'POST', REPLAY, (c) => c.replay.start('1234567890', window), 400, 358, InvalidRequestError],
    ['E11 360 negative id', 'POST', REPLAY, (c) => c.replay.start('1234567890', window), 400, 360, InvalidRequestError],
    [
      'E11 368 not in the past',
      'POST',
      REPLAY,
      (c) => c.replay.start('1234567890', window),
      400,
      368,
      InvalidRequestError,
    ],
    ['E11 356 window', 'POST', REPLAY, (c) => c.replay.start('1234567890', window), 400, 356, InvalidRequestError],
    [
      'E11 32 3-legged token',
      'POST',
      REPLAY,
      (c) => c.replay.start('1234567890', window),
      401,
      32,
      AuthenticationError,
    ],
    [
      'E11 61 client not permitted',
      'POST',
      REPLAY,
      (c) => c.replay.start('1234567890', window),
      401,
      61,
      AuthenticationError,
    ],
    [
      'E11 200 replay not enabled',
      'POST',
      REPLAY,
      (c) => c.replay.start('1234567890', window),
      403,
      200,
      ForbiddenError,
    ],
    ['E11 34 unknown webhook', 'POST', REPLAY, (c) => c.replay.start('1234567890', window), 404, 34, NotFoundError],
    ['E11 355 job running', 'POST', REPLAY, (c) => c.replay.start('1234567890', window), 409, 355, ConflictError],
    ['E11 88 rate limited', 'POST', REPLAY, (c) => c.replay.start('1234567890', window), 429, 88, RateLimitError],
    ['E11 0 internal', 'POST', REPLAY, (c) => c.replay.start('1234567890', window), 500, 0, ServerError],
    ['E11 67 service down', 'POST', REPLAY, (c) => c.replay.start('1234567890', window), 503, 67, ServerError],
    [
      'E2 99 no access',
      'GET',
      '/1.1/account_activity/webhooks.json',
      (c) => c.webhooks.list(),
      403,
      99,
      ForbiddenError,
    ],
    [
      '89 expired token',
      'GET',
      '/1.1/account_activity/webhooks.json',
      (c) => c.webhooks.list(),
      401,
      89,
      AuthenticationError,
    ],
    ['131 internal', 'GET', '/1.1/account_activity/webhooks.json', (c) => c.webhooks.list(), 500, 131, ServerError],
  ];

  it.each(cases)('%s', async (_name, method, path, run, status, code, ErrorClass) => {
    server.reply(method, path, { status, body: v11(code, 'documented message') });
    const error = await failure(run(client('1.1')));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.reason).toBeUndefined();
    expect(error.errors).toEqual([{ code, message: 'documented message' }]);
    expect(error.request).toEqual({ method, url: expect.stringContaining(`${server.url}${path}`) });
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.message).toContain(`code ${code}`);
  });

  it('an unusual status falls back on the code (420 with code 88 is a RateLimitError)', async () => {
    server.reply('GET', '/1.1/account_activity/webhooks.json', { status: 420, body: v11(88, 'Rate limit exceeded') });
    const error = await failure(client('1.1').webhooks.list());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.status).toBe(420);
  });

  it('410 Gone (endpoint turned off) is a plain XApiError', async () => {
    server.reply('GET', '/1.1/account_activity/webhooks.json', { status: 410, body: 'Gone' });
    const error = await failure(client('1.1').webhooks.list());
    expect(error.constructor).toBe(XApiError);
    expect(error.status).toBe(410);
    expect(error.message).toContain('Gone');
  });
});

describe('v2 reasons and problems', () => {
  const problem = (message: string) => ({
    errors: [{ message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });
  const cases: [XApiErrorReason, string, string, (c: AccountActivityClient) => Promise<unknown>][] = [
    ['CrcValidationFailed', 'POST', '/2/webhooks', (c) => c.webhooks.register('https://example.com/w')],
    ['UrlValidationFailed', 'POST', '/2/webhooks', (c) => c.webhooks.register('https://example.com/w')],
    ['DuplicateUrlFailed', 'POST', '/2/webhooks', (c) => c.webhooks.register('https://example.com/w')],
    ['WebhookLimitExceeded', 'POST', '/2/webhooks', (c) => c.webhooks.register('https://example.com/w')],
    ['WebhookIdInvalid', 'PUT', '/2/webhooks/1234567890', (c) => c.webhooks.validate('1234567890')],
    ['CrcValidationFailed', 'PUT', '/2/webhooks/1234567890', (c) => c.webhooks.validate('1234567890')],
    ['WebhookIdInvalid', 'DELETE', '/2/webhooks/1234567890', (c) => c.webhooks.delete('1234567890')],
    [
      'DuplicateSubscriptionFailed',
      'POST',
      '/2/account_activity/webhooks/1234567890/subscriptions/all',
      (c) => c.subscriptions.add('1234567890'),
    ],
    [
      'SubscriptionLimitExceeded',
      'POST',
      '/2/account_activity/webhooks/1234567890/subscriptions/all',
      (c) => c.subscriptions.add('1234567890'),
    ],
    [
      'WebhookIdInvalid',
      'GET',
      '/2/account_activity/webhooks/1234567890/subscriptions/all',
      (c) => c.subscriptions.check('1234567890'),
    ],
    [
      'WebhookIdInvalid',
      'GET',
      '/2/account_activity/webhooks/1234567890/subscriptions/all/list',
      (c) => c.subscriptions.list('1234567890'),
    ],
    [
      'SubscriptionNotFound',
      'DELETE',
      '/2/account_activity/webhooks/1234567890/subscriptions/20212306/all',
      (c) => c.subscriptions.remove('1234567890', '20212306'),
    ],
    ['QueryParamInvalid', 'POST', '/2/webhooks/replay', (c) => c.replay.start('1234567890', window)],
    ['ReplayConflictError', 'POST', '/2/webhooks/replay', (c) => c.replay.start('1234567890', window)],
    ['CrcValidationFailed', 'POST', '/2/webhooks/replay', (c) => c.replay.start('1234567890', window)],
  ];

  it.each(cases)('%s on %s %s', async (reason, method, path, run) => {
    server.reply(method, path, { status: 400, body: problem(`${reason}: some details`) });
    const error = await failure(run(client('2')));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.status).toBe(400);
    expect(error.reason).toBe(reason);
    expect(error.code).toBeUndefined();
    expect(error.title).toBe('Invalid Request');
    expect(error.detail).toBe('One or more parameters to your request was invalid.');
    expect(error.type).toBe('https://api.twitter.com/2/problems/invalid-request');
    expect(error.message).toContain(`${reason}: some details`);
    // Against real X, a failed CRC names its most frequent cause first.
    if (reason === 'CrcValidationFailed') expect(error.message).toMatch(/another consumer secret than this app/);
  });

  it('the verbatim duplicate-subscription message, also as 409 (third-party reports)', async () => {
    const path = '/2/account_activity/webhooks/1234567890/subscriptions/all';
    server.reply('POST', path, {
      status: 409,
      body: { errors: [{ message: 'DuplicateSubscriptionFailed: Subscription already exists' }] },
    });
    const error = await failure(client('2').subscriptions.add('1234567890'));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.reason).toBe('DuplicateSubscriptionFailed');
  });

  it('RFC 7807 problems inside errors[] (OAS Problem) with the api.x.com type host', async () => {
    server.reply('GET', '/2/account_activity/webhooks/1234567890/subscriptions/all/list', {
      status: 404,
      body: {
        errors: [
          {
            type: 'https://api.x.com/2/problems/resource-not-found',
            title: 'Not Found Error',
            detail: 'Could not find webhook with id: [1234567890].',
            resource_type: 'webhook',
          },
        ],
      },
    });
    const error = await failure(client('2').subscriptions.list('1234567890'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.type).toBe('https://api.x.com/2/problems/resource-not-found');
    expect(error.title).toBe('Not Found Error');
    expect(error.detail).toBe('Could not find webhook with id: [1234567890].');
    expect(error.message).toContain('Could not find webhook');
  });

  it('an undocumented reason prefix leaves reason undefined but keeps the message', async () => {
    server.reply('POST', '/2/webhooks', { status: 400, body: problem('SomethingNew: details') });
    const error = await failure(client('2').webhooks.register('https://example.com/w'));
    expect(error.reason).toBeUndefined();
    expect(error.errors[0]?.message).toBe('SomethingNew: details');
  });

  it('a 200 carrying only errors[] is an XApiError, not a validation error', async () => {
    server.reply('GET', '/2/account_activity/subscriptions/count', {
      status: 200,
      body: {
        errors: [
          { type: 'https://api.x.com/2/problems/not-authorized-for-resource', title: 'Forbidden', detail: 'nope' },
        ],
      },
    });
    const error = await failure(client('2').subscriptions.count());
    expect(error.status).toBe(200);
    expect(error.detail).toBe('nope');
  });

  it('a 429 carries the rate-limit headers', async () => {
    const reset = Math.floor(now / 1000) + 900;
    server.reply('GET', '/2/webhooks', {
      status: 429,
      headers: { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
      body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
    });
    const error = await failure(client('2').webhooks.list());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.rateLimit).toEqual({ limit: 450, remaining: 0, reset: new Date(reset * 1000) });
    expect(error.title).toBe('Too Many Requests');
  });
});

describe('success answers of an undocumented shape', () => {
  it('is a ResponseValidationError naming the field', async () => {
    server.reply('GET', '/2/webhooks', { body: { data: [{ id: 12, url: 'x' }] } });
    const promise = client('2').webhooks.list();
    await expect(promise).rejects.toBeInstanceOf(ResponseValidationError);
    await expect(promise).rejects.toThrow(/data|id/);
  });

  it('a body that is not JSON is a ResponseValidationError', async () => {
    server.reply('GET', '/2/webhooks', { body: '<html>oops</html>' });
    await expect(client('2').webhooks.list()).rejects.toBeInstanceOf(ResponseValidationError);
  });

  it('an invalid created_at is refused', async () => {
    server.reply('POST', '/2/webhooks', {
      body: { data: { id: '1', url: 'https://a.b', valid: true, created_at: 'yesterday' } },
    });
    await expect(client('2').webhooks.register('https://a.b')).rejects.toThrow(/created_at/);
  });
});
