/**
 * The typed event model: one discriminated union, {@link AccountActivityEvent}, keyed on `type`.
 *
 * Every event carries `type`, `forUserId`, the original delivery element as `raw` (typed by its
 * schema; unknown fields kept) and normalised camelCase fields: `Date`s, string ids only, resolved DM
 * users and apps, and the fields that tell X's 19 documented activity kinds apart (`bySubscribedUser`,
 * `direction`, `kinds`). See `docs/events.md` for the full table.
 *
 * @packageDocumentation
 */
import type {
  RawMatchingRule,
  RawV2Post,
  RawXaaEvent,
  RawDirectMessage,
  RawDmApp,
  RawDmUser,
  RawFavorite,
  RawRead,
  RawRelationship,
  RawReplayJobStatus,
  RawTweet,
  RawTweetDelete,
  RawTyping,
  RawUserEvent,
} from './schemas.js';

/** The three delivery families one webhook serves (see docs/events.md). */
export const ACTIVITY_FAMILIES = ['aaa', 'xaa', 'filtered_stream'] as const;

/** One value of `event.family`: Account Activity API, X Activity API, or Filtered Stream. */
export type ActivityFamily = (typeof ACTIVITY_FAMILIES)[number];

/** The tuple of the lists of `T`, one after the other. */
type Joined<T extends readonly (readonly string[])[]> = T extends readonly [
  infer Head extends readonly string[],
  ...infer Rest extends readonly (readonly string[])[],
]
  ? readonly [...Head, ...Joined<Rest>]
  : readonly [];

/**
 * `[...a, ...b]` with its tuple type, as a call that the lists below mark pure: bundlers must keep a
 * spread at the top level of a module, so a bundle that never dispatches (CRC and signature only)
 * would keep every list.
 */
function joinLists<const T extends readonly (readonly string[])[]>(...lists: T): Joined<T> {
  return ([] as string[]).concat(...lists) as unknown as Joined<T>;
}

/** XAA post events: the payload is a v2 Post. */
export const XAA_POST_TYPES = [
  'post.create',
  'post.mention.create',
  'post.reply.create',
  'post.quote.create',
  'post.repost.create',
] as const;

/** XAA relationship events: the payload is `{source, target}`. */
export const XAA_RELATIONSHIP_TYPES = [
  'follow.follow',
  'follow.unfollow',
  'mute.mute',
  'mute.unmute',
  'block.block',
  'block.unblock',
] as const;

/** XAA profile updates: the payload is `{before, after}`. */
export const XAA_PROFILE_TYPES = [
  'profile.update.bio',
  'profile.update.profile_picture',
  'profile.update.banner_picture',
  'profile.update.screenname',
  'profile.update.handle',
  'profile.update.geo',
  'profile.update.url',
  'profile.update.verified_badge',
  'profile.update.affiliate_badge',
] as const;

/**
 * XAA encrypted chat (XChat) events. `chat.conversation_join` is the deprecated alias of
 * `chat.conversation.join`; both are delivered as X sends them.
 */
export const XAA_CHAT_TYPES = [
  'chat.received',
  'chat.sent',
  'chat.conversation_join',
  'chat.conversation.join',
  'chat.conversation.member_added',
  'chat.conversation.member_removed',
  'chat.conversation.admin_added',
  'chat.conversation.admin_removed',
  'chat.update.group_name',
  'chat.update.restrictions',
] as const;

/** Every XAA `event_type` this version types, exactly as X spells it. */
export const XAA_TYPES = /* @__PURE__ */ joinLists(
  XAA_POST_TYPES,
  ['post.delete', 'like.create'],
  XAA_RELATIONSHIP_TYPES,
  XAA_PROFILE_TYPES,
  XAA_CHAT_TYPES,
  [
    'dm.received',
    'dm.sent',
    'dm.read',
    'dm.indicate_typing',
    'news.new',
    'spaces.start',
    'spaces.end',
    'broadcast.start',
    'broadcast.end',
    'broadcast.chat',
    'oauth.revoke',
  ],
);

/** One XAA `event_type` this version types. */
export type XaaType = (typeof XAA_TYPES)[number];

/** Every AAA `event.type`. */
export const AAA_TYPES = [
  'tweet_create',
  'favorite',
  'follow',
  'unfollow',
  'block',
  'unblock',
  'mute',
  'unmute',
  'user_revoke',
  'direct_message',
  'direct_message_typing',
  'direct_message_read',
  'tweet_delete',
  'replay_job_status',
] as const;

