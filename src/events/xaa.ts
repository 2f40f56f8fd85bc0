/**
 * X Activity API (XAA) and Filtered-Stream deliveries: envelope, payload normalisers and the
 * `unknown` fallback. Classification (which family a body is) lives in `parse.ts`.
 *
 * Every payload is checked with its generated validator first; a payload that fails, or an
 * `event_type` this version does not know, becomes an `unknown` event with `family: 'xaa'`, the
 * `eventType` and the envelope fields: nothing is lost.
 *
 * @internal
 * @packageDocumentation
 */
import { finish } from './classify.js';
import { type Validator, explain } from './explain.js';
import { epochMs } from './scalars.js';
import type { RawV2Post, RawXaaEvent } from './schemas.js';
import type {
  AccountActivityEvent,
  ActivityFamily,
  ActivityIssue,
  PostInfo,
  UnknownEvent,
  UserRef,
  XaaFilter,
} from './types.js';
import {
  anyObjectValidator as anyObject,
  directMessageElementValidator,
  filteredStreamValidator,
  v2PostValidator,
  v2UserValidator,
  xaaBroadcastValidator,
  xaaChatValidator,
  xaaDmValidator,
  xaaEventValidator,
  xaaLikeValidator,
  xaaNewsValidator,
  xaaPostDeleteValidator,
  xaaProfileValidator,
  xaaRelationshipValidator,
  xaaRevokeValidator,
} from './validators.js';
import { XAA_CHAT_TYPES, XAA_POST_TYPES, XAA_PROFILE_TYPES, XAA_RELATIONSHIP_TYPES } from './types.js';

/** @internal What the XAA parser needs from the per-delivery context. */
export interface Reporter {
  issue(key: string | undefined, index: number | undefined, path: readonly PropertyKey[], message: string): void;
  schemaIssues(
    key: string,
    index: number | undefined,
    found: readonly { path: readonly PropertyKey[]; message: string }[],
  ): ActivityIssue[];
}

type Rec = Record<string, unknown>;
const isRecord = (value: unknown): value is Rec => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
/** A `Date` from ISO text or epoch ms (text or number); `undefined` when absent or invalid. */
function date(value: string | number | undefined): Date | undefined {
  const at =
    value === undefined
      ? undefined
      : new Date(typeof value === 'string' && !/^\d+$/.test(value) ? value : epochMs(value));
  return at === undefined || Number.isNaN(at.getTime()) ? undefined : at;
}
const num = (value: string | number | undefined): number | undefined =>
  value === undefined ? undefined : Number(value);

/** A v2 user in either encoding (bare or `{data: User}`), or `undefined`. */
function userRef(value: unknown): UserRef | undefined {
  const user = isRecord(value) && isRecord(value['data']) ? value['data'] : value;
  return v2UserValidator.is(user) ? { id: user.id, screenName: user.username, name: user.name } : undefined;
}

const list = (includes: unknown, key: string): unknown[] => {
  const value = isRecord(includes) ? includes[key] : undefined;
  return Array.isArray(value) ? value : [];
};

function includedUser(includes: unknown, id: string | undefined): UserRef | undefined {
  if (id !== undefined)
    for (const entry of list(includes, 'users')) if (userRef(entry)?.id === id) return userRef(entry);
  return undefined;
}

/** A post of `includes.tweets` (docs samples) or `includes.posts` (OAS). */
function includedPost(includes: unknown, id: string | undefined): RawV2Post | undefined {
  for (const entry of [...list(includes, 'tweets'), ...list(includes, 'posts')]) {
    if (v2PostValidator.is(entry) && entry.id === id) return entry;
  }
  return undefined;
}

