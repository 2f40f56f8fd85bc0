/**
 * Payload factories: Account Activity deliveries of the real shapes, quirks included
 * (string timestamps, the relationship-user shape, DM `users` and `apps` maps, `user_has_blocked` on
 * mentions, numeric tweet ids above 2^53 next to their `*_str` siblings). The emulator builds its
 * deliveries with them, and users can build their own test deliveries with them.
 */
import { signPayload } from '../webhooks/signature.js';

/** The minimum a factory needs to know about an account. */
export interface PayloadUser {
  /** Numeric id as a string, e.g. `'2244994945'`. */
  readonly id: string;
  /** Handle without the `@`. */
  readonly screenName: string;
  /** Display name. @default the screen name */
  readonly name?: string;
  /** @default false */
  readonly protected?: boolean;
  /** @default false */
  readonly verified?: boolean;
  /** Account creation time. @default 2015-01-29T18:34:29Z */
  readonly createdAt?: Date;
  /** @default 0 */
  readonly followersCount?: number;
  /** @default 0 */
  readonly friendsCount?: number;
  /** @default 0 */
  readonly statusesCount?: number;
  /** @default '' */
  readonly description?: string;
  /** @default '' */
  readonly location?: string;
}

/** The standard v1.1 user inside a Tweet or a like (`id` is a number, `id_str` its exact digits). */
export interface UserPayload {
  readonly id: number;
  readonly id_str: string;
  readonly name: string;
  readonly screen_name: string;
  readonly location: string;
  readonly description: string;
  readonly url: string | null;
  readonly protected: boolean;
  readonly verified: boolean;
  readonly followers_count: number;
  readonly friends_count: number;
  readonly listed_count: number;
  readonly favourites_count: number;
  readonly statuses_count: number;
  readonly created_at: string;
  readonly profile_image_url_https: string;
  readonly default_profile: boolean;
  readonly default_profile_image: boolean;
}

/** `entities.user_mentions[]` of a Tweet. */
export interface UserMentionPayload {
  readonly screen_name: string;
  readonly name: string;
  readonly id: number;
  readonly id_str: string;
  readonly indices: readonly [number, number];
}

/** The v1.1 "native" Tweet object of AAA deliveries, with the enterprise edit fields. */
export interface TweetPayload {
  readonly created_at: string;
  readonly id: number;
  readonly id_str: string;
  readonly text: string;
  readonly source: string;
  readonly truncated: boolean;
  readonly in_reply_to_status_id: number | null;
  readonly in_reply_to_status_id_str: string | null;
  readonly in_reply_to_user_id: number | null;
  readonly in_reply_to_user_id_str: string | null;
  readonly in_reply_to_screen_name: string | null;
  readonly user: UserPayload;
  readonly geo: null;
  readonly coordinates: null;
  readonly place: null;
  readonly contributors: null;
  readonly is_quote_status: boolean;
  readonly quoted_status_id?: number;
  readonly quoted_status_id_str?: string;
  readonly quoted_status?: TweetPayload;
  readonly retweeted_status?: TweetPayload;
  readonly quote_count: number;
  readonly reply_count: number;
  readonly retweet_count: number;
  readonly favorite_count: number;
  readonly entities: {
    readonly hashtags: readonly unknown[];
    readonly urls: readonly unknown[];
    readonly user_mentions: readonly UserMentionPayload[];
    readonly symbols: readonly unknown[];
  };
  readonly favorited: boolean;
  readonly retweeted: boolean;
  readonly filter_level: string;
  readonly lang: string;
  /** A **string** of epoch milliseconds. */
  readonly timestamp_ms: string;
  readonly edit_history: { readonly initial_tweet_id: string; readonly edit_tweet_ids: readonly string[] };
  readonly edit_controls: { readonly editable_until_ms: number; readonly edits_remaining: number };
  readonly editable: boolean;
}

