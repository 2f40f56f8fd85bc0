/**
 * zod 4 schemas of every Account Activity delivery family
 * (https://docs.x.com/x-api/account-activity/introduction): the source of truth for what
 * `parseActivity` accepts.
 *
 * The schemas are tolerant on purpose. Every object is loose (unknown fields pass through untouched),
 * every documented type variant is accepted (`user_has_blocked` as a boolean or `"true"`/`"false"`,
 * timestamps as strings or numbers), and only the fields that normalisation reads are checked.
 * Legacy numeric tweet and user ids (which may exceed 2^53 and are corrupted by `JSON.parse`) are
 * typed `unknown`: read the `*_str` siblings instead.
 *
 * @packageDocumentation
 */
import * as z from 'zod';
import { EPOCH_MS_TEXT, MAX_DATE_MS, TWITTER_DATE, isIsoDateText } from './scalars.js';

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

/** Epoch milliseconds, as a string of digits (most families) or a number (`favorite_events`). */
export const epochMsSchema = z.union([z.string().regex(EPOCH_MS_TEXT), z.number().int().min(0).max(MAX_DATE_MS)]);

/** X's `created_at` date text, `"Mon Mar 26 16:33:26 +0000 2018"`. */
export const twitterDateSchema = z
  .string()
  .regex(TWITTER_DATE, { message: 'Expected a date like "Mon Mar 26 16:33:26 +0000 2018"' });

/** An ISO-8601 date-time text, such as `user_event.revoke.date_time`. */
export const isoDateSchema = z.string().refine(isIsoDateText, {
  message: 'Expected an ISO-8601 date-time',
});

/**
 * A legacy numeric id that may exceed 2^53 (`JSON.parse` silently rounds it). Typed `unknown` so that
 * it is never mistaken for the real id: use the `*_str` sibling.
 */
export const lossyIdSchema = z.unknown().optional();

/** `user_has_blocked` (also named `is_blocked_by` in one doc table): a boolean or its text. */
export const blockedFlagSchema = z.union([z.boolean(), z.literal(['true', 'false'])]);

// ---------------------------------------------------------------------------------------------
// Shared sub-objects
// ---------------------------------------------------------------------------------------------

/** The standard v1.1 user inside tweets and likes: `id_str` is the id (`id` is a lossy number). */
export const tweetUserSchema = z.looseObject({
  id: lossyIdSchema,
  id_str: z.string(),
  screen_name: z.string().optional(),
  name: z.string().optional(),
});

/** One element of `entities.user_mentions`. */
export const userMentionSchema = z.looseObject({
  id: lossyIdSchema,
  id_str: z.string(),
  screen_name: z.string().optional(),
});

/** A tweet's `entities` (only `user_mentions` is read). */
export const entitiesSchema = z.looseObject({
  user_mentions: z.array(userMentionSchema).optional(),
});

/** `extended_tweet` of a longform post (over 280 characters). */
export const extendedTweetSchema = z.looseObject({
  full_text: z.string(),
  entities: entitiesSchema.optional(),
});

/** Edit control fields, in any of the documented formats (enterprise, v1.1 standard, v2). */
const editControlFields = {
  /** Enterprise: epoch ms as a number. */
  editable_until_ms: epochMsSchema.optional(),
  /** v1.1 standard: epoch ms, usually as a string. */
  editable_until_msecs: epochMsSchema.optional(),
  /** v2: ISO-8601. */
  editable_until: isoDateSchema.optional(),
  edits_remaining: z.union([z.number(), z.string().regex(/^\d{1,4}$/)]).optional(),
  is_edit_eligible: z.boolean().optional(),
  edit_tweet_ids: z.array(z.string()).optional(),
  initial_tweet_id: z.string().optional(),
};

/** `edit_controls` (enterprise or v2) or `ext_edit_control` (v1.1 standard). */
export const editControlsSchema = z.looseObject({
  ...editControlFields,
  edit_control_initial: z.looseObject(editControlFields).optional(),
  edit_control_edit: z.looseObject(editControlFields).optional(),
});

/** Enterprise `edit_history`. */
export const editHistorySchema = z.looseObject({
  initial_tweet_id: z.string(),
  edit_tweet_ids: z.array(z.string()),
});

