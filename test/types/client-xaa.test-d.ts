// The XAA client's public types: event types autocomplete and still accept new strings, a filter is
// a user or a keyword (not both), the stream yields the typed XAA union, results are camelCase.
import { describe, expectTypeOf, it } from 'vitest';
import {
  AccountActivityClient,
  type ActivityEventType,
  type ActivityStream,
  type ActivityStreamEvent,
  type ActivitySubscription,
  type ActivitySubscriptionInput,
  type ActivitySubscriptionsDeletion,
  type StreamRulesResult,
} from '../../src/client/index.js';
import type { UnknownEvent, XaaEvent, XaaType } from '../../src/events/index.js';

const client = new AccountActivityClient({ bearerToken: 'token' });

describe('XAA client types', () => {
  it('event types: every XaaType, and any other string', () => {
    expectTypeOf<XaaType>().toMatchTypeOf<ActivityEventType>();
    expectTypeOf<'some.future_type'>().toMatchTypeOf<ActivityEventType>();
    expectTypeOf<{
      eventType: 'like.create';
      filter: { userId: string; direction: 'inbound' };
    }>().toMatchTypeOf<ActivitySubscriptionInput>();
  });

  it('a filter is a user or a keyword, not both', () => {
    expectTypeOf<{ eventType: 'news.new'; filter: { keyword: string } }>().toMatchTypeOf<ActivitySubscriptionInput>();
    expectTypeOf<{
      eventType: 'post.create';
      filter: { userId: string; keyword: string };
    }>().not.toMatchTypeOf<ActivitySubscriptionInput>();
    expectTypeOf<{
      eventType: 'post.create';
      filter: Record<string, never>;
    }>().not.toMatchTypeOf<ActivitySubscriptionInput>();
  });

  it('results and the stream', () => {
    expectTypeOf(client.activity.subscriptions.list()).toEqualTypeOf<AsyncIterable<ActivitySubscription>>();
    expectTypeOf(
      client.activity.subscriptions.deleteMany(['1']),
    ).resolves.toEqualTypeOf<ActivitySubscriptionsDeletion>();
    expectTypeOf(client.streamRules.add([{ value: 'a' }])).resolves.toEqualTypeOf<StreamRulesResult>();
    expectTypeOf(client.activity.stream()).toEqualTypeOf<ActivityStream>();
    expectTypeOf<ActivityStreamEvent>().toEqualTypeOf<XaaEvent | UnknownEvent>();
    expectTypeOf<ActivitySubscription['filter']['userId']>().toEqualTypeOf<string | undefined>();
  });
});
