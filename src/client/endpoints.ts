/**
 * The endpoint tables: one per API generation, as data.
 *
 * Each row says how one request is sent: method, path template, auth kind, where each parameter goes
 * (path, query, JSON or form body), which statuses mean success, whether the request may be retried,
 * and the name of the answer's zod schema (the schemas themselves load with the first request, see
 * `client.ts`). The app-only token request (`POST /oauth2/token`) is a row like the others. Row
 * comments give the spec's endpoint key (§1.1 E1..E11, §1.2 V1..V11) and, where the sources disagree
 * on auth (§9.10, §9.11), which documented choice this table follows.
 *
 * Internal module.
 */
import type * as z from 'zod/mini';
import type { ClientSchemas } from './schemas.js';

/** The two API generations the client speaks. */
export type ApiVersion = '2' | '1.1';

/**
 * How a request is authenticated (spec §1):
 * - `app-owner`: OAuth 1.0a user context signed with the app owner's access token and secret;
 * - `user`: the subscribing user's context: OAuth 1.0a with that user's tokens or, on v2 only, an
 *   OAuth 2.0 user token; defaults to the app owner's tokens;
 * - `app-only`: an OAuth 2.0 app-only bearer token;
 * - `basic`: HTTP Basic with the URL-encoded consumer key and secret (only the token request, which
 *   obtains the app-only bearer token with the client-credentials grant).
 */
export type AuthKind = 'app-owner' | 'user' | 'app-only' | 'basic';

/** The HTTP methods the tables use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The name of a client operation: `resource.method`. */
export type OperationName =
  | 'webhooks.register'
  | 'webhooks.list'
  | 'webhooks.validate'
  | 'webhooks.delete'
  | 'subscriptions.add'
  | 'subscriptions.check'
  | 'subscriptions.list'
  | 'subscriptions.count'
  | 'subscriptions.remove'
  | 'replay.start'
  | 'directMessages.send'
  | 'activity.subscriptions.create'
  | 'activity.subscriptions.list'
  | 'activity.subscriptions.update'
  | 'activity.subscriptions.delete'
  | 'activity.subscriptions.deleteMany'
  | 'activity.stream'
  | 'streamLinks.create'
  | 'streamLinks.delete'
  | 'streamLinks.list'
  | 'streamRules.add'
  | 'streamRules.list'
  | 'streamRules.delete';

/** Every operation name, in table order. */
export const OPERATION_NAMES: readonly OperationName[] = [
  'webhooks.register',
  'webhooks.list',
  'webhooks.validate',
  'webhooks.delete',
  'subscriptions.add',
  'subscriptions.check',
  'subscriptions.list',
  'subscriptions.count',
  'subscriptions.remove',
  'replay.start',
  'directMessages.send',
  'activity.subscriptions.create',
  'activity.subscriptions.list',
  'activity.subscriptions.update',
  'activity.subscriptions.delete',
  'activity.subscriptions.deleteMany',
  'activity.stream',
  'streamLinks.create',
  'streamLinks.delete',
  'streamLinks.list',
  'streamRules.add',
  'streamRules.list',
  'streamRules.delete',
];

/** The values an operation is called with; each table row says where they go. */
export interface CallParams {
  readonly webhookId?: string;
  readonly userId?: string;
  readonly url?: string;
  readonly fromDate?: string;
  readonly toDate?: string;
  readonly participantId?: string;
  readonly text?: string;
  /** XAA: the subscription id (`:subscription_id`). */
  readonly subscriptionId?: string;
  /**
   * Query parameters of the call itself (pagination, `ids`, `dry_run`, the stream's `backfill_minutes`),
   * appended after the row's own `query`, in this order; part of the OAuth 1.0a signature base.
   */
  readonly query?: Readonly<Record<string, string>>;
  /** A JSON body built by the resource (nested objects), sent when the row has `json: 'call'`. */
  readonly body?: unknown;
}

/** Where a query or body value comes from: a call parameter or a fixed string. */
export type ParamSource = Exclude<keyof CallParams, 'query' | 'body'> | { readonly value: string };

