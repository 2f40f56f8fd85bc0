/**
 * The X Activity API and Filtered-Stream side of the emulator: XAA subscriptions, stream rules and
 * stream links, and the translation of what emulated accounts do into XAA envelopes (to each
 * matching subscription's webhook and to `/2/activity/stream`) and Filtered-Stream bodies (to every
 * linked webhook). Deliveries go through the same {@link DeliveryEngine} as AAA ones.
 */
import { XAA_TYPES } from '../events/index.js';
import { isPrivateActivityType } from '../events/private-types.js';
import type { ActivityStream } from './activity-stream.js';
import type { DeliveryEngine, DeliveryRecord } from './delivery.js';
import type { DirectMessageElementPayload, PayloadUser, TweetPayload } from './payloads.js';
import type { CompiledRule, RuleSubject } from './rule-matcher.js';
import type { EmulatedAccount, Store } from './store.js';
import {
  createV2Post,
  createV2User,
  filteredStreamPayload,
  nextEventUuid,
  type V2PostPayload,
  type V2UserExtras,
  type XaaFilterPayload,
  xaaEnvelope,
} from './xaa-payloads.js';

/**
 * Every `event_type` the create request accepts (X's OpenAPI spec v2.167 enum): every type this
 * version types but `oauth.revoke`, which is delivered without a subscription.
 */
export const XAA_SUBSCRIBABLE_TYPES: readonly string[] = XAA_TYPES.filter((type) => type !== 'oauth.revoke');

/** The canonical name of an event type (`chat.conversation_join` is an alias of `chat.conversation.join`). */
export const canonicalEventType = (eventType: string): string =>
  eventType === 'chat.conversation_join' ? 'chat.conversation.join' : eventType;

/** An XAA subscription. */
export interface XaaSubscriptionState {
  readonly id: string;
  readonly eventType: string;
  readonly filter: XaaFilterPayload;
  tag: string | undefined;
  webhookId: string | undefined;
  readonly createdAt: number;
  updatedAt: number;
}

/** A Filtered-Stream rule. */
export interface StreamRuleState {
  readonly id: string;
  readonly value: string;
  readonly tag: string | undefined;
  readonly rule: CompiledRule & { ok: true };
}

/** A webhook linked to the Filtered Stream, with its field query parameters. */
export interface StreamLinkState {
  readonly webhookId: string;
  readonly createdAt: number;
  /** `name=value` of each field parameter given (`expansions=author_id`, `tweet.fields=created_at,lang`). */
  readonly fields: readonly string[];
  readonly params: ReadonlyMap<string, readonly string[]>;
}

/** Profile changes of `emulator.activity.updateProfile`: each given field delivers its `profile.update.*` event. */
export interface ProfileChanges {
  /** `profile.update.bio` (the description). */
  readonly bio?: string;
  /** `profile.update.profile_picture` (an image URL). */
  readonly profilePicture?: string;
  /** `profile.update.banner_picture` (an image URL). */
  readonly bannerPicture?: string;
  /** `profile.update.screenname`: the display name (X calls it screenname). */
  readonly displayName?: string;
  /** `profile.update.handle`: the @handle, without `@` (the account is renamed). */
  readonly handle?: string;
  /** `profile.update.geo` (the location). */
  readonly geo?: string;
  /** `profile.update.url` (X delivers the t.co form; any string here). */
  readonly url?: string;
  /** `profile.update.verified_badge`, e.g. `'blue'` or `'none'`. */
  readonly verifiedBadge?: string;
  /** `profile.update.affiliate_badge`, e.g. an affiliate's handle. */
  readonly affiliateBadge?: string;
}

interface ProfileState {
  profilePicture: string | undefined;
  bannerPicture: string;
  url: string;
  verifiedBadge: string;
  affiliateBadge: string;
}

