/**
 * Payload factories of the X Activity API (XAA) and of Filtered-Stream webhooks: the v2 User and
 * Post objects, the XAA envelope `{data: {event_uuid, filter, event_type, tag, payload, includes}}`
 * and the Filtered-Stream body `{data, includes, matching_rules}`, with the quirks of X's published
 * samples (every id a string, counts twice as number and `*_str`, users bare in `includes.users` of
 * posts and likes but wrapped as `{data: User}` elsewhere). See spec §3, §4 and §8.
 */
import type { PayloadUser, TweetPayload } from './payloads.js';

/** A v2 User object (`includes.users[]`, or the `data` of a `{data: User}` wrapper). */
export interface V2UserPayload {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly created_at: string;
  readonly protected: boolean;
  readonly verified: boolean;
  readonly verified_type: string;
  readonly description: string;
  readonly location?: string;
  readonly url: string;
  readonly profile_image_url: string;
}

/** A v2 Post object: the payload of XAA `post.*` events and the `data` of Filtered-Stream deliveries. */
export interface V2PostPayload {
  readonly id: string;
  readonly text: string;
  readonly author_id: string;
  readonly created_at: string;
  readonly conversation_id: string;
  readonly edit_history_tweet_ids: readonly string[];
  readonly edit_controls: {
    readonly edits_remaining: number;
    readonly edits_remaining_str: string;
    readonly is_edit_eligible: boolean;
    readonly editable_until: string;
  };
  readonly public_metrics: Readonly<Record<string, number | string>>;
  readonly display_text_range: readonly [number, number];
  readonly lang: string;
  readonly reply_settings: string;
  readonly possibly_sensitive: boolean;
  readonly paid_partnership: boolean;
  readonly entities?: {
    readonly mentions?: readonly {
      readonly start: number;
      readonly start_str: string;
      readonly end: number;
      readonly end_str: string;
      readonly username: string;
      readonly id: string;
    }[];
    readonly hashtags?: readonly {
      readonly start: number;
      readonly start_str: string;
      readonly end: number;
      readonly end_str: string;
      readonly tag: string;
    }[];
  };
  readonly in_reply_to_user_id?: string;
  readonly referenced_tweets?: readonly { readonly type: 'replied_to' | 'quoted' | 'retweeted'; readonly id: string }[];
}

/** An XAA subscription filter as delivered: `{user_id}`, `{user_id, direction}`, `{keyword}` or `{}`. */
export interface XaaFilterPayload {
  readonly user_id?: string;
  readonly keyword?: string;
  readonly direction?: 'inbound' | 'outbound';
}

/** One XAA delivery body (webhook POST or one line of `/2/activity/stream`). */
export interface XaaEnvelopePayload {
  readonly data: {
    readonly event_uuid: string;
    readonly filter: XaaFilterPayload;
    readonly event_type: string;
    readonly tag?: string;
    readonly payload: object;
    readonly includes?: object;
  };
}

/** One `matching_rules` entry of a Filtered-Stream delivery. */
export interface MatchingRulePayload {
  readonly id: string;
  readonly tag?: string;
}

/** A Filtered-Stream webhook delivery body (the same object as one line of `/2/tweets/search/stream`). */
export interface FilteredStreamPayload {
  readonly data: Partial<V2PostPayload> & { readonly id: string; readonly text: string };
  readonly includes?: { readonly users?: readonly object[]; readonly tweets?: readonly object[] };
  readonly matching_rules: readonly MatchingRulePayload[];
}

const DEFAULT_CREATED = new Date('2015-01-29T18:34:29Z');

/** X's ISO form with milliseconds, on whole seconds (`2026-07-24T21:05:48.000Z`). */
export function isoMillis(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
}

/** Extra profile fields of a v2 User (set by `emulator.activity.updateProfile`). */
export interface V2UserExtras {
  readonly url?: string;
  readonly profileImageUrl?: string;
  readonly verifiedType?: string;
}

/**
 * Builds a v2 User object from an account, as X writes it in XAA `includes.users` and `{data: User}`
 * wrappers.
 *
 * @example
 * ```ts
 * createV2User({ id: '2244994945', screenName: 'alice' }); // { id, username: 'alice', name: 'alice', ... }
 * ```
 */
export function createV2User(user: PayloadUser, extras: V2UserExtras = {}): V2UserPayload {
  const verifiedType = extras.verifiedType ?? (user.verified ? 'blue' : 'none');
  return {
    id: user.id,
    username: user.screenName,
    name: user.name ?? user.screenName,
    created_at: isoMillis(user.createdAt ?? DEFAULT_CREATED),
    protected: user.protected ?? false,
    verified: verifiedType !== 'none',
    verified_type: verifiedType,
    description: user.description ?? '',
    ...(user.location ? { location: user.location } : {}),
    url: extras.url ?? '',
    profile_image_url: extras.profileImageUrl ?? `https://pbs.twimg.com/profile_images/${user.id}/avatar_normal.jpg`,
  };
}

function metrics(tweet: TweetPayload): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const counts: [string, number][] = [
    ['retweet_count', tweet.retweet_count],
    ['reply_count', tweet.reply_count],
    ['like_count', tweet.favorite_count],
    ['quote_count', tweet.quote_count],
    ['bookmark_count', 0],
    ['impression_count', 0],
  ];
  for (const [key, value] of counts) {
    out[key] = value;
    out[`${key}_str`] = String(value);
  }
  return out;
}