/** The "relationship user" of follow, block and mute events: `id` is a string, no `id_str`. */
export interface RelationshipUserPayload {
  readonly id: string;
  readonly screen_name: string;
  readonly name: string;
  readonly description: string;
  readonly url: string;
  readonly location: string;
  readonly created_at: string;
  readonly lang: string;
  readonly time_zone: string;
  readonly utc_offset: number;
  readonly protected: boolean;
  readonly verified: boolean;
  readonly friends_count: number;
  readonly followers_count: number;
  readonly favourites_count: number;
  readonly statuses_count: number;
  readonly listed_count: number;
  readonly profile_background_image_url: string;
  readonly profile_background_image_url_https: string;
  readonly profile_image_url: string;
  readonly profile_image_url_https: string;
  readonly profile_link_color: number;
  readonly profile_text_color: number;
  readonly profile_sidebar_border_color: number;
  readonly profile_sidebar_fill_color: number;
  readonly profile_background_color: number;
  readonly default_profile: boolean;
  readonly default_profile_image: boolean;
  readonly profile_use_background_image: boolean;
  readonly profile_background_tile: boolean;
  readonly is_translator: boolean;
  readonly contributors_enabled: boolean;
  readonly geo_enabled: boolean;
  readonly notifications: boolean;
  readonly following: boolean;
  readonly follow_request_sent: boolean;
}

/** The condensed user of the DM `users` map. */
export interface DmUserPayload {
  readonly id: string;
  /** A **string** of epoch milliseconds. */
  readonly created_timestamp: string;
  readonly name: string;
  readonly screen_name: string;
  readonly description?: string;
  readonly location?: string;
  readonly protected: boolean;
  readonly verified: boolean;
  readonly followers_count: number;
  readonly friends_count: number;
  readonly statuses_count: number;
  readonly profile_image_url_https: string;
}

/** An app of the DM `apps` map. */
export interface DmAppPayload {
  readonly id: string;
  readonly name: string;
  readonly url: string;
}

/** `{ for_user_id, user_has_blocked?, tweet_create_events }`. */
export interface TweetCreatePayload {
  readonly for_user_id: string;
  readonly user_has_blocked?: boolean | 'true' | 'false';
  readonly tweet_create_events: readonly TweetPayload[];
}

/** One like: `timestamp_ms` is a **number** here. */
export interface FavoriteElementPayload {
  readonly id: string;
  readonly created_at: string;
  readonly timestamp_ms: number;
  readonly favorited_status: TweetPayload;
  readonly user: UserPayload;
}

/** `{ for_user_id, favorite_events }`. */
export interface FavoritePayload {
  readonly for_user_id: string;
  readonly favorite_events: readonly FavoriteElementPayload[];
}

/** One follow, block or mute event. */
export interface RelationshipElementPayload<T extends string> {
  readonly type: T;
  readonly created_timestamp: string;
  readonly source: RelationshipUserPayload;
  readonly target: RelationshipUserPayload;
}

/** `{ for_user_id, follow_events }`: unfollows come here too, with `type: 'unfollow'`. */
export interface FollowPayload {
  readonly for_user_id: string;
  readonly follow_events: readonly RelationshipElementPayload<'follow' | 'unfollow'>[];
}

/** `{ for_user_id, block_events }`. */
export interface BlockPayload {
  readonly for_user_id: string;
  readonly block_events: readonly RelationshipElementPayload<'block' | 'unblock'>[];
}

/** `{ for_user_id, mute_events }`. */
export interface MutePayload {
  readonly for_user_id: string;
  readonly mute_events: readonly RelationshipElementPayload<'mute' | 'unmute'>[];
}

/** `{ user_event: { revoke } }`: no `for_user_id`. */
export interface UserRevokePayload {
  readonly user_event: {
    readonly revoke: {
      readonly date_time: string;
      readonly target: { readonly app_id: string };
      readonly source: { readonly user_id: string };
    };
  };
}

/** One DM. */
export interface DirectMessageElementPayload {
  readonly type: 'message_create';
  readonly id: string;
  readonly created_timestamp: string;
  readonly message_create: {
    readonly target: { readonly recipient_id: string };
    readonly sender_id: string;
    readonly source_app_id?: string;
    readonly message_data: {
      readonly text: string;
      readonly entities: {
        readonly hashtags: readonly unknown[];
        readonly symbols: readonly unknown[];
        readonly user_mentions: readonly unknown[];
        readonly urls: readonly unknown[];
      };
    };
  };
}