/** An XAA event given by a test (`emulator.xaa.emit`), for the types no emulated activity produces. */
export interface XaaEventInput {
  /** The `event_type`, e.g. `'chat.received'`, `'news.new'`, `'spaces.start'`. */
  readonly eventType: string;
  /** The user it is about: subscriptions filtered on this `user_id` match. */
  readonly userId?: string;
  /** Text that `keyword` filters are tested against (whole words, case-insensitive). */
  readonly text?: string;
  /** For subscriptions with a `direction` filter. */
  readonly direction?: 'inbound' | 'outbound';
  readonly payload: object;
  readonly includes?: object;
  /** @default a fresh 19-digit id */
  readonly eventUuid?: string;
  /** When it happened (stream backfills select on it). @default the emulator clock's now */
  readonly at?: Date;
}

/** One XAA event before it is matched to subscriptions. */
interface XaaEvent {
  readonly eventType: string;
  /** The user the event is about (`filter.user_id`); `undefined` for `oauth.revoke`. */
  readonly userId: string | undefined;
  /** Likes only: `outbound` for the liker, `inbound` for the liked post's author. */
  readonly direction?: 'inbound' | 'outbound';
  /** Text a `keyword` filter is tested against. */
  readonly text?: string;
  readonly payload: object;
  readonly includes?: object;
  readonly eventUuid: string;
  readonly at: Date;
}

/** Settings of the {@link XaaHub}. */
export interface XaaHubSettings {
  readonly store: Store;
  readonly engine: DeliveryEngine;
  readonly stream: ActivityStream;
  readonly clock: () => number;
  readonly appId: string;
  readonly maxSubscriptions: number;
  readonly maxRules: number;
}

const TWEET_FIELDS_DEFAULT = ['id', 'text', 'edit_history_tweet_ids'];
const USER_FIELDS_DEFAULT = ['id', 'name', 'username'];

/** Lower-case words of a text, for `keyword` filters. */
const wordsOf = (text: string): string => ` ${(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).join(' ')} `;

/** XAA and Filtered-Stream state and deliveries. */
export class XaaHub {
  readonly subscriptions = new Map<string, XaaSubscriptionState>();
  readonly rules = new Map<string, StreamRuleState>();
  readonly links = new Map<string, StreamLinkState>();
  readonly #settings: XaaHubSettings;
  readonly #profiles = new Map<string, ProfileState>();

  constructor(settings: XaaHubSettings) {
    this.#settings = settings;
  }

  /** The subscription cap. */
  get maxSubscriptions(): number {
    return this.#settings.maxSubscriptions;
  }

  /** The rule cap. */
  get maxRules(): number {
    return this.#settings.maxRules;
  }

  /** The stream. */
  get stream(): ActivityStream {
    return this.#settings.stream;
  }

