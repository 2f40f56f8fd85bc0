import { describe, expectTypeOf, it } from 'vitest';
import {
  type AAA_TYPES,
  type AccountActivityEvent,
  type ActivityEventOfFamily,
  type FilteredStreamPostEvent,
  type MatchingRule,
  type UserRef,
  type XaaDirectMessageEvent,
  type XaaEvent,
  type ActivityEventOf,
  type ActivityType,
  type ACTIVITY_TYPES,
  type DirectMessageEvent,
  type FavoriteEvent,
  type FollowEvent,
  parseActivity,
  type TweetCreateEvent,
  type TweetKind,
  type UnfollowEvent,
  type UnknownEvent,
} from '../../src/events/index.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';

const handler = createWebhookHandler({ consumerSecret: 'secret' });

describe('the const list drives the union', () => {
  it('ACTIVITY_TYPES, ActivityType and the union discriminants are the same set', () => {
    expectTypeOf<(typeof ACTIVITY_TYPES)[number]>().toEqualTypeOf<ActivityType>();
    expectTypeOf<AccountActivityEvent['type']>().toEqualTypeOf<ActivityType>();
    expectTypeOf<ActivityEventOf<'favorite'>>().toEqualTypeOf<FavoriteEvent>();
    expectTypeOf<ActivityEventOf<'follow' | 'unfollow'>>().toEqualTypeOf<FollowEvent | UnfollowEvent>();
  });
  it('parseActivity returns the union', () => {
    expectTypeOf(parseActivity('{}')).toEqualTypeOf<AccountActivityEvent[]>();
  });
});

describe('listeners may return anything', () => {
  it('arrow functions with a value or a promise of one compile', () => {
    handler.on('favorite', (event) => event.tweet.id);
    handler.on('direct_message', (event) => Promise.resolve({ sent: event.text }));
    handler.onAny(async (event) => event.type);
    handler.onError((error) => error.message);
  });
});

describe('handler.on narrows', () => {
  it('one type', () => {
    handler.on('favorite', (event) => {
      expectTypeOf(event).toEqualTypeOf<FavoriteEvent>();
      expectTypeOf(event.tweet.id).toEqualTypeOf<string>();
      // @ts-expect-error a like has no DM direction
      void event.direction;
    });
    handler.on('direct_message', (event) => {
      expectTypeOf(event.direction).toEqualTypeOf<'sent' | 'received'>();
      expectTypeOf(event).toEqualTypeOf<DirectMessageEvent>();
    });
  });
  it('several types narrow to their union', () => {
    handler.on(['follow', 'unfollow'], (event) => {
      expectTypeOf(event).toEqualTypeOf<FollowEvent | UnfollowEvent>();
      expectTypeOf(event.type).toEqualTypeOf<'follow' | 'unfollow'>();
      expectTypeOf(event.bySubscribedUser).toEqualTypeOf<boolean>();
    });
  });
  it('refuses unknown type names', () => {
    // @ts-expect-error not a discriminant
    handler.on('unfollow_events', () => undefined);
    // @ts-expect-error not a discriminant
    handler.on(['follow', 'like'], () => undefined);
  });
});

