import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidPayloadError } from '../../src/errors.js';
import {
  type AccountActivityEvent,
  type ActivityEventOf,
  type ActivityIssue,
  type ActivityType,
  ACTIVITY_TYPES,
  parseActivity,
  parseActivityDetailed,
} from '../../src/events/index.js';

const dir = join(import.meta.dirname, '../fixtures/events');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');

/** Parses a fixture (as JSON text, like a real delivery) and checks that nothing was reported. */
function parseClean(name: string): AccountActivityEvent[] {
  const { events, issues } = parseActivityDetailed(fixture(name));
  expect(issues).toEqual([]);
  return events;
}

function one<T extends ActivityType>(name: string, type: T): ActivityEventOf<T> {
  const events = parseClean(name);
  expect(events).toHaveLength(1);
  const [event] = events;
  expect(event?.type).toBe(type);
  return event as ActivityEventOf<T>;
}

describe('parseActivity: every fixture', () => {
  const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  it.each(names)('%s parses without throwing, as known types', (name) => {
    const events = parseActivity(fixture(name));
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(ACTIVITY_TYPES).toContain(event.type);
    if (name !== 'unknown-key.json') expect(events.every((e) => e.type !== 'unknown')).toBe(true);
  });
  it('accepts text, bytes and parsed objects alike', () => {
    const text = fixture('favorite-of-user.json');
    const a = parseActivity(text);
    const b = parseActivity(new TextEncoder().encode(text));
    const c = parseActivity(Buffer.from(text));
    const d = parseActivity(JSON.parse(text) as object);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(d).toEqual(a);
  });
});

describe('tweet_create_events', () => {
  it('keeps ids beyond 2^53 exact, from id_str', () => {
    const event = one('tweet-post-by-user.json', 'tweet_create');
    expect(event.id).toBe('1924465506158878979');
    expect(event.author.id).toBe('2244994945');
    // JSON.parse rounded the numeric id; the SDK never uses it.
    expect(event.raw.id).toBe(1924465506158879000);
    expect(String(event.raw.id)).not.toBe(event.id);
    expect(event.forUserId).toBe('2244994945');
    expect(event.createdAt).toBeInstanceOf(Date);
    expect(event.createdAt.getTime()).toBe(Number(event.raw.timestamp_ms));
    expect(event.text).toBe('Hello from the subscribed account');
    expect(event.fullText).toBe(event.text);
    expect(event.userHasBlocked).toBeUndefined();
    expect(event.raw.source).toContain('X Web App');
  });

  it('reads user_has_blocked as a string, a boolean, or is_blocked_by', () => {
    expect(one('tweet-mention-string-blocked.json', 'tweet_create').userHasBlocked).toBe(false);
    expect(one('tweet-mention-boolean-blocked.json', 'tweet_create').userHasBlocked).toBe(true);
    expect(one('tweet-mention-is-blocked-by.json', 'tweet_create').userHasBlocked).toBe(true);
    expect(one('tweet-reply-to-user.json', 'tweet_create').userHasBlocked).toBe(false);
  });

  it('exposes the full text of a longform post whatever the shape', () => {
    const event = one('tweet-longform-mention.json', 'tweet_create');
    expect(event.raw.truncated).toBe(true);
    expect(event.text.length).toBeLessThan(event.fullText.length);
    expect(event.fullText).toBe(event.raw.extended_tweet?.full_text);
    expect(event.kinds).toEqual(['mention']); // the mention is only in extended_tweet.entities
    const restShape = parseActivity({
      for_user_id: '1',
      tweet_create_events: [
        {
          id_str: '5',
          full_text: 'only full_text',
          created_at: 'Mon Mar 26 16:30:00 +0000 2018',
          user: { id_str: '2' },
        },
      ],
    })[0] as ActivityEventOf<'tweet_create'>;
    expect(restShape.type).toBe('tweet_create');
    expect(restShape.text).toBe('only full_text');
    expect(restShape.fullText).toBe('only full_text');
    expect(restShape.createdAt.toISOString()).toBe('2018-03-26T16:30:00.000Z');
  });

  it('normalises edit metadata in the enterprise, v1.1 and v2 formats', () => {
    const enterprise = one('tweet-edit-enterprise.json', 'tweet_create').edit;
    const v11 = one('tweet-edit-v11.json', 'tweet_create').edit;
    const v2 = one('tweet-edit-v2.json', 'tweet_create').edit;
    const chain = ['1557433858676740098', '1557445923210514432'];
    expect(enterprise).toEqual({
      format: 'enterprise',
      initialTweetId: '1557433858676740098',
      editTweetIds: chain,
      isEdit: true,
      editableUntil: new Date(1660155761384),
      editsRemaining: 4,
      editable: true,
    });
    expect(v11).toEqual({ ...enterprise, format: 'v1.1', editsRemaining: 3 });
    expect(v2).toEqual({ ...enterprise, format: 'v2', editsRemaining: 3 });
    const neverEdited = one('tweet-post-by-user.json', 'tweet_create').edit;
    expect(neverEdited?.isEdit).toBe(false);
    expect(neverEdited?.editTweetIds).toEqual(['1924465506158878979']);
    expect(one('tweet-quote-by-user.json', 'tweet_create').edit).toBeUndefined();
  });

  it('yields one event per element of a multi-event array, in order', () => {
    const events = parseClean('tweet-multi.json');
    expect(events.map((e) => (e.type === 'tweet_create' ? e.id : e.type))).toEqual([
      '1924465506158879009',
      '1924465506158879011',
    ]);
  });
});