/** @internal The normalised fields of a v2 Post, with `includes` resolved. */
export function normalisePost(post: RawV2Post, includes: unknown): PostInfo {
  const ids = post.edit_history_tweet_ids;
  const controls = post.edit_controls;
  const mentions = post.entities?.mentions ?? [];
  const keys = post.attachments?.media_keys ?? [];
  return {
    id: post.id,
    text: post.text ?? '',
    authorId: post.author_id,
    author: includedUser(includes, post.author_id),
    createdAt: date(post.created_at),
    conversationId: post.conversation_id,
    inReplyToUserId: post.in_reply_to_user_id,
    lang: post.lang,
    referencedTweets: (post.referenced_tweets ?? []).map((r) => ({
      type: r.type,
      id: r.id,
      included: includedPost(includes, r.id),
    })),
    mentionedUserIds: [...new Set(mentions.flatMap((m) => (m.id === undefined ? [] : [m.id])))],
    mentionedUsernames: mentions.flatMap((m) => (m.username === undefined ? [] : [m.username])),
    media: list(includes, 'media').filter((m) => isRecord(m) && keys.includes(m['media_key'] as string)),
    edit:
      ids === undefined && controls === undefined
        ? undefined
        : finish(post.id, 'v2', ids?.[0], ids ?? [], controls, controls?.is_edit_eligible),
    post,
  };
}

/** The envelope fields every XAA event (typed or unknown) carries. */
interface Envelope {
  readonly family: 'xaa';
  readonly eventUuid: string | undefined;
  readonly filter: XaaFilter;
  readonly tag: string | undefined;
  readonly forUserId: string | undefined;
  readonly raw: RawXaaEvent;
}

type Built = Rec | UnknownEvent;

/** How one group of event types is checked and normalised. */
interface Builder<P> {
  readonly v: Validator<P>;
  /** Method syntax: bivariant in `P`. */
  b(payload: P, data: RawXaaEvent, envelope: Envelope, context: Reporter): Built | Built[];
}

const builder = <P>(v: Validator<P>, b: Builder<P>['b']): Builder<P> => ({ v, b });

function unknownOf(
  family: ActivityFamily | undefined,
  key: string | undefined,
  index: number | undefined,
  raw: unknown,
  reason: string,
  issues: readonly ActivityIssue[],
  extra?: Rec,
): UnknownEvent {
  return { type: 'unknown', family, forUserId: undefined, ...extra, key, index, raw, reason, issues } as UnknownEvent;
}

/** An `unknown` XAA event: `reason`, and the schema issues of `value` against `v` (paths from `data`). */
function refused(
  context: Reporter,
  envelope: Envelope | undefined,
  eventType: string | undefined,
  index: number | undefined,
  raw: unknown,
  reason: string,
  v?: Validator<unknown>,
  value?: unknown,
  prefix: readonly PropertyKey[] = [],
): UnknownEvent {
  let issues: ActivityIssue[] = [];
  if (v !== undefined) {
    issues = context.schemaIssues(
      'data',
      index,
      explain(v.node, value).map((i) => ({ path: [...prefix, ...i.path], message: i.message })),
    );
    const first = issues[0];
    if (first !== undefined) reason += ` at ${first.path.map(String).join('.') || '(root)'}: ${first.message}`;
  } else context.issue('data', index, [], reason);
  return unknownOf('xaa', 'data', index, raw, `${reason}.`, issues, {
    ...envelope,
    ...(eventType === undefined ? {} : { eventType }),
  });
}

const relationship = /* @__PURE__ */ builder(xaaRelationshipValidator, (p, _d, e) => {
  const source = userRef(p.source) as UserRef;
  return { source, target: userRef(p.target) as UserRef, bySubscribedUser: source.id === e.forUserId };
});

const profile = /* @__PURE__ */ builder(xaaProfileValidator, (p, d) => ({
  field: d.event_type.slice(15),
  before: p.before ?? undefined,
  after: p.after ?? undefined,
}));

const chat = /* @__PURE__ */ builder(xaaChatValidator, (p) => ({
  chatEventId: p.id,
  conversationId: p.conversation_id,
  conversationToken: p.conversation_token,
  senderId: p.sender_id,
  createdAt: date(p.created_at_msec),
  conversationKeyVersion: p.conversation_key_version,
  encodedEvent: p.encoded_event,
  conversationKeyChangeEvent: p.conversation_key_change_event,
  signature: p.message_event_signature,
}));

