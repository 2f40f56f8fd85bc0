/**
 * `client.activity`: X Activity API (XAA) subscriptions and the activity stream
 * (x-activity-api.md §5-§7).
 *
 * Subscriptions are rows of the endpoint table (`endpoints.ts`) sent through the client's one HTTP
 * path; the stream consumer lives in `activity-stream.ts`.
 *
 * Internal module: the names are re-exported from `src/client/index.ts`.
 */
import {
  InvalidArgumentError,
  ResponseValidationError,
  isAuthenticationError,
  isForbiddenError,
  isXAccountActivityError,
} from '../errors.js';
import type { XAccountActivityError } from '../errors.js';
import { isPrivateActivityType } from '../events/private-types.js';
import type { XaaType } from '../events/types.js';
import { ActivityStream } from './activity-stream.js';
import type { ActivityStreamOptions } from './activity-stream.js';
import type { ClientCore, RequestOptions, SubscriberCredentials } from './client.js';
import type {
  ActivitySubscription,
  ActivitySubscriptionDeletion,
  ActivitySubscriptionPage,
  ActivitySubscriptionResult,
  RawActivitySubscriptionsDeleted,
} from './schemas.js';

/** The one private-type rule, shared with the emulator (`src/events/private-types.ts`). */
export { isPrivateActivityType };

/**
 * An XAA `event_type`: one this version types (with autocomplete), or any other string X adds.
 *
 * @example
 * ```ts
 * const types: ActivityEventType[] = ['post.create', 'like.create', 'some.future_type'];
 * ```
 */
export type ActivityEventType = XaaType | (string & {});

/**
 * The filter of a new subscription: a user (most types) or a keyword (`news.new`).
 *
 * @example
 * ```ts
 * const likesOfMyPosts: ActivityFilterInput = { userId: '2244994945', direction: 'inbound' };
 * const news: ActivityFilterInput = { keyword: 'space' };
 * ```
 */
export type ActivityFilterInput =
  | {
      /** The user whose activity is delivered (a numeric id string). */
      readonly userId: string;
      readonly keyword?: undefined;
      /** `inbound` or `outbound` (`like.create`); both when left out. Other strings are passed through. */
      readonly direction?: 'inbound' | 'outbound' | (string & {});
    }
  | {
      /** The keyword (`news.new`). */
      readonly keyword: string;
      readonly userId?: undefined;
      readonly direction?: 'inbound' | 'outbound' | (string & {});
    };

/**
 * A subscription to create.
 *
 * @example
 * ```ts
 * const input: ActivitySubscriptionInput = { eventType: 'post.create', filter: { userId: '2244994945' }, tag: 'posts' };
 * ```
 */
export interface ActivitySubscriptionInput {
  /** The event type, exactly as X spells it (`post.create`, `like.create`, `profile.update.bio`...). */
  readonly eventType: ActivityEventType;
  /** Whose activity (or which keyword). */
  readonly filter: ActivityFilterInput;
  /** Free text of 1 to 200 characters, echoed in every delivery (`event.tag`). */
  readonly tag?: string;
  /** A V2 webhook that receives the events too (they always go to the stream). */
  readonly webhookId?: string;
}

/**
 * Options of `activity.subscriptions.create`.
 *
 * @example
 * ```ts
 * await client.activity.subscriptions.create(
 *   { eventType: 'dm.received', filter: { userId: '2244994945' } },
 *   { user: { oauth2AccessToken: 'user-oauth2-token' }, timeout: 10_000 },
 * );
 * ```
 */
export interface CreateActivitySubscriptionOptions extends RequestOptions {
  /**
   * The subscribed user's credentials. Private event types (see {@link isPrivateActivityType}) are
   * created in a user's context: these credentials, or the app owner's OAuth 1.0a tokens of the
   * client when left out. Public types use the app's bearer token unless credentials are given.
   */
  readonly user?: SubscriberCredentials;
}

/**
 * What `activity.subscriptions.update` may change: to change the type or filter, delete and create.
 *
 * @example
 * ```ts
 * await client.activity.subscriptions.update('1146654567674912769', { webhookId: '1234567890' });
 * ```
 */
export interface ActivitySubscriptionChanges {
  /** A new tag of 1 to 200 characters. */
  readonly tag?: string;
  /** A webhook that receives the events from now on. */
  readonly webhookId?: string;
}

