/**
 * Activity of the emulated accounts. Each function changes the emulated world and delivers the
 * resulting payloads, of the shapes X delivers, to every valid webhook with an affected subscribed
 * user: one delivery per subscribed user involved, as X does. The same activity also produces the
 * X Activity API events of every matching XAA subscription (to its webhook and to
 * `/2/activity/stream`) and, for posts, the Filtered-Stream deliveries of matching rules.
 */
import { MAX_DELIVERY_LOG } from './delivery.js';
import type { DeliveryEngine, DeliveryRecord } from './delivery.js';
import {
  blockPayload,
  createTweet,
  directMessagePayload,
  favoritePayload,
  followPayload,
  mutePayload,
  readPayload,
  serializePayload,
  snowflakeId,
  tweetCreatePayload,
  tweetDeletePayload,
  typingPayload,
  userRevokePayload,
  type DirectMessageElementPayload,
  type DmAppPayload,
  type TweetPayload,
} from './payloads.js';
import type { EmulatedAccount, Store } from './store.js';
import type { ProfileChanges, XaaHub } from './xaa-hub.js';

/** An account given by object, id, or screen name (with or without `@`). */
export type AccountRef = EmulatedAccount | string;

/** A post given by object or id. */
export type TweetRef = TweetPayload | string;

/** When an activity happened; defaults to the emulator clock. Use a past time to fill a replay window. */
export interface ActivityOptions {
  /** @default the emulator clock's now */
  readonly at?: Date;
}

/** What an activity delivered (first attempts done; retries may follow). */
export interface ActivityResult {
  readonly deliveries: readonly DeliveryRecord[];
}

/** The result of an activity that created a post. */
export interface TweetActivityResult extends ActivityResult {
  readonly tweet: TweetPayload;
}

/** The result of sending a DM. */
export interface DirectMessageActivityResult extends ActivityResult {
  readonly event: DirectMessageElementPayload;
}

/** Functions that make emulated accounts act. */
export interface EmulatorActivity {
  /** `author` posts `text`; accounts @mentioned in it are notified (with `user_has_blocked`). */
  post(author: AccountRef, text: string, options?: ActivityOptions): Promise<TweetActivityResult>;
  /** `author` replies to a post; its author is notified. */
  reply(author: AccountRef, to: TweetRef, text: string, options?: ActivityOptions): Promise<TweetActivityResult>;
  /** `user` retweets a post; its author (and, for a quote, the quoted post's author) is notified. */
  retweet(user: AccountRef, tweet: TweetRef, options?: ActivityOptions): Promise<TweetActivityResult>;
  /** `user` quotes a post with `text`; its author is notified. */
  quote(user: AccountRef, tweet: TweetRef, text: string, options?: ActivityOptions): Promise<TweetActivityResult>;
  /** `author` posts `@target text`. */
  mention(
    author: AccountRef,
    target: AccountRef,
    text?: string,
    options?: ActivityOptions,
  ): Promise<TweetActivityResult>;
  /** `user` likes a post: `favorite_events` to the liker and the post's author. */
  like(user: AccountRef, tweet: TweetRef, options?: ActivityOptions): Promise<ActivityResult>;
  /** `follow_events` type `follow`, to both accounts. */
  follow(source: AccountRef, target: AccountRef, options?: ActivityOptions): Promise<ActivityResult>;
  /** `follow_events` type `unfollow`, to the actor only (see docs/x-api-notes.md#unfollow-unblock-and-unmute). */
  unfollow(source: AccountRef, target: AccountRef, options?: ActivityOptions): Promise<ActivityResult>;
  /** `block_events` type `block`, to the actor only. */
  block(source: AccountRef, target: AccountRef, options?: ActivityOptions): Promise<ActivityResult>;
  /** `block_events` type `unblock`, to the actor only. */
  unblock(source: AccountRef, target: AccountRef, options?: ActivityOptions): Promise<ActivityResult>;
  /** `mute_events` type `mute`, to the actor only. */
  mute(source: AccountRef, target: AccountRef, options?: ActivityOptions): Promise<ActivityResult>;
  /** `mute_events` type `unmute`, to the actor only. */
  unmute(source: AccountRef, target: AccountRef, options?: ActivityOptions): Promise<ActivityResult>;
  /** The author deletes a post: `tweet_delete_events` to the author. */
  deleteTweet(user: AccountRef, tweet: TweetRef, options?: ActivityOptions): Promise<ActivityResult>;
  /**
   * `sender` sends a DM to `recipient`: `direct_message_events` to both. With `viaApp` the message
   * carries `source_app_id` and the payload an `apps` map (as for DMs sent through the API).
   */
  sendDirectMessage(
    sender: AccountRef,
    recipient: AccountRef,
    text: string,
    options?: ActivityOptions & { readonly viaApp?: boolean },
  ): Promise<DirectMessageActivityResult>;
  /** `sender` is typing to `recipient`: `direct_message_indicate_typing_events` to the recipient. */
  typing(sender: AccountRef, recipient: AccountRef, options?: ActivityOptions): Promise<ActivityResult>;
  /** `reader` read `author`'s DMs: `direct_message_mark_read_events` to the author. */
  markRead(
    reader: AccountRef,
    author: AccountRef,
    lastReadEventId: string,
    options?: ActivityOptions,
  ): Promise<ActivityResult>;
  /**
   * `user` revokes the app: `user_event` to each webhook the user was subscribed on, then the
   * subscriptions are removed and the user's tokens refused.
   */
  revoke(user: AccountRef, options?: ActivityOptions): Promise<ActivityResult>;
  /**
   * `user` changes their profile: one XAA `profile.update.*` event per given field (`bio`,
   * `profilePicture`, `bannerPicture`, `displayName` = `screenname`, `handle`, `geo`, `url`,
   * `verifiedBadge`, `affiliateBadge`), with `{ before, after }`. AAA has no such event. A new
   * `handle` renames the account (throws a TypeError when it is malformed or taken).
   *
   * @example
   * ```ts
   * await emulator.activity.updateProfile('alice', { bio: 'Building with XAA', handle: 'alice_xaa' });
   * ```
   */
  updateProfile(user: AccountRef, changes: ProfileChanges, options?: ActivityOptions): Promise<ActivityResult>;
}