const post = /* @__PURE__ */ builder(v2PostValidator, (p, d) => normalisePost(p, d['includes']) as unknown as Rec);

const dm = /* @__PURE__ */ builder(xaaDmValidator, (p, d, e, context) =>
  // No element at all: the delivery is still kept, as one unknown event with its envelope.
  p.direct_message_events.length === 0
    ? [refused(context, e, d.event_type, undefined, d, 'The DM delivery has no direct_message_events element')]
    : p.direct_message_events.map((element, index): Built => {
        if (!directMessageElementValidator.is(element)) {
          return refused(
            context,
            e,
            d.event_type,
            index,
            element,
            'A direct_message_events element does not match its schema',
            directMessageElementValidator,
            element,
            ['payload', 'direct_message_events', index],
          );
        }
        const message = element.message_create;
        const users = isRecord(p['users']) ? p['users'] : {};
        const sender = message.sender_id;
        const recipient = message.target.recipient_id;
        return {
          id: element.id,
          createdAt: date(element.created_timestamp),
          senderId: sender,
          recipientId: recipient,
          sender: Object.hasOwn(users, sender) ? userRef(users[sender]) : undefined,
          recipient: Object.hasOwn(users, recipient) ? userRef(users[recipient]) : undefined,
          sourceAppId: message.source_app_id,
          text: message.message_data.text,
          attachment: message.message_data['attachment'],
          direction: sender === e.forUserId ? 'sent' : 'received',
          element,
          index,
        };
      }),
);

const dmSignal = /* @__PURE__ */ builder(anyObject, (p) => {
  const nested = p['direct_message_mark_read_events'] ?? p['direct_message_indicate_typing_events'];
  const element: Rec = Array.isArray(nested) && isRecord(nested[0]) ? nested[0] : p;
  const created = element['created_timestamp'];
  return {
    senderId: text(element['sender_id']),
    recipientId: isRecord(element['target']) ? text(element['target']['recipient_id']) : undefined,
    createdAt: typeof created === 'string' || typeof created === 'number' ? date(created) : undefined,
    lastReadEventId: text(element['last_read_event_id']),
  };
});

const spaces = /* @__PURE__ */ builder(xaaBroadcastValidator, (p) => ({
  user: userRef(p.user),
  broadcastId: p.broadcast_id,
}));

/**
 * Every typed XAA `event_type` and its builder. Made by a function marked pure so that a bundle
 * which never parses (CRC and signature only) drops the table and everything it reaches.
 */
function buildersTable(): Readonly<Record<string, Builder<never>>> {
  const table = {
    'post.delete': builder(xaaPostDeleteValidator, (p, d) => ({
      postId: p.id,
      authorId: p.author_id,
      author: includedUser(d['includes'], p.author_id),
    })),
    'like.create': builder(xaaLikeValidator, (p, d, e) => {
      const includes = d['includes'];
      const authorId = p.liked_tweet_author_id ?? p.tweet_author_id;
      const liked = includedPost(includes, p.liked_tweet_id);
      return {
        likeId: p.id,
        likedPostId: p.liked_tweet_id,
        likedPostAuthorId: authorId,
        likedPostAuthor: includedUser(includes, authorId),
        likedPost: liked === undefined ? undefined : normalisePost(liked, includes),
        createdAt: date(p.timestamp_ms ?? p.created_at),
        direction: e.filter.direction,
      };
    }),
    'dm.received': dm,
    'dm.sent': dm,
    'dm.read': dmSignal,
    'dm.indicate_typing': dmSignal,
    'news.new': builder(xaaNewsValidator, (p) => ({
      newsId: p.id,
      headline: p.name ?? p.headline,
      category: p.category,
      hook: p.hook,
      summary: p.summary,
      disclaimer: p.disclaimer,
      updatedAt: date(p.updated_at),
      postIds: (p.cluster_posts_results ?? []).map((r) => r.post_id),
    })),
    'spaces.start': spaces,
    'spaces.end': spaces,
    'broadcast.start': builder(xaaBroadcastValidator, (p) => ({
      user: userRef(p.user),
      broadcastId: p.broadcast_id,
      title: p.title,
      language: p.language,
      state: p.broadcast_state,
      createdAt: date(p.event_timestamp_ms ?? p.created_timestamp_ms),
      durationMs: num(p.duration_ms),
      thumbnailUrl: p.thumbnail_url,
      availableForReplay: p.available_for_replay,
    })),
    'broadcast.chat': builder(xaaBroadcastValidator, (p) => ({
      broadcastId: p.broadcast_id,
      messageId: p.message_id,
      message: p.message,
      author: userRef(p.author),
    })),
    'oauth.revoke': builder(xaaRevokeValidator, (p) => ({
      forUserId: p.user_id,
      userId: p.user_id,
      appId: p.app_id,
      createdAt: new Date(p.date_time),
    })),
  } as unknown as Record<string, Builder<never>>;
  table['broadcast.end'] = table['broadcast.start'] as Builder<never>;
  for (const [types, b] of [
    [XAA_POST_TYPES, post],
    [XAA_RELATIONSHIP_TYPES, relationship],
    [XAA_PROFILE_TYPES, profile],
    [XAA_CHAT_TYPES, chat],
  ] as const) {
    for (const type of types) table[type] = b as Builder<never>;
  }
  return table;
}
const BUILDERS = /* @__PURE__ */ buildersTable();

