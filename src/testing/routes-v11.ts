/**
 * The v1.1 enterprise endpoints (E1-E11, docs/x-api-notes.md#endpoint-ids), with their documented
 * bodies, 204s, 202 and `{"errors":[{"code","message"}]}` errors.
 */
import {
  ID,
  isoSeconds,
  V11_WEBHOOK_NOT_FOUND,
  v11Error,
  type ApiRequest,
  type ApiResponse,
  type Route,
  type RouteContext,
} from './api.js';
import { CRC_FAILURE_MESSAGES } from './crc-check.js';
import { parsePairs } from './oauth-verify.js';
import { checkReplayWindow, REPLAY_MAX_AGE_5D } from './replay.js';
import { countJson } from './routes-v2.js';
import type { WebhookState } from './store.js';

const BASE = '^/1\\.1/account_activity';
const NO_CONTENT: ApiResponse = { status: 204 };
const PAGE_NOT_FOUND = (): ApiResponse => v11Error(404, 34, 'Sorry, that page does not exist.');

/** Code 214 with the configured HTTP status (400 by default, 403 in the docs). */
function e214(ctx: RouteContext, message: string): ApiResponse {
  return v11Error(ctx.variants.crcErrorStatus, 214, message);
}

function webhookOf(ctx: RouteContext, req: ApiRequest): WebhookState | ApiResponse {
  const id = req.params[0] ?? '';
  return (ID.test(id) ? ctx.store.webhooks.get(id) : undefined) ?? V11_WEBHOOK_NOT_FOUND();
}

const isResponse = (value: WebhookState | ApiResponse): value is ApiResponse => 'status' in value;

function webhookJson(webhook: WebhookState): Record<string, unknown> {
  return { id: webhook.id, url: webhook.url, valid: webhook.valid, created_at: isoSeconds(webhook.createdAt) };
}

/** `url` from the query (enterprise docs) or a form field (premium-era samples). */
function urlParam(req: ApiRequest): string | undefined {
  const fromQuery = req.query.get('url');
  if (fromQuery !== null) return fromQuery;
  const type = String(req.headers['content-type'] ?? '');
  if (!type.includes('application/x-www-form-urlencoded')) return undefined;
  return parsePairs(req.body.replace(/\+/g, '%20'))?.find(([k]) => k === 'url')?.[1];
}