/** `{ for_user_id, direct_message_events, users, apps? }`. */
export interface DirectMessagePayload {
  readonly for_user_id: string;
  readonly direct_message_events: readonly DirectMessageElementPayload[];
  readonly users: Readonly<Record<string, DmUserPayload>>;
  readonly apps?: Readonly<Record<string, DmAppPayload>>;
}

/** `{ for_user_id, direct_message_indicate_typing_events, users }`. */
export interface TypingPayload {
  readonly for_user_id: string;
  readonly direct_message_indicate_typing_events: readonly {
    readonly created_timestamp: string;
    readonly sender_id: string;
    readonly target: { readonly recipient_id: string };
  }[];
  readonly users: Readonly<Record<string, DmUserPayload>>;
}

/** `{ for_user_id, direct_message_mark_read_events, users }`. */
export interface ReadPayload {
  readonly for_user_id: string;
  readonly direct_message_mark_read_events: readonly {
    readonly created_timestamp: string;
    readonly sender_id: string;
    readonly target: { readonly recipient_id: string };
    readonly last_read_event_id: string;
  }[];
  readonly users: Readonly<Record<string, DmUserPayload>>;
}

/** `{ for_user_id, tweet_delete_events }`: every id is a string. */
export interface TweetDeletePayload {
  readonly for_user_id: string;
  readonly tweet_delete_events: readonly {
    readonly status: { readonly id: string; readonly user_id: string };
    readonly timestamp_ms: string;
  }[];
}

/** `{ replay_job_status }`: no `for_user_id`. */
export interface ReplayJobStatusPayload {
  readonly replay_job_status: {
    readonly webhook_id: string;
    readonly job_state: 'Complete' | 'Incomplete';
    readonly job_state_description: string;
    readonly job_id: string;
  };
}

/** Any delivery body the emulator sends. */
export type ActivityPayload =
  | TweetCreatePayload
  | FavoritePayload
  | FollowPayload
  | BlockPayload
  | MutePayload
  | UserRevokePayload
  | DirectMessagePayload
  | TypingPayload
  | ReadPayload
  | TweetDeletePayload
  | ReplayJobStatusPayload;

// ---------------------------------------------------------------------------------------------
// Formatting helpers
// ---------------------------------------------------------------------------------------------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const DEFAULT_ACCOUNT_CREATED = new Date('2015-01-29T18:34:29Z');
const TWITTER_EPOCH = 1288834974657n;
const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Formats a date as X's legacy `created_at`: `"Mon Mar 26 16:33:26 +0000 2018"` (UTC).
 *
 * @example
 * ```ts
 * twitterDate(new Date('2018-03-26T16:33:26Z')); // 'Mon Mar 26 16:33:26 +0000 2018'
 * ```
 */
export function twitterDate(date: Date): string {
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000 ${date.getUTCFullYear()}`
  );
}

let snowflakeSequence = 0;

/**
 * A Snowflake-style id (a decimal string, usually 19 digits, above 2^53) for a moment: what X uses
 * for tweets and DM events.
 *
 * @param at - The creation time encoded in the id. @default now
 */
export function snowflakeId(at: Date = new Date()): string {
  snowflakeSequence = (snowflakeSequence + 1) % 4096;
  const ms = BigInt(Math.max(at.getTime(), Number(TWITTER_EPOCH)));
  return (((ms - TWITTER_EPOCH) << 22n) | BigInt(snowflakeSequence)).toString();
}

function profileImage(user: PayloadUser): string {
  return `https://pbs.twimg.com/profile_images/${user.id}/avatar_normal.jpg`;
}

// ---------------------------------------------------------------------------------------------
// Sub-object factories
// ---------------------------------------------------------------------------------------------

