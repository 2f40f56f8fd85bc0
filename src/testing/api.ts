/**
 * Shared types and response builders of the emulator's routes.
 */
import type { ServerResponse } from 'node:http';
import type { EmulatorActivity } from './activity.js';
import type { StreamFault } from './activity-stream.js';
import type { EndpointId } from './rate-limit.js';
import type { XaaHub } from './xaa-hub.js';
import type { EmulatedAccount, Store } from './store.js';

/** Who made a request, once authenticated. */
export type Caller =
  | { readonly kind: 'app' }
  | { readonly kind: 'user'; readonly account: EmulatedAccount; readonly via: 'oauth1' | 'oauth2' };

/**
 * The auth an endpoint accepts: `app` (OAuth 2.0 app-only bearer), `owner` (OAuth 1.0a with the
 * app owner's token), `user` (OAuth 1.0a with any account's token), `oauth2-user` (OAuth 2.0 user
 * bearer).
 */
export type AuthMode = 'app' | 'owner' | 'user' | 'oauth2-user';

/** A parsed API request. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly caller: Caller;
  /** `/2/activity/stream` only: takes the next matching stream fault (`stream-drop`, `stream-stall`, `operational-disconnect`). */
  readonly takeStreamFault?: () => StreamFault | undefined;
}

/** An API answer. */
export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** A streaming answer: the status and headers are written, then this serves the open response. */
  readonly stream?: (res: ServerResponse) => void;
}

/** Response-shape variants where X's sources document more than one (see docs/x-api-notes.md). */
export interface EmulatorVariants {
  /**
   * HTTP status of v1.1 code 214 (webhook URL or CRC problems): the docs show 403, a real capture got
   * 400 (see docs/x-api-notes.md#error-status-of-code-214).
   * @default 400
   */
  readonly crcErrorStatus?: 400 | 403;
  /**
   * V3 success body: `{ data: { valid } }` (X's docs and OpenAPI spec v2.167) or `{ data: { attempted:
   * true } }` (OpenAPI spec v2.166 and older); see docs/x-api-notes.md#webhook-validation-response.
   * @default 'valid'
   */
  readonly v3Response?: 'valid' | 'attempted';
  /**
   * V11 success body: `{ data: { job_id, created_at } }` (X's official dashboard), bare `{ job_id,
   * created_at }` (older OpenAPI specs) or `{ for_user_id, replay_event: {...} }` (the v2 AAA
   * quickstart); see docs/x-api-notes.md#replay-job-response.
   * @default 'data'
   */
  readonly v11Response?: 'data' | 'bare' | 'replay_event';
  /**
   * Type of `user_has_blocked` on mentions: boolean (the enterprise FAQ, a real capture) or the string
   * `"true"`/`"false"` (docs samples); see docs/x-api-notes.md#blocked-flag-on-mentions.
   * @default 'boolean'
   */
  readonly userHasBlocked?: 'boolean' | 'string';
}

/** What a route handler can use. */
export interface RouteContext {
  readonly store: Store;
  readonly clock: () => number;
  readonly appId: string;
  readonly owner: EmulatedAccount;
  readonly variants: Required<EmulatorVariants>;
  readonly activity: EmulatorActivity;
  /** XAA subscriptions, stream rules and links, and the activity stream. */
  readonly xaa: XaaHub;
  /** Response envelopes of the XAA subscription endpoints (see `EmulatorOptions.xaaEnvelope`). */
  readonly xaaEnvelope: XaaEnvelopeVariant;
}

/**
 * Which documented body the XAA subscription endpoints answer with (spec §6): `'openapi'` (X's
 * OpenAPI spec v2.167: create `{data: {subscription}}`, update `{data: {subscription,
 * total_subscriptions}}`, list `meta.result_count`), `'docs'` (docs.x.com: create `{data: Sub}`, update
 * `{data: Sub, meta: {total_subscriptions}}`, list and delete `meta.total_subscriptions`) or
 * `'docs-array'` (as `'docs'`, but create answers `{data: [Sub], meta: {total_subscriptions}}`). Stream
 * links follow it too: `{data: [link]}` (OpenAPI) or `{data: {links: [link]}}` (docs).
 */
export type XaaEnvelopeVariant = 'openapi' | 'docs' | 'docs-array';

/** One endpoint. */
export interface Route {
  readonly id: EndpointId;
  readonly generation: 'v1.1' | 'v2';
  readonly method: string;
  readonly pattern: RegExp;
  readonly auth: readonly AuthMode[];
  readonly handle: (ctx: RouteContext, req: ApiRequest) => ApiResponse | Promise<ApiResponse>;
}

/** `{"errors":[{"code","message"}]}` with a status. */
export function v11Error(status: number, code: number, message: string): ApiResponse {
  return { status, body: { errors: [{ code, message }] } };
}

/** 404/34 with the webhook message. */
export const V11_WEBHOOK_NOT_FOUND = (): ApiResponse =>
  v11Error(404, 34, 'Webhook does not exist or is associated with a different X application.');

/** The v2 failure reasons (https://docs.x.com/x-api/webhooks/introduction). */
export type V2Reason =
  | 'CrcValidationFailed'
  | 'UrlValidationFailed'
  | 'DuplicateUrlFailed'
  | 'WebhookLimitExceeded'
  | 'WebhookIdInvalid'
  | 'DuplicateSubscriptionFailed'
  | 'SubscriptionLimitExceeded'
  | 'SubscriptionNotFound'
  | 'QueryParamInvalid'
  | 'ReplayConflictError'
  | 'SubscriptionIdInvalid'
  | 'StreamLinkExists'
  | 'StreamLinkNotFound';

/**
 * A v2 "Invalid Request" problem with a reason-prefixed message, HTTP 400, as in the examples of X's
 * webhooks docs (the problem type uses the captured api.twitter.com host; see
 * docs/x-api-notes.md#error-status-of-code-214).
 */
export function v2Invalid(reason: V2Reason | undefined, details: string): ApiResponse {
  return {
    status: 400,
    body: {
      errors: [{ message: reason === undefined ? details : `${reason}: ${details}` }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    },
  };
}

/** A v2 RFC 7807 problem. */
export function v2Problem(status: number, title: string, detail: string, type = 'about:blank'): ApiResponse {
  return { status, body: { title, detail, type, status } };
}

/** Reads a JSON object body; `undefined` when it is not one. */
export function jsonObject(body: string): Record<string, unknown> | undefined {
  if (body.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The id path parameter pattern of X's OpenAPI spec (`^[0-9]{1,19}$`). */
export const ID = /^[0-9]{1,19}$/;

/** ISO-8601 UTC without milliseconds, like X's `created_at` of webhooks. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