/** Options of one page of `activity.subscriptions.listPage`. */
export interface ActivitySubscriptionPageOptions extends RequestOptions {
  /**
   * Subscriptions per page, 1 to 1000.
   * @default X's default (1000)
   */
  readonly maxResults?: number;
  /** `nextToken` of the previous page. */
  readonly paginationToken?: string;
}

/** Options of `activity.subscriptions.list` (every page). */
export interface ActivitySubscriptionListOptions extends RequestOptions {
  /**
   * Subscriptions per page, 1 to 1000.
   * @default X's default (1000)
   */
  readonly maxResults?: number;
}

/** One id that `deleteMany` could not delete. */
export interface ActivitySubscriptionDeleteFailure {
  /** The subscription id. */
  readonly subscriptionId: string;
  /** X's machine-readable reason (`errors[].reason`), when it gave one. */
  readonly reason: string | undefined;
  /** X's message, or what happened to the request that carried this id. */
  readonly message: string;
  /** The typed error when the whole request of this id's chunk failed; `undefined` for a per-id failure. */
  readonly error: XAccountActivityError | undefined;
}

/**
 * The outcome of `deleteMany`: every id is either in `deleted` or in `failed`.
 *
 * @example
 * ```ts
 * const outcome = await client.activity.subscriptions.deleteMany(['1146654567674912769']);
 * if (outcome.failed.length > 0) console.warn(outcome.failed);
 * ```
 */
export interface ActivitySubscriptionsDeletion {
  /** The ids X deleted. */
  readonly deleted: readonly string[];
  /** The ids X did not delete, each with why. */
  readonly failed: readonly ActivitySubscriptionDeleteFailure[];
  /** The subscriptions left after the last request (`meta.total_subscriptions`), when X sent it. */
  readonly totalSubscriptions: number | undefined;
}

const ID = /^[0-9]{1,19}$/;
/** @internal Most ids one bulk-delete request takes (OAS: `ids` has 1 to 100 items). */
export const DELETE_CHUNK = 100;

/** @internal A numeric id string, or an `InvalidArgumentError` naming `name`. */
export function checkNumericId(value: unknown, name: string, operation: string): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new InvalidArgumentError(
      `${operation}: \`${name}\` must be a numeric id string of 1 to 19 digits (never a number: use X's *_str ids); got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}.`,
    );
  }
  return value;
}

function checkTag(value: unknown, operation: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < 1 || value.length > 200) {
    throw new InvalidArgumentError(`${operation}: \`tag\` must be a string of 1 to 200 characters.`);
  }
  return value;
}

function checkObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${what} must be an object.`);
  }
  return value as Record<string, unknown>;
}

/** @internal Checks `maxResults` (1-1000) and `paginationToken`; returns the query. */
export function pageQuery(
  options: { readonly maxResults?: number; readonly paginationToken?: string } | undefined,
  operation: string,
): Record<string, string> {
  const query: Record<string, string> = {};
  if (options === undefined) return query;
  checkObject(options, `${operation}: options`);
  const { maxResults, paginationToken } = options;
  if (maxResults !== undefined) {
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
      throw new InvalidArgumentError(`${operation}: \`maxResults\` must be a whole number from 1 to 1000.`);
    }
    query['max_results'] = String(maxResults);
  }
  if (paginationToken !== undefined) {
    if (typeof paginationToken !== 'string' || !/^[\x21-\x7E]+$/.test(paginationToken)) {
      throw new InvalidArgumentError(`${operation}: \`paginationToken\` must be the \`nextToken\` of a previous page.`);
    }
    query['pagination_token'] = paginationToken;
  }
  return query;
}

/** @internal The request options of a call, without the resource's own keys. */
export function requestOptions(options: RequestOptions | undefined): RequestOptions | undefined {
  if (options === undefined) return undefined;
  const { signal, timeout, retry } = options;
  return {
    ...(signal === undefined ? {} : { signal }),
    ...(timeout === undefined ? {} : { timeout }),
    ...(retry === undefined ? {} : { retry }),
  };
}

/** @internal
 * Every page of a paginated list, one after the other: each page is requested when the previous one
 * is used up. A page token that repeats ends the iteration with an error instead of looping.
 */