/** Every value of `event.type`, in one `const` list that drives the runtime checks and the types. */
export const ACTIVITY_TYPES = /* @__PURE__ */ joinLists(AAA_TYPES, XAA_TYPES, ['filtered_stream.post', 'unknown']);

/** One value of `event.type`. */
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/**
 * Every value of {@link TweetCreateEvent.kinds}. A post may have several kinds at once (a reply that
 * mentions the user is both `reply` and `mention`).
 *
 * - `post`: authored by the subscribed user (`user.id_str === for_user_id`), whatever else it is.
 * - `reply`: `in_reply_to_status_id_str` is a non-empty string.
 * - `retweet`: has a `retweeted_status` object.
 * - `quote`: quotes a post (a `quoted_status` object, a `quoted_status_id_str`, or
 *   `is_quote_status: true`) and is not a retweet.
 * - `retweet_of_quote`: a retweet whose `retweeted_status` quotes a post (same test as `quote`).
 * - `mention`: the subscribed user's id is among `entities.user_mentions[].id_str` or
 *   `extended_tweet.entities.user_mentions[].id_str`, and the subscribed user is not the author. A
 *   reply to the user usually carries the user's handle, so it is often `reply` and `mention`; a
 *   retweet of the user's post carries `RT @user`, so it is often `retweet` and `mention`.
 */
export const TWEET_KINDS = ['post', 'reply', 'retweet', 'quote', 'retweet_of_quote', 'mention'] as const;

/** One value of {@link TWEET_KINDS}. */
export type TweetKind = (typeof TWEET_KINDS)[number];

/** A user as far as a tweet, like or relationship event tells: string id, handle and name. */
export interface UserRef {
  /** The user id, always a string. */
  readonly id: string;
  /** The handle without `@`, when delivered. */
  readonly screenName: string | undefined;
  /** The display name, when delivered. */
  readonly name: string | undefined;
}

/** A user resolved from a DM delivery's `users` side map. */
export interface DmUser extends UserRef {
  /** When the account was created, when delivered. */
  readonly createdAt: Date | undefined;
  /** The map entry as delivered (unknown fields kept). */
  readonly raw: RawDmUser;
}

/** An app resolved from a DM delivery's `apps` side map. */
export interface DmApp {
  /** The app id. */
  readonly id: string;
  /** The app name, when delivered. */
  readonly name: string | undefined;
  /** The app URL, when delivered. */
  readonly url: string | undefined;
  /** The map entry as delivered (unknown fields kept). */
  readonly raw: RawDmApp;
}

/**
 * Edit metadata of a post, normalised from whichever documented format the delivery used
 * (see docs/x-api-notes.md#edit-metadata):
 *
 * - `enterprise`: `edit_history {initial_tweet_id, edit_tweet_ids}`, `edit_controls
 *   {editable_until_ms, edits_remaining}`, `editable`;
 * - `v1.1`: `edit_controls` or `ext_edit_control` with `editable_until_msecs` (often a string),
 *   `edit_tweet_ids`, `initial_tweet_id`, `is_edit_eligible`, possibly nested in
 *   `edit_control_initial` / `edit_control_edit`;
 * - `v2`: `edit_history_tweet_ids` and `edit_controls {is_edit_eligible, editable_until (ISO),
 *   edits_remaining}`.
 */
export interface TweetEdit {
  /** Which format the metadata came in. */
  readonly format: 'enterprise' | 'v1.1' | 'v2';
  /** The first post of the edit chain; this post's id when the delivery does not say. */
  readonly initialTweetId: string;
  /** Ids of the posts in the chain, oldest first, as delivered (may be empty when not delivered). */
  readonly editTweetIds: readonly string[];
  /** `true` when this post is an edit of an earlier post (its id differs from `initialTweetId`). */
  readonly isEdit: boolean;
  /** Until when the post may be edited, when delivered. */
  readonly editableUntil: Date | undefined;
  /** How many edits are left, when delivered. */
  readonly editsRemaining: number | undefined;
  /** Whether the post may be edited (`editable` or `is_edit_eligible`), when delivered. */
  readonly editable: boolean | undefined;
}