/** What the activity functions need from the emulator. */
export interface ActivityContext {
  readonly store: Store;
  readonly engine: DeliveryEngine;
  readonly clock: () => number;
  readonly app: DmAppPayload;
  readonly userHasBlocked: 'boolean' | 'string';
  /** The XAA and Filtered-Stream side, when the emulator has one. */
  readonly xaa?: XaaHub;
}

interface Target {
  readonly userId: string;
  readonly payload: object;
}

/** Builds the activity functions over an emulator's state. */
export function createActivity(ctx: ActivityContext): EmulatorActivity {
  const { store } = ctx;

  const account = (ref: AccountRef): EmulatedAccount => {
    const found = typeof ref === 'string' ? store.findAccount(ref) : store.accounts.get(ref.id);
    if (!found) throw new TypeError(`Unknown emulated account "${typeof ref === 'string' ? ref : ref.screenName}".`);
    return found;
  };
  const tweetOf = (ref: TweetRef): TweetPayload => {
    const id = typeof ref === 'string' ? ref : ref.id_str;
    const stored = store.tweets.get(id);
    if (!stored || stored.deleted) throw new TypeError(`Unknown or deleted post ${id}.`);
    return stored.tweet;
  };
  const when = (options: ActivityOptions | undefined): Date => options?.at ?? new Date(ctx.clock());

  /** Runs the AAA deliveries and the XAA/Filtered-Stream ones side by side; one list of records. */
  async function both<R extends ActivityResult>(
    aaa: Promise<R>,
    xaa: (hub: XaaHub) => Promise<DeliveryRecord[]>,
  ): Promise<R> {
    const [result, more] = await Promise.all([aaa, ctx.xaa ? xaa(ctx.xaa) : Promise.resolve([])]);
    return more.length === 0 ? result : { ...result, deliveries: [...result.deliveries, ...more] };
  }

  async function deliver(eventType: string, at: Date, targets: readonly Target[]): Promise<ActivityResult> {
    const seen = new Set<string>();
    const sends: Promise<DeliveryRecord>[] = [];
    for (const target of targets) {
      if (seen.has(target.userId)) continue;
      seen.add(target.userId);
      const body = serializePayload(target.payload);
      for (const webhook of store.webhooks.values()) {
        if (!webhook.valid || !webhook.subscriptions.has(target.userId)) continue;
        sends.push(
          ctx.engine.deliver({
            webhookId: webhook.id,
            url: webhook.url,
            forUserId: target.userId,
            kind: 'activity',
            eventType,
            eventAt: at,
            body,
          }),
        );
      }
    }
    return { deliveries: await Promise.all(sends) };
  }

  async function publish(
    author: EmulatedAccount,
    text: string,
    at: Date,
    extra: { inReplyTo?: TweetPayload; quoted?: TweetPayload; retweeted?: TweetPayload },
  ): Promise<TweetActivityResult> {
    const mentioned = [...text.matchAll(/@([A-Za-z0-9_]{1,15})/g)]
      .map((m) => store.findAccount(m[1] ?? ''))
      .filter((a): a is EmulatedAccount => a !== undefined && a.id !== author.id);
    const tweet = createTweet({
      user: author,
      text,
      createdAt: at,
      mentions: mentioned,
      id: snowflakeId(at),
      ...extra,
    });
    store.tweets.set(tweet.id_str, { tweet, authorId: author.id, deleted: false });
    // Bounded like the delivery log: the oldest posts are forgotten first.
    if (store.tweets.size > MAX_DELIVERY_LOG) store.tweets.delete(store.tweets.keys().next().value as string);
    const notified: [string, boolean][] = [[author.id, false]];
    for (const target of [extra.inReplyTo, extra.quoted, extra.retweeted, extra.retweeted?.quoted_status]) {
      if (target) notified.push([target.user.id_str, false]);
    }
    for (const m of mentioned) {
      // A protected account's mentions reach only its followers (X's enterprise FAQ).
      if (author.protected && !m.following.has(author.id)) continue;
      notified.push([m.id, true]);
    }
    const targets = notified.map(([userId, isMention]): Target => {
      const reader = store.accounts.get(userId);
      const blocked = reader?.blocking.has(author.id) ?? false;
      const flag = ctx.userHasBlocked === 'string' ? (blocked ? 'true' : 'false') : blocked;
      return {
        userId,
        payload: tweetCreatePayload({
          forUserId: userId,
          tweets: [tweet],
          ...(isMention && userId !== author.id ? { userHasBlocked: flag } : {}),
        }),
      };
    });
    // A mention that is also the reply/quote target is one delivery, flagged as a mention.
    targets.sort((a, b) => Number('user_has_blocked' in b.payload) - Number('user_has_blocked' in a.payload));
    const ordered = [targets.find((t) => t.userId === author.id)!, ...targets.filter((t) => t.userId !== author.id)];
    const result = await both(deliver('tweet_create_events', at, ordered), (hub) =>
      hub.posted(tweet, author, mentioned, at),
    );
    return { ...result, tweet };
  }

  function relation<T extends 'follow' | 'unfollow' | 'block' | 'unblock' | 'mute' | 'unmute'>(
    type: T,
    sourceRef: AccountRef,
    targetRef: AccountRef,
    options: ActivityOptions | undefined,
  ): Promise<ActivityResult> {
    const source = account(sourceRef);
    const target = account(targetRef);
    const at = when(options);
    const set =
      type === 'follow' || type === 'unfollow'
        ? source.following
        : type === 'block' || type === 'unblock'
          ? source.blocking
          : source.muting;
    if (type === 'follow' || type === 'block' || type === 'mute') set.add(target.id);
    else set.delete(target.id);
    const build = (forUserId: string): object => {
      const input = { forUserId, source, target, at };
      if (type === 'follow' || type === 'unfollow') return followPayload({ ...input, type });
      if (type === 'block' || type === 'unblock') return blockPayload({ ...input, type });
      return mutePayload({ ...input, type: type as 'mute' | 'unmute' });
    };
    const family = type.endsWith('follow') ? 'follow_events' : type.endsWith('block') ? 'block_events' : 'mute_events';
    const users = type === 'follow' ? [source.id, target.id] : [source.id];
    return both(
      deliver(
        family,
        at,
        users.map((userId) => ({ userId, payload: build(userId) })),
      ),
      (hub) => hub.related(type, source, target, at),
    );
  }

  return {
    post: (author, text, options) => publish(account(author), text, when(options), {}),
    reply: (author, to, text, options) => publish(account(author), text, when(options), { inReplyTo: tweetOf(to) }),
    // Retweeting a retweet retweets the original, as on X.
    retweet: (user, tweet, options) => {
      const target = tweetOf(tweet);
      return publish(account(user), '', when(options), { retweeted: target.retweeted_status ?? target });
    },
    quote: (user, tweet, text, options) => publish(account(user), text, when(options), { quoted: tweetOf(tweet) }),
    mention: (author, target, text, options) =>
      publish(account(author), `@${account(target).screenName}${text ? ` ${text}` : ''}`, when(options), {}),
    like: async (userRef, tweetRef, options) => {
      const user = account(userRef);
      const tweet = tweetOf(tweetRef);
      const at = when(options);
      const id = snowflakeId(at).padStart(32, '0').slice(-32);
      const users = [user.id, tweet.user.id_str];
      return both(
        deliver(
          'favorite_events',
          at,
          users.map((userId) => ({
            userId,
            payload: favoritePayload({ forUserId: userId, liker: user, tweet, at, id }),
          })),
        ),
        (hub) => hub.liked(user, tweet, id, at),
      );
    },
    follow: (s, t, o) => relation('follow', s, t, o),
    unfollow: (s, t, o) => relation('unfollow', s, t, o),
    block: (s, t, o) => relation('block', s, t, o),
    unblock: (s, t, o) => relation('unblock', s, t, o),
    mute: (s, t, o) => relation('mute', s, t, o),
    unmute: (s, t, o) => relation('unmute', s, t, o),
    deleteTweet: async (userRef, tweetRef, options) => {
      const user = account(userRef);
      const tweet = tweetOf(tweetRef);
      if (tweet.user.id_str !== user.id)
        throw new TypeError(`@${user.screenName} cannot delete a post of @${tweet.user.screen_name}.`);
      const stored = store.tweets.get(tweet.id_str);
      if (stored) stored.deleted = true;
      const at = when(options);
      return both(
        deliver('tweet_delete_events', at, [
          {
            userId: user.id,
            payload: tweetDeletePayload({ forUserId: user.id, tweetId: tweet.id_str, userId: user.id, at }),
          },
        ]),
        (hub) => hub.deleted(tweet.id_str, user, at),
      );
    },
    sendDirectMessage: async (senderRef, recipientRef, text, options) => {
      const sender = account(senderRef);
      const recipient = account(recipientRef);
      const at = when(options);
      const id = snowflakeId(at);
      const build = (forUserId: string) =>
        directMessagePayload({
          forUserId,
          sender,
          recipient,
          text,
          id,
          at,
          ...(options?.viaApp ? { app: ctx.app } : {}),
        });
      const first = build(sender.id);
      const event = first.direct_message_events[0]!;
      const result = await both(
        deliver('direct_message_events', at, [
          { userId: sender.id, payload: first },
          { userId: recipient.id, payload: build(recipient.id) },
        ]),
        (hub) => hub.directMessage(sender, recipient, event, at),
      );
      return { ...result, event };
    },
    typing: (senderRef, recipientRef, options) => {
      const sender = account(senderRef);
      const recipient = account(recipientRef);
      const at = when(options);
      return both(
        deliver('direct_message_indicate_typing_events', at, [
          { userId: recipient.id, payload: typingPayload({ forUserId: recipient.id, sender, recipient, at }) },
        ]),
        (hub) => hub.typing(sender, recipient, at),
      );
    },
    markRead: (readerRef, authorRef, lastReadEventId, options) => {
      const reader = account(readerRef);
      const author = account(authorRef);
      const at = when(options);
      return both(
        deliver('direct_message_mark_read_events', at, [
          { userId: author.id, payload: readPayload({ forUserId: author.id, reader, author, lastReadEventId, at }) },
        ]),
        (hub) => hub.read(reader, author, lastReadEventId, at),
      );
    },
    revoke: async (userRef, options) => {
      const user = account(userRef);
      const at = when(options);
      const result = await both(
        deliver('user_event', at, [
          { userId: user.id, payload: userRevokePayload({ userId: user.id, appId: ctx.app.id, at }) },
        ]),
        (hub) => hub.revoked(user, at),
      );
      for (const webhook of store.webhooks.values()) webhook.subscriptions.delete(user.id);
      user.revoked = true;
      return result;
    },
    updateProfile: async (userRef, changes, options) => {
      const user = account(userRef);
      const at = when(options);
      return { deliveries: ctx.xaa ? await ctx.xaa.profileUpdated(user, changes, at) : [] };
    },
  };
}
