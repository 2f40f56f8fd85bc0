/**
 * The v2 endpoints (V1-V11, docs/x-api-notes.md#endpoint-ids) and the DM send endpoint, with their
 * documented success bodies and reason-prefixed 400 problems.
 */
import {
  ID,
  isoSeconds,
  jsonObject,
  v2Invalid,
  v2Problem,
  type ApiRequest,
  type ApiResponse,
  type Route,
  type RouteContext,
} from './api.js';
import { CRC_FAILURE_MESSAGES, type CrcOutcome } from './crc-check.js';
import { checkReplayWindow, REPLAY_MAX_AGE_24H, REPLAY_MAX_AGE_5D } from './replay.js';
import type { WebhookState } from './store.js';

const WEBHOOK = '([^/]+)';

function badId(name: string, value: string): ApiResponse {
  return v2Invalid(undefined, `The \`${name}\` path parameter value [${value}] does not match ^[0-9]{1,19}$`);
}

function crcFailed(crc: CrcOutcome & { ok: false }): ApiResponse {
  return v2Invalid('CrcValidationFailed', `${CRC_FAILURE_MESSAGES[crc.failure]} (${crc.detail})`);
}

/** Looks up the webhook of params[0]; a response when that fails. */
function webhookOf(ctx: RouteContext, req: ApiRequest): WebhookState | ApiResponse {
  const id = req.params[0] ?? '';
  if (!ID.test(id)) return badId('webhook_id', id);
  return (
    ctx.store.webhooks.get(id) ??
    v2Invalid('WebhookIdInvalid', `Webhook ${id} does not exist or belongs to another app.`)
  );
}

const isResponse = (value: WebhookState | ApiResponse): value is ApiResponse => 'status' in value;

function webhookJson(webhook: WebhookState, fields?: ReadonlySet<string>): Record<string, unknown> {
  const all: Record<string, unknown> = {
    created_at: isoSeconds(webhook.createdAt),
    id: webhook.id,
    url: webhook.url,
    valid: webhook.valid,
  };
  if (!fields) return all;
  return Object.fromEntries(Object.entries(all).filter(([k]) => k === 'id' || fields.has(k)));
}

function replayWindow(ctx: RouteContext, from: string | undefined, to: string | undefined, v5: boolean) {
  const window = checkReplayWindow(from, to, {
    nowMs: ctx.clock(),
    maxAgeMs: v5 ? REPLAY_MAX_AGE_24H : REPLAY_MAX_AGE_5D,
    toInclusive: v5,
  });
  return window.ok ? window : v2Invalid('QueryParamInvalid', window.message);
}

async function startReplay(
  ctx: RouteContext,
  webhook: WebhookState,
  window: { fromMs: number; endMs: number },
): Promise<{ job_id: string; created_at: string } | ApiResponse> {
  const outcome = await ctx.store.startReplay(webhook.id, window.fromMs, window.endMs, false);
  if (outcome.ok) return { job_id: outcome.jobId, created_at: outcome.createdAt.toISOString() };
  switch (outcome.error) {
    case 'not_found':
      return v2Invalid('WebhookIdInvalid', `Webhook ${webhook.id} does not exist.`);
    case 'conflict':
      return v2Invalid('ReplayConflictError', `A replay job is already running for webhook ${webhook.id}.`);
    case 'invalid':
      return v2Invalid('CrcValidationFailed', 'Webhook is marked invalid and requires a CRC check.');
    case 'crc':
      return crcFailed(outcome.crc);
  }
}

