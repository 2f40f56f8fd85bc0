// The client's response schemas (zod/mini): every documented variant accepted, and issue messages in
// zod's English whatever locale the application configured for its own zod.
import { afterEach, describe, expect, it } from 'vitest';
import { fr } from 'zod/locales';
import * as z from 'zod/mini';
import { describeIssues } from '../../src/client/client.js';
import { clientSchemas, parseResponse } from '../../src/client/schemas.js';
import type { ClientSchemas, ResponseSchema } from '../../src/client/schemas.js';

const CREATED = '2016-06-02T23:54:02Z';
const webhook = { id: '1', url: 'https://a.b/w', valid: true, created_at: CREATED };
const camelWebhook = { id: '1', url: 'https://a.b/w', valid: true, createdAt: new Date(CREATED) };
const job = { job_id: '7', created_at: '2016-06-02 23:54:02 +0000' };

const schema = (name: keyof ClientSchemas): ResponseSchema<unknown> => clientSchemas()[name];

function ok(name: keyof ClientSchemas, body: unknown): unknown {
  const result = parseResponse(schema(name), body);
  if (!result.success)
    throw new Error(`${name} refused ${JSON.stringify(body)}: ${describeIssues(result.error.issues)}`);
  return result.data;
}

function issues(name: keyof ClientSchemas, body: unknown): string {
  const result = parseResponse(schema(name), body);
  if (result.success) throw new Error(`${name} accepted ${JSON.stringify(body)}`);
  return describeIssues(result.error.issues);
}

describe('documented variants', () => {
  it.each([
    ['registerWebhook', { data: webhook }, camelWebhook],
    ['registerWebhook', webhook, camelWebhook],
    ['listWebhooks', { data: [webhook], meta: { result_count: 1 } }, [camelWebhook]],
    ['listWebhooks', { meta: { result_count: 0 } }, []],
    ['listWebhooks', [webhook], [camelWebhook]],
    ['validateWebhook', undefined, { attempted: true, valid: true }],
    ['validateWebhook', { data: { valid: false } }, { attempted: true, valid: false }],
    ['validateWebhook', { data: { attempted: true } }, { attempted: true, valid: undefined }],
    ['deleteWebhook', undefined, undefined],
    ['deleteWebhook', { data: { deleted: true } }, undefined],
    ['addSubscription', { data: { subscribed: true } }, undefined],
    ['checkSubscription', undefined, true],
    ['checkSubscription', { data: { subscribed: false } }, false],
    ['removeSubscription', { data: { subscribed: false } }, undefined],
    ['removeSubscription', undefined, undefined],
    [
      'subscriptionCount',
      {
        data: {
          account_name: 'a',
          subscriptions_count_all: '3',
          subscriptions_count_direct_messages: '0',
          provisioned_count: '50',
        },
      },
      { accountName: 'a', subscriptionsCountAll: 3, subscriptionsCountDirectMessages: 0, provisionedCount: 50 },
    ],
    [
      'subscriptionCount',
      { subscriptions_count_all: 2 },
      {
        accountName: undefined,
        subscriptionsCountAll: 2,
        subscriptionsCountDirectMessages: 0,
        provisionedCount: undefined,
      },
    ],
    ['replayJob', { data: job }, { jobId: '7', createdAt: new Date(CREATED) }],
    ['replayJob', job, { jobId: '7', createdAt: new Date(CREATED) }],
    ['replayJob', { for_user_id: '9', replay_event: job }, { jobId: '7', createdAt: new Date(CREATED) }],
    [
      'sentDirectMessage',
      { data: { dm_conversation_id: '1-2', dm_event_id: '3' } },
      { conversationId: '1-2', eventId: '3' },
    ],
  ] as const)('%s accepts %j', (name, body, expected) => {
    expect(ok(name, body)).toEqual(expected);
  });

  it('keeps the subscription list raw (the client fills in the webhook id)', () => {
    expect(ok('listSubscriptions', { data: { webhook_id: '1', subscriptions: [{ user_id: '2' }] } })).toEqual({
      webhook_id: '1',
      subscriptions: [{ user_id: '2' }],
    });
  });

  it('reads a bearer token answer', () => {
    expect(ok('bearerToken', { token_type: 'Bearer', access_token: 'AAAA%2FBBB' })).toBe('AAAA%2FBBB');
    expect(issues('bearerToken', { token_type: 'mac', access_token: 'x' })).toBe(
      'token_type: token_type is not "bearer"',
    );
  });
});

describe('issue messages', () => {
  const expected: readonly (readonly [keyof ClientSchemas, unknown, string])[] = [
    [
      'registerWebhook',
      { data: { id: '1', url: 'x', valid: true } },
      'data.created_at: Invalid input: expected string, received undefined',
    ],
    ['registerWebhook', { data: { ...webhook, created_at: 'yesterday' } }, 'data.created_at: not a date: "yesterday"'],
    [
      'subscriptionCount',
      { data: { subscriptions_count_all: '1.5' } },
      'data.subscriptions_count_all: Invalid input: expected number, received string; data.subscriptions_count_all: not a count',
    ],
    [
      'validateWebhook',
      { data: {} },
      'data.valid: Invalid input: expected boolean, received undefined; data.attempted: Invalid input: expected boolean, received undefined',
    ],
  ];

  const saved = { ...z.config() };
  afterEach(() => {
    z.config({ localeError: saved.localeError, customError: saved.customError });
  });

  it.each(expected)('%s: %j', (name, body, message) => {
    expect(issues(name, body)).toBe(message);
  });

  it('read as zod English for every kind of issue the messages cover, and "Invalid input" otherwise', () => {
    const message = (schema: ResponseSchema<unknown>, data: unknown): string => {
      const result = parseResponse(schema, data);
      return result.success ? 'accepted' : describeIssues(result.error.issues).replace('(body): ', '');
    };
    expect(message(z.null(), [])).toBe('Invalid input: expected null, received array');
    expect(message(z.number(), Number.NaN)).toBe('Invalid input: expected number, received NaN');
    expect(message(z.literal('x'), 'y')).toBe('Invalid input: expected "x"');
    expect(message(z.literal(['a', 1]), 'b')).toBe('Invalid option: expected one of "a"|1');
    expect(message(z.number().check(z.minimum(0)), -1)).toBe('Too small: expected number to be >=0');
    expect(message(z.number().check(z.lt(5)), 5)).toBe('Too big: expected number to be <5');
    expect(message(z.string().check(z.minLength(2)), 'a')).toBe('Too small: expected string to have >=2 characters');
    expect(message(z.array(z.string()).check(z.maxLength(1)), ['a', 'b'])).toBe(
      'Too big: expected array to have <=1 items',
    );
    expect(message(z.string().check(z.regex(/^\d+$/)), 'a')).toBe('Invalid regex');
    expect(message(z.string().check(z.refine(() => false)), 'a')).toBe('Invalid input');
  });

  it('stay in English when the application configured another locale for zod', () => {
    z.config(fr());
    for (const [name, body, message] of expected) expect(issues(name, body)).toBe(message);
  });
});
