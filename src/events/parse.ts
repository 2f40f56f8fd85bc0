/**
 * `parseActivity`: one webhook delivery in, a flat list of typed events out.
 *
 * The hot path validates each element with the predicate generated from its zod schema at build time
 * (`validators.ts`; zod itself is never loaded here) and normalises it straight from the parsed JSON.
 * Only an element that fails the predicate is walked again (`explain.ts`) to say what is wrong; it
 * then becomes an `unknown` event.
 *
 * @packageDocumentation
 */
import { InvalidPayloadError } from '../errors.js';
import { normaliseTweet, tweetKinds, tweetUserRef } from './classify.js';
import { type SchemaIssue, type Validator, explain } from './explain.js';
import { epochMs } from './scalars.js';
import { parseFilteredStream, parseXaa } from './xaa.js';
import type {
  RawDirectMessage,
  RawFavorite,
  RawRead,
  RawRelationship,
  RawReplayJobStatus,
  RawTweet,
  RawTweetDelete,
  RawTyping,
  RawUserEvent,
} from './schemas.js';
import {
  directMessageElementValidator,
  dmAppValidator,
  dmUserValidator,
  favoriteElementValidator,
  readElementValidator,
  relationshipElementValidator,
  replayJobStatusValidator,
  tweetDeleteElementValidator,
  tweetValidator,
  typingElementValidator,
  userEventValidator,
} from './validators.js';
import type {
  AccountActivityEvent,
  ActivityIssue,
  DmApp,
  DmUser,
  RelationshipEvent,
  RelationshipType,
  UnknownEvent,
} from './types.js';

/** Options of {@link parseActivity}. */
export interface ParseActivityOptions {
  /**
   * Called once for every problem found: an element that fails its schema (it becomes an `unknown`
   * event), an unrecognised top-level key, a malformed `users`/`apps` entry or `user_has_blocked`
   * value (the event is kept, the field left `undefined`). Never called for a clean delivery.
   * @default undefined (issues are only visible on `unknown` events)
   */
  readonly onIssue?: (issue: ActivityIssue) => void;
}

/** What {@link parseActivityDetailed} returns. */
export interface ParsedActivity {
  /** The events, in delivery order. */
  readonly events: AccountActivityEvent[];
  /** Every problem found; empty for a clean delivery. */
  readonly issues: ActivityIssue[];
}

type Envelope = Record<string, unknown>;

/** Per-delivery state shared by the element builders. */
class Context {
  readonly envelope: Envelope;
  readonly forUserId: string | undefined;
  readonly #onIssue: ((issue: ActivityIssue) => void) | undefined;
  #users: Map<string, DmUser | undefined> | undefined;
  #apps: Map<string, DmApp | undefined> | undefined;
  #blocked: boolean | undefined | null = null;

  constructor(envelope: Envelope, onIssue: ((issue: ActivityIssue) => void) | undefined) {
    this.envelope = envelope;
    this.#onIssue = onIssue;
    const forUserId = envelope['for_user_id'];
    this.forUserId = typeof forUserId === 'string' ? forUserId : undefined;
    if (forUserId !== undefined && this.forUserId === undefined) {
      this.issue('for_user_id', undefined, [], 'for_user_id is not a string; it is ignored.');
    }
  }

  issue(key: string | undefined, index: number | undefined, path: readonly PropertyKey[], message: string): void {
    this.#onIssue?.({ key, index, path, message });
  }

  schemaIssues(key: string, index: number | undefined, found: readonly SchemaIssue[]): ActivityIssue[] {
    const issues = found.map((i): ActivityIssue => ({ key, index, path: i.path, message: i.message }));
    for (const issue of issues) this.#onIssue?.(issue);
    return issues;
  }