/** The v2 routes. */
export const V2_ROUTES: readonly Route[] = [
  {
    id: 'V1',
    generation: 'v2',
    method: 'POST',
    pattern: /^\/2\/webhooks$/,
    auth: ['app', 'owner'],
    async handle(ctx, req) {
      const body = jsonObject(req.body);
      if (!body || typeof body.url !== 'string')
        return v2Invalid(undefined, 'The `url` body field (a string) is required.');
      const outcome = await ctx.store.registerWebhook(body.url, false);
      if (outcome.ok) return { status: 200, body: { data: webhookJson(outcome.webhook) } };
      switch (outcome.error) {
        case 'url':
          return v2Invalid('UrlValidationFailed', outcome.detail);
        case 'duplicate':
          return v2Invalid('DuplicateUrlFailed', 'This app already has a webhook for this URL.');
        case 'limit':
          return v2Invalid('WebhookLimitExceeded', 'Too many webhooks for this account.');
        case 'crc':
          return crcFailed(outcome.crc);
      }
    },
  },
  {
    id: 'V2',
    generation: 'v2',
    method: 'GET',
    pattern: /^\/2\/webhooks$/,
    auth: ['app'],
    handle(ctx, req) {
      const raw = req.query.get('webhook_config.fields');
      const fields = raw === null ? undefined : new Set(raw.split(','));
      const data = [...ctx.store.webhooks.values()].map((w) => webhookJson(w, fields));
      return { status: 200, body: { data, meta: { result_count: data.length } } };
    },
  },
  {
    id: 'V3',
    generation: 'v2',
    method: 'PUT',
    pattern: new RegExp(`^/2/webhooks/${WEBHOOK}$`),
    auth: ['app', 'owner'],
    async handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      const crc = await ctx.store.checkWebhook(webhook, { strict: true, withNonce: false });
      if (ctx.variants.v3Response === 'attempted') return { status: 200, body: { data: { attempted: true } } };
      return crc.ok ? { status: 200, body: { data: { valid: true } } } : crcFailed(crc);
    },
  },
  {
    id: 'V4',
    generation: 'v2',
    method: 'DELETE',
    pattern: new RegExp(`^/2/webhooks/${WEBHOOK}$`),
    auth: ['app', 'owner'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      ctx.store.webhooks.delete(webhook.id);
      return { status: 200, body: { data: { deleted: true } } };
    },
  },
  {
    id: 'V5',
    generation: 'v2',
    method: 'POST',
    pattern: /^\/2\/webhooks\/replay$/,
    auth: ['app'],
    async handle(ctx, req) {
      const body = jsonObject(req.body);
      if (!body) return v2Invalid(undefined, 'The body must be a JSON object.');
      const id = body.webhook_id;
      if (typeof id !== 'string' || !ID.test(id)) {
        return v2Invalid('QueryParamInvalid', 'webhook_id must be a string of 1-19 digits.');
      }
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      const window = replayWindow(ctx, str(body.from_date), str(body.to_date), true);
      if ('status' in window) return window;
      const webhook = ctx.store.webhooks.get(id);
      if (!webhook) return v2Invalid('WebhookIdInvalid', `Webhook ${id} does not exist or belongs to another app.`);
      const job = await startReplay(ctx, webhook, window);
      return 'status' in job ? job : { status: 200, body: { data: job } };
    },
  },
  {
    id: 'V6',
    generation: 'v2',
    method: 'POST',
    pattern: new RegExp(`^/2/account_activity/webhooks/${WEBHOOK}/subscriptions/all$`),
    auth: ['user', 'oauth2-user'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      if (req.caller.kind !== 'user') return v2Problem(403, 'Forbidden', 'User context required.');
      switch (ctx.store.subscribe(webhook.id, req.caller.account.id)) {
        case 'ok':
          return { status: 200, body: { data: { subscribed: true } } };
        case 'duplicate':
          return v2Invalid('DuplicateSubscriptionFailed', 'Subscription already exists');
        case 'limit':
          return v2Invalid('SubscriptionLimitExceeded', 'The subscription limit of this account is reached.');
        case 'not_found':
          return v2Invalid('WebhookIdInvalid', `Webhook ${webhook.id} does not exist.`);
      }
    },
  },
  {
    id: 'V7',
    generation: 'v2',
    method: 'GET',
    pattern: new RegExp(`^/2/account_activity/webhooks/${WEBHOOK}/subscriptions/all$`),
    auth: ['user', 'oauth2-user'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      const subscribed = req.caller.kind === 'user' && webhook.subscriptions.has(req.caller.account.id);
      return { status: 200, body: { data: { subscribed } } };
    },
  },
  {
    id: 'V8',
    generation: 'v2',
    method: 'GET',
    pattern: new RegExp(`^/2/account_activity/webhooks/${WEBHOOK}/subscriptions/all/list$`),
    auth: ['app'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      const subscriptions = [...webhook.subscriptions.keys()].map((user_id) => ({ user_id }));
      return {
        status: 200,
        body: { data: { application_id: ctx.appId, webhook_id: webhook.id, webhook_url: webhook.url, subscriptions } },
      };
    },
  },
  {
    id: 'V9',
    generation: 'v2',
    method: 'GET',
    pattern: /^\/2\/account_activity\/subscriptions\/count$/,
    auth: ['app'],
    handle(ctx) {
      return { status: 200, body: { data: countJson(ctx) } };
    },
  },
  {
    id: 'V10',
    generation: 'v2',
    method: 'DELETE',
    pattern: new RegExp(`^/2/account_activity/webhooks/${WEBHOOK}/subscriptions/([^/]+)/all$`),
    auth: ['app'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      const userId = req.params[1] ?? '';
      if (!ID.test(userId)) return badId('user_id', userId);
      if (!webhook.subscriptions.delete(userId)) {
        return v2Invalid('SubscriptionNotFound', `User ${userId} is not subscribed to webhook ${webhook.id}.`);
      }
      return { status: 200, body: { data: { subscribed: false } } };
    },
  },
  {
    id: 'V11',
    generation: 'v2',
    method: 'POST',
    pattern: new RegExp(`^/2/account_activity/replay/webhooks/${WEBHOOK}/subscriptions/all$`),
    auth: ['app'],
    async handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      const window = replayWindow(
        ctx,
        req.query.get('from_date') ?? undefined,
        req.query.get('to_date') ?? undefined,
        false,
      );
      if ('status' in window) return window;
      const job = await startReplay(ctx, webhook, window);
      if ('status' in job) return job;
      switch (ctx.variants.v11Response) {
        case 'bare':
          return { status: 200, body: job };
        case 'replay_event':
          return { status: 200, body: { for_user_id: ctx.owner.id, replay_event: job } };
        case 'data':
          return { status: 200, body: { data: job } };
      }
    },
  },
  {
    id: 'DM',
    generation: 'v2',
    method: 'POST',
    pattern: /^\/2\/dm_conversations\/with\/([^/]+)\/messages$/,
    auth: ['user', 'oauth2-user'],
    async handle(ctx, req) {
      if (req.caller.kind !== 'user') return v2Problem(403, 'Forbidden', 'User context required.');
      const participantId = req.params[0] ?? '';
      if (!ID.test(participantId)) return badId('participant_id', participantId);
      const body = jsonObject(req.body);
      const allowed = new Set(['text', 'attachments']);
      if (!body || Object.keys(body).some((k) => !allowed.has(k))) {
        return v2Invalid(undefined, 'The body must be a JSON object with `text` and/or `attachments`.');
      }
      const text = body.text;
      const hasText = typeof text === 'string' && text.length > 0;
      if (!hasText && !Array.isArray(body.attachments)) {
        return v2Invalid(undefined, 'At least one of `text`, `attachments` is required.');
      }
      if (body.text !== undefined && !hasText) return v2Invalid(undefined, '`text` must be a non-empty string.');
      const recipient = ctx.store.accounts.get(participantId);
      if (!recipient) {
        return v2Problem(
          400,
          'Invalid Request',
          `participant_id ${participantId} is not a known user.`,
          'https://api.twitter.com/2/problems/invalid-request',
        );
      }
      const sender = req.caller.account;
      if (recipient.blocking.has(sender.id)) {
        return v2Problem(403, 'Forbidden', 'You are not permitted to send Direct Messages to this user.');
      }
      const result = await ctx.activity.sendDirectMessage(sender, recipient, hasText ? text : '', { viaApp: true });
      const [a, b] = [sender.id, recipient.id].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
      return { status: 201, body: { data: { dm_conversation_id: `${a}-${b}`, dm_event_id: result.event.id } } };
    },
  },
];

/** The count body shared by V9 and E8 (every value a string). */
export function countJson(ctx: RouteContext): Record<string, string> {
  return {
    account_name: ctx.owner.screenName,
    provisioned_count: String(ctx.store.maxSubscriptions),
    subscriptions_count_all: String(ctx.store.subscriptionCount()),
    subscriptions_count_direct_messages: '0',
  };
}