/** Builds the standard v1.1 user object of Tweets and likes. */
export function createV1User(user: PayloadUser): UserPayload {
  return {
    id: Number(user.id),
    id_str: user.id,
    name: user.name ?? user.screenName,
    screen_name: user.screenName,
    location: user.location ?? '',
    description: user.description ?? '',
    url: null,
    protected: user.protected ?? false,
    verified: user.verified ?? false,
    followers_count: user.followersCount ?? 0,
    friends_count: user.friendsCount ?? 0,
    listed_count: 0,
    favourites_count: 0,
    statuses_count: user.statusesCount ?? 0,
    created_at: twitterDate(user.createdAt ?? DEFAULT_ACCOUNT_CREATED),
    profile_image_url_https: profileImage(user),
    default_profile: true,
    default_profile_image: false,
  };
}

/** Builds the relationship user of follow, block and mute events (string `id`, colours of -1, `""` for unset strings). */
export function createRelationshipUser(user: PayloadUser): RelationshipUserPayload {
  const image = profileImage(user);
  return {
    id: user.id,
    screen_name: user.screenName,
    name: user.name ?? user.screenName,
    description: user.description ?? '',
    url: '',
    location: user.location ?? '',
    created_at: twitterDate(user.createdAt ?? DEFAULT_ACCOUNT_CREATED),
    lang: '',
    time_zone: '',
    utc_offset: 0,
    protected: user.protected ?? false,
    verified: user.verified ?? false,
    friends_count: user.friendsCount ?? 0,
    followers_count: user.followersCount ?? 0,
    favourites_count: 0,
    statuses_count: user.statusesCount ?? 0,
    listed_count: 0,
    profile_background_image_url: '',
    profile_background_image_url_https: '',
    profile_image_url: image.replace('https:', 'http:'),
    profile_image_url_https: image,
    profile_link_color: -1,
    profile_text_color: -1,
    profile_sidebar_border_color: -1,
    profile_sidebar_fill_color: -1,
    profile_background_color: -1,
    default_profile: true,
    default_profile_image: false,
    profile_use_background_image: true,
    profile_background_tile: false,
    is_translator: false,
    contributors_enabled: false,
    geo_enabled: false,
    notifications: false,
    following: false,
    follow_request_sent: false,
  };
}

/** Builds the condensed user of the DM `users` map. */
export function createDmUser(user: PayloadUser): DmUserPayload {
  return {
    id: user.id,
    created_timestamp: String((user.createdAt ?? DEFAULT_ACCOUNT_CREATED).getTime()),
    name: user.name ?? user.screenName,
    screen_name: user.screenName,
    ...(user.description ? { description: user.description } : {}),
    ...(user.location ? { location: user.location } : {}),
    protected: user.protected ?? false,
    verified: user.verified ?? false,
    followers_count: user.followersCount ?? 0,
    friends_count: user.friendsCount ?? 0,
    statuses_count: user.statusesCount ?? 0,
    profile_image_url_https: profileImage(user),
  };
}

/** Options of {@link createTweet}. */
export interface CreateTweetOptions {
  /** The author. */
  readonly user: PayloadUser;
  /** The text; when over 280 characters the object is marked `truncated` like X's. */
  readonly text: string;
  /** @default a fresh {@link snowflakeId} */
  readonly id?: string;
  /** @default now */
  readonly createdAt?: Date;
  /** The post this one replies to. */
  readonly inReplyTo?: TweetPayload;
  /** The post this one quotes. */
  readonly quoted?: TweetPayload;
  /** The post this one retweets (its text becomes `RT @author: text`). */
  readonly retweeted?: TweetPayload;
  /** Accounts mentioned in the text; found by `@screen_name`. @default [] */
  readonly mentions?: readonly PayloadUser[];
}

/**
 * Builds a v1.1 Tweet object as delivered in `tweet_create_events` and `favorited_status`.
 *
 * @example
 * ```ts
 * const tweet = createTweet({ user: { id: '2244994945', screenName: 'XDevelopers' }, text: 'hello' });
 * ```
 */