describe('favorite_events', () => {
  it('likes of the user, with a numeric timestamp_ms', () => {
    const event = one('favorite-of-user.json', 'favorite');
    expect(event.id).toBe('a7ba59eab0bfcba386f7acedac279542');
    expect(event.createdAt.getTime()).toBe(1522082006140);
    expect(event.user.screenName).toBe('furiouscamper');
    expect(event.tweet.author.id).toBe('2244994945');
    expect(event.tweet.id).toBe('1924465506158878995');
    expect(event.bySubscribedUser).toBe(false);
  });
  it('likes by the user, and a string timestamp_ms', () => {
    expect(one('favorite-by-user.json', 'favorite').bySubscribedUser).toBe(true);
    expect(one('favorite-string-timestamp.json', 'favorite').createdAt.getTime()).toBe(1522082006140);
  });
});

describe('follow_events, block_events, mute_events', () => {
  it.each([
    ['follow-by-user.json', 'follow', true],
    ['follow-of-user.json', 'follow', false],
    ['unfollow-by-user.json', 'unfollow', true],
    ['block-by-user.json', 'block', true],
    ['unblock-by-user.json', 'unblock', true],
    ['mute-by-user.json', 'mute', true],
    ['unmute-by-user.json', 'unmute', true],
  ] as const)('%s is a %s (bySubscribedUser %s)', (name, type, by) => {
    const event = one(name, type);
    expect(event.bySubscribedUser).toBe(by);
    expect(event.createdAt.getTime()).toBe(1517588749178);
    expect(typeof event.source.id).toBe('string');
    expect(event.source.screenName).toBe(by ? 'XDevelopers' : 'furiouscamper');
    expect(event.raw.source.profile_link_color).toBe(-1);
  });
  it('splits a mixed array of follows and unfollows', () => {
    expect(parseClean('follow-multi-mixed.json').map((e) => e.type)).toEqual(['follow', 'unfollow']);
  });
  it('accepts a numeric created_timestamp and the documentation-only unfollow_events key', () => {
    expect(one('follow-numeric-timestamp.json', 'follow').createdAt.getTime()).toBe(1517588749180);
    expect(one('unfollow-doc-key.json', 'unfollow').target.id).toBe('3001969357');
  });
  it('refuses an inner type from another family, as unknown with the reason', () => {
    const { events, issues } = parseActivityDetailed({
      for_user_id: '1',
      mute_events: [{ type: 'block', created_timestamp: '1', source: { id: '1' }, target: { id: '2' } }],
    });
    expect(events[0]).toMatchObject({ type: 'unknown', key: 'mute_events', index: 0 });
    expect((events[0] as ActivityEventOf<'unknown'>).reason).toContain('"block"');
    expect(issues).toHaveLength(1);
  });
});

describe('user_event, replay_job_status, tweet_delete_events', () => {
  it('a revoke has no for_user_id in the documented sample', () => {
    const event = one('user-event-revoke.json', 'user_revoke');
    expect(event).toMatchObject({ forUserId: undefined, userId: '63046977', appId: '13090192' });
    expect(event.createdAt.toISOString()).toBe('2018-05-24T09:48:12.000Z');
    expect(one('user-event-revoke-with-for-user-id.json', 'user_revoke').forUserId).toBe('63046977');
  });
  it('replay job status, complete and incomplete', () => {
    const done = one('replay-complete.json', 'replay_job_status');
    expect(done).toMatchObject({ forUserId: undefined, jobId: '1095098195724558337', complete: true });
    const failed = one('replay-incomplete.json', 'replay_job_status');
    expect(failed).toMatchObject({ jobState: 'Incomplete', complete: false, webhookId: '123451374207332352' });
  });
  it('tweet deletes', () => {
    const event = one('tweet-delete.json', 'tweet_delete');
    expect(event).toMatchObject({ tweetId: '1045405559317569537', userId: '930524282358325248' });
    expect(event.createdAt.getTime()).toBe(1432228155593);
  });
});