/** The name of a response schema (a key of `ClientSchemas`). */
export type SchemaName = keyof ClientSchemas;

/** What the schema `S` returns. */
export type SchemaOutput<S extends SchemaName> = z.output<ClientSchemas[S]>;

/** One row of an endpoint table; `S` names the schema of its answer. */
export interface Endpoint<S extends SchemaName = SchemaName> {
  readonly method: HttpMethod;
  /** Path template; `:webhook_id` and `:user_id` are filled from the call parameters. */
  readonly path: string;
  readonly auth: AuthKind;
  /** Query parameters (part of the OAuth 1.0a signature base). */
  readonly query?: Readonly<Record<string, ParamSource>>;
  /**
   * JSON body fields (never part of the OAuth 1.0a signature base). `{}` sends an empty object;
   * `'call'` sends the call's `body` (built and checked by the resource: nested objects, arrays).
   */
  readonly json?: Readonly<Record<string, ParamSource>> | 'call';
  /**
   * URL-encoded form body fields. Only the `basic` token request has one: a form body would belong in
   * the OAuth 1.0a signature base, which the signer does not build from bodies.
   */
  readonly form?: Readonly<Record<string, ParamSource>>;
  /** Statuses whose body `schema` reads. */
  readonly success: readonly number[];
  /** Statuses that answer "no" rather than fail (only the v1.1 subscription check). */
  readonly negative?: readonly number[];
  /**
   * True when `errors[]` in a success answer lists per-item failures (rules not added, subscriptions
   * not deleted), so that an answer with `errors` and no `data` is still a success to read, not a
   * failure: every item of the request may have failed on its own.
   */
  readonly itemErrors?: boolean;
  /** True when a retry cannot repeat a side effect (GET, the CRC trigger, DELETE). */
  readonly idempotent: boolean;
  /**
   * The name of the answer's schema; its input is the parsed JSON body or `undefined` for an empty
   * body.
   */
  readonly schema: S;
}

/** The raw subscription list; the client fills in the webhook id when X leaves it out. */
export type RawSubscriptionList = SchemaOutput<'listSubscriptions'>;

/** One endpoint table: a row per operation, and the app-only token request. */
export interface EndpointTable {
  readonly 'webhooks.register': Endpoint<'registerWebhook'>;
  readonly 'webhooks.list': Endpoint<'listWebhooks'>;
  readonly 'webhooks.validate': Endpoint<'validateWebhook'>;
  readonly 'webhooks.delete': Endpoint<'deleteWebhook'>;
  readonly 'subscriptions.add': Endpoint<'addSubscription'>;
  readonly 'subscriptions.check': Endpoint<'checkSubscription'>;
  readonly 'subscriptions.list': Endpoint<'listSubscriptions'>;
  readonly 'subscriptions.count': Endpoint<'subscriptionCount'>;
  readonly 'subscriptions.remove': Endpoint<'removeSubscription'>;
  readonly 'replay.start': Endpoint<'replayJob'>;
  readonly 'directMessages.send': Endpoint<'sentDirectMessage'>;
  readonly 'activity.subscriptions.create': Endpoint<'activitySubscriptionCreated'>;
  readonly 'activity.subscriptions.list': Endpoint<'activitySubscriptionPage'>;
  readonly 'activity.subscriptions.update': Endpoint<'activitySubscriptionUpdated'>;
  readonly 'activity.subscriptions.delete': Endpoint<'activitySubscriptionDeleted'>;
  readonly 'activity.subscriptions.deleteMany': Endpoint<'activitySubscriptionsDeleted'>;
  /** The stream: its answer is read line by line by `activity-stream.ts`, never by a schema. */
  readonly 'activity.stream': Endpoint<'streamOpened'>;
  readonly 'streamLinks.create': Endpoint<'streamLinkCreated'>;
  readonly 'streamLinks.delete': Endpoint<'streamLinkDeleted'>;
  readonly 'streamLinks.list': Endpoint<'streamLinks'>;
  readonly 'streamRules.add': Endpoint<'streamRulesChanged'>;
  readonly 'streamRules.list': Endpoint<'streamRulePage'>;
  readonly 'streamRules.delete': Endpoint<'streamRulesChanged'>;
  /** The client-credentials grant: the app-only bearer token (internal, not an `OperationName`). */
  readonly 'oauth2.token': Endpoint<'bearerToken'>;
}