export function createTweet(options: CreateTweetOptions): TweetPayload {
  const createdAt = options.createdAt ?? new Date();
  const id = options.id ?? snowflakeId(createdAt);
  const reply = options.inReplyTo;
  const text = options.retweeted
    ? `RT @${options.retweeted.user.screen_name}: ${options.retweeted.text}`
    : options.text;
  const mentions: UserMentionPayload[] = [];
  const rt = options.retweeted;
  if (rt) {
    // A retweet's entities mention the original author (`RT @author:`) and the original's mentions.
    const prefix = `RT @${rt.user.screen_name}: `.length;
    mentions.push({
      screen_name: rt.user.screen_name,
      name: rt.user.name,
      id: rt.user.id,
      id_str: rt.user.id_str,
      indices: [3, 4 + rt.user.screen_name.length],
    });
    for (const m of rt.entities.user_mentions) {
      // Past the 280-character cut a mention is no longer in the text.
      if (m.indices[1] + prefix <= 279)
        mentions.push({ ...m, indices: [m.indices[0] + prefix, m.indices[1] + prefix] });
    }
  }
  for (const m of rt ? [] : (options.mentions ?? [])) {
    const at = text.toLowerCase().indexOf(`@${m.screenName.toLowerCase()}`);
    if (at < 0) continue;
    mentions.push({
      screen_name: m.screenName,
      name: m.name ?? m.screenName,
      id: Number(m.id),
      id_str: m.id,
      indices: [at, at + m.screenName.length + 1],
    });
  }
  return {
    created_at: twitterDate(createdAt),
    id: Number(id),
    id_str: id,
    text: text.length > 280 ? `${text.slice(0, 279)}…` : text,
    source: '<a href="https://github.com/x-account-activity" rel="nofollow">x-account-activity emulator</a>',
    truncated: text.length > 280,
    in_reply_to_status_id: reply ? Number(reply.id_str) : null,
    in_reply_to_status_id_str: reply ? reply.id_str : null,
    in_reply_to_user_id: reply ? Number(reply.user.id_str) : null,
    in_reply_to_user_id_str: reply ? reply.user.id_str : null,
    in_reply_to_screen_name: reply ? reply.user.screen_name : null,
    user: createV1User(options.user),
    geo: null,
    coordinates: null,
    place: null,
    contributors: null,
    is_quote_status: options.quoted !== undefined,
    ...(options.quoted
      ? {
          quoted_status_id: Number(options.quoted.id_str),
          quoted_status_id_str: options.quoted.id_str,
          quoted_status: options.quoted,
        }
      : {}),
    ...(options.retweeted ? { retweeted_status: options.retweeted } : {}),
    quote_count: 0,
    reply_count: 0,
    retweet_count: 0,
    favorite_count: 0,
    entities: { hashtags: [], urls: [], user_mentions: mentions, symbols: [] },
    favorited: false,
    retweeted: false,
    filter_level: 'low',
    lang: 'en',
    timestamp_ms: String(createdAt.getTime()),
    edit_history: { initial_tweet_id: id, edit_tweet_ids: [id] },
    edit_controls: { editable_until_ms: createdAt.getTime() + 3_600_000, edits_remaining: 5 },
    editable: true,
  };
}

// ---------------------------------------------------------------------------------------------
// Payload factories
// ---------------------------------------------------------------------------------------------

/**
 * `tweet_create_events` for a subscribed user. Pass `userHasBlocked` only for @mentions: X adds
 * `user_has_blocked` to mention deliveries only. Its type varies across sources (see
 * docs/x-api-notes.md#blocked-flag-on-mentions): pass `'false'`/`'true'` for the docs' string variant.
 *
 * @example
 * ```ts
 * const payload = tweetCreatePayload({ forUserId: '1', tweets: [tweet], userHasBlocked: false });
 * ```
 */
export function tweetCreatePayload(input: {
  readonly forUserId: string;
  readonly tweets: readonly TweetPayload[];
  readonly userHasBlocked?: boolean | 'true' | 'false';
}): TweetCreatePayload {
  return {
    for_user_id: input.forUserId,
    ...(input.userHasBlocked === undefined ? {} : { user_has_blocked: input.userHasBlocked }),
    tweet_create_events: input.tweets,
  };
}