/** The normalised fields of a post (a `tweet_create` event, or the post of a `favorite`). */
export interface TweetInfo {
  /** The post id (`id_str`); the numeric `id` is never used. */
  readonly id: string;
  /** When it was posted (`timestamp_ms` when present, else `created_at`). */
  readonly createdAt: Date;
  /** The author (`user`). */
  readonly author: UserRef;
  /** `text` as delivered (cut short on longform posts; `full_text` when only that is delivered). */
  readonly text: string;
  /**
   * The whole text, whatever the delivery shape: `extended_tweet.full_text`, else `full_text`, else
   * `text`.
   */
  readonly fullText: string;
  /** `in_reply_to_status_id_str`, when this post is a reply. */
  readonly inReplyToStatusId: string | undefined;
  /** `in_reply_to_user_id_str`, when this post is a reply. */
  readonly inReplyToUserId: string | undefined;
  /** The quoted post's id (`quoted_status.id_str` or `quoted_status_id_str`). */
  readonly quotedStatusId: string | undefined;
  /** The retweeted post's id (`retweeted_status.id_str`). */
  readonly retweetedStatusId: string | undefined;
  /** Ids of the mentioned users, from `entities` and `extended_tweet.entities`, without repeats. */
  readonly mentionedUserIds: readonly string[];
  /** Edit metadata in any documented format; `undefined` when the post carries none. */
  readonly edit: TweetEdit | undefined;
}

/**
 * A post: one element of `tweet_create_events`. Told apart by {@link TweetCreateEvent.kinds} and
 * `bySubscribedUser` (posts, replies, retweets, quotes and retweets of quotes by or of the user, and
 * mentions of the user).
 */
export interface TweetCreateEvent extends TweetInfo {
  readonly type: 'tweet_create';
  /** Delivered by the Account Activity API. */
  readonly family: 'aaa';
  /** The subscribed user this copy was delivered for (`for_user_id`). */
  readonly forUserId: string;
  /** Whether the author is the subscribed user. */
  readonly bySubscribedUser: boolean;
  /** Every kind that applies, in {@link TWEET_KINDS} order. See {@link TweetKind}. */
  readonly kinds: readonly TweetKind[];
  /**
   * Only on mention deliveries: whether the subscribed user has blocked the author
   * (`user_has_blocked` or `is_blocked_by`, given as a boolean or `"true"`/`"false"`);
   * `undefined` when the delivery does not say.
   */
  readonly userHasBlocked: boolean | undefined;
  /** The element as delivered. */
  readonly raw: RawTweet;
}

/** A like, by the subscribed user or of one of their posts: one element of `favorite_events`. */
export interface FavoriteEvent {
  readonly type: 'favorite';
  /** Delivered by the Account Activity API. */
  readonly family: 'aaa';
  /** The subscribed user this copy was delivered for. */
  readonly forUserId: string;
  /** The like's id: an opaque string, its dedup identity. */
  readonly id: string;
  /** When the like happened (`timestamp_ms`). */
  readonly createdAt: Date;
  /** Who liked (`user`). */
  readonly user: UserRef;
  /** The liked post (`favorited_status`). */
  readonly tweet: TweetInfo;
  /** Whether the liker is the subscribed user (a like *by* the user, else *of* their post). */
  readonly bySubscribedUser: boolean;
  /** The element as delivered. */
  readonly raw: RawFavorite;
}

/** The types of events delivered under `follow_events`, `block_events` and `mute_events`. */
export type RelationshipType = 'follow' | 'unfollow' | 'block' | 'unblock' | 'mute' | 'unmute';

/**
 * A follow, unfollow, block, unblock, mute or unmute. `type` comes from the element's inner `type`
 * (X delivers unfollows under `follow_events` with `type: "unfollow"`, and so on).
 */
export interface RelationshipEvent<T extends RelationshipType = RelationshipType> {
  readonly type: T;
  /** Delivered by the Account Activity API. */
  readonly family: 'aaa';
  /** The subscribed user this copy was delivered for. */
  readonly forUserId: string;
  /** When it happened (`created_timestamp`). */
  readonly createdAt: Date;
  /** Who followed, blocked or muted (or undid it). */
  readonly source: UserRef;
  /** Who was followed, blocked or muted (or released). */
  readonly target: UserRef;
  /** Whether `source` is the subscribed user. */
  readonly bySubscribedUser: boolean;
  /** The element as delivered. */
  readonly raw: RawRelationship;
}