export async function* paginate<T>(
  fetchPage: (
    token: string | undefined,
  ) => Promise<{ readonly items: readonly T[]; readonly next: string | undefined }>,
  operation: string,
): AsyncGenerator<T, void, undefined> {
  let token: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const page = await fetchPage(token);
    yield* page.items;
    if (page.next === undefined) return;
    if (seen.has(page.next)) {
      throw new ResponseValidationError(`${operation}: X answered the page token ${JSON.stringify(page.next)} twice.`);
    }
    seen.add(page.next);
    token = page.next;
  }
}

/**
 * `client.activity.subscriptions`: create, list, update and delete X Activity API subscriptions.
 *
 * @example
 * ```ts
 * const { subscription } = await client.activity.subscriptions.create({
 *   eventType: 'profile.update.bio',
 *   filter: { userId: '2244994945' },
 *   tag: 'bios',
 * });
 * for await (const sub of client.activity.subscriptions.list()) console.log(sub.id, sub.eventType);
 * await client.activity.subscriptions.delete(subscription.id);
 * ```
 */
export class ActivitySubscriptionsResource {
  readonly #core: ClientCore;

  /** @internal */
  constructor(core: ClientCore) {
    this.#core = core;
  }

  /**
   * Creates a subscription (`POST /2/activity/subscriptions`). Private event types are created in the
   * user's context (`options.user`, or the client's app-owner tokens); public ones with the app's
   * bearer token. Events go to the activity stream and, with `webhookId`, to that webhook too.
   *
   * @example
   * ```ts
   * await client.activity.subscriptions.create(
   *   { eventType: 'like.create', filter: { userId: '2244994945', direction: 'inbound' }, webhookId: '1146654567674912769' },
   *   { user: { accessToken: 'user-token', accessTokenSecret: 'user-token-secret' } },
   * );
   * ```
   */
  async create(
    subscription: ActivitySubscriptionInput,
    options?: CreateActivitySubscriptionOptions,
  ): Promise<ActivitySubscriptionResult> {
    const op = 'activity.subscriptions.create';
    const input = checkObject(subscription, `${op}: the subscription`);
    const eventType = input['eventType'];
    if (typeof eventType !== 'string' || !/^[A-Za-z][A-Za-z0-9_.]*$/.test(eventType)) {
      throw new InvalidArgumentError(
        `${op}: \`eventType\` must be an event type such as 'post.create' or 'like.create'; got ${JSON.stringify(eventType)}.`,
      );
    }
    const filterInput = checkObject(input['filter'], `${op}: \`filter\``);
    const filter: Record<string, string> = {};
    const { userId, keyword, direction } = filterInput;
    if (userId !== undefined) filter['user_id'] = checkNumericId(userId, 'filter.userId', op);
    if (keyword !== undefined) {
      if (typeof keyword !== 'string' || keyword.trim() === '') {
        throw new InvalidArgumentError(`${op}: \`filter.keyword\` must be a non-blank string.`);
      }
      filter['keyword'] = keyword;
    }
    if (userId === undefined && keyword === undefined) {
      throw new InvalidArgumentError(`${op}: \`filter\` needs \`userId\` (or \`keyword\` for news.new).`);
    }
    if (direction !== undefined) {
      if (typeof direction !== 'string' || direction.trim() === '') {
        throw new InvalidArgumentError(`${op}: \`filter.direction\` must be 'inbound' or 'outbound'.`);
      }
      filter['direction'] = direction;
    }
    const tag = checkTag(input['tag'], op);
    const webhookId =
      input['webhookId'] === undefined ? undefined : checkNumericId(input['webhookId'], 'webhookId', op);
    const opts = options === undefined ? undefined : checkObject(options, `${op}: options`);
    const user = this.#core.user(opts?.['user'], op);
    const body = {
      event_type: eventType,
      filter,
      ...(tag === undefined ? {} : { tag }),
      ...(webhookId === undefined ? {} : { webhook_id: webhookId }),
    };
    const auth = user === undefined && !isPrivateActivityType(eventType) ? 'app-only' : undefined;
    return this.#core.call(op, { body }, user, requestOptions(options), auth) as Promise<ActivitySubscriptionResult>;
  }