/** `favorite_events`: `liker` liked `tweet`. The event id is 32 hex characters like X's. */
export function favoritePayload(input: {
  readonly forUserId: string;
  readonly liker: PayloadUser;
  readonly tweet: TweetPayload;
  readonly at?: Date;
  readonly id?: string;
}): FavoritePayload {
  const at = input.at ?? new Date();
  return {
    for_user_id: input.forUserId,
    favorite_events: [
      {
        id: input.id ?? randomHex(32),
        created_at: twitterDate(at),
        timestamp_ms: at.getTime(),
        favorited_status: input.tweet,
        user: createV1User(input.liker),
      },
    ],
  };
}

interface RelationshipInput<T extends string> {
  readonly forUserId: string;
  readonly type: T;
  /** The account that acted. */
  readonly source: PayloadUser;
  /** The account acted upon. */
  readonly target: PayloadUser;
  /** @default now */
  readonly at?: Date;
}

function relationship<T extends string>(input: RelationshipInput<T>): RelationshipElementPayload<T> {
  return {
    type: input.type,
    created_timestamp: String((input.at ?? new Date()).getTime()),
    source: createRelationshipUser(input.source),
    target: createRelationshipUser(input.target),
  };
}

/** `follow_events` with `type` `follow` or `unfollow` (there is no `unfollow_events` key). */
export function followPayload(input: RelationshipInput<'follow' | 'unfollow'>): FollowPayload {
  return { for_user_id: input.forUserId, follow_events: [relationship(input)] };
}

/** `block_events` with `type` `block` or `unblock`. */
export function blockPayload(input: RelationshipInput<'block' | 'unblock'>): BlockPayload {
  return { for_user_id: input.forUserId, block_events: [relationship(input)] };
}

/** `mute_events` with `type` `mute` or `unmute`. */
export function mutePayload(input: RelationshipInput<'mute' | 'unmute'>): MutePayload {
  return { for_user_id: input.forUserId, mute_events: [relationship(input)] };
}