const tweetCoreFields = {
  id: lossyIdSchema,
  id_str: z.string(),
  text: z.string().optional(),
  full_text: z.string().optional(),
  truncated: z.boolean().optional(),
  is_quote_status: z.boolean().optional(),
  quoted_status_id: lossyIdSchema,
  quoted_status_id_str: z.string().nullish(),
  extended_tweet: extendedTweetSchema.nullish(),
};

/** A tweet embedded in another one (`quoted_status` of a retweeted post). */
export const nestedTweetSchema = z.looseObject({
  ...tweetCoreFields,
  user: tweetUserSchema.optional(),
});

/** A tweet embedded in another one (`retweeted_status`, `quoted_status`), one level deep. */
export const embeddedTweetSchema = z.looseObject({
  ...tweetCoreFields,
  user: tweetUserSchema.optional(),
  quoted_status: nestedTweetSchema.nullish(),
});

/** The v1.1 "native" Tweet object, as in `tweet_create_events[]` and `favorited_status`. */
export const tweetSchema = z.looseObject({
  ...tweetCoreFields,
  created_at: twitterDateSchema,
  /** A string of epoch ms on tweets. */
  timestamp_ms: epochMsSchema.optional(),
  user: tweetUserSchema,
  in_reply_to_status_id: lossyIdSchema,
  in_reply_to_status_id_str: z.string().nullish(),
  in_reply_to_user_id: lossyIdSchema,
  in_reply_to_user_id_str: z.string().nullish(),
  in_reply_to_screen_name: z.string().nullish(),
  entities: entitiesSchema.nullish(),
  quoted_status: embeddedTweetSchema.nullish(),
  retweeted_status: embeddedTweetSchema.nullish(),
  edit_history: editHistorySchema.nullish(),
  edit_controls: editControlsSchema.nullish(),
  ext_edit_control: editControlsSchema.nullish(),
  editable: z.boolean().optional(),
  edit_history_tweet_ids: z.array(z.string()).optional(),
});

/** The "relationship user" of follow, block and mute events: `id` is a string, no `id_str`. */
export const relationshipUserSchema = z.looseObject({
  id: z.string(),
  screen_name: z.string().optional(),
  name: z.string().optional(),
});

/** A value of the DM `users` side map. */
export const dmUserSchema = z.looseObject({
  id: z.string(),
  screen_name: z.string().optional(),
  name: z.string().optional(),
  created_timestamp: epochMsSchema.optional(),
});

/** A value of the DM `apps` side map. */
export const dmAppSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  url: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------
// Event elements, one per family
// ---------------------------------------------------------------------------------------------

/** One element of `favorite_events`. */
export const favoriteElementSchema = z.looseObject({
  id: z.string(),
  created_at: z.string().optional(),
  /** A number here, unlike every other family; a string is accepted too. */
  timestamp_ms: epochMsSchema,
  favorited_status: tweetSchema,
  user: tweetUserSchema,
});

/** One element of `follow_events`, `block_events` or `mute_events`. */
export const relationshipElementSchema = z.looseObject({
  /** `follow`/`unfollow`, `block`/`unblock` or `mute`/`unmute`; checked against the family key. */
  type: z.string().optional(),
  created_timestamp: epochMsSchema,
  source: relationshipUserSchema,
  target: relationshipUserSchema,
});

/** The `user_event` object: a subscription revoke. */
export const userEventSchema = z.looseObject({
  revoke: z.looseObject({
    date_time: isoDateSchema,
    target: z.looseObject({ app_id: z.string() }),
    source: z.looseObject({ user_id: z.string() }),
  }),
});

/** `target` of DM events: the recipient. */
export const dmTargetSchema = z.looseObject({ recipient_id: z.string() });

/** One element of `direct_message_events`. */
export const directMessageElementSchema = z.looseObject({
  type: z.literal('message_create').optional(),
  id: z.string(),
  created_timestamp: epochMsSchema,
  message_create: z.looseObject({
    target: dmTargetSchema,
    sender_id: z.string(),
    source_app_id: z.string().optional(),
    message_data: z.looseObject({
      text: z.string(),
    }),
  }),
});

/** One element of `direct_message_indicate_typing_events`. */
export const typingElementSchema = z.looseObject({
  created_timestamp: epochMsSchema,
  sender_id: z.string(),
  target: dmTargetSchema,
});