  /**
   * Every subscription of the app, page after page (`GET /2/activity/subscriptions`).
   *
   * @example
   * ```ts
   * for await (const sub of client.activity.subscriptions.list({ maxResults: 500 })) {
   *   console.log(sub.id, sub.eventType, sub.filter.userId, sub.tag);
   * }
   * ```
   */
  list(options?: ActivitySubscriptionListOptions): AsyncIterable<ActivitySubscription> {
    pageQuery(options, 'activity.subscriptions.list');
    if (options !== undefined && 'paginationToken' in options) {
      throw new InvalidArgumentError(
        'activity.subscriptions.list: iterates every page itself; use listPage({ paginationToken }) for one page.',
      );
    }
    return paginate(async (token) => {
      const page = await this.listPage({
        ...options,
        ...(token === undefined ? {} : { paginationToken: token }),
      });
      return { items: page.subscriptions, next: page.nextToken };
    }, 'activity.subscriptions.list');
  }

  /**
   * One page of the app's subscriptions.
   *
   * @example
   * ```ts
   * const page = await client.activity.subscriptions.listPage({ maxResults: 100 });
   * if (page.nextToken) await client.activity.subscriptions.listPage({ paginationToken: page.nextToken });
   * ```
   */
  async listPage(options?: ActivitySubscriptionPageOptions): Promise<ActivitySubscriptionPage> {
    const query = pageQuery(options, 'activity.subscriptions.listPage');
    return this.#core.call(
      'activity.subscriptions.list',
      { query },
      undefined,
      requestOptions(options),
    ) as Promise<ActivitySubscriptionPage>;
  }

  /**
   * Changes a subscription's tag or webhook (`PUT /2/activity/subscriptions/:id`).
   *
   * @example
   * ```ts
   * await client.activity.subscriptions.update('1146654567674912769', { tag: 'renamed' });
   * ```
   */
  async update(
    subscriptionId: string,
    changes: ActivitySubscriptionChanges,
    options?: RequestOptions,
  ): Promise<ActivitySubscriptionResult> {
    const op = 'activity.subscriptions.update';
    const id = checkNumericId(subscriptionId, 'subscriptionId', op);
    const input = checkObject(changes, `${op}: the changes`);
    const tag = checkTag(input['tag'], op);
    const webhookId =
      input['webhookId'] === undefined ? undefined : checkNumericId(input['webhookId'], 'webhookId', op);
    if (tag === undefined && webhookId === undefined) {
      throw new InvalidArgumentError(
        `${op}: give \`tag\` or \`webhookId\`; to change the event type or filter, delete the subscription and create another.`,
      );
    }
    const body = {
      ...(tag === undefined ? {} : { tag }),
      ...(webhookId === undefined ? {} : { webhook_id: webhookId }),
    };
    return this.#core.call(op, { subscriptionId: id, body }, undefined, options) as Promise<ActivitySubscriptionResult>;
  }

  /**
   * Deletes one subscription (`DELETE /2/activity/subscriptions/:id`).
   *
   * @example
   * ```ts
   * const { totalSubscriptions } = await client.activity.subscriptions.delete('1146654567674912769');
   * ```
   */
  async delete(subscriptionId: string, options?: RequestOptions): Promise<ActivitySubscriptionDeletion> {
    const op = 'activity.subscriptions.delete';
    const id = checkNumericId(subscriptionId, 'subscriptionId', op);
    return this.#core.call(op, { subscriptionId: id }, undefined, options) as Promise<ActivitySubscriptionDeletion>;
  }

  /**
   * Deletes many subscriptions (`DELETE /2/activity/subscriptions?ids=...`, 100 ids per request, one
   * request after the other). Nothing is thrown away: every id ends up in `deleted` or in `failed`,
   * per-id failures with X's reason, and the ids of a request that failed as a whole with its typed
   * error (after a 401 or 403 the remaining requests are not sent; their ids fail with that error).
   * Only an abort rejects.
   *
   * @example
   * ```ts
   * const { deleted, failed } = await client.activity.subscriptions.deleteMany(ids);
   * for (const failure of failed) console.warn(failure.subscriptionId, failure.reason, failure.message);
   * ```
   */
  async deleteMany(
    subscriptionIds: readonly string[],
    options?: RequestOptions,
  ): Promise<ActivitySubscriptionsDeletion> {
    const op = 'activity.subscriptions.deleteMany';
    if (!Array.isArray(subscriptionIds) || subscriptionIds.length === 0) {
      throw new InvalidArgumentError(`${op}: \`subscriptionIds\` must be a non-empty array of id strings.`);
    }
    const ids = [...new Set(subscriptionIds.map((id, i) => checkNumericId(id, `subscriptionIds[${i}]`, op)))];
    const deleted: string[] = [];
    const failed: ActivitySubscriptionDeleteFailure[] = [];
    let totalSubscriptions: number | undefined;
    let fatal: XAccountActivityError | undefined;
    for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
      const chunk = ids.slice(start, start + DELETE_CHUNK);
      if (fatal !== undefined) {
        for (const id of chunk) failed.push(failure(id, fatal));
        continue;
      }
      let answer: RawActivitySubscriptionsDeleted;
      try {
        answer = (await this.#core.call(
          op,
          { query: { ids: chunk.join(',') } },
          undefined,
          options,
        )) as RawActivitySubscriptionsDeleted;
      } catch (error) {
        if (options?.signal?.aborted || !isXAccountActivityError(error)) throw error;
        for (const id of chunk) failed.push(failure(id, error));
        if (isAuthenticationError(error) || isForbiddenError(error)) fatal = error;
        continue;
      }
      totalSubscriptions = answer.totalSubscriptions ?? totalSubscriptions;
      const settled = new Set<string>();
      for (const entry of answer.errors) {
        const id = entry.subscriptionId;
        if (id === undefined || !chunk.includes(id) || settled.has(id)) continue;
        settled.add(id);
        failed.push({
          subscriptionId: id,
          reason: entry.reason,
          message: entry.message ?? 'X did not delete this subscription.',
          error: undefined,
        });
      }
      for (const entry of answer.data) {
        const id = entry.subscriptionId;
        if (id === undefined || !chunk.includes(id) || settled.has(id)) continue;
        settled.add(id);
        if (entry.deleted) deleted.push(id);
        else
          failed.push({
            subscriptionId: id,
            reason: undefined,
            message: 'X answered deleted: false.',
            error: undefined,
          });
      }
      for (const id of chunk) {
        if (!settled.has(id)) {
          failed.push({
            subscriptionId: id,
            reason: undefined,
            message: "X's answer did not mention this id; list the subscriptions to see whether it still exists.",
            error: undefined,
          });
        }
      }
    }
    return { deleted, failed, totalSubscriptions };
  }
}

