/**
 * Normalisation of posts: the author, the full text, the edit metadata, and the `kinds` that tell
 * posts, replies, retweets, quotes, retweets of quotes and mentions apart.
 *
 * Every function here reads only fields that the schemas in `schemas.ts` check, and is given values
 * that passed them.
 *
 * @internal
 * @packageDocumentation
 */
import { epochMs, twitterDateMs } from './scalars.js';
import type { RawEditControls, RawTweet, RawTweetUser } from './schemas.js';
import type { TweetEdit, TweetInfo, TweetKind, UserRef } from './types.js';

/** @internal The quoting part of a post, as checked by the embedded tweet schemas. */
interface QuoteFields {
  readonly is_quote_status?: boolean | undefined;
  readonly quoted_status_id_str?: string | null | undefined;
  readonly quoted_status?: { readonly id_str: string } | null | undefined;
}

/** @internal `UserRef` of a tweet or like user. */
export function tweetUserRef(user: RawTweetUser): UserRef {
  return { id: user.id_str, screenName: user.screen_name, name: user.name };
}

/** @internal Whether a post quotes another one. */
export function quotesAPost(tweet: QuoteFields): boolean {
  return (
    (tweet.quoted_status !== undefined && tweet.quoted_status !== null) ||
    (typeof tweet.quoted_status_id_str === 'string' && tweet.quoted_status_id_str !== '') ||
    tweet.is_quote_status === true
  );
}

const nonEmpty = (value: string | null | undefined): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function mentionedIds(tweet: RawTweet): string[] {
  const short = tweet.entities?.user_mentions;
  const long = tweet.extended_tweet?.entities?.user_mentions;
  // The common cases without a Set: none, or one list of one.
  if (long === undefined || long.length === 0) {
    if (short === undefined || short.length === 0) return [];
    const [first] = short;
    if (short.length === 1 && first !== undefined) return [first.id_str];
  }
  // A Set, not repeated array scans: a post with tens of thousands of mentions stays linear.
  const ids = new Set<string>();
  for (const mention of short ?? []) ids.add(mention.id_str);
  for (const mention of long ?? []) ids.add(mention.id_str);
  return [...ids];
}

function editableUntil(controls: RawEditControls): Date | undefined {
  const ms = controls.editable_until_ms ?? controls.editable_until_msecs;
  if (ms !== undefined) return new Date(epochMs(ms));
  return controls.editable_until === undefined ? undefined : new Date(controls.editable_until);
}

const remaining = (value: number | string | undefined): number | undefined =>
  value === undefined ? undefined : Number(value);

/** @internal Normalises edit metadata from any documented format; `undefined` when there is none. */
export function normaliseEdit(tweet: RawTweet): TweetEdit | undefined {
  const id = tweet.id_str;
  const history = tweet.edit_history;
  const controls = tweet.edit_controls ?? undefined;
  if (history !== undefined && history !== null) {
    return finish(id, 'enterprise', history.initial_tweet_id, history.edit_tweet_ids, controls, tweet.editable);
  }
  if (tweet.edit_history_tweet_ids !== undefined) {
    const ids = tweet.edit_history_tweet_ids;
    return finish(id, 'v2', ids[0], ids, controls, controls?.is_edit_eligible);
  }
  const legacy = tweet.ext_edit_control ?? controls;
  if (legacy !== undefined) {
    const inner = legacy.edit_control_initial ?? legacy.edit_control_edit ?? legacy;
    const ids = inner.edit_tweet_ids ?? legacy.edit_tweet_ids ?? [];
    const initial = legacy.initial_tweet_id ?? inner.initial_tweet_id ?? ids[0];
    const merged: RawEditControls = { ...legacy, ...inner };
    return finish(id, 'v1.1', initial, ids, merged, merged.is_edit_eligible ?? tweet.editable);
  }
  if (tweet.editable !== undefined) return finish(id, 'enterprise', undefined, [], undefined, tweet.editable);
  return undefined;
}

/** @internal Builds a {@link TweetEdit}. */
export function finish(
  id: string,
  format: TweetEdit['format'],
  initial: string | undefined,
  ids: readonly string[],
  controls: RawEditControls | undefined,
  editable: boolean | undefined,
): TweetEdit {
  const initialTweetId = initial ?? id;
  return {
    format,
    initialTweetId,
    editTweetIds: ids,
    isEdit: initialTweetId !== id,
    editableUntil: controls === undefined ? undefined : editableUntil(controls),
    editsRemaining: controls === undefined ? undefined : remaining(controls.edits_remaining),
    editable: editable ?? controls?.is_edit_eligible,
  };
}

/** @internal The normalised fields of a post that passed `tweetSchema`. */
export function normaliseTweet(tweet: RawTweet): TweetInfo {
  const text = tweet.text ?? tweet.full_text ?? '';
  const quoted = tweet.quoted_status ?? undefined;
  const retweeted = tweet.retweeted_status ?? undefined;
  return {
    id: tweet.id_str,
    createdAt: new Date(
      tweet.timestamp_ms === undefined ? twitterDateMs(tweet.created_at) : epochMs(tweet.timestamp_ms),
    ),
    author: tweetUserRef(tweet.user),
    text,
    fullText: tweet.extended_tweet?.full_text ?? tweet.full_text ?? text,
    inReplyToStatusId: nonEmpty(tweet.in_reply_to_status_id_str),
    inReplyToUserId: nonEmpty(tweet.in_reply_to_user_id_str),
    quotedStatusId: quoted?.id_str ?? nonEmpty(tweet.quoted_status_id_str),
    retweetedStatusId: retweeted?.id_str,
    mentionedUserIds: mentionedIds(tweet),
    edit: normaliseEdit(tweet),
  };
}

/** @internal The kinds of a post for the subscribed user `forUserId`. See `TweetKind`. */
export function tweetKinds(tweet: RawTweet, info: TweetInfo, forUserId: string): TweetKind[] {
  const kinds: TweetKind[] = [];
  const byUser = info.author.id === forUserId;
  const retweeted = tweet.retweeted_status ?? undefined;
  if (byUser) kinds.push('post');
  if (info.inReplyToStatusId !== undefined) kinds.push('reply');
  if (retweeted !== undefined) kinds.push('retweet');
  else if (quotesAPost(tweet)) kinds.push('quote');
  if (retweeted !== undefined && quotesAPost(retweeted)) kinds.push('retweet_of_quote');
  if (!byUser && info.mentionedUserIds.includes(forUserId)) kinds.push('mention');
  return kinds;
}
