/**
 * The endpoint tables: one per API generation, as data.
 *
 * Each row says how one client operation is sent: method, path template, auth kind, where each
 * parameter goes (path, query or JSON body), which statuses mean success, whether the request may be
 * retried, and the zod schema of the answer. Row comments give the spec's endpoint key (§1.1 E1..E11,
 * §1.2 V1..V11) and, where the sources disagree on auth (§9.10, §9.11), which documented choice this
 * table follows.
 *
 * Internal module.
 */
import type { z } from 'zod';
import {
  addSubscriptionSchema,
  checkSubscriptionSchema,
  deleteWebhookSchema,
  listSubscriptionsSchema,
  listWebhooksSchema,
  registerWebhookSchema,
  removeSubscriptionSchema,
  replayJobSchema,
  sentDirectMessageSchema,
  subscriptionCountSchema,
  validateWebhookSchema,
} from './schemas.js';
import type { ReplayJob, SentDirectMessage, SubscriptionCount, Webhook, WebhookValidation } from './schemas.js';

/** The two API generations the client speaks. */
export type ApiVersion = '2' | '1.1';

/**
 * How a request is authenticated (spec §1):
 * - `app-owner`: OAuth 1.0a user context signed with the app owner's access token and secret;
 * - `user`: the subscribing user's context: OAuth 1.0a with that user's tokens or, on v2 only, an
 *   OAuth 2.0 user token; defaults to the app owner's tokens;
 * - `app-only`: an OAuth 2.0 app-only bearer token.
 */
export type AuthKind = 'app-owner' | 'user' | 'app-only';

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
  | 'directMessages.send';

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
}

/** Where a query or body value comes from: a call parameter or a fixed string. */
export type ParamSource = keyof CallParams | { readonly value: string };

/** What the table needs of a zod schema. */
export interface ResponseSchema<T> {
  safeParse(data: unknown): z.ZodSafeParseResult<T>;
}

/** One row of an endpoint table. */
export interface Endpoint<T> {
  /** The spec's key for the endpoint (E1..E11, V1..V11). */
  readonly ref: string;
  readonly method: HttpMethod;
  /** Path template; `:webhook_id` and `:user_id` are filled from the call parameters. */
  readonly path: string;
  readonly auth: AuthKind;
  /** Query parameters (part of the OAuth 1.0a signature base). */
  readonly query?: Readonly<Record<string, ParamSource>>;
  /** JSON body fields (never part of the OAuth 1.0a signature base). `{}` sends an empty object. */
  readonly json?: Readonly<Record<string, ParamSource>>;
  /** Statuses whose body `schema` reads. */
  readonly success: readonly number[];
  /** Statuses that answer "no" rather than fail (only the v1.1 subscription check). */
  readonly negative?: readonly number[];
  /** True when a retry cannot repeat a side effect (GET, the CRC trigger, DELETE). */
  readonly idempotent: boolean;
  /** The answer's schema; its input is the parsed JSON body or `undefined` for an empty body. */
  readonly schema: ResponseSchema<T>;
}

/** The raw subscription list; the client fills in the webhook id when X leaves it out. */
export type RawSubscriptionList = z.output<typeof listSubscriptionsSchema>;

/** One endpoint table: a row per operation. */
export interface EndpointTable {
  readonly 'webhooks.register': Endpoint<Webhook>;
  readonly 'webhooks.list': Endpoint<Webhook[]>;
  readonly 'webhooks.validate': Endpoint<WebhookValidation>;
  readonly 'webhooks.delete': Endpoint<undefined>;
  readonly 'subscriptions.add': Endpoint<undefined>;
  readonly 'subscriptions.check': Endpoint<boolean>;
  readonly 'subscriptions.list': Endpoint<RawSubscriptionList>;
  readonly 'subscriptions.count': Endpoint<SubscriptionCount>;
  readonly 'subscriptions.remove': Endpoint<undefined>;
  readonly 'replay.start': Endpoint<ReplayJob>;
  readonly 'directMessages.send': Endpoint<SentDirectMessage>;
}