/** A row of the tables: an operation, or the internal token request. */
export type TableRow = keyof EndpointTable;

type Params = Readonly<Record<string, ParamSource>>;

/**
 * One row. `idempotent` follows from the method: every POST of these tables has a side effect that a
 * retry could repeat; GET, the CRC trigger PUT and DELETE do not.
 */
const row = <S extends SchemaName>(
  method: HttpMethod,
  path: string,
  auth: AuthKind,
  success: readonly number[],
  schema: S,
  extra?: {
    readonly query?: Params;
    readonly json?: Params | 'call';
    readonly form?: Params;
    readonly negative?: readonly number[];
    readonly itemErrors?: boolean;
  },
): Endpoint<S> => ({ method, path, auth, success, idempotent: method !== 'POST', schema, ...extra });

/** A v1.1 Account Activity path: `/1.1/account_activity<path>.json`. */
const v1 = (path: string): string => `/1.1/account_activity${path}.json`;

const OK = [200];
const OK_OR_EMPTY = [200, 204];
const CREATED = [200, 201];
const SUBSCRIPTIONS_V2 = '/2/account_activity/webhooks/:webhook_id/subscriptions/all';
const ACTIVITY = '/2/activity/subscriptions';
const RULES = '/2/tweets/search/stream/rules';

/**
 * Builds both tables. Called once, on first use (see `endpointsFor`), not at import: calls at module
 * level are code a bundler must keep, so that importing only the webhook toolkit from the root entry
 * would carry the tables.
 */