function failure(subscriptionId: string, error: XAccountActivityError): ActivitySubscriptionDeleteFailure {
  const reason = (error as { reason?: unknown }).reason;
  return {
    subscriptionId,
    reason: typeof reason === 'string' ? reason : undefined,
    message: error.message,
    error,
  };
}

/**
 * `client.activity`: the X Activity API.
 *
 * @example
 * ```ts
 * await client.activity.subscriptions.create({ eventType: 'post.create', filter: { userId: '2244994945' } });
 * const stream = client.activity.stream({ backfillMinutes: 5 });
 * for await (const event of stream) console.log(event.type);
 * ```
 */
export class ActivityResource {
  /** Subscriptions: create, list, update, delete. */
  readonly subscriptions: ActivitySubscriptionsResource;
  readonly #core: ClientCore;

  /** @internal */
  constructor(core: ClientCore) {
    this.#core = core;
    this.subscriptions = new ActivitySubscriptionsResource(core);
  }

  /**
   * Consumes `GET /2/activity/stream` (app-only bearer): the events of all the app's subscriptions, as
   * the same typed events `parseActivity` gives webhooks. Reconnects on its own with X's backoff and a
   * backfill, so that no event is lost or doubled; see {@link ActivityStreamOptions} and docs/client.md.
   * The connection opens when the iteration starts.
   *
   * @example
   * ```ts
   * const stream = client.activity.stream({
   *   backfillMinutes: 2,
   *   onState: (change) => console.log(change.state, change.reason ?? '', change.delayMs ?? ''),
   * });
   * for await (const event of stream) {
   *   if (event.type === 'post.create') console.log(event.text);
   * }
   * ```
   */
  stream(options?: ActivityStreamOptions): ActivityStream {
    return new ActivityStream(
      (query, signal, timeout) => this.#core.open('activity.stream', { query }, signal, timeout),
      options,
    );
  }
}