/** `user_event.revoke`: the user removed the app's authorization. No `for_user_id`, as documented. */
export function userRevokePayload(input: {
  readonly userId: string;
  readonly appId: string;
  readonly at?: Date;
}): UserRevokePayload {
  const iso = (input.at ?? new Date()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  return {
    user_event: {
      revoke: { date_time: iso, target: { app_id: input.appId }, source: { user_id: input.userId } },
    },
  };
}

/**
 * `direct_message_events` with the `users` map (sender and recipient) and, when the message was sent
 * through an app, `source_app_id` and the `apps` map.
 */
export function directMessagePayload(input: {
  readonly forUserId: string;
  readonly sender: PayloadUser;
  readonly recipient: PayloadUser;
  readonly text: string;
  readonly id?: string;
  readonly at?: Date;
  /** The app the message was sent through; omit for a message without app attribution. */
  readonly app?: DmAppPayload;
}): DirectMessagePayload {
  const at = input.at ?? new Date();
  const event: DirectMessageElementPayload = {
    type: 'message_create',
    id: input.id ?? snowflakeId(at),
    created_timestamp: String(at.getTime()),
    message_create: {
      target: { recipient_id: input.recipient.id },
      sender_id: input.sender.id,
      ...(input.app ? { source_app_id: input.app.id } : {}),
      message_data: {
        text: input.text,
        entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
      },
    },
  };
  return {
    for_user_id: input.forUserId,
    direct_message_events: [event],
    ...(input.app ? { apps: { [input.app.id]: input.app } } : {}),
    users: dmUsers(input.sender, input.recipient),
  };
}

function dmUsers(a: PayloadUser, b: PayloadUser): Record<string, DmUserPayload> {
  return { [a.id]: createDmUser(a), [b.id]: createDmUser(b) };
}

/** `direct_message_indicate_typing_events`: `sender` is typing to `recipient`. Events have no id and no type. */
export function typingPayload(input: {
  readonly forUserId: string;
  readonly sender: PayloadUser;
  readonly recipient: PayloadUser;
  readonly at?: Date;
}): TypingPayload {
  return {
    for_user_id: input.forUserId,
    direct_message_indicate_typing_events: [
      {
        created_timestamp: String((input.at ?? new Date()).getTime()),
        sender_id: input.sender.id,
        target: { recipient_id: input.recipient.id },
      },
    ],
    users: dmUsers(input.sender, input.recipient),
  };
}

/** `direct_message_mark_read_events`: `reader` read `author`'s messages up to `lastReadEventId`. */
export function readPayload(input: {
  readonly forUserId: string;
  readonly reader: PayloadUser;
  readonly author: PayloadUser;
  readonly lastReadEventId: string;
  readonly at?: Date;
}): ReadPayload {
  return {
    for_user_id: input.forUserId,
    direct_message_mark_read_events: [
      {
        created_timestamp: String((input.at ?? new Date()).getTime()),
        sender_id: input.reader.id,
        target: { recipient_id: input.author.id },
        last_read_event_id: input.lastReadEventId,
      },
    ],
    users: dmUsers(input.reader, input.author),
  };
}

/** `tweet_delete_events`: all ids and `timestamp_ms` are strings. */
export function tweetDeletePayload(input: {
  readonly forUserId: string;
  readonly tweetId: string;
  readonly userId: string;
  readonly at?: Date;
}): TweetDeletePayload {
  return {
    for_user_id: input.forUserId,
    tweet_delete_events: [
      {
        status: { id: input.tweetId, user_id: input.userId },
        timestamp_ms: String((input.at ?? new Date()).getTime()),
      },
    ],
  };
}

/** The `replay_job_status` control message sent when a replay job ends. */
export function replayJobStatusPayload(input: {
  readonly webhookId: string;
  readonly jobId: string;
  readonly complete: boolean;
}): ReplayJobStatusPayload {
  return {
    replay_job_status: {
      webhook_id: input.webhookId,
      job_state: input.complete ? 'Complete' : 'Incomplete',
      job_state_description: input.complete
        ? 'Job completed successfully'
        : 'Job failed to deliver all events, please retry your replay job',
      job_id: input.jobId,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Serialisation and signing
// ---------------------------------------------------------------------------------------------

const NUMERIC_ID_KEYS = ['id', 'in_reply_to_status_id', 'in_reply_to_user_id', 'quoted_status_id'] as const;
const RAW = '\u0000raw:';

function withExactIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withExactIds);
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(source)) out[key] = withExactIds(item);
  for (const key of NUMERIC_ID_KEYS) {
    const exact = source[`${key}_str`];
    if (typeof source[key] === 'number' && typeof exact === 'string' && /^\d+$/.test(exact)) {
      out[key] = RAW + exact;
    }
  }
  return out;
}

/**
 * Serialises a payload to the exact bytes X would send: compact JSON in which every numeric id that
 * has a `*_str` sibling is written with that sibling's exact digits (so ids above 2^53 keep the
 * precision that `JSON.parse` then loses, as with real deliveries).
 *
 * @example
 * ```ts
 * const body = serializePayload(tweetCreatePayload({ forUserId: '1', tweets: [tweet] }));
 * ```
 */
export function serializePayload(payload: object): string {
  return JSON.stringify(withExactIds(payload)).replace(/"\\u0000raw:(\d+)"/g, '$1');
}

/** A delivery ready to POST to a webhook handler. */
export interface SignedDelivery {
  /** The exact body bytes as text. */
  readonly body: string;
  /** `content-type` and `x-twitter-webhooks-signature`. */
  readonly headers: { readonly 'content-type': 'application/json'; readonly 'x-twitter-webhooks-signature': string };
}

/**
 * Serialises a payload with {@link serializePayload} and signs it as X would, for testing your own
 * webhook handler without the emulator.
 *
 * @example
 * ```ts
 * const { body, headers } = await createSignedDelivery(favoritePayload({ ... }), consumerSecret);
 * const response = await handler.handle(new Request('http://localhost/webhook', { method: 'POST', headers, body }));
 * ```
 */
export async function createSignedDelivery(payload: object, consumerSecret: string): Promise<SignedDelivery> {
  const body = serializePayload(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-twitter-webhooks-signature': await signPayload(body, consumerSecret),
    },
  };
}

function randomHex(length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}