/** The v1.1 routes. */
export const V11_ROUTES: readonly Route[] = [
  {
    id: 'E1',
    generation: 'v1.1',
    method: 'POST',
    pattern: new RegExp(`${BASE}/webhooks\\.json$`),
    auth: ['owner'],
    async handle(ctx, req) {
      const url = urlParam(req);
      if (url === undefined) return e214(ctx, 'Webhook URL does not meet the requirements.');
      const outcome = await ctx.store.registerWebhook(url, true);
      if (outcome.ok) return { status: 200, body: webhookJson(outcome.webhook) };
      switch (outcome.error) {
        case 'url':
          return e214(ctx, 'Webhook URL does not meet the requirements.');
        case 'duplicate':
          return e214(ctx, 'Webhook URL does not meet the requirements. This app already has a webhook for this URL.');
        case 'limit':
          return e214(ctx, 'Too many resources already created.');
        case 'crc':
          return e214(ctx, CRC_FAILURE_MESSAGES[outcome.crc.failure]);
      }
    },
  },
  {
    id: 'E2',
    generation: 'v1.1',
    method: 'GET',
    pattern: new RegExp(`${BASE}/webhooks\\.json$`),
    auth: ['app', 'owner'],
    handle(ctx) {
      return { status: 200, body: [...ctx.store.webhooks.values()].map(webhookJson) };
    },
  },
  {
    id: 'E3',
    generation: 'v1.1',
    method: 'PUT',
    pattern: new RegExp(`${BASE}/webhooks/([^/]+?)\\.json$`),
    auth: ['owner', 'app'],
    async handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      const crc = await ctx.store.checkWebhook(webhook, { strict: true, withNonce: true });
      return crc.ok ? NO_CONTENT : e214(ctx, CRC_FAILURE_MESSAGES[crc.failure]);
    },
  },
  {
    id: 'E4',
    generation: 'v1.1',
    method: 'DELETE',
    pattern: new RegExp(`${BASE}/webhooks/([^/]+?)\\.json$`),
    auth: ['owner'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      ctx.store.webhooks.delete(webhook.id);
      return NO_CONTENT;
    },
  },
  {
    id: 'E5',
    generation: 'v1.1',
    method: 'POST',
    pattern: new RegExp(`${BASE}/webhooks/([^/]+)/subscriptions/all\\.json$`),
    auth: ['user'],
    handle(ctx, req) {
      if (req.caller.kind !== 'user') return v11Error(401, 32, 'Could not authenticate you.');
      switch (ctx.store.subscribe(req.params[0] ?? '', req.caller.account.id)) {
        case 'ok':
        case 'duplicate':
          return NO_CONTENT;
        case 'limit':
          return e214(ctx, 'Too many resources already created.');
        case 'not_found':
          return V11_WEBHOOK_NOT_FOUND();
      }
    },
  },
  {
    id: 'E6',
    generation: 'v1.1',
    method: 'GET',
    pattern: new RegExp(`${BASE}/webhooks/([^/]+)/subscriptions/all\\.json$`),
    auth: ['user'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      return req.caller.kind === 'user' && webhook.subscriptions.has(req.caller.account.id)
        ? NO_CONTENT
        : PAGE_NOT_FOUND();
    },
  },
  {
    id: 'E7',
    generation: 'v1.1',
    method: 'GET',
    pattern: new RegExp(`${BASE}/webhooks/([^/]+)/subscriptions/all/list\\.json$`),
    auth: ['app'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      return {
        status: 200,
        body: {
          webhook_id: webhook.id,
          webhook_url: webhook.url,
          application_id: ctx.appId,
          subscriptions: [...webhook.subscriptions.keys()].map((user_id) => ({ user_id })),
        },
      };
    },
  },
  {
    id: 'E8',
    generation: 'v1.1',
    method: 'GET',
    pattern: new RegExp(`${BASE}/subscriptions/count\\.json$`),
    auth: ['app'],
    handle(ctx) {
      return { status: 200, body: countJson(ctx) };
    },
  },
  {
    id: 'E9',
    generation: 'v1.1',
    method: 'DELETE',
    pattern: new RegExp(`${BASE}/webhooks/([^/]+)/subscriptions/([^/]+)/all\\.json$`),
    auth: ['app'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      return webhook.subscriptions.delete(req.params[1] ?? '') ? NO_CONTENT : PAGE_NOT_FOUND();
    },
  },
  {
    id: 'E10',
    generation: 'v1.1',
    method: 'DELETE',
    pattern: new RegExp(`${BASE}/webhooks/([^/]+)/subscriptions/all\\.json$`),
    auth: ['user'],
    handle(ctx, req) {
      const webhook = webhookOf(ctx, req);
      if (isResponse(webhook)) return webhook;
      const userId = req.caller.kind === 'user' ? req.caller.account.id : '';
      return webhook.subscriptions.delete(userId) ? NO_CONTENT : PAGE_NOT_FOUND();
    },
  },
  {
    id: 'E11',
    generation: 'v1.1',
    method: 'POST',
    pattern: new RegExp(`${BASE}/replay/webhooks/([^/]+)/subscriptions/all\\.json$`),
    auth: ['app'],
    async handle(ctx, req) {
      const id = req.params[0] ?? '';
      if (/^-\d+$/.test(id)) return v11Error(400, 360, 'webhook_id must be a positive number.');
      if (!ID.test(id)) return v11Error(400, 358, 'Parameter malformed: webhook_id');
      const webhook = ctx.store.webhooks.get(id);
      if (!webhook) return V11_WEBHOOK_NOT_FOUND();
      const window = checkReplayWindow(req.query.get('from_date') ?? undefined, req.query.get('to_date') ?? undefined, {
        nowMs: ctx.clock(),
        maxAgeMs: REPLAY_MAX_AGE_5D,
        toInclusive: false,
      });
      if (!window.ok) return v11Error(400, window.code, window.message);
      const outcome = await ctx.store.startReplay(webhook.id, window.fromMs, window.endMs, true);
      if (outcome.ok) {
        return { status: 202, body: { job_id: outcome.jobId, created_at: isoSeconds(outcome.createdAt) } };
      }
      switch (outcome.error) {
        case 'not_found':
          return V11_WEBHOOK_NOT_FOUND();
        case 'conflict':
          return v11Error(409, 355, 'A replay job is already running for this webhook.');
        case 'invalid':
          return v11Error(400, 214, 'Webhook is marked invalid and requires a CRC check');
        case 'crc':
          return v11Error(400, 214, CRC_FAILURE_MESSAGES[outcome.crc.failure]);
      }
    },
  },
];