function buildTables(): Readonly<Record<ApiVersion, EndpointTable>> {
  /**
   * The app-only bearer token, the same for both generations: `POST /oauth2/token` with HTTP Basic
   * and the form body `grant_type=client_credentials`; the answer is
   * `{"token_type": "bearer", "access_token": "..."}`.
   */
  const token = row('POST', '/oauth2/token', 'basic', OK, 'bearerToken', {
    form: { grant_type: { value: 'client_credentials' } },
  });

  /**
   * Sending a DM (`POST /2/dm_conversations/with/:participant_id/messages`, user context) so that a
   * bot can answer. The v1.1 DM endpoints are retired, so both generations send DMs through v2.
   */
  const sendDirectMessage = row(
    'POST',
    '/2/dm_conversations/with/:participant_id/messages',
    'user',
    CREATED,
    'sentDirectMessage',
    {
      json: { text: 'text' },
    },
  );

  /**
   * The X Activity API and Filtered-Stream webhook links and rules (x-activity-api.md §5, §6, §8): v2
   * endpoints, the same rows in both tables (a v1.1 client manages XAA through v2, as it sends DMs).
   */
  const xaa = {
    // POST /2/activity/subscriptions. OAS: OAuth 2.0 user, OAuth 1.0a user or Bearer; docs: Bearer for
    // public event types, a user token for private ones; vercel/chat found that private types need an
    // OAuth 1.0a user token (§6). The row says `user`; `activity.ts` switches a call to `app-only` for
    // a public event type when no user credentials are passed (the private-type rule:
    // `isPrivateActivityType` and its `PRIVATE_TYPES` in `src/events/private-types.ts`).
    'activity.subscriptions.create': row('POST', ACTIVITY, 'user', CREATED, 'activitySubscriptionCreated', {
      json: 'call',
    }),
    // GET: OAS lists user tokens and Bearer; docs and vercel/chat use Bearer.
    'activity.subscriptions.list': row('GET', ACTIVITY, 'app-only', OK, 'activitySubscriptionPage'),
    // PUT, DELETE one, DELETE many: Bearer only (OAS).
    'activity.subscriptions.update': row(
      'PUT',
      `${ACTIVITY}/:subscription_id`,
      'app-only',
      OK,
      'activitySubscriptionUpdated',
      { json: 'call' },
    ),
    'activity.subscriptions.delete': row(
      'DELETE',
      `${ACTIVITY}/:subscription_id`,
      'app-only',
      OK_OR_EMPTY,
      'activitySubscriptionDeleted',
    ),
    'activity.subscriptions.deleteMany': row('DELETE', ACTIVITY, 'app-only', OK, 'activitySubscriptionsDeleted', {
      itemErrors: true,
    }),
    // GET /2/activity/stream: app-only Bearer only (OAS). Never retried by the transport: the stream
    // consumer reconnects with X's own backoff.
    'activity.stream': row('GET', '/2/activity/stream', 'app-only', OK, 'streamOpened'),
    // Filtered-Stream webhook links and rules: app-only Bearer (OAS).
    'streamLinks.create': row(
      'POST',
      '/2/tweets/search/webhooks/:webhook_id',
      'app-only',
      CREATED,
      'streamLinkCreated',
    ),
    'streamLinks.delete': row(
      'DELETE',
      '/2/tweets/search/webhooks/:webhook_id',
      'app-only',
      OK_OR_EMPTY,
      'streamLinkDeleted',
    ),
    // The docs page names `/2/tweets/search/stream/webhooks`; OAS 2.167 and the docs' own request
    // examples use `/2/tweets/search/webhooks` (§8, §11.10): this table follows OAS.
    'streamLinks.list': row('GET', '/2/tweets/search/webhooks', 'app-only', OK, 'streamLinks'),
    'streamRules.add': row('POST', RULES, 'app-only', CREATED, 'streamRulesChanged', {
      json: 'call',
      itemErrors: true,
    }),
    'streamRules.list': row('GET', RULES, 'app-only', OK, 'streamRulePage'),
    // Deleting rules is a POST too (`{"delete": {"ids": [...]}}`); deleting twice has no further
    // effect, so it may be retried like a DELETE.
    'streamRules.delete': {
      ...row('POST', RULES, 'app-only', OK, 'streamRulesChanged', { json: 'call', itemErrors: true }),
      idempotent: true,
    },
  } as const;

  /** X API v2 (spec §1.2). */
  const v2: EndpointTable = {
    // V1. Auth conflict (§9.11): OAS also lists OAuth 1.0a user context; the docs say app-only
    // bearer, and the official dashboard sends Bearer. Primary documented choice: app-only.
    'webhooks.register': row('POST', '/2/webhooks', 'app-only', CREATED, 'registerWebhook', { json: { url: 'url' } }),
    // V2.
    'webhooks.list': row('GET', '/2/webhooks', 'app-only', OK, 'listWebhooks', {
      query: { 'webhook_config.fields': { value: 'created_at,id,url,valid' } },
    }),
    // V3 (triggers a CRC; repeating it has no further effect). Auth conflict (§9.11): app-only, as V1.
    'webhooks.validate': row('PUT', '/2/webhooks/:webhook_id', 'app-only', OK_OR_EMPTY, 'validateWebhook'),
    // V4. Auth conflict (§9.11): app-only, as V1.
    'webhooks.delete': row('DELETE', '/2/webhooks/:webhook_id', 'app-only', OK_OR_EMPTY, 'deleteWebhook'),
    // V6. OAS-167 marks the empty-object body required; it is not part of the OAuth signature.
    'subscriptions.add': row('POST', SUBSCRIPTIONS_V2, 'user', [200, 201, 204], 'addSubscription', { json: {} }),
    // V7.
    'subscriptions.check': row('GET', SUBSCRIPTIONS_V2, 'user', OK_OR_EMPTY, 'checkSubscription'),
    // V8.
    'subscriptions.list': row('GET', `${SUBSCRIPTIONS_V2}/list`, 'app-only', OK, 'listSubscriptions'),
    // V9.
    'subscriptions.count': row('GET', '/2/account_activity/subscriptions/count', 'app-only', OK, 'subscriptionCount'),
    // V10. The docs say 200 `{data:{subscribed:false}}`; the official dashboard expects 204 (§9.21).
    'subscriptions.remove': row(
      'DELETE',
      '/2/account_activity/webhooks/:webhook_id/subscriptions/:user_id/all',
      'app-only',
      OK_OR_EMPTY,
      'removeSubscription',
    ),
    // V5, the replacement of the AAA replay endpoint V11 (deprecated 2026-03-25).
    'replay.start': row('POST', '/2/webhooks/replay', 'app-only', [200, 201, 202], 'replayJob', {
      json: { webhook_id: 'webhookId', from_date: 'fromDate', to_date: 'toDate' },
    }),
    'directMessages.send': sendDirectMessage,
    ...xaa,
    'oauth2.token': token,
  };

  /** X API v1.1 enterprise (spec §1.1). */
  const v1_1: EndpointTable = {
    // E1: `url` is a query parameter, as the enterprise docs show.
    'webhooks.register': row('POST', v1('/webhooks'), 'app-owner', CREATED, 'registerWebhook', {
      query: { url: 'url' },
    }),
    // E2. Documented as Bearer; DASH-2019 used OAuth 1.0a (§9.10). Primary documented choice: Bearer.
    'webhooks.list': row('GET', v1('/webhooks'), 'app-only', OK, 'listWebhooks'),
    // E3. The docs require OAuth 1.0a app-owner context; the official samples used Bearer (§9.10).
    // Primary documented choice: OAuth 1.0a.
    'webhooks.validate': row('PUT', v1('/webhooks/:webhook_id'), 'app-owner', OK_OR_EMPTY, 'validateWebhook'),
    // E4.
    'webhooks.delete': row('DELETE', v1('/webhooks/:webhook_id'), 'app-owner', OK_OR_EMPTY, 'deleteWebhook'),
    // E5: signed with the subscribing user's tokens.
    'subscriptions.add': row(
      'POST',
      v1('/webhooks/:webhook_id/subscriptions/all'),
      'user',
      OK_OR_EMPTY,
      'addSubscription',
    ),
    // E6: 204 means subscribed; "not subscribed" comes back as an error status, documented as 404/34.
    'subscriptions.check': row(
      'GET',
      v1('/webhooks/:webhook_id/subscriptions/all'),
      'user',
      OK_OR_EMPTY,
      'checkSubscription',
      {
        negative: [404],
      },
    ),
    // E7.
    'subscriptions.list': row(
      'GET',
      v1('/webhooks/:webhook_id/subscriptions/all/list'),
      'app-only',
      OK,
      'listSubscriptions',
    ),
    // E8.
    'subscriptions.count': row('GET', v1('/subscriptions/count'), 'app-only', OK, 'subscriptionCount'),
    // E9, the replacement of the deprecated E10 (which this client does not use).
    'subscriptions.remove': row(
      'DELETE',
      v1('/webhooks/:webhook_id/subscriptions/:user_id/all'),
      'app-only',
      OK_OR_EMPTY,
      'removeSubscription',
    ),
    // E11: app-only bearer; a 3-legged token gets 401/32.
    'replay.start': row(
      'POST',
      v1('/replay/webhooks/:webhook_id/subscriptions/all'),
      'app-only',
      [200, 202],
      'replayJob',
      {
        query: { from_date: 'fromDate', to_date: 'toDate' },
      },
    ),
    'directMessages.send': sendDirectMessage,
    ...xaa,
    'oauth2.token': token,
  };

  return { '2': v2, '1.1': v1_1 };
}

let tables: Readonly<Record<ApiVersion, EndpointTable>> | undefined;

/** The table for an API generation. */
export function endpointsFor(version: ApiVersion): EndpointTable {
  tables ??= buildTables();
  return version === '2' ? tables['2'] : tables['1.1'];
}