describe('direct message families', () => {
  it('resolves sender, recipient and app from the side maps', () => {
    const event = one('dm-received-via-app.json', 'direct_message');
    expect(event).toMatchObject({ id: '954491830116155396', senderId: '3001969357', recipientId: '4337869213' });
    expect(event.direction).toBe('received');
    expect(event.bySubscribedUser).toBe(false);
    expect(event.text).toBe('Hello World!');
    expect(event.sender?.screenName).toBe('furiouscamper');
    expect(event.sender?.createdAt?.getTime()).toBe(1422556069340);
    expect(event.recipient?.raw['profile_image_url']).toBe('null');
    expect(event.app).toMatchObject({ id: '13090192', name: 'FuriousCamperTestApp1' });
  });
  it('a sent DM without app attribution has no app', () => {
    const event = one('dm-sent-no-app.json', 'direct_message');
    expect(event.direction).toBe('sent');
    expect(event.bySubscribedUser).toBe(true);
    expect(event.sourceAppId).toBeUndefined();
    expect(event.app).toBeUndefined();
  });
  it('several messages resolve against the single users map; quick replies are kept raw', () => {
    const events = parseClean('dm-multi-quick-reply.json') as ActivityEventOf<'direct_message'>[];
    expect(events.map((e) => e.direction)).toEqual(['received', 'sent']);
    expect(events[1]?.sender).toBe(events[0]?.recipient);
    expect(events[1]?.raw.message_create.message_data['quick_reply_response']).toEqual({
      type: 'options',
      metadata: 'option_a',
    });
  });
  it('missing users and apps maps leave the users undefined', () => {
    const event = one('dm-missing-users-map.json', 'direct_message');
    expect(event.sender).toBeUndefined();
    expect(event.recipient).toBeUndefined();
  });
  it('typing indicators and read receipts', () => {
    const typing = one('dm-typing.json', 'direct_message_typing');
    expect(typing).toMatchObject({ senderId: '3284025577', recipientId: '3001969357', bySubscribedUser: false });
    expect(typing.sender?.name).toBe('Bogus Bogart');
    const read = one('dm-read.json', 'direct_message_read');
    expect(read).toMatchObject({ lastReadEventId: '954491830116155396', bySubscribedUser: false });
    expect(read.createdAt.getTime()).toBe(1518452444662);
  });
  it('reports a malformed users entry but keeps the event', () => {
    const issues: ActivityIssue[] = [];
    const events = parseActivity(
      {
        for_user_id: '1',
        direct_message_indicate_typing_events: [
          { created_timestamp: '1', sender_id: '2', target: { recipient_id: '1' } },
        ],
        users: { 2: { id: 2 }, 1: { id: '1', name: 'Me' } },
      },
      { onIssue: (issue) => issues.push(issue) },
    );
    expect(events[0]).toMatchObject({ type: 'direct_message_typing', sender: undefined, recipient: { name: 'Me' } });
    expect(issues).toEqual([expect.objectContaining({ key: 'users', path: ['2', 'id'] })]);
  });
});

describe('unknown keeps everything', () => {
  it('an unrecognised top-level key', () => {
    const { events, issues } = parseActivityDetailed(fixture('unknown-key.json'));
    expect(events).toEqual([
      {
        type: 'unknown',
        forUserId: '2244994945',
        key: 'brand_new_events',
        index: undefined,
        raw: [{ id: '1', what: 'something X added later' }],
        reason: 'Unrecognised top-level key "brand_new_events".',
        issues: [],
      },
    ]);
    expect(issues).toHaveLength(1);
  });
  it('an element that fails its schema, beside valid ones', () => {
    const good = JSON.parse(fixture('favorite-of-user.json')) as { favorite_events: unknown[] };
    const bad = { id: 42, timestamp_ms: 'yesterday' };
    const events = parseActivity({ for_user_id: '2244994945', favorite_events: [bad, ...good.favorite_events] });
    expect(events.map((e) => e.type)).toEqual(['unknown', 'favorite']);
    const unknown = events[0] as ActivityEventOf<'unknown'>;
    expect(unknown.raw).toBe(bad);
    expect(unknown.index).toBe(0);
    expect(unknown.reason).toMatch(/favorite_events schema/);
    expect(unknown.issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['id', 'timestamp_ms']));
  });
  it('an envelope without any event key, and one without for_user_id', () => {
    expect(parseActivity({})).toEqual([expect.objectContaining({ type: 'unknown', key: undefined, raw: {} })]);
    const noUser = parseActivity({ favorite_events: JSON.parse(fixture('favorite-of-user.json')).favorite_events });
    expect(noUser[0]).toMatchObject({ type: 'unknown', key: 'favorite_events', forUserId: undefined });
  });
  it('an event key whose value has the wrong shape', () => {
    expect(parseActivity({ for_user_id: '1', follow_events: { type: 'follow' } })[0]).toMatchObject({
      type: 'unknown',
      reason: 'follow_events is not an array.',
    });
    expect(parseActivity({ replay_job_status: [] })[0]).toMatchObject({ type: 'unknown', key: 'replay_job_status' });
  });
  it('an empty array yields no events', () => {
    expect(parseActivity({ for_user_id: '1', tweet_create_events: [] })).toEqual([]);
  });
});

describe('bad input', () => {
  it.each(['', 'not json', '{"a":', '[]', '1', 'null', '"text"'])('throws InvalidPayloadError for %j', (body) => {
    let thrown: unknown;
    try {
      parseActivity(body);
    } catch (error) {
      thrown = error;
    }
    expect(isInvalidPayloadError(thrown)).toBe(true);
  });
  it('throws InvalidPayloadError for an array object', () => {
    expect(() => parseActivity([])).toThrow(/not a JSON object/);
  });
});