/** A follow (by the user or of the user). */
export type FollowEvent = RelationshipEvent<'follow'>;
/** An unfollow. */
export type UnfollowEvent = RelationshipEvent<'unfollow'>;
/** A block. */
export type BlockEvent = RelationshipEvent<'block'>;
/** An unblock. */
export type UnblockEvent = RelationshipEvent<'unblock'>;
/** A mute. */
export type MuteEvent = RelationshipEvent<'mute'>;
/** An unmute. */
export type UnmuteEvent = RelationshipEvent<'unmute'>;

/** The user revoked the app's access (`user_event.revoke`); X removes the subscription. */
export interface UserRevokeEvent {
  readonly type: 'user_revoke';
  /** Delivered by the Account Activity API. */
  readonly family: 'aaa';
  /** `for_user_id`; the documented sample has none, so usually `undefined`. */
  readonly forUserId: string | undefined;
  /** The user who revoked (`revoke.source.user_id`). */
  readonly userId: string;
  /** The app whose access was revoked (`revoke.target.app_id`). */
  readonly appId: string;
  /** When (`revoke.date_time`). */
  readonly createdAt: Date;
  /** The `user_event` object as delivered. */
  readonly raw: RawUserEvent;
}

/** A direct message sent or received by the subscribed user: one `direct_message_events` element. */
export interface DirectMessageEvent {
  readonly type: 'direct_message';
  /** Delivered by the Account Activity API. */
  readonly family: 'aaa';
  /** The subscribed user this copy was delivered for. */
  readonly forUserId: string;
  /** The DM event id: its dedup identity. */
  readonly id: string;
  /** When it was sent (`created_timestamp`). */
  readonly createdAt: Date;
  /** `message_create.sender_id`. */
  readonly senderId: string;
  /** `message_create.target.recipient_id`. */
  readonly recipientId: string;
  /** The sender from the `users` map; `undefined` when the map lacks a valid entry. */
  readonly sender: DmUser | undefined;
  /** The recipient from the `users` map; `undefined` when the map lacks a valid entry. */
  readonly recipient: DmUser | undefined;
  /** `message_create.source_app_id`, when the message was sent through an app. */
  readonly sourceAppId: string | undefined;
  /** The app from the `apps` map, when `source_app_id` is set and the map has it. */
  readonly app: DmApp | undefined;
  /** `message_create.message_data.text`. */
  readonly text: string;
  /** `sent` when the sender is the subscribed user, else `received`. */
  readonly direction: 'sent' | 'received';
  /** Whether the sender is the subscribed user (same as `direction === 'sent'`). */
  readonly bySubscribedUser: boolean;
  /** The element as delivered. */
  readonly raw: RawDirectMessage;
}

/** Fields shared by typing indicators and read receipts. */
interface DmSignalFields {
  /** The subscribed user this copy was delivered for. */
  readonly forUserId: string;
  /** When (`created_timestamp`). */
  readonly createdAt: Date;
  /** `sender_id`: who is typing, or who read. */
  readonly senderId: string;
  /** `target.recipient_id`. */
  readonly recipientId: string;
  /** The sender from the `users` map, when it has a valid entry. */
  readonly sender: DmUser | undefined;
  /** The recipient from the `users` map, when it has a valid entry. */
  readonly recipient: DmUser | undefined;
  /** Whether the sender (typer, reader) is the subscribed user. */
  readonly bySubscribedUser: boolean;
}

/** Someone is typing a DM to the subscribed user. */
export interface DirectMessageTypingEvent extends DmSignalFields {
  readonly type: 'direct_message_typing';
  /** Delivered by the Account Activity API. */
  readonly family: 'aaa';
  /** The element as delivered. */
  readonly raw: RawTyping;
}

/** Someone read DMs (a read receipt): `sender` read up to `lastReadEventId` from `recipient`. */
export interface DirectMessageReadEvent extends DmSignalFields {
  readonly type: 'direct_message_read';
  /** Delivered by the Account Activity API. */
  readonly family: 'aaa';
  /** The id of the last DM event that was read. */
  readonly lastReadEventId: string;
  /** The element as delivered. */
  readonly raw: RawRead;
}

/** The subscribed user deleted a post (compliance); the whole edit chain goes with it. */
export interface TweetDeleteEvent {
  readonly type: 'tweet_delete';
  /** Delivered by the Account Activity API. */
  readonly family: 'aaa';
  /** The subscribed user this copy was delivered for. */
  readonly forUserId: string;
  /** The deleted post (`status.id`). */
  readonly tweetId: string;
  /** Its author (`status.user_id`). */
  readonly userId: string;
  /** When it was deleted (`timestamp_ms`). */
  readonly createdAt: Date;
  /** The element as delivered. */
  readonly raw: RawTweetDelete;
}