/**
 * Sending a DM (`POST /2/dm_conversations/with/:participant_id/messages`, user context) so that a
 * bot can answer. The v1.1 DM endpoints are retired, so both generations send DMs through v2.
 */
const SEND_DIRECT_MESSAGE: Endpoint<SentDirectMessage> = {
  ref: 'DM',
  method: 'POST',
  path: '/2/dm_conversations/with/:participant_id/messages',
  auth: 'user',
  json: { text: 'text' },
  success: [200, 201],
  idempotent: false,
  schema: sentDirectMessageSchema,
};

/** X API v2 (spec §1.2). */
export const V2_ENDPOINTS: EndpointTable = {
  // V1. Auth conflict (§9.11): OAS also lists OAuth 1.0a user context; the docs say app-only
  // bearer, and the official dashboard sends Bearer. Primary documented choice: app-only.
  'webhooks.register': {
    ref: 'V1',
    method: 'POST',
    path: '/2/webhooks',
    auth: 'app-only',
    json: { url: 'url' },
    success: [200, 201],
    idempotent: false,
    schema: registerWebhookSchema,
  },
  // V2.
  'webhooks.list': {
    ref: 'V2',
    method: 'GET',
    path: '/2/webhooks',
    auth: 'app-only',
    query: { 'webhook_config.fields': { value: 'created_at,id,url,valid' } },
    success: [200],
    idempotent: true,
    schema: listWebhooksSchema,
  },
  // V3 (triggers a CRC; repeating it has no further effect). Auth conflict (§9.11): app-only, as V1.
  'webhooks.validate': {
    ref: 'V3',
    method: 'PUT',
    path: '/2/webhooks/:webhook_id',
    auth: 'app-only',
    success: [200, 204],
    idempotent: true,
    schema: validateWebhookSchema,
  },
  // V4. Auth conflict (§9.11): app-only, as V1.
  'webhooks.delete': {
    ref: 'V4',
    method: 'DELETE',
    path: '/2/webhooks/:webhook_id',
    auth: 'app-only',
    success: [200, 204],
    idempotent: true,
    schema: deleteWebhookSchema,
  },
  // V6. OAS-167 marks the empty-object body required; it is not part of the OAuth signature.
  'subscriptions.add': {
    ref: 'V6',
    method: 'POST',
    path: '/2/account_activity/webhooks/:webhook_id/subscriptions/all',
    auth: 'user',
    json: {},
    success: [200, 201, 204],
    idempotent: false,
    schema: addSubscriptionSchema,
  },
  // V7.
  'subscriptions.check': {
    ref: 'V7',
    method: 'GET',
    path: '/2/account_activity/webhooks/:webhook_id/subscriptions/all',
    auth: 'user',
    success: [200, 204],
    idempotent: true,
    schema: checkSubscriptionSchema,
  },
  // V8.
  'subscriptions.list': {
    ref: 'V8',
    method: 'GET',
    path: '/2/account_activity/webhooks/:webhook_id/subscriptions/all/list',
    auth: 'app-only',
    success: [200],
    idempotent: true,
    schema: listSubscriptionsSchema,
  },
  // V9.
  'subscriptions.count': {
    ref: 'V9',
    method: 'GET',
    path: '/2/account_activity/subscriptions/count',
    auth: 'app-only',
    success: [200],
    idempotent: true,
    schema: subscriptionCountSchema,
  },
  // V10. The docs say 200 `{data:{subscribed:false}}`; the official dashboard expects 204 (§9.21).
  'subscriptions.remove': {
    ref: 'V10',
    method: 'DELETE',
    path: '/2/account_activity/webhooks/:webhook_id/subscriptions/:user_id/all',
    auth: 'app-only',
    success: [200, 204],
    idempotent: true,
    schema: removeSubscriptionSchema,
  },
  // V5, the replacement of the AAA replay endpoint V11 (deprecated 2026-03-25).
  'replay.start': {
    ref: 'V5',
    method: 'POST',
    path: '/2/webhooks/replay',
    auth: 'app-only',
    json: { webhook_id: 'webhookId', from_date: 'fromDate', to_date: 'toDate' },
    success: [200, 201, 202],
    idempotent: false,
    schema: replayJobSchema,
  },
  'directMessages.send': SEND_DIRECT_MESSAGE,
};

