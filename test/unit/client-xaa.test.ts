// Units of the XAA client: which event types need the user's context, the response schemas of every
// documented envelope (and what they refuse), and the stream engine's bookkeeping that the loopback
// tests cannot reach in a bounded time: the backfill minutes after a long silence (the clock moved,
// not slept), the bounded memory of event keys, a throwing onState, close() before the iteration.
// The stream's byte source here is a real ReadableStream per connection, made in the test.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActivityStream } from '../../src/client/activity-stream.js';
import type { ActivityStreamStateChange } from '../../src/client/activity-stream.js';
import { isPrivateActivityType } from '../../src/client/index.js';
import { parseAnswer } from '../../src/client/schemas.js';
import { InvalidArgumentError, isConnectionError, isXAccountActivityError } from '../../src/errors.js';

describe('isPrivateActivityType', () => {
  it('user context for the private types of X event list, app-only for the others', () => {
    for (const type of [
      'post.mention.create',
      'post.reply.create',
      'post.quote.create',
      'post.repost.create',
      'like.create',
      'dm.received',
      'dm.sent',
      'dm.read',
      'dm.indicate_typing',
      'chat.received',
      'chat.conversation.join',
      'mute.mute',
      'block.unblock',
      'broadcast.chat',
    ]) {
      expect(isPrivateActivityType(type), type).toBe(true);
    }
    for (const type of [
      'post.create',
      'post.delete',
      'profile.update.bio',
      'follow.follow',
      'spaces.start',
      'broadcast.start',
      'news.new',
      'brand.new',
    ]) {
      expect(isPrivateActivityType(type), type).toBe(false);
    }
  });
});

const SUB = { subscription_id: '1', event_type: 'post.create', filter: { user_id: '2' } };

describe('XAA and Filtered-Stream response schemas', () => {
  it('subscription results: all envelopes, optional fields, numbers from strings', () => {
    const ok = (name: Parameters<typeof parseAnswer>[0], body: unknown) => {
      const parsed = parseAnswer(name, body);
      if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
      return parsed.data;
    };
    expect(ok('activitySubscriptionCreated', { data: { subscription: SUB } })).toEqual({
      subscription: {
        id: '1',
        eventType: 'post.create',
        filter: { userId: '2', keyword: undefined, direction: undefined },
        tag: undefined,
        webhookId: undefined,
        createdAt: undefined,
        updatedAt: undefined,
      },
      totalSubscriptions: undefined,
    });
    expect(ok('activitySubscriptionUpdated', { data: { subscription: SUB, total_subscriptions: '9' } })).toMatchObject({
      totalSubscriptions: 9,
    });
    // oauth.revoke-like empty filter, and a filter left out.
    expect(ok('activitySubscriptionCreated', { data: { ...SUB, filter: {} } })).toMatchObject({
      subscription: { filter: { userId: undefined } },
    });
    expect(ok('activitySubscriptionCreated', { data: [{ ...SUB, filter: undefined }] })).toMatchObject({
      subscription: { id: '1' },
    });
    expect(ok('activitySubscriptionPage', { data: [], meta: { next_token: '' } })).toEqual({
      subscriptions: [],
      nextToken: undefined,
      totalSubscriptions: undefined,
      resultCount: undefined,
    });
    expect(ok('activitySubscriptionDeleted', undefined)).toEqual({ deleted: true, totalSubscriptions: undefined });
    expect(ok('activitySubscriptionDeleted', { data: { deleted: false } })).toEqual({
      deleted: false,
      totalSubscriptions: undefined,
    });
    expect(ok('streamLinks', { data: [{ webhook_id: '5', fields: 'tweet.fields=id,expansions=author_id' }] })).toEqual([
      {
        webhookId: '5',
        applicationId: undefined,
        businessUserId: undefined,
        instanceId: undefined,
        fields: ['tweet.fields=id', 'expansions=author_id'],
        createdAt: undefined,
      },
    ]);
    expect(ok('streamRulesChanged', { meta: { sent: 'not a date', summary: { created: '1' } } })).toMatchObject({
      sent: undefined,
      summary: { created: 1 },
    });
  });

  it('refuses the bodies no source documents', () => {
    const bad: [Parameters<typeof parseAnswer>[0], unknown][] = [
      ['activitySubscriptionCreated', { data: { subscription: { event_type: 'post.create' } } }],
      ['activitySubscriptionCreated', { data: [] }],
      ['activitySubscriptionCreated', { data: { subscription: SUB }, meta: { total_subscriptions: -1 } }],
      ['activitySubscriptionPage', { data: {} }],
      ['activitySubscriptionDeleted', { data: {} }],
      ['activitySubscriptionsDeleted', { data: [{ deleted: 'yes' }] }],
      ['streamLinkCreated', { data: {} }],
      ['streamLinks', { data: [{ fields: [] }] }],
      ['streamRulePage', { data: [{ id: '1' }] }],
      ['streamRulesChanged', { data: {} }],
    ];
    for (const [name, body] of bad)
      expect(parseAnswer(name, body).success, `${name} ${JSON.stringify(body)}`).toBe(false);
  });
});

const encoder = new TextEncoder();

/** One connection's bytes: these lines, then the answer ends. */
function body(lines: readonly string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const line of lines) controller.enqueue(encoder.encode(`${line}\r\n`));
      controller.close();
    },
  });
}

