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

/** Every value of `event.type`, in one `const` list that drives the runtime checks and the types. */
export const ACTIVITY_TYPES = [
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
  'unknown',
] as const;

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
  /** The element as delivered. */
  readonly raw: RawTyping;
}

/** Someone read DMs (a read receipt): `sender` read up to `lastReadEventId` from `recipient`. */
export interface DirectMessageReadEvent extends DmSignalFields {
  readonly type: 'direct_message_read';
  /** The id of the last DM event that was read. */
  readonly lastReadEventId: string;
  /** The element as delivered. */
  readonly raw: RawRead;
}

/** The subscribed user deleted a post (compliance); the whole edit chain goes with it. */
export interface TweetDeleteEvent {
  readonly type: 'tweet_delete';
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
  | UnknownEvent;

/**
 * The event type for one discriminant, or the union for several.
 *
 * @example
 * ```ts
 * function onLike(event: ActivityEventOf<'favorite'>) { console.log(event.tweet.id); }
 * ```
 */
export type ActivityEventOf<T extends ActivityType> = Extract<AccountActivityEvent, { readonly type: T }>;