  #profile(account: EmulatedAccount): ProfileState {
    let state = this.#profiles.get(account.id);
    if (!state) {
      state = { profilePicture: undefined, bannerPicture: '', url: '', verifiedBadge: 'none', affiliateBadge: '' };
      this.#profiles.set(account.id, state);
    }
    return state;
  }

  #extras(user: PayloadUser): V2UserExtras {
    const state = this.#profiles.get(user.id);
    if (!state) return {};
    return {
      url: state.url,
      verifiedType: state.verifiedBadge,
      ...(state.profilePicture === undefined ? {} : { profileImageUrl: state.profilePicture }),
    };
  }

  #user(user: PayloadUser): object {
    return createV2User(user, this.#extras(user));
  }

  #account(id: string): EmulatedAccount | undefined {
    return this.#settings.store.accounts.get(id);
  }

  /** Delivers XAA events to every matching subscription's webhook and to the stream. */
  async #emit(events: readonly XaaEvent[]): Promise<DeliveryRecord[]> {
    const sends: Promise<DeliveryRecord>[] = [];
    for (const event of events) {
      for (const sub of this.subscriptions.values()) {
        if (!this.#matches(sub, event)) continue;
        const body = JSON.stringify(
          xaaEnvelope({
            eventUuid: event.eventUuid,
            filter: sub.filter,
            eventType: event.eventType,
            payload: event.payload,
            ...(sub.tag === undefined ? {} : { tag: sub.tag }),
            ...(event.includes === undefined ? {} : { includes: event.includes }),
          }),
        );
        this.#publish(sends, event, body, sub.webhookId === undefined ? [] : [sub.webhookId]);
      }
    }
    return Promise.all(sends);
  }

  #publish(sends: Promise<DeliveryRecord>[], event: XaaEvent, body: string, webhookIds: readonly string[]): void {
    this.#settings.stream.publish(event.at, body);
    for (const webhookId of webhookIds) {
      const webhook = this.#settings.store.webhooks.get(webhookId);
      if (!webhook?.valid) continue;
      sends.push(
        this.#settings.engine.deliver({
          webhookId,
          url: webhook.url,
          forUserId: event.userId,
          kind: 'activity',
          family: 'xaa',
          eventType: event.eventType,
          eventAt: event.at,
          body,
        }),
      );
    }
  }

  #matches(sub: XaaSubscriptionState, event: XaaEvent): boolean {
    if (sub.eventType !== event.eventType) return false;
    const { user_id: userId, keyword, direction } = sub.filter;
    if (userId !== undefined && userId !== event.userId) return false;
    if (userId === undefined && keyword === undefined) return false;
    if (keyword !== undefined && !wordsOf(event.text ?? '').includes(wordsOf(keyword))) return false;
    if (direction !== undefined && event.direction !== undefined && direction !== event.direction) return false;
    return true;
  }

  /** Delivers a test-given event to every matching subscription (webhook and stream). */
  emit(input: XaaEventInput): Promise<DeliveryRecord[]> {
    return this.#emit([
      {
        eventType: canonicalEventType(input.eventType),
        userId: input.userId,
        ...(input.direction === undefined ? {} : { direction: input.direction }),
        ...(input.text === undefined ? {} : { text: input.text }),
        payload: input.payload,
        ...(input.includes === undefined ? {} : { includes: input.includes }),
        eventUuid: input.eventUuid ?? nextEventUuid(),
        at: input.at ?? new Date(this.#settings.clock()),
      },
    ]);
  }

  /** A post was created: `post.create`, `post.mention.create`, `post.reply.create`, `post.quote.create`, `post.repost.create`, and Filtered-Stream matches. */
  async posted(
    tweet: TweetPayload,
    author: EmulatedAccount,
    mentioned: readonly EmulatedAccount[],
    at: Date,
  ): Promise<DeliveryRecord[]> {
    const post = createV2Post(tweet);
    const referenced = [tweet.in_reply_to_status_id_str, tweet.quoted_status_id_str, tweet.retweeted_status?.id_str]
      .filter((id): id is string => typeof id === 'string')
      .map((id) => this.#settings.store.tweets.get(id)?.tweet)
      .filter((t): t is TweetPayload => t !== undefined);
    const users = new Map<string, object>([[author.id, this.#user(author)]]);
    for (const t of referenced) {
      const account = this.#account(t.user.id_str);
      if (account) users.set(account.id, this.#user(account));
    }
    const includes = {
      users: [...users.values()],
      ...(referenced.length > 0 ? { tweets: referenced.map(createV2Post) } : {}),
    };
    const base = { payload: post, includes, eventUuid: post.id, at, text: tweet.text };
    const events: XaaEvent[] = [{ ...base, eventType: 'post.create', userId: author.id }];
    for (const m of mentioned) events.push({ ...base, eventType: 'post.mention.create', userId: m.id });
    const other = (t: TweetPayload | null | undefined): string | undefined =>
      t && t.user.id_str !== author.id ? t.user.id_str : undefined;
    const repliedTo = tweet.in_reply_to_user_id_str;
    if (repliedTo !== null && repliedTo !== author.id) {
      events.push({ ...base, eventType: 'post.reply.create', userId: repliedTo });
    }
    const quoted = other(tweet.quoted_status);
    if (quoted !== undefined) events.push({ ...base, eventType: 'post.quote.create', userId: quoted });
    const reposted = other(tweet.retweeted_status);
    if (reposted !== undefined) events.push({ ...base, eventType: 'post.repost.create', userId: reposted });
    const [xaa, fs] = await Promise.all([this.#emit(events), this.#filteredStream(tweet, post, author, at)]);
    return [...xaa, ...fs];
  }

  /** `post.delete` to the author's subscriptions. */
  deleted(tweetId: string, author: EmulatedAccount, at: Date): Promise<DeliveryRecord[]> {
    return this.#emit([
      {
        eventType: 'post.delete',
        userId: author.id,
        payload: { id: tweetId, author_id: author.id },
        includes: { users: [{ data: this.#user(author) }] },
        eventUuid: nextEventUuid(),
        at,
      },
    ]);
  }

  /** `like.create`: `outbound` for the liker, `inbound` for the post's author. */
  liked(liker: EmulatedAccount, tweet: TweetPayload, likeId: string, at: Date): Promise<DeliveryRecord[]> {
    const authorId = tweet.user.id_str;
    const author = this.#account(authorId);
    const payload = {
      id: likeId,
      created_at: new Date(at.getTime()).toISOString(),
      timestamp_ms: String(at.getTime()),
      liked_tweet_author_id: authorId,
      liked_tweet_id: tweet.id_str,
    };
    const includes = { users: author ? [this.#user(author)] : [], tweets: [createV2Post(tweet)] };
    const eventUuid = nextEventUuid();
    const base = { eventType: 'like.create', payload, includes, eventUuid, at };
    const events: XaaEvent[] = [{ ...base, userId: liker.id, direction: 'outbound' }];
    if (authorId !== liker.id) events.push({ ...base, userId: authorId, direction: 'inbound' });
    return this.#emit(events);
  }

  /** `follow.*`, `block.*`, `mute.*`: `follow.follow` to both accounts, the others to the actor only. */
  related(
    type: 'follow' | 'unfollow' | 'block' | 'unblock' | 'mute' | 'unmute',
    source: EmulatedAccount,
    target: EmulatedAccount,
    at: Date,
  ): Promise<DeliveryRecord[]> {
    const family = type.endsWith('follow') ? 'follow' : type.endsWith('block') ? 'block' : 'mute';
    const eventType = `${family}.${type}`;
    const payload = { source: { data: this.#user(source) }, target: { data: this.#user(target) } };
    const eventUuid = nextEventUuid();
    const users = type === 'follow' ? [source.id, target.id] : [source.id];
    return this.#emit(users.map((userId) => ({ eventType, userId, payload, eventUuid, at })));
  }

  /** `dm.sent` to the sender, `dm.received` to the recipient (the AAA objects one level down). */
  directMessage(
    sender: EmulatedAccount,
    recipient: EmulatedAccount,
    element: DirectMessageElementPayload,
    at: Date,
  ): Promise<DeliveryRecord[]> {
    const payload = {
      direct_message_events: [element],
      users: { [sender.id]: { data: this.#user(sender) }, [recipient.id]: { data: this.#user(recipient) } },
    };
    const eventUuid = nextEventUuid();
    return this.#emit([
      {
        eventType: 'dm.sent',
        userId: sender.id,
        payload,
        eventUuid,
        at,
        text: element.message_create.message_data.text,
      },
      {
        eventType: 'dm.received',
        userId: recipient.id,
        payload,
        eventUuid,
        at,
        text: element.message_create.message_data.text,
      },
    ]);
  }

  /** `dm.indicate_typing` to the recipient. */
  typing(sender: EmulatedAccount, recipient: EmulatedAccount, at: Date): Promise<DeliveryRecord[]> {
    const element = {
      created_timestamp: String(at.getTime()),
      sender_id: sender.id,
      target: { recipient_id: recipient.id },
    };
    return this.#emit([
      {
        eventType: 'dm.indicate_typing',
        userId: recipient.id,
        payload: { direct_message_indicate_typing_events: [element] },
        eventUuid: nextEventUuid(),
        at,
      },
    ]);
  }

  /** `dm.read` to the author of the messages that were read. */
  read(reader: EmulatedAccount, author: EmulatedAccount, lastReadEventId: string, at: Date): Promise<DeliveryRecord[]> {
    const element = {
      created_timestamp: String(at.getTime()),
      sender_id: reader.id,
      target: { recipient_id: author.id },
      last_read_event_id: lastReadEventId,
    };
    return this.#emit([
      {
        eventType: 'dm.read',
        userId: author.id,
        payload: { direct_message_mark_read_events: [element] },
        eventUuid: nextEventUuid(),
        at,
      },
    ]);
  }

  /**
   * `oauth.revoke` (`filter: {}`, no tag): once to each webhook of the user's subscriptions and once
   * on the stream, when the app has a subscription filtered on the user; then the user's private
   * subscriptions are removed (public ones need no user token and stay).
   */
  async revoked(user: EmulatedAccount, at: Date): Promise<DeliveryRecord[]> {
    const own = [...this.subscriptions.values()].filter((s) => s.filter.user_id === user.id);
    if (own.length === 0) return [];
    const event: XaaEvent = {
      eventType: 'oauth.revoke',
      userId: user.id,
      payload: {
        date_time: at.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        user_id: user.id,
        app_id: this.#settings.appId,
      },
      eventUuid: nextEventUuid(),
      at,
    };
    const body = JSON.stringify(
      xaaEnvelope({ eventUuid: event.eventUuid, filter: {}, eventType: 'oauth.revoke', payload: event.payload }),
    );
    const sends: Promise<DeliveryRecord>[] = [];
    const webhooks = [...new Set(own.flatMap((s) => (s.webhookId === undefined ? [] : [s.webhookId])))];
    this.#publish(sends, event, body, webhooks);
    for (const sub of own) if (isPrivateActivityType(sub.eventType)) this.subscriptions.delete(sub.id);
    return Promise.all(sends);
  }

  /** Applies profile changes and delivers one `profile.update.*` event per changed field. */
  async profileUpdated(account: EmulatedAccount, changes: ProfileChanges, at: Date): Promise<DeliveryRecord[]> {
    const state = this.#profile(account);
    const mutable = account as unknown as { screenName: string; name: string; description?: string; location?: string };
    if (changes.handle !== undefined) {
      if (!/^[A-Za-z0-9_]{1,15}$/.test(changes.handle)) {
        throw new TypeError(`updateProfile(): handle must be 1-15 letters, digits or _, got "${changes.handle}".`);
      }
      const other = this.#settings.store.findAccount(changes.handle);
      if (other && other !== account) throw new TypeError(`updateProfile(): @${changes.handle} is taken.`);
    }
    const events: XaaEvent[] = [];
    const change = (field: string, before: string | null, after: string | undefined, apply: (v: string) => void) => {
      if (after === undefined) return;
      apply(after);
      events.push({
        eventType: `profile.update.${field}`,
        userId: account.id,
        payload: { before, after },
        eventUuid: nextEventUuid(),
        at,
      });
    };
    change('bio', mutable.description ?? '', changes.bio, (v) => {
      mutable.description = v;
    });
    change(
      'profile_picture',
      state.profilePicture ?? `https://pbs.twimg.com/profile_images/${account.id}/avatar_normal.jpg`,
      changes.profilePicture,
      (v) => {
        state.profilePicture = v;
      },
    );
    change('banner_picture', state.bannerPicture, changes.bannerPicture, (v) => {
      state.bannerPicture = v;
    });
    change('screenname', mutable.name, changes.displayName, (v) => {
      mutable.name = v;
    });
    change('handle', mutable.screenName, changes.handle, (v) => {
      mutable.screenName = v;
    });
    change('geo', mutable.location ?? '', changes.geo, (v) => {
      mutable.location = v;
    });
    change('url', state.url, changes.url, (v) => {
      state.url = v;
    });
    change('verified_badge', state.verifiedBadge, changes.verifiedBadge, (v) => {
      state.verifiedBadge = v;
    });
    change('affiliate_badge', state.affiliateBadge, changes.affiliateBadge, (v) => {
      state.affiliateBadge = v;
    });
    return this.#emit(events);
  }

  /** Filtered Stream: one body per linked webhook when the post matches at least one rule. */
  async #filteredStream(
    tweet: TweetPayload,
    post: V2PostPayload,
    author: EmulatedAccount,
    at: Date,
  ): Promise<DeliveryRecord[]> {
    if (this.rules.size === 0 || this.links.size === 0) return [];
    const replied = tweet.in_reply_to_user_id_str === null ? undefined : this.#account(tweet.in_reply_to_user_id_str);
    const rt = tweet.retweeted_status;
    const subject: RuleSubject = {
      text: tweet.text,
      authorId: author.id,
      authorUsername: author.screenName,
      lang: tweet.lang,
      mentions: tweet.entities.user_mentions.map((m) => ({ username: m.screen_name, id: m.id_str })),
      inReplyToUserId: tweet.in_reply_to_user_id_str ?? undefined,
      inReplyToUsername: replied?.screenName ?? tweet.in_reply_to_screen_name ?? undefined,
      isRetweet: rt !== undefined,
      isQuote: tweet.quoted_status !== undefined,
      retweetOfUsername: rt?.user.screen_name,
      retweetOfUserId: rt?.user.id_str,
    };
    const matching = [...this.rules.values()]
      .filter((r) => r.rule.matches(subject))
      .map((r) => ({ id: r.id, ...(r.tag === undefined ? {} : { tag: r.tag }) }));
    if (matching.length === 0) return [];
    const sends: Promise<DeliveryRecord>[] = [];
    for (const link of this.links.values()) {
      const webhook = this.#settings.store.webhooks.get(link.webhookId);
      if (!webhook?.valid) continue;
      const body = JSON.stringify(filteredStreamPayload({ ...this.#shape(post, link), matchingRules: matching }));
      sends.push(
        this.#settings.engine.deliver({
          webhookId: webhook.id,
          url: webhook.url,
          forUserId: undefined,
          kind: 'activity',
          family: 'filtered_stream',
          eventType: 'filtered_stream.post',
          eventAt: at,
          body,
        }),
      );
    }
    return Promise.all(sends);
  }

  /** The post and includes of a Filtered-Stream body, shaped by the link's field parameters. */
  #shape(
    post: V2PostPayload,
    link: StreamLinkState,
  ): { post: { id: string; text: string }; includes?: { users?: object[]; tweets?: object[] } } {
    const tweetFields = new Set([...TWEET_FIELDS_DEFAULT, ...(link.params.get('tweet.fields') ?? [])]);
    const userFields = new Set([...USER_FIELDS_DEFAULT, ...(link.params.get('user.fields') ?? [])]);
    const expansions = new Set(link.params.get('expansions') ?? []);
    const pick = <T extends object>(value: T, keys: ReadonlySet<string>): Record<string, unknown> =>
      Object.fromEntries(Object.entries(value).filter(([k]) => keys.has(k)));
    const userIds: string[] = [];
    if (expansions.has('author_id')) userIds.push(post.author_id);
    if (expansions.has('in_reply_to_user_id') && post.in_reply_to_user_id !== undefined)
      userIds.push(post.in_reply_to_user_id);
    if (expansions.has('entities.mentions.username')) for (const m of post.entities?.mentions ?? []) userIds.push(m.id);
    const tweets: object[] = [];
    if (expansions.has('referenced_tweets.id')) {
      for (const ref of post.referenced_tweets ?? []) {
        const stored = this.#settings.store.tweets.get(ref.id)?.tweet;
        if (!stored) continue;
        tweets.push(pick(createV2Post(stored), tweetFields));
        if (expansions.has('referenced_tweets.id.author_id')) userIds.push(stored.user.id_str);
      }
    }
    const users = [...new Set(userIds)]
      .map((id) => this.#account(id))
      .filter((a): a is EmulatedAccount => a !== undefined)
      .map((a) => pick(this.#user(a), userFields));
    const includes = {
      ...(users.length > 0 ? { users } : {}),
      ...(tweets.length > 0 ? { tweets } : {}),
    };
    return {
      post: pick(post, tweetFields) as { id: string; text: string },
      ...(Object.keys(includes).length > 0 ? { includes } : {}),
    };
  }
}