const line = (n: number): string =>
  JSON.stringify({
    data: {
      event_uuid: String(n),
      filter: { user_id: '2244994945' },
      event_type: 'profile.update.bio',
      payload: { before: 'a', after: `b${n}` },
    },
  });

/** A stream whose connections answer `connections[i]`, recording each query. */
function scripted(connections: (readonly string[])[], options: ConstructorParameters<typeof ActivityStream>[1] = {}) {
  const queries: Record<string, string>[] = [];
  const states: ActivityStreamStateChange[] = [];
  const stream = new ActivityStream(
    async (query) => {
      queries.push({ ...query });
      const next = connections.shift();
      // stays open, silent
      if (next === undefined) return { body: new ReadableStream<Uint8Array>(), sensitive: [] };
      return { body: body(next), sensitive: [] };
    },
    {
      stallTimeoutMs: 5_000,
      backoff: { networkStepMs: 1, networkMaxMs: 1 },
      onState: (change) => states.push(change),
      ...options,
    },
  );
  return { stream, queries, states };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ActivityStream bookkeeping', () => {
  it('asks for the minutes since the last event, rounded up, capped at 5', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.parse('2026-12-01T12:00:00Z');
    vi.setSystemTime(start);
    // Each `ended` disconnect moves the clock before the reconnect: 2.5 minutes, then 10 more.
    const moves = [150_000, 600_000];
    const { stream, queries } = scripted([[line(1)], [], []], {
      onState: (change) => {
        if (change.state === 'waiting') vi.setSystemTime(Date.now() + (moves.shift() ?? 0));
      },
    });
    const uuids: string[] = [];
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (!first.done && first.value.type === 'profile.update.bio') uuids.push(first.value.eventUuid ?? '');
    // The empty connections pass while the iteration waits for a next event.
    const pending = iterator.next();
    await vi.waitFor(() => expect(queries.length).toBeGreaterThanOrEqual(4), { timeout: 2_000, interval: 1 });
    stream.close();
    expect((await pending).done).toBe(true);
    expect(uuids).toEqual(['1']);
    expect(queries[0]).toEqual({});
    expect(queries[1]?.['backfill_minutes']).toBe('3'); // 2.5 minutes, rounded up
    expect(Number(queries[2]?.['backfill_minutes'])).toBe(5); // 12.5 minutes, capped
  });

  it('remembers at most dedupMaxKeys keys: the oldest are forgotten, the newest still dropped', async () => {
    const { stream } = scripted([[line(1), line(2), line(3)], [line(2), line(3), line(4)], [line(1)]], {
      dedupMaxKeys: 2,
    });
    const uuids: string[] = [];
    for await (const event of stream) {
      if (event.type === 'profile.update.bio') uuids.push(event.eventUuid ?? '');
      if (uuids.length === 5) stream.close();
    }
    // 2 and 3 are remembered and dropped; 1 was forgotten (the memory bound) and comes again.
    expect(uuids).toEqual(['1', '2', '3', '4', '1']);
    expect(stream.stats().duplicates).toBe(2);
  });

  it('a throwing onState does not break the stream; close() before the iteration ends it at once', async () => {
    const { stream } = scripted([[line(1)]], {
      onState: () => {
        throw new Error('listener bug');
      },
    });
    for await (const event of stream) {
      expect(event.type).toBe('profile.update.bio');
      stream.close();
    }
    expect(stream.state).toBe('closed');

    const early = scripted([[line(1)]]);
    early.stream.close();
    const got = [];
    for await (const event of early.stream) got.push(event);
    expect(got).toEqual([]);
    expect(early.queries).toEqual([]);
    expect(early.states.map((s) => s.state)).toEqual(['closed']);
  });

  it('breaking out of the loop closes the connection and the stream', async () => {
    let cancelled = false;
    const stream = new ActivityStream(async () => ({
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(`${line(1)}\n${line(2)}\n`));
        },
        cancel() {
          cancelled = true;
        },
      }),
      sensitive: [],
    }));
    for await (const event of stream) {
      expect(event.type).toBe('profile.update.bio');
      break;
    }
    expect(cancelled).toBe(true);
    expect(stream.state).toBe('closed');
  });

  it('a failure that is not a typed client error ends the iteration as the base error, not a ConnectionError (nothing retried blindly)', async () => {
    const fault = new TypeError('not from the client');
    const stream = new ActivityStream(async () => {
      throw fault;
    });
    const error = await (async () => {
      for await (const _ of stream) {
        // nothing
      }
    })().catch((e: unknown) => e);
    expect((error as Error).name).toBe('XAccountActivityError');
    expect(isXAccountActivityError(error)).toBe(true);
    expect(isConnectionError(error)).toBe(false);
    expect((error as Error).cause).toBe(fault);
    expect(stream.stats().attempts).toBe(1);
  });

  it('options are checked', () => {
    const open = async () => ({ body: new ReadableStream<Uint8Array>(), sensitive: [] });
    expect(() => new ActivityStream(open, { onState: 'log' as never })).toThrow(InvalidArgumentError);
    expect(() => new ActivityStream(open, { signal: {} as never })).toThrow(InvalidArgumentError);
    expect(() => new ActivityStream(open, { connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/);
    expect(() => new ActivityStream(open, { dedupWindowMs: 0 })).toThrow(/dedupWindowMs/);
    expect(() => new ActivityStream(open, 'x' as never)).toThrow(InvalidArgumentError);
  });
});