/** One element of `direct_message_mark_read_events`. */
export const readElementSchema = z.looseObject({
  created_timestamp: epochMsSchema,
  sender_id: z.string(),
  target: dmTargetSchema,
  last_read_event_id: z.string(),
});

/** One element of `tweet_delete_events`. */
export const tweetDeleteElementSchema = z.looseObject({
  status: z.looseObject({ id: z.string(), user_id: z.string() }),
  timestamp_ms: epochMsSchema,
});

/** The `replay_job_status` control object. */
export const replayJobStatusSchema = z.looseObject({
  job_id: z.string(),
  webhook_id: z.string().optional(),
  /** `"Complete"` or `"Incomplete"`; other text is kept. */
  job_state: z.string(),
  job_state_description: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------
// X Activity API (XAA) and Filtered Stream (docs/events.md#x-activity-api-xaa)
// ---------------------------------------------------------------------------------------------

const str = z.string().optional();

/** A v2 User, bare (`includes.users[]` of posts and likes); only `id` is required. */
export const v2UserSchema = z.looseObject({ id: z.string(), username: str, name: str });

/** A v2 User in either encoding: bare, or wrapped as `{"data": User}` (follows, spaces, DM `users`). */
export const anyUserSchema = z.union([z.looseObject({ data: v2UserSchema }), v2UserSchema]);

/** The XAA envelope (`data` of a delivery): `event_uuid` is an opaque string (it can be negative or absent). */
export const xaaEventSchema = z.looseObject({
  event_type: z.string(),
  event_uuid: str,
  /** `{user_id}`, `{user_id, direction}`, `{keyword}` or `{}` (`oauth.revoke`). */
  filter: z.looseObject({ user_id: str, keyword: str, direction: str }).optional(),
  tag: str,
});

/** A v2 Post: the payload of XAA `post.*.create` events and the `data` of Filtered-Stream deliveries. */
export const v2PostSchema = z.looseObject({
  id: z.string(),
  text: str,
  author_id: str,
  created_at: isoDateSchema.optional(),
  conversation_id: str,
  in_reply_to_user_id: str,
  lang: str,
  referenced_tweets: z.array(z.looseObject({ type: z.string(), id: z.string() })).optional(),
  entities: z.looseObject({ mentions: z.array(z.looseObject({ id: str, username: str })).optional() }).optional(),
  attachments: z.looseObject({ media_keys: z.array(z.string()).optional() }).optional(),
  edit_history_tweet_ids: z.array(z.string()).optional(),
  edit_controls: editControlsSchema.optional(),
});

/** `post.delete`: `{id, author_id}`. */
export const xaaPostDeleteSchema = z.looseObject({ id: z.string(), author_id: str });

/** `like.create`; `liked_tweet_author_id` (docs) or `tweet_author_id` (OAS), `timestamp_ms` text or number. */
export const xaaLikeSchema = z.looseObject({
  id: z.string(),
  liked_tweet_id: str,
  liked_tweet_author_id: str,
  tweet_author_id: str,
  timestamp_ms: epochMsSchema.optional(),
  created_at: isoDateSchema.optional(),
});

/** `follow.*`, `mute.*`, `block.*`: `{source, target}` (the source follows, mutes or blocks the target). */
export const xaaRelationshipSchema = z.looseObject({ source: anyUserSchema, target: anyUserSchema });

/** `profile.update.*`: `{before, after}` texts. */
export const xaaProfileSchema = z.looseObject({ before: z.string().nullish(), after: z.string().nullish() });

/** `chat.*` (XChat): encrypted fields are opaque strings; every field optional (most types have no sample). */
export const xaaChatSchema = z.looseObject({
  id: str,
  conversation_id: str,
  conversation_token: str,
  sender_id: str,
  created_at_msec: epochMsSchema.optional(),
  conversation_key_version: str,
  encoded_event: str,
  conversation_key_change_event: str,
  message_event_signature: z
    .looseObject({ public_key_version: str, signature: str, signature_version: str, signing_public_key: str })
    .optional(),
});

/** `news.new`: the docs sample (`name`, `contexts`...) or the OAS schema (`headline`). */
export const xaaNewsSchema = z.looseObject({
  id: str,
  name: str,
  headline: str,
  category: str,
  hook: str,
  summary: str,
  disclaimer: str,
  updated_at: isoDateSchema.optional(),
  cluster_posts_results: z.array(z.looseObject({ post_id: z.string() })).optional(),
});

const numberish = z.union([z.number(), z.string()]).optional();

/** `spaces.*`, `broadcast.*` (live broadcasts) and `broadcast.chat`. */
export const xaaBroadcastSchema = z.looseObject({
  user: anyUserSchema.optional(),
  author: anyUserSchema.optional(),
  broadcast_id: str,
  /** Spaces: `spaces_start`/`spaces_end` (samples) or `start`/`end` (prose). */
  event_type: str,
  title: str,
  language: str,
  broadcast_state: str,
  created_timestamp_ms: epochMsSchema.optional(),
  updated_timestamp_ms: epochMsSchema.optional(),
  event_timestamp_ms: epochMsSchema.optional(),
  duration_ms: numberish,
  thumbnail_url: str,
  available_for_replay: z.boolean().optional(),
  message_id: str,
  message: str,
});

/** `oauth.revoke`: `{date_time, user_id, app_id}`. */
export const xaaRevokeSchema = z.looseObject({ date_time: isoDateSchema, user_id: z.string(), app_id: z.string() });

/** Any object (payloads read leniently: `dm.read`, `dm.indicate_typing`). */
export const anyObjectSchema = z.looseObject({});

/** `dm.received`, `dm.sent`: the AAA `direct_message_events` array (each element checked on its own) and a `users` map. */
export const xaaDmSchema = z.looseObject({ direct_message_events: z.array(z.unknown()) });

/** One `matching_rules` entry of a Filtered-Stream delivery. */
export const matchingRuleSchema = z.looseObject({
  id: z.string(),
  tag: str,
  embedding_similarity: numberish,
  embedding_threshold: numberish,
});

/** A Filtered-Stream delivery: `{data: Post, includes, matching_rules}`. */
export const filteredStreamSchema = z.looseObject({ data: v2PostSchema, matching_rules: z.array(matchingRuleSchema) });

// ---------------------------------------------------------------------------------------------
// Types of the raw elements
// ---------------------------------------------------------------------------------------------

/** A raw v1.1 Tweet, as delivered (unknown fields kept). Numeric ids are `unknown`: use `*_str`. */
export type RawTweet = z.output<typeof tweetSchema>;
/** A raw user embedded in a tweet or like. */
export type RawTweetUser = z.output<typeof tweetUserSchema>;
/** A raw `favorite_events` element. */
export type RawFavorite = z.output<typeof favoriteElementSchema>;
/** A raw `follow_events`, `block_events` or `mute_events` element. */
export type RawRelationship = z.output<typeof relationshipElementSchema>;
/** A raw relationship user (`source`, `target`). */
export type RawRelationshipUser = z.output<typeof relationshipUserSchema>;
/** The raw `user_event` object. */
export type RawUserEvent = z.output<typeof userEventSchema>;
/** A raw `direct_message_events` element. */
export type RawDirectMessage = z.output<typeof directMessageElementSchema>;
/** A raw `direct_message_indicate_typing_events` element. */
export type RawTyping = z.output<typeof typingElementSchema>;
/** A raw `direct_message_mark_read_events` element. */
export type RawRead = z.output<typeof readElementSchema>;
/** A raw `tweet_delete_events` element. */
export type RawTweetDelete = z.output<typeof tweetDeleteElementSchema>;
/** The raw `replay_job_status` object. */
export type RawReplayJobStatus = z.output<typeof replayJobStatusSchema>;
/** A raw value of the DM `users` map. */
export type RawDmUser = z.output<typeof dmUserSchema>;
/** A raw value of the DM `apps` map. */
export type RawDmApp = z.output<typeof dmAppSchema>;
/** Raw edit control fields, in any documented format. */
export type RawEditControls = z.output<typeof editControlsSchema>;
/** The raw XAA envelope (`data`), as delivered. */
export type RawXaaEvent = z.output<typeof xaaEventSchema>;
/** A raw v2 Post. */
export type RawV2Post = z.output<typeof v2PostSchema>;
/** A raw v2 User (bare). */
export type RawV2User = z.output<typeof v2UserSchema>;
/** A raw `matching_rules` entry. */
export type RawMatchingRule = z.output<typeof matchingRuleSchema>;