/** A replay job finished (`replay_job_status`). Resubmit the job when `complete` is `false`. */
export interface ReplayJobStatusEvent {
  readonly type: 'replay_job_status';
  /** Delivered by the Account Activity API. */
  readonly family: 'aaa';
  /** `for_user_id`; absent from the documented control message, so usually `undefined`. */
  readonly forUserId: string | undefined;
  /** The replay job id. */
  readonly jobId: string;
  /** The webhook id, when delivered. */
  readonly webhookId: string | undefined;
  /** `job_state` as delivered: `"Complete"` or `"Incomplete"`. */
  readonly jobState: string;
  /** `true` when `job_state` is `"Complete"`. */
  readonly complete: boolean;
  /** `job_state_description`, when delivered. */
  readonly description: string | undefined;
  /** The object as delivered. */
  readonly raw: RawReplayJobStatus;
}

// ---------------------------------------------------------------------------------------------
// X Activity API (XAA) and Filtered Stream
// ---------------------------------------------------------------------------------------------

/** The filter of the XAA subscription that matched (`filter` of the envelope). */
export interface XaaFilter {
  /** `filter.user_id`: the subscribed user. */
  readonly userId: string | undefined;
  /** `filter.keyword` (`news.new`). */
  readonly keyword: string | undefined;
  /** `filter.direction` (`inbound`/`outbound` for `like.create`; other values passed through). */
  readonly direction: string | undefined;
}

/** Fields of every XAA event (and of an `unknown` one with `family: 'xaa'`). */
export interface XaaEnvelope {
  /** Delivered by the X Activity API. */
  readonly family: 'xaa';
  /** `event_uuid`: an opaque string (the docs show negative values); absent from some deliveries. */
  readonly eventUuid: string | undefined;
  /** The subscription filter. */
  readonly filter: XaaFilter;
  /** The subscription's `tag`, when it has one. */
  readonly tag: string | undefined;
  /** `filter.user_id`, or for `oauth.revoke` the user who revoked. */
  readonly forUserId: string | undefined;
  /** The envelope object (`data`) as delivered, payload and includes kept. */
  readonly raw: RawXaaEvent;
}

/** A typed XAA event of `event_type` `T`. */
export interface XaaEventBase<T extends XaaType> extends XaaEnvelope {
  /** X's `event_type`, exactly. */
  readonly type: T;
}

/** The normalised fields of a v2 Post (XAA post events, Filtered-Stream posts, liked posts). */
export interface PostInfo {
  /** The post id. */
  readonly id: string;
  /** `text` (`''` when not delivered). */
  readonly text: string;
  /** `author_id`, when delivered. */
  readonly authorId: string | undefined;
  /** The author, resolved from `includes.users` (bare or `{data: User}`); `undefined` when absent. */
  readonly author: UserRef | undefined;
  /** `created_at`, when delivered. */
  readonly createdAt: Date | undefined;
  /** `conversation_id`, when delivered. */
  readonly conversationId: string | undefined;
  /** `in_reply_to_user_id`, when delivered. */
  readonly inReplyToUserId: string | undefined;
  /** `lang`, when delivered. */
  readonly lang: string | undefined;
  /** `referenced_tweets` (`replied_to`, `quoted`, `retweeted`), each resolved from `includes.tweets`/`includes.posts` when there. */
  readonly referencedTweets: readonly ReferencedPost[];
  /** Ids of the users in `entities.mentions[]` that carry an id, without repeats. */
  readonly mentionedUserIds: readonly string[];
  /** Handles in `entities.mentions[]`. */
  readonly mentionedUsernames: readonly string[];
  /** `includes.media` entries named by `attachments.media_keys`, as delivered. */
  readonly media: readonly unknown[];
  /** Edit metadata (`edit_history_tweet_ids`, `edit_controls`), format `v2`; `undefined` when none. */
  readonly edit: TweetEdit | undefined;
  /** The post as delivered. */
  readonly post: RawV2Post;
}

/** One `referenced_tweets` entry. */
export interface ReferencedPost {
  /** `replied_to`, `quoted` or `retweeted` (other values passed through). */
  readonly type: string;
  /** The referenced post's id. */
  readonly id: string;
  /** The raw referenced post, when the delivery includes it. */
  readonly included: RawV2Post | undefined;
}