/** @internal The events of one XAA envelope (`data`, or one element of a `data` array at `index`). */
export function parseXaa(data: unknown, index: number | undefined, context: Reporter): AccountActivityEvent[] {
  if (!xaaEventValidator.is(data)) {
    const eventType = isRecord(data) ? text(data['event_type']) : undefined;
    return [
      refused(
        context,
        undefined,
        eventType,
        index,
        data,
        'The XAA envelope does not match its schema',
        xaaEventValidator,
        data,
      ),
    ];
  }
  const filter = data.filter ?? {};
  const envelope: Envelope = {
    family: 'xaa',
    eventUuid: data.event_uuid,
    filter: { userId: filter.user_id, keyword: filter.keyword, direction: filter.direction },
    tag: data.tag,
    forUserId: filter.user_id,
    raw: data,
  };
  const type = data.event_type;
  const spec = Object.hasOwn(BUILDERS, type) ? (BUILDERS[type] as Builder<unknown>) : undefined;
  if (spec === undefined) return [refused(context, envelope, type, index, data, `Unknown XAA event_type "${type}"`)];
  const payload = data['payload'];
  if (!spec.v.is(payload)) {
    return [
      refused(context, envelope, type, index, data, `The ${type} payload does not match its schema`, spec.v, payload, [
        'payload',
      ]),
    ];
  }
  const built = spec.b(payload, data, envelope, context);
  return (Array.isArray(built) ? built : [built]).map(
    (b) => (b.type === 'unknown' ? b : { type, ...envelope, ...(b as Rec) }) as AccountActivityEvent,
  );
}

/** @internal A Filtered-Stream delivery (`matching_rules` is an array): one post, or `unknown`. */
export function parseFilteredStream(envelope: Rec, context: Reporter): AccountActivityEvent {
  if (!filteredStreamValidator.is(envelope)) {
    const issues = context.schemaIssues('data', undefined, explain(filteredStreamValidator.node, envelope));
    const first = issues[0];
    return unknownOf(
      'filtered_stream',
      undefined,
      undefined,
      envelope,
      `The Filtered-Stream delivery does not match its schema at ${first?.path.map(String).join('.')}: ${first?.message}.`,
      issues,
    );
  }
  return {
    type: 'filtered_stream.post',
    family: 'filtered_stream',
    forUserId: undefined,
    ...normalisePost(envelope.data, envelope['includes']),
    matchingRules: envelope.matching_rules.map((r) => ({
      id: r.id,
      tag: r.tag,
      embeddingSimilarity: num(r.embedding_similarity),
      embeddingThreshold: num(r.embedding_threshold),
    })),
    raw: envelope,
  };
}