const HASHTAG = /(^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]+)/gu;

/**
 * Converts a post of the emulator (the v1.1 object of AAA deliveries) into the v2 Post of XAA and
 * Filtered-Stream deliveries: string ids, ISO `created_at`, `edit_controls` with `_str` twins,
 * `entities.mentions` and `entities.hashtags` with `start`/`end` and their `_str` twins,
 * `referenced_tweets` (`replied_to`, `quoted`, `retweeted`).
 *
 * @example
 * ```ts
 * const post = createV2Post(createTweet({ user: alice, text: 'hello #xaa' }));
 * ```
 */
export function createV2Post(tweet: TweetPayload): V2PostPayload {
  const created = new Date(Number(tweet.timestamp_ms));
  const referenced: { type: 'replied_to' | 'quoted' | 'retweeted'; id: string }[] = [];
  if (tweet.in_reply_to_status_id_str !== null)
    referenced.push({ type: 'replied_to', id: tweet.in_reply_to_status_id_str });
  if (tweet.quoted_status_id_str !== undefined) referenced.push({ type: 'quoted', id: tweet.quoted_status_id_str });
  if (tweet.retweeted_status !== undefined) referenced.push({ type: 'retweeted', id: tweet.retweeted_status.id_str });
  const mentions = tweet.entities.user_mentions.map((m) => ({
    start: m.indices[0],
    start_str: String(m.indices[0]),
    end: m.indices[1],
    end_str: String(m.indices[1]),
    username: m.screen_name,
    id: m.id_str,
  }));
  const hashtags = [...tweet.text.matchAll(HASHTAG)].map((m) => {
    const start = (m.index ?? 0) + (m[1] ?? '').length;
    const end = start + 1 + (m[2] ?? '').length;
    return { start, start_str: String(start), end, end_str: String(end), tag: m[2] ?? '' };
  });
  const entities = {
    ...(mentions.length > 0 ? { mentions } : {}),
    ...(hashtags.length > 0 ? { hashtags } : {}),
  };
  return {
    id: tweet.id_str,
    text: tweet.text,
    author_id: tweet.user.id_str,
    created_at: isoMillis(created),
    conversation_id: tweet.in_reply_to_status_id_str ?? tweet.id_str,
    edit_history_tweet_ids: [tweet.id_str],
    edit_controls: {
      edits_remaining: 5,
      edits_remaining_str: '5',
      is_edit_eligible: tweet.retweeted_status === undefined,
      editable_until: isoMillis(new Date(created.getTime() + 3_600_000)),
    },
    public_metrics: metrics(tweet),
    display_text_range: [0, [...tweet.text].length],
    lang: tweet.lang,
    reply_settings: 'everyone',
    possibly_sensitive: false,
    paid_partnership: false,
    ...(Object.keys(entities).length > 0 ? { entities } : {}),
    ...(tweet.in_reply_to_user_id_str === null ? {} : { in_reply_to_user_id: tweet.in_reply_to_user_id_str }),
    ...(referenced.length > 0 ? { referenced_tweets: referenced } : {}),
  };
}

/**
 * Builds an XAA delivery body: `{data: {event_uuid, filter, event_type, tag?, payload, includes?}}`
 * (`tag` only when the subscription has one, `includes` only when given), as X sends it to a
 * subscription's webhook and on `/2/activity/stream`.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(
 *   xaaEnvelope({ eventType: 'profile.update.bio', filter: { user_id: '1' }, payload: { before: 'a', after: 'b' } }),
 * );
 * ```
 */
export function xaaEnvelope(input: {
  readonly eventType: string;
  readonly filter: XaaFilterPayload;
  readonly payload: object;
  /** @default a fresh numeric id */
  readonly eventUuid?: string;
  readonly tag?: string;
  readonly includes?: object;
}): XaaEnvelopePayload {
  return {
    data: {
      event_uuid: input.eventUuid ?? randomUuid(),
      filter: input.filter,
      event_type: input.eventType,
      ...(input.tag === undefined ? {} : { tag: input.tag }),
      payload: input.payload,
      ...(input.includes === undefined ? {} : { includes: input.includes }),
    },
  };
}

/** A numeric event id like X's `event_uuid` (19 digits, can be negative in X's samples; positive here). */
function randomUuid(): string {
  let out = String(1 + Math.floor(Math.random() * 8));
  while (out.length < 19) out += String(Math.floor(Math.random() * 10));
  return out;
}

/** @internal A fresh `event_uuid`. */
export const nextEventUuid = randomUuid;

/**
 * Builds a Filtered-Stream webhook delivery: `{data: Post, includes?, matching_rules: [{id, tag?}]}`.
 *
 * @example
 * ```ts
 * filteredStreamPayload({ post: createV2Post(tweet), matchingRules: [{ id: '1', tag: 'cats' }] });
 * ```
 */
export function filteredStreamPayload(input: {
  readonly post: FilteredStreamPayload['data'];
  readonly matchingRules: readonly MatchingRulePayload[];
  readonly includes?: FilteredStreamPayload['includes'];
}): FilteredStreamPayload {
  return {
    data: input.post,
    ...(input.includes === undefined ? {} : { includes: input.includes }),
    matching_rules: input.matchingRules.map((r) => ({ id: r.id, ...(r.tag === undefined ? {} : { tag: r.tag }) })),
  };
}