/** One of the XAA post types. */
export type XaaPostType = (typeof XAA_POST_TYPES)[number];

/** `post.create`, `post.mention.create`, `post.reply.create`, `post.quote.create`, `post.repost.create`. */
export interface XaaPostEvent<T extends XaaPostType = XaaPostType> extends XaaEventBase<T>, Omit<PostInfo, 'raw'> {}

/** `post.delete`: the subscribed user deleted a post. */
export interface XaaPostDeleteEvent extends XaaEventBase<'post.delete'> {
  /** The deleted post's id. */
  readonly postId: string;
  /** Its author (`author_id`). */
  readonly authorId: string | undefined;
  /** The author, from `includes.users`. */
  readonly author: UserRef | undefined;
}

/** `like.create`: a like by the user (`direction: 'outbound'`) or of their post (`'inbound'`). */
export interface XaaLikeEvent extends XaaEventBase<'like.create'> {
  /** The like's id (opaque). */
  readonly likeId: string;
  /** The liked post's id (`liked_tweet_id`). */
  readonly likedPostId: string | undefined;
  /** The liked post's author (`liked_tweet_author_id`, or `tweet_author_id` as in the OAS). */
  readonly likedPostAuthorId: string | undefined;
  /** The liked post's author, from `includes.users`. */
  readonly likedPostAuthor: UserRef | undefined;
  /** The liked post, from `includes.tweets` or `includes.posts`. */
  readonly likedPost: PostInfo | undefined;
  /** When the like happened (`timestamp_ms`, else `created_at`). */
  readonly createdAt: Date | undefined;
  /** `filter.direction`, when the subscription has one. */
  readonly direction: string | undefined;
}

/** One of the XAA relationship types. */
export type XaaRelationshipType = (typeof XAA_RELATIONSHIP_TYPES)[number];

/** `follow.*`, `mute.*`, `block.*`: `source` follows (mutes, blocks; or undoes it) `target`. */
export interface XaaRelationshipEvent<T extends XaaRelationshipType = XaaRelationshipType> extends XaaEventBase<T> {
  readonly source: UserRef;
  readonly target: UserRef;
  /** Whether `source` is the subscribed user. */
  readonly bySubscribedUser: boolean;
}

/** One of the XAA profile types. */
export type XaaProfileType = (typeof XAA_PROFILE_TYPES)[number];