/** X API v1.1 enterprise (spec §1.1). */
export const V1_1_ENDPOINTS: EndpointTable = {
  // E1: `url` is a query parameter, as the enterprise docs show.
  'webhooks.register': {
    ref: 'E1',
    method: 'POST',
    path: '/1.1/account_activity/webhooks.json',
    auth: 'app-owner',
    query: { url: 'url' },
    success: [200, 201],
    idempotent: false,
    schema: registerWebhookSchema,
  },
  // E2. Documented as Bearer; DASH-2019 used OAuth 1.0a (§9.10). Primary documented choice: Bearer.
  'webhooks.list': {
    ref: 'E2',
    method: 'GET',
    path: '/1.1/account_activity/webhooks.json',
    auth: 'app-only',
    success: [200],
    idempotent: true,
    schema: listWebhooksSchema,
  },
  // E3. The docs require OAuth 1.0a app-owner context; the official samples used Bearer (§9.10).
  // Primary documented choice: OAuth 1.0a.
  'webhooks.validate': {
    ref: 'E3',
    method: 'PUT',
    path: '/1.1/account_activity/webhooks/:webhook_id.json',
    auth: 'app-owner',
    success: [200, 204],
    idempotent: true,
    schema: validateWebhookSchema,
  },
  // E4.
  'webhooks.delete': {
    ref: 'E4',
    method: 'DELETE',
    path: '/1.1/account_activity/webhooks/:webhook_id.json',
    auth: 'app-owner',
    success: [200, 204],
    idempotent: true,
    schema: deleteWebhookSchema,
  },
  // E5: signed with the subscribing user's tokens.
  'subscriptions.add': {
    ref: 'E5',
    method: 'POST',
    path: '/1.1/account_activity/webhooks/:webhook_id/subscriptions/all.json',
    auth: 'user',
    success: [200, 204],
    idempotent: false,
    schema: addSubscriptionSchema,
  },
  // E6: 204 means subscribed; "not subscribed" comes back as an error status, documented as 404/34.
  'subscriptions.check': {
    ref: 'E6',
    method: 'GET',
    path: '/1.1/account_activity/webhooks/:webhook_id/subscriptions/all.json',
    auth: 'user',
    success: [200, 204],
    negative: [404],
    idempotent: true,
    schema: checkSubscriptionSchema,
  },
  // E7.
  'subscriptions.list': {
    ref: 'E7',
    method: 'GET',
    path: '/1.1/account_activity/webhooks/:webhook_id/subscriptions/all/list.json',
    auth: 'app-only',
    success: [200],
    idempotent: true,
    schema: listSubscriptionsSchema,
  },
  // E8.
  'subscriptions.count': {
    ref: 'E8',
    method: 'GET',
    path: '/1.1/account_activity/subscriptions/count.json',
    auth: 'app-only',
    success: [200],
    idempotent: true,
    schema: subscriptionCountSchema,
  },
  // E9, the replacement of the deprecated E10 (which this client does not use).
  'subscriptions.remove': {
    ref: 'E9',
    method: 'DELETE',
    path: '/1.1/account_activity/webhooks/:webhook_id/subscriptions/:user_id/all.json',
    auth: 'app-only',
    success: [200, 204],
    idempotent: true,
    schema: removeSubscriptionSchema,
  },
  // E11: app-only bearer; a 3-legged token gets 401/32.
  'replay.start': {
    ref: 'E11',
    method: 'POST',
    path: '/1.1/account_activity/replay/webhooks/:webhook_id/subscriptions/all.json',
    auth: 'app-only',
    query: { from_date: 'fromDate', to_date: 'toDate' },
    success: [200, 202],
    idempotent: false,
    schema: replayJobSchema,
  },
  'directMessages.send': SEND_DIRECT_MESSAGE,
};

/** The table for an API generation. */
export function endpointsFor(version: ApiVersion): EndpointTable {
  return version === '2' ? V2_ENDPOINTS : V1_1_ENDPOINTS;
}