  /** `user_has_blocked` (or `is_blocked_by`) as a boolean, read once per delivery. */
  userHasBlocked(): boolean | undefined {
    if (this.#blocked !== null) return this.#blocked;
    const key = 'user_has_blocked' in this.envelope ? 'user_has_blocked' : 'is_blocked_by';
    const value = this.envelope[key];
    let blocked: boolean | undefined;
    if (typeof value === 'boolean') blocked = value;
    else if (value === 'true' || value === 'false') blocked = value === 'true';
    else if (value !== undefined) {
      this.issue(key, undefined, [], `${key} is neither a boolean nor "true"/"false"; it is ignored.`);
    }
    this.#blocked = blocked;
    return blocked;
  }

  /** The `users` map entry for `id`, validated once per delivery. */
  user(id: string): DmUser | undefined {
    this.#users ??= new Map();
    if (this.#users.has(id)) return this.#users.get(id);
    const entry = this.#mapEntry('users', id, dmUserValidator);
    const user =
      entry === undefined
        ? undefined
        : {
            id: entry.id,
            screenName: entry.screen_name,
            name: entry.name,
            createdAt: entry.created_timestamp === undefined ? undefined : new Date(epochMs(entry.created_timestamp)),
            raw: entry,
          };
    this.#users.set(id, user);
    return user;
  }

  /** The `apps` map entry for `id`, validated once per delivery. */
  app(id: string): DmApp | undefined {
    this.#apps ??= new Map();
    if (this.#apps.has(id)) return this.#apps.get(id);
    const entry = this.#mapEntry('apps', id, dmAppValidator);
    const app = entry === undefined ? undefined : { id: entry.id, name: entry.name, url: entry.url, raw: entry };
    this.#apps.set(id, app);
    return app;
  }

  #mapEntry<T>(key: 'users' | 'apps', id: string, validator: Validator<T>): T | undefined {
    const map = this.envelope[key];
    if (map === undefined) return undefined;
    if (!isRecord(map)) {
      this.issue(key, undefined, [], `${key} is not an object; it is ignored.`);
      return undefined;
    }
    if (!Object.hasOwn(map, id)) return undefined;
    const entry = map[id];
    if (validator.is(entry)) return entry;
    for (const i of explain(validator.node, entry)) this.issue(key, undefined, [id, ...i.path], i.message);
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isXaa = (value: unknown): boolean => isRecord(value) && typeof value['event_type'] === 'string';

/** How one family's elements become events; `forUserId` is checked before `build` is called. */
interface Family<T> {
  readonly validator: Validator<T>;
  /** Whether the value is an array of elements (else one object). */
  readonly array: boolean;
  /** Whether events need `for_user_id`. */
  readonly needsUser: boolean;
  /** Builds the event, or returns the reason it cannot (method syntax: bivariant in `T`). */
  build(element: T, context: Context, forUserId: string): AccountActivityEvent | string;
}

function family<T>(validator: Validator<T>, array: boolean, needsUser: boolean, build: Family<T>['build']): Family<T> {
  return { validator, array, needsUser, build };
}

const dmUsers = (context: Context, senderId: string, recipientId: string) => ({
  sender: context.user(senderId),
  recipient: context.user(recipientId),
});

/** The fields shared by typing indicators and read receipts. */
function dmSignal<T extends RawTyping>(element: T, context: Context, forUserId: string) {
  return {
    forUserId,
    createdAt: new Date(epochMs(element.created_timestamp)),
    senderId: element.sender_id,
    recipientId: element.target.recipient_id,
    ...dmUsers(context, element.sender_id, element.target.recipient_id),
    bySubscribedUser: element.sender_id === forUserId,
    raw: element,
  };
}

function relationship(pair: readonly [RelationshipType, RelationshipType], fallback: RelationshipType, key: string) {
  return family<RawRelationship>(relationshipElementValidator, true, true, (element, _context, forUserId) => {
    const inner = element.type;
    const type = inner === undefined ? fallback : pair.find((t) => t === inner);
    if (type === undefined) return `type "${inner}" is not expected under ${key} (expected ${pair.join(' or ')}).`;
    const event: RelationshipEvent = {
      type,
      family: 'aaa',
      forUserId,
      createdAt: new Date(epochMs(element.created_timestamp)),
      source: { id: element.source.id, screenName: element.source.screen_name, name: element.source.name },
      target: { id: element.target.id, screenName: element.target.screen_name, name: element.target.name },
      bySubscribedUser: element.source.id === forUserId,
      raw: element,
    };
    return event as AccountActivityEvent;
  });
}

const FOLLOW = ['follow', 'unfollow'] as const;
const BLOCK = ['block', 'unblock'] as const;
const MUTE = ['mute', 'unmute'] as const;

/**
 * Every recognised top-level event key. `unfollow_events`, `unblock_events` and `unmute_events` are
 * documentation names that X does not deliver; they are accepted all the same
 * (see docs/x-api-notes.md#unfollow-unblock-and-unmute).
 */
const FAMILIES: Readonly<Record<string, Family<unknown>>> = {
  tweet_create_events: /* @__PURE__ */ family<RawTweet>(tweetValidator, true, true, (element, context, forUserId) => {
    const info = normaliseTweet(element);
    // The fields one by one, not `...info`: a spread in the middle of a literal copies property by
    // property on V8's slow path, and this is the hottest builder (see `npm run bench`, parse rows).
    return {
      type: 'tweet_create',
      family: 'aaa',
      forUserId,
      id: info.id,
      createdAt: info.createdAt,
      author: info.author,
      text: info.text,
      fullText: info.fullText,
      inReplyToStatusId: info.inReplyToStatusId,
      inReplyToUserId: info.inReplyToUserId,
      quotedStatusId: info.quotedStatusId,
      retweetedStatusId: info.retweetedStatusId,
      mentionedUserIds: info.mentionedUserIds,
      edit: info.edit,
      bySubscribedUser: info.author.id === forUserId,
      kinds: tweetKinds(element, info, forUserId),
      userHasBlocked: context.userHasBlocked(),
      raw: element,
    };
  }),
  favorite_events: /* @__PURE__ */ family<RawFavorite>(
    favoriteElementValidator,
    true,
    true,
    (element, _context, forUserId) => ({
      type: 'favorite',
      family: 'aaa',
      forUserId,
      id: element.id,
      createdAt: new Date(epochMs(element.timestamp_ms)),
      user: tweetUserRef(element.user),
      tweet: normaliseTweet(element.favorited_status),
      bySubscribedUser: element.user.id_str === forUserId,
      raw: element,
    }),
  ),
  follow_events: /* @__PURE__ */ relationship(FOLLOW, 'follow', 'follow_events'),
  unfollow_events: /* @__PURE__ */ relationship(FOLLOW, 'unfollow', 'unfollow_events'),
  block_events: /* @__PURE__ */ relationship(BLOCK, 'block', 'block_events'),
  unblock_events: /* @__PURE__ */ relationship(BLOCK, 'unblock', 'unblock_events'),
  mute_events: /* @__PURE__ */ relationship(MUTE, 'mute', 'mute_events'),
  unmute_events: /* @__PURE__ */ relationship(MUTE, 'unmute', 'unmute_events'),
  user_event: /* @__PURE__ */ family<RawUserEvent>(userEventValidator, false, false, (element, context) => ({
    type: 'user_revoke',
    family: 'aaa',
    forUserId: context.forUserId,
    userId: element.revoke.source.user_id,
    appId: element.revoke.target.app_id,
    createdAt: new Date(element.revoke.date_time),
    raw: element,
  })),
  direct_message_events: /* @__PURE__ */ family<RawDirectMessage>(
    directMessageElementValidator,
    true,
    true,
    (element, context, forUserId) => {
      const message = element.message_create;
      const sent = message.sender_id === forUserId;
      const appId = message.source_app_id;
      return {
        type: 'direct_message',
        family: 'aaa',
        forUserId,
        id: element.id,
        createdAt: new Date(epochMs(element.created_timestamp)),
        senderId: message.sender_id,
        recipientId: message.target.recipient_id,
        ...dmUsers(context, message.sender_id, message.target.recipient_id),
        sourceAppId: appId,
        app: appId === undefined ? undefined : context.app(appId),
        text: message.message_data.text,
        direction: sent ? 'sent' : 'received',
        bySubscribedUser: sent,
        raw: element,
      };
    },
  ),
  direct_message_indicate_typing_events: /* @__PURE__ */ family<RawTyping>(
    typingElementValidator,
    true,
    true,
    (element, context, forUserId) => ({
      type: 'direct_message_typing',
      family: 'aaa',
      ...dmSignal(element, context, forUserId),
    }),
  ),
  direct_message_mark_read_events: /* @__PURE__ */ family<RawRead>(
    readElementValidator,
    true,
    true,
    (element, context, forUserId) => ({
      type: 'direct_message_read',
      family: 'aaa',
      ...dmSignal(element, context, forUserId),
      lastReadEventId: element.last_read_event_id,
    }),
  ),
  tweet_delete_events: /* @__PURE__ */ family<RawTweetDelete>(
    tweetDeleteElementValidator,
    true,
    true,
    (element, _context, forUserId) => ({
      type: 'tweet_delete',
      family: 'aaa',
      forUserId,
      tweetId: element.status.id,
      userId: element.status.user_id,
      createdAt: new Date(epochMs(element.timestamp_ms)),
      raw: element,
    }),
  ),
  replay_job_status: /* @__PURE__ */ family<RawReplayJobStatus>(
    replayJobStatusValidator,
    false,
    false,
    (element, context) => ({
      type: 'replay_job_status',
      family: 'aaa',
      forUserId: context.forUserId,
      jobId: element.job_id,
      webhookId: element.webhook_id,
      jobState: element.job_state,
      complete: element.job_state === 'Complete',
      description: element.job_state_description,
      raw: element,
    }),
  ),
};

/** Top-level keys that are context for the events, not events. */
const CONTEXT_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set([
  'for_user_id',
  'users',
  'apps',
  'user_has_blocked',
  'is_blocked_by',
]);

/**
 * The top-level keys `parseActivity` recognises as event families (the `*_events` arrays,
 * `user_event` and `replay_job_status`).
 */
export const ACTIVITY_KEYS: readonly string[] = /* @__PURE__ */ Object.freeze(/* @__PURE__ */ Object.keys(FAMILIES));

function unknownEvent(
  context: Context,
  key: string | undefined,
  index: number | undefined,
  raw: unknown,
  reason: string,
  issues: readonly ActivityIssue[] = [],
): UnknownEvent {
  const family = key !== undefined && Object.hasOwn(FAMILIES, key) ? 'aaa' : undefined;
  return { type: 'unknown', family, forUserId: context.forUserId, key, index, raw, reason, issues };
}

function element(
  context: Context,
  key: string,
  spec: Family<unknown>,
  value: unknown,
  index: number | undefined,
): AccountActivityEvent {
  if (!spec.validator.is(value)) {
    const issues = context.schemaIssues(key, index, explain(spec.validator.node, value));
    const first = issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.map(String).join('.')}` : '';
    return unknownEvent(
      context,
      key,
      index,
      value,
      `Does not match the ${key} schema${where}: ${first?.message ?? 'invalid'}.`,
      issues,
    );
  }
  let forUserId = '';
  if (spec.needsUser) {
    if (context.forUserId === undefined) {
      const reason = `The delivery has no string for_user_id, which ${key} events need.`;
      context.issue(key, index, ['for_user_id'], reason);
      return unknownEvent(context, key, index, value, reason);
    }
    forUserId = context.forUserId;
  }
  const built = spec.build(value, context, forUserId);
  if (typeof built === 'string') {
    context.issue(key, index, ['type'], built);
    return unknownEvent(context, key, index, value, built);
  }
  return built;
}

const decoder = /* @__PURE__ */ new TextDecoder();

function toEnvelope(body: string | Uint8Array | object): Envelope {
  let value: unknown = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      // TextDecoder drops a UTF-8 byte order mark; a text body gets the same treatment.
      const text =
        typeof body === 'string' ? (body.charCodeAt(0) === 0xfeff ? body.slice(1) : body) : decoder.decode(body);
      value = JSON.parse(text);
    } catch (error) {
      throw new InvalidPayloadError('The delivery body is not valid JSON.', { cause: error });
    }
  }
  if (!isRecord(value)) {
    throw new InvalidPayloadError(
      `The delivery body is not a JSON object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}).`,
    );
  }
  return value;
}

/**
 * Parses one Account Activity delivery into a flat list of typed events, one per array element, in
 * delivery order.
 *
 * - Each event family key (`tweet_create_events`, `favorite_events`, `follow_events`, ...) becomes
 *   events of its `type`; unfollows, unblocks and unmutes are told apart by their inner `type`.
 * - For any JSON object this never throws. An unrecognised top-level key, an element that fails its
 *   schema, or an envelope with no event key at all becomes an {@link UnknownEvent} carrying the raw
 *   value and the reason: nothing is lost.
 * - Numeric ids are never exposed as numbers: ids come from the `*_str` siblings.
 *
 * @param body - The raw body (text or bytes), or an already parsed object.
 * @param options - See {@link ParseActivityOptions}; use `onIssue` (or {@link parseActivityDetailed})
 *   to see validation issues.
 * @returns The events.
 * @throws InvalidPayloadError - when the body is not JSON, or is JSON but not an object.
 *
 * @example
 * ```ts
 * for (const event of parseActivity(rawBody)) {
 *   switch (event.type) {
 *     case 'favorite': console.log(event.user.screenName, 'liked', event.tweet.id); break;
 *     case 'direct_message': console.log(event.direction, event.text); break;
 *     default: break;
 *   }
 * }
 * ```
 */
export function parseActivity(
  body: string | Uint8Array | object,
  options?: ParseActivityOptions,
): AccountActivityEvent[] {
  const envelope = toEnvelope(body);
  const context = new Context(envelope, options?.onIssue);
  // Spec order (docs/events.md#one-endpoint-three-families): Filtered Stream, XAA, AAA, else unknown.
  if (Array.isArray(envelope['matching_rules'])) return [parseFilteredStream(envelope, context)];
  const data = envelope['data'];
  if (isXaa(data)) return parseXaa(data, undefined, context);
  if (Array.isArray(data) && data.some(isXaa))
    return data.flatMap((element, index) => parseXaa(element, index, context));
  const events: AccountActivityEvent[] = [];
  let sawEventKey = false;
  for (const key of Object.keys(envelope)) {
    if (CONTEXT_KEYS.has(key)) continue;
    sawEventKey = true;
    const value = envelope[key];
    const spec = Object.hasOwn(FAMILIES, key) ? FAMILIES[key] : undefined;
    if (spec === undefined) {
      const reason = `Unrecognised top-level key "${key}".`;
      context.issue(key, undefined, [], reason);
      events.push(unknownEvent(context, key, undefined, value, reason));
    } else if (!spec.array) {
      events.push(element(context, key, spec, value, undefined));
    } else if (!Array.isArray(value)) {
      const reason = `${key} is not an array.`;
      context.issue(key, undefined, [], reason);
      events.push(unknownEvent(context, key, undefined, value, reason));
    } else {
      for (let index = 0; index < value.length; index++) {
        events.push(element(context, key, spec, value[index], index));
      }
    }
  }
  if (!sawEventKey) {
    const reason = 'The delivery has no event key.';
    context.issue(undefined, undefined, [], reason);
    events.push(unknownEvent(context, undefined, undefined, envelope, reason));
  }
  return events;
}

/**
 * Like {@link parseActivity}, and also returns every validation issue found.
 *
 * @example
 * ```ts
 * const { events, issues } = parseActivityDetailed(rawBody);
 * for (const issue of issues) logger.warn(`${issue.key}[${issue.index}] ${issue.path.join('.')}: ${issue.message}`);
 * ```
 */
export function parseActivityDetailed(body: string | Uint8Array | object): ParsedActivity {
  const issues: ActivityIssue[] = [];
  const events = parseActivity(body, { onIssue: (issue) => issues.push(issue) });
  return { events, issues };
}