/** `profile.update.*`: `field` changed from `before` to `after`. */
export interface XaaProfileUpdateEvent<T extends XaaProfileType = XaaProfileType> extends XaaEventBase<T> {
  /** The part of `type` after `profile.update.` (`bio`, `screenname` = display name, `handle` = @handle...). */
  readonly field: T extends `profile.update.${infer F}` ? F : never;
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/** One of the XAA chat types. */
export type XaaChatType = (typeof XAA_CHAT_TYPES)[number];

/** `chat.*` (XChat): the encrypted fields are passed through as strings; decrypt them with X's Chat XDK. */
export interface XaaChatEvent<T extends XaaChatType = XaaChatType> extends XaaEventBase<T> {
  /** The chat event id (`id`, a UUID). */
  readonly chatEventId: string | undefined;
  /** `conversation_id` (`"A:B"` for one-to-one). */
  readonly conversationId: string | undefined;
  readonly conversationToken: string | undefined;
  readonly senderId: string | undefined;
  /** `created_at_msec`. */
  readonly createdAt: Date | undefined;
  readonly conversationKeyVersion: string | undefined;
  /** Base64, encrypted. */
  readonly encodedEvent: string | undefined;
  /** Base64, encrypted. */
  readonly conversationKeyChangeEvent: string | undefined;
  /** `message_event_signature`, as delivered. */
  readonly signature:
    | {
        readonly public_key_version?: string | undefined;
        readonly signature?: string | undefined;
        readonly signature_version?: string | undefined;
        readonly signing_public_key?: string | undefined;
      }
    | undefined;
}

/**
 * `dm.received`, `dm.sent`: one event per `direct_message_events` element, with the fields of the AAA
 * {@link DirectMessageEvent} (users resolved from the payload's `users` map of `{data: User}`).
 */
export interface XaaDirectMessageEvent<T extends 'dm.received' | 'dm.sent' = 'dm.received' | 'dm.sent'>
  extends XaaEventBase<T> {
  /** The DM event id: the same id AAA delivers. */
  readonly id: string;
  readonly createdAt: Date;
  readonly senderId: string;
  readonly recipientId: string;
  readonly sender: UserRef | undefined;
  readonly recipient: UserRef | undefined;
  readonly sourceAppId: string | undefined;
  readonly text: string;
  /** `message_data.attachment`, as delivered (media, location...). */
  readonly attachment: unknown;
  /** `sent` when the sender is the subscribed user, else `received`. */
  readonly direction: 'sent' | 'received';
  /** The `direct_message_events` element. */
  readonly element: RawDirectMessage;
  /** Its index in `direct_message_events`. */
  readonly index: number;
}

/**
 * `dm.read`, `dm.indicate_typing` (no published sample): read from an AAA-style element
 * (`sender_id`, `target.recipient_id`, `created_timestamp`, `last_read_event_id`), found in the
 * payload itself or in its `direct_message_mark_read_events` / `direct_message_indicate_typing_events`.
 */
export interface XaaDmSignalEvent<T extends 'dm.read' | 'dm.indicate_typing' = 'dm.read' | 'dm.indicate_typing'>
  extends XaaEventBase<T> {
  readonly senderId: string | undefined;
  readonly recipientId: string | undefined;
  readonly createdAt: Date | undefined;
  /** `dm.read` only. */
  readonly lastReadEventId: string | undefined;
}

/** `news.new`: a Grok news item matching `filter.keyword`. */
export interface XaaNewsEvent extends XaaEventBase<'news.new'> {
  readonly newsId: string | undefined;
  /** `name` (docs sample) or `headline` (OAS). */
  readonly headline: string | undefined;
  readonly category: string | undefined;
  readonly hook: string | undefined;
  readonly summary: string | undefined;
  readonly disclaimer: string | undefined;
  readonly updatedAt: Date | undefined;
  /** `cluster_posts_results[].post_id`. */
  readonly postIds: readonly string[];
}

/** `spaces.start`, `spaces.end`. */
export interface XaaSpacesEvent<T extends 'spaces.start' | 'spaces.end' = 'spaces.start' | 'spaces.end'>
  extends XaaEventBase<T> {
  /** The host. */
  readonly user: UserRef | undefined;
  /** The Space id (`broadcast_id`). */
  readonly broadcastId: string | undefined;
}

/** `broadcast.start`, `broadcast.end`: a live broadcast. */
export interface XaaBroadcastEvent<T extends 'broadcast.start' | 'broadcast.end' = 'broadcast.start' | 'broadcast.end'>
  extends XaaEventBase<T> {
  readonly user: UserRef | undefined;
  readonly broadcastId: string | undefined;
  readonly title: string | undefined;
  readonly language: string | undefined;
  /** `broadcast_state` (`Running`, `Ended`). */
  readonly state: string | undefined;
  /** `event_timestamp_ms`. */
  readonly createdAt: Date | undefined;
  /** `duration_ms` (`broadcast.end`). */
  readonly durationMs: number | undefined;
  readonly thumbnailUrl: string | undefined;
  readonly availableForReplay: boolean | undefined;
}

/** `broadcast.chat`: a chat message in a live broadcast. */
export interface XaaBroadcastChatEvent extends XaaEventBase<'broadcast.chat'> {
  readonly broadcastId: string | undefined;
  readonly messageId: string | undefined;
  readonly message: string | undefined;
  readonly author: UserRef | undefined;
}

/** `oauth.revoke`: a user revoked the app; `forUserId` is that user. */
export interface XaaRevokeEvent extends XaaEventBase<'oauth.revoke'> {
  readonly userId: string;
  readonly appId: string;
  readonly createdAt: Date;
}

/** Every typed XAA event. */
export type XaaEvent =
  | XaaPostEvent<'post.create'>
  | XaaPostEvent<'post.mention.create'>
  | XaaPostEvent<'post.reply.create'>
  | XaaPostEvent<'post.quote.create'>
  | XaaPostEvent<'post.repost.create'>
  | XaaPostDeleteEvent
  | XaaLikeEvent
  | { [T in XaaRelationshipType]: XaaRelationshipEvent<T> }[XaaRelationshipType]
  | { [T in XaaProfileType]: XaaProfileUpdateEvent<T> }[XaaProfileType]
  | { [T in XaaChatType]: XaaChatEvent<T> }[XaaChatType]
  | XaaDirectMessageEvent<'dm.received'>
  | XaaDirectMessageEvent<'dm.sent'>
  | XaaDmSignalEvent<'dm.read'>
  | XaaDmSignalEvent<'dm.indicate_typing'>
  | XaaNewsEvent
  | XaaSpacesEvent<'spaces.start'>
  | XaaSpacesEvent<'spaces.end'>
  | XaaBroadcastEvent<'broadcast.start'>
  | XaaBroadcastEvent<'broadcast.end'>
  | XaaBroadcastChatEvent
  | XaaRevokeEvent;

/** One `matching_rules` entry: the rule that matched a Filtered-Stream post. */
export interface MatchingRule {
  readonly id: string;
  readonly tag: string | undefined;
  /** Rules built with `embedding:` only. */
  readonly embeddingSimilarity: number | undefined;
  readonly embeddingThreshold: number | undefined;
}

/** A post delivered by a Filtered-Stream webhook link: one line of `/2/tweets/search/stream`. */
export interface FilteredStreamPostEvent extends Omit<PostInfo, 'raw'> {
  readonly type: 'filtered_stream.post';
  readonly family: 'filtered_stream';
  /** Always `undefined`: a stream rule is not a user subscription. */
  readonly forUserId: undefined;
  /** The rules that matched. */
  readonly matchingRules: readonly MatchingRule[];
  /** The whole delivery (`data`, `includes`, `matching_rules`) as delivered. */
  readonly raw: {
    readonly data: RawV2Post;
    readonly matching_rules: readonly RawMatchingRule[];
    readonly [key: string]: unknown;
  };
}

/** One problem found while parsing a delivery: where, and what zod (or the parser) said. */
export interface ActivityIssue {
  /** The top-level key the problem is under (`favorite_events`, `users`...), if any. */
  readonly key: string | undefined;
  /** The array index of the element, when the value is an array. */
  readonly index: number | undefined;
  /** The path inside the element (or inside the envelope when `key` is undefined). */
  readonly path: readonly PropertyKey[];
  /** A readable description. */
  readonly message: string;
}

/**
 * A delivery element this version does not recognise, or that fails its schema, kept whole: nothing
 * is ever dropped.
 */
export interface UnknownEvent {
  readonly type: 'unknown';
  /** The family the delivery was recognised as; `undefined` when none. */
  readonly family: ActivityFamily | undefined;
  /** XAA: the `event_type` as delivered (a type this version does not know, or whose payload failed its schema). */
  readonly eventType?: string;
  /** XAA: `event_uuid`. */
  readonly eventUuid?: string | undefined;
  /** XAA: the subscription filter. */
  readonly filter?: XaaFilter;
  /** XAA: the subscription tag. */
  readonly tag?: string | undefined;
  /** `for_user_id` when the delivery has a string one. */
  readonly forUserId: string | undefined;
  /** The top-level key the value came from; `undefined` when the envelope had no event key at all. */
  readonly key: string | undefined;
  /** The array index of the element under `key`, when the value is an array. */
  readonly index: number | undefined;
  /** The element (or the whole value or envelope) as delivered. */
  readonly raw: unknown;
  /** Why it was not recognised, in one sentence. */
  readonly reason: string;
  /** The schema issues, when the element failed validation (empty for an unknown key). */
  readonly issues: readonly ActivityIssue[];
}

/** Every event `parseActivity` produces: switch on `event.type`. */
export type AccountActivityEvent =
  | TweetCreateEvent
  | FavoriteEvent
  | FollowEvent
  | UnfollowEvent
  | BlockEvent
  | UnblockEvent
  | MuteEvent
  | UnmuteEvent
  | UserRevokeEvent
  | DirectMessageEvent
  | DirectMessageTypingEvent
  | DirectMessageReadEvent
  | TweetDeleteEvent
  | ReplayJobStatusEvent
  | XaaEvent
  | FilteredStreamPostEvent
  | UnknownEvent;

/** The events of one family (typed events and `unknown` ones recognised as that family). */
export type ActivityEventOfFamily<F extends ActivityFamily> =
  | Extract<AccountActivityEvent, { readonly family: F }>
  | (UnknownEvent & { readonly family: F });

/**
 * The event type for one discriminant, or the union for several.
 *
 * @example
 * ```ts
 * function onLike(event: ActivityEventOf<'favorite'>) { console.log(event.tweet.id); }
 * ```
 */
export type ActivityEventOf<T extends ActivityType> = Extract<AccountActivityEvent, { readonly type: T }>;