describe('fields', () => {
  it('ids are strings; numeric ids are never number', () => {
    expectTypeOf<TweetCreateEvent['id']>().toEqualTypeOf<string>();
    expectTypeOf<TweetCreateEvent['raw']['id']>().not.toEqualTypeOf<number>();
    expectTypeOf<TweetCreateEvent['raw']['id']>().toEqualTypeOf<unknown>();
    expectTypeOf<TweetCreateEvent['raw']['user']['id']>().toEqualTypeOf<unknown>();
    expectTypeOf<TweetCreateEvent['raw']['id_str']>().toEqualTypeOf<string>();
    expectTypeOf<TweetCreateEvent['kinds']>().toEqualTypeOf<readonly TweetKind[]>();
    expectTypeOf<TweetCreateEvent['userHasBlocked']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<TweetCreateEvent['createdAt']>().toEqualTypeOf<Date>();
    expectTypeOf<TweetCreateEvent['forUserId']>().toEqualTypeOf<string>();
    expectTypeOf<ActivityEventOf<'user_revoke'>['forUserId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<UnknownEvent['raw']>().toEqualTypeOf<unknown>();
  });
});

describe('an exhaustive switch over event.type compiles', () => {
  it('every branch, then never', () => {
    const describeEvent = (event: AccountActivityEvent): string => {
      if (event.family === 'xaa' || event.family === 'filtered_stream') return event.type;
      switch (event.type) {
        case 'tweet_create':
          return event.fullText;
        case 'favorite':
          return event.id;
        case 'follow':
        case 'unfollow':
        case 'block':
        case 'unblock':
        case 'mute':
        case 'unmute':
          return event.target.id;
        case 'user_revoke':
          return event.appId;
        case 'direct_message':
          return event.text;
        case 'direct_message_typing':
          return event.senderId;
        case 'direct_message_read':
          return event.lastReadEventId;
        case 'tweet_delete':
          return event.tweetId;
        case 'replay_job_status':
          return event.jobState;
        case 'unknown':
          return event.reason;
        default: {
          const exhaustive: never = event;
          return exhaustive;
        }
      }
    };
    expectTypeOf(describeEvent).returns.toEqualTypeOf<string>();
  });
  it('a missing case does not compile', () => {
    const partial = (event: AccountActivityEvent): string => {
      switch (event.type) {
        case 'tweet_create':
          return event.id;
        default: {
          // @ts-expect-error favorite and the others are not handled
          const exhaustive: never = event;
          return String(exhaustive);
        }
      }
    };
    expectTypeOf(partial).parameter(0).toEqualTypeOf<AccountActivityEvent>();
  });
});

describe('XAA and Filtered Stream', () => {
  it('on() narrows by XAA type, and a typo does not compile', () => {
    handler.on('post.create', (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'post.create'>();
      expectTypeOf(event.family).toEqualTypeOf<'xaa'>();
      expectTypeOf(event.author).toEqualTypeOf<UserRef | undefined>();
      expectTypeOf(event.eventUuid).toEqualTypeOf<string | undefined>();
    });
    handler.on(['tweet_create', 'post.mention.create'], (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'tweet_create' | 'post.mention.create'>();
    });
    handler.on('profile.update.handle', (event) => {
      expectTypeOf(event.field).toEqualTypeOf<'handle'>();
    });
    handler.on('filtered_stream.post', (event) => {
      expectTypeOf(event.matchingRules).toEqualTypeOf<readonly MatchingRule[]>();
    });
    // @ts-expect-error a typo in an XAA type
    handler.on('post.created', () => undefined);
    // @ts-expect-error the AAA-style name is not an XAA type
    handler.on('chat_received', () => undefined);
  });
  it('onFamily narrows to the family union, unknown included', () => {
    handler.onFamily('xaa', (event) => {
      expectTypeOf(event).toEqualTypeOf<ActivityEventOfFamily<'xaa'>>();
      expectTypeOf(event.family).toEqualTypeOf<'xaa'>();
      if (event.type === 'unknown') expectTypeOf(event.eventType).toEqualTypeOf<string | undefined>();
      else expectTypeOf(event).toEqualTypeOf<XaaEvent>();
    });
    handler.onFamily('filtered_stream', (event) => {
      if (event.type !== 'unknown') expectTypeOf(event).toEqualTypeOf<FilteredStreamPostEvent>();
    });
    handler.onFamily('aaa', (event) => {
      if (event.type !== 'unknown') expectTypeOf(event.type).toEqualTypeOf<(typeof AAA_TYPES)[number]>();
    });
    // @ts-expect-error not a family
    handler.onFamily('xa', () => undefined);
  });
  it('ActivityEventOf works for XAA types', () => {
    expectTypeOf<ActivityEventOf<'dm.received'>>().toEqualTypeOf<XaaDirectMessageEvent<'dm.received'>>();
    expectTypeOf<ActivityEventOf<'oauth.revoke'>['userId']>().toEqualTypeOf<string>();
  });
  it('an exhaustive switch over families compiles, and a missing family does not', () => {
    const byFamily = (event: AccountActivityEvent): string => {
      switch (event.family) {
        case 'aaa':
          return 'aaa';
        case 'xaa':
          return event.type === 'unknown' ? (event.eventType ?? '') : event.type;
        case 'filtered_stream':
          return 'fs';
        case undefined:
          return 'none';
        default: {
          const exhaustive: never = event;
          return exhaustive;
        }
      }
    };
    const partial = (event: AccountActivityEvent): string => {
      if (event.type === 'unknown') return '';
      switch (event.family) {
        case 'aaa':
        case 'xaa':
          return event.type;
        default: {
          // @ts-expect-error filtered_stream is not handled
          const exhaustive: never = event;
          return exhaustive;
        }
      }
    };
    expectTypeOf(byFamily).returns.toEqualTypeOf<string>();
    expectTypeOf(partial).returns.toEqualTypeOf<string>();
  });
});
