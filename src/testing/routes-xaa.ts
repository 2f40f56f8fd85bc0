/**
 * The X Activity API and Filtered-Stream routes of the emulator (spec §5, §6, §8): XAA subscriptions
 * (A1-A5), the activity stream (A6), stream rules (R1, R2) and stream links (L1-L3), with the generic
 * v2 error bodies of the AAA routes.
 */
import { isPrivateActivityType } from '../events/private-types.js';
import { TOO_MANY_CONNECTIONS } from './activity-stream.js';
import {
  ID,
  jsonObject,
  v2Invalid,
  v2Problem,
  type ApiRequest,
  type ApiResponse,
  type Route,
  type RouteContext,
} from './api.js';
import { compileRule } from './rule-matcher.js';
import {
  canonicalEventType,
  XAA_SUBSCRIBABLE_TYPES,
  type StreamRuleState,
  type XaaSubscriptionState,
} from './xaa-hub.js';
import { isoMillis, type XaaFilterPayload } from './xaa-payloads.js';

const SUBSCRIPTIONS = /^\/2\/activity\/subscriptions$/;
const SUBSCRIPTION = /^\/2\/activity\/subscriptions\/([^/]+)$/;
const LINK = /^\/2\/tweets\/search\/webhooks\/([^/]+)$/;
const RULES = /^\/2\/tweets\/search\/stream\/rules$/;
const INVALID_REQUEST = 'https://api.twitter.com/2/problems/invalid-request';

const isString = (v: unknown): v is string => typeof v === 'string';

function unknownKeys(
  body: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
): ApiResponse | undefined {
  const extra = Object.keys(body).find((k) => !allowed.includes(k));
  return extra === undefined
    ? undefined
    : v2Invalid(undefined, `The ${where} has an unknown field \`${extra}\`; allowed: ${allowed.join(', ')}.`);
}

function unknownQuery(req: ApiRequest, allowed: readonly string[]): ApiResponse | undefined {
  for (const key of req.query.keys()) {
    if (!allowed.includes(key)) {
      return v2Invalid(undefined, `The query parameter [${key}] is not one of [${allowed.join(',')}]`);
    }
  }
  return undefined;
}

function badId(name: string, value: string): ApiResponse {
  return v2Invalid(undefined, `The \`${name}\` path parameter value [${value}] does not match ^[0-9]{1,19}$`);
}

/** `max_results` (1-1000, default 1000); a response when invalid. */
function maxResults(req: ApiRequest): number | ApiResponse {
  const raw = req.query.get('max_results');
  if (raw === null) return 1000;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 1000)) {
    return v2Invalid(undefined, `The \`max_results\` query parameter value [${raw}] is not between 1 and 1000`);
  }
  return n;
}

/** Pagination tokens: the offset in base32hex, 16 characters. */
const encodeToken = (offset: number): string => offset.toString(32).toUpperCase().padStart(16, '0');

function pageStart(req: ApiRequest): number | ApiResponse {
  const raw = req.query.get('pagination_token');
  if (raw === null) return 0;
  if (!/^[0-9A-Va-v]{16}$/.test(raw)) {
    return v2Invalid(undefined, `The \`pagination_token\` query parameter value [${raw}] is not a valid token`);
  }
  return Number.parseInt(raw, 32);
}

function subscriptionJson(sub: XaaSubscriptionState): Record<string, unknown> {
  return {
    subscription_id: sub.id,
    event_type: sub.eventType,
    filter: sub.filter,
    ...(sub.tag === undefined ? {} : { tag: sub.tag }),
    ...(sub.webhookId === undefined ? {} : { webhook_id: sub.webhookId }),
    created_at: isoMillis(new Date(sub.createdAt)),
    updated_at: isoMillis(new Date(sub.updatedAt)),
  };
}

function subscriptionOf(ctx: RouteContext, req: ApiRequest): XaaSubscriptionState | ApiResponse {
  const id = req.params[0] ?? '';
  if (!ID.test(id)) return badId('subscription_id', id);
  return ctx.xaa.subscriptions.get(id) ?? v2Invalid('SubscriptionNotFound', `Subscription ${id} does not exist.`);
}

const isResponse = (value: object): value is ApiResponse => 'status' in value;

/** Checks `tag` and `webhook_id` of a create or update body. */
function tagAndWebhook(ctx: RouteContext, body: Record<string, unknown>): ApiResponse | undefined {
  if (body.tag !== undefined && !(isString(body.tag) && body.tag.length >= 1 && body.tag.length <= 200)) {
    return v2Invalid(undefined, '`tag` must be a string of 1 to 200 characters.');
  }
  if (body.webhook_id !== undefined) {
    if (!isString(body.webhook_id) || !ID.test(body.webhook_id)) {
      return v2Invalid(undefined, '`webhook_id` must be a string of 1-19 digits.');
    }
    if (!ctx.store.webhooks.has(body.webhook_id)) {
      return v2Invalid('WebhookIdInvalid', `Webhook ${body.webhook_id} does not exist or belongs to another app.`);
    }
  }
  return undefined;
}

/** Checks a create body's `filter` for `eventType`; the normalised filter or a response. */
function checkFilter(eventType: string, raw: unknown): XaaFilterPayload | ApiResponse {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return v2Invalid(undefined, '`filter` (an object with `user_id`, `keyword` or `direction`) is required.');
  }
  const filter = raw as Record<string, unknown>;
  const extra = unknownKeys(filter, ['user_id', 'keyword', 'direction'], '`filter`');
  if (extra) return extra;
  const { user_id: userId, keyword, direction } = filter;
  if (userId !== undefined && !(isString(userId) && ID.test(userId))) {
    return v2Invalid(undefined, '`filter.user_id` must be a string of 1-19 digits.');
  }
  if (keyword !== undefined && !(isString(keyword) && keyword.trim().length >= 1)) {
    return v2Invalid(undefined, '`filter.keyword` must be a non-empty string.');
  }
  if (direction !== undefined) {
    if (direction !== 'inbound' && direction !== 'outbound') {
      return v2Invalid(undefined, '`filter.direction` must be `inbound` or `outbound`.');
    }
    if (/^(mute|block)\./.test(eventType)) {
      return v2Invalid(undefined, `\`filter.direction\` is not allowed for ${eventType}.`);
    }
  }
  if (eventType === 'news.new') {
    if (keyword === undefined || userId !== undefined) {
      return v2Invalid(undefined, 'news.new subscriptions filter on `keyword` (and not on `user_id`).');
    }
  } else if (eventType === 'post.create') {
    if (userId === undefined && keyword === undefined) {
      return v2Invalid(undefined, 'post.create subscriptions need `filter.user_id` or `filter.keyword`.');
    }
  } else if (userId === undefined || keyword !== undefined) {
    return v2Invalid(undefined, `${eventType} subscriptions filter on \`user_id\` (and not on \`keyword\`).`);
  }
  return {
    ...(userId === undefined ? {} : { user_id: userId as string }),
    ...(keyword === undefined ? {} : { keyword: keyword as string }),
    ...(direction === undefined ? {} : { direction }),
  };
}

const sameFilter = (a: XaaFilterPayload, b: XaaFilterPayload): boolean =>
  a.user_id === b.user_id && a.keyword === b.keyword && a.direction === b.direction;

const UNSUPPORTED_APP_AUTH = (): ApiResponse =>
  v2Problem(
    403,
    'Unsupported Authentication',
    'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
    'https://api.twitter.com/2/problems/unsupported-authentication',
  );

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function isoParam(req: ApiRequest, name: string): number | ApiResponse | undefined {
  const raw = req.query.get(name);
  if (raw === null) return undefined;
  const ms = ISO.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) {
    return v2Invalid(undefined, `Invalid '${name}':'${raw}'. '${name}' must be a valid RFC 3339 date-time.`);
  }
  return ms;
}

const booleanParam = (req: ApiRequest, name: string): boolean | ApiResponse => {
  const raw = req.query.get(name);
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  return v2Invalid(undefined, `The \`${name}\` query parameter value [${raw}] is not one of [true,false]`);
};

const LINK_PARAMS = ['expansions', 'tweet.fields', 'user.fields', 'media.fields', 'poll.fields', 'place.fields'];

function ruleJson(rule: StreamRuleState): Record<string, unknown> {
  return { id: rule.id, value: rule.value, ...(rule.tag === undefined ? {} : { tag: rule.tag }) };
}

function addRules(ctx: RouteContext, body: Record<string, unknown>, dryRun: boolean, sent: string): ApiResponse {
  const add = body.add;
  if (!Array.isArray(add) || add.length === 0) return v2Invalid(undefined, '`add` must be a non-empty array of rules.');
  const candidates: { value: string; tag: string | undefined }[] = [];
  for (const item of add) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return v2Invalid(undefined, 'Each rule of `add` must be an object `{ value, tag? }`.');
    }
    const rule = item as Record<string, unknown>;
    const extra = unknownKeys(rule, ['value', 'tag'], 'rule');
    if (extra) return extra;
    if (!isString(rule.value)) return v2Invalid(undefined, 'Each rule needs a string `value`.');
    if (rule.tag !== undefined && !isString(rule.tag)) return v2Invalid(undefined, 'A rule `tag` must be a string.');
    candidates.push({ value: rule.value, tag: rule.tag as string | undefined });
  }
  const compiled = candidates.map((c) => ({ ...c, rule: compileRule(c.value) }));
  const invalid = compiled.filter((c) => !c.rule.ok);
  if (invalid.length > 0) {
    return {
      status: 400,
      body: {
        errors: invalid.map((c) => ({
          value: c.value,
          details: c.rule.ok ? [] : c.rule.details,
          title: 'UnprocessableEntity',
          type: 'https://api.twitter.com/2/problems/invalid-rules',
        })),
        meta: {
          sent,
          summary: {
            created: 0,
            not_created: candidates.length,
            valid: candidates.length - invalid.length,
            invalid: invalid.length,
          },
        },
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: INVALID_REQUEST,
      },
    };
  }
  const byValue = new Map([...ctx.xaa.rules.values()].map((r) => [r.value, r.id]));
  const created: StreamRuleState[] = [];
  const errors: object[] = [];
  for (const c of compiled) {
    const existing = byValue.get(c.value);
    if (existing !== undefined) {
      errors.push({
        value: c.value,
        id: existing,
        title: 'DuplicateRule',
        type: 'https://api.twitter.com/2/problems/duplicate-rules',
      });
      continue;
    }
    if (!c.rule.ok) continue;
    const state: StreamRuleState = { id: ctx.store.nextId(), value: c.value, tag: c.tag, rule: c.rule };
    byValue.set(c.value, state.id);
    created.push(state);
  }
  if (ctx.xaa.rules.size + created.length > ctx.xaa.maxRules) {
    return v2Problem(
      400,
      'RulesCapExceeded',
      `Adding ${created.length} rules would exceed the rule limit of ${ctx.xaa.maxRules}.`,
      'https://api.twitter.com/2/problems/rule-cap',
    );
  }
  if (!dryRun) for (const rule of created) ctx.xaa.rules.set(rule.id, rule);
  return {
    status: 200,
    body: {
      ...(created.length > 0 ? { data: created.map(ruleJson) } : {}),
      meta: {
        sent,
        summary: {
          created: created.length,
          not_created: candidates.length - created.length,
          valid: candidates.length,
          invalid: 0,
        },
      },
      ...(errors.length > 0 ? { errors } : {}),
    },
  };
}

function deleteRules(ctx: RouteContext, body: Record<string, unknown>, dryRun: boolean, sent: string): ApiResponse {
  const del = body.delete;
  if (typeof del !== 'object' || del === null || Array.isArray(del)) {
    return v2Invalid(undefined, '`delete` must be an object `{ ids?, values? }`.');
  }
  const spec = del as Record<string, unknown>;
  const extra = unknownKeys(spec, ['ids', 'values'], '`delete` object');
  if (extra) return extra;
  const ids = spec.ids ?? [];
  const values = spec.values ?? [];
  if (!Array.isArray(ids) || !ids.every((id) => isString(id) && ID.test(id))) {
    return v2Invalid(undefined, '`delete.ids` must be an array of rule ids (1-19 digits).');
  }
  if (!Array.isArray(values) || !values.every(isString)) {
    return v2Invalid(undefined, '`delete.values` must be an array of strings.');
  }
  if (ids.length + values.length === 0) return v2Invalid(undefined, '`delete` needs `ids` or `values`.');
  const targets = new Set<string>();
  const errors: object[] = [];
  const missing = (parameters: Record<string, string[]>): void => {
    errors.push({
      errors: [{ parameters, message: 'Rule does not exist' }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: INVALID_REQUEST,
    });
  };
  for (const id of ids as string[]) {
    if (ctx.xaa.rules.has(id) && !targets.has(id)) targets.add(id);
    else missing({ ids: [id] });
  }
  for (const value of values as string[]) {
    const rule = [...ctx.xaa.rules.values()].find((r) => r.value === value);
    if (rule && !targets.has(rule.id)) targets.add(rule.id);
    else missing({ values: [value] });
  }
  if (!dryRun) for (const id of targets) ctx.xaa.rules.delete(id);
  return {
    status: 200,
    body: {
      meta: { sent, summary: { deleted: targets.size, not_deleted: errors.length } },
      ...(errors.length > 0 ? { errors } : {}),
    },
  };
}

function linkJson(ctx: RouteContext, link: { webhookId: string; createdAt: number; fields: readonly string[] }) {
  return {
    application_id: ctx.appId,
    business_user_id: ctx.owner.id,
    created_at: isoMillis(new Date(link.createdAt)),
    fields: [...link.fields],
    instance_id: `${ctx.appId}-filtered-stream`,
    webhook_id: link.webhookId,
  };
}

/** The XAA and Filtered-Stream routes. */
export const XAA_ROUTES: readonly Route[] = [
  {
    id: 'A1',
    generation: 'v2',
    method: 'POST',
    pattern: SUBSCRIPTIONS,
    auth: ['app', 'user', 'oauth2-user'],
    handle(ctx, req) {
      const body = jsonObject(req.body);
      if (!body) return v2Invalid(undefined, 'The request body must be a JSON object.');
      const extra = unknownKeys(body, ['event_type', 'filter', 'tag', 'webhook_id'], 'request body');
      if (extra) return extra;
      const requested = body.event_type;
      if (!isString(requested) || !XAA_SUBSCRIBABLE_TYPES.includes(requested)) {
        return v2Invalid(
          undefined,
          `\`event_type\` must be one of the subscribable event types, got ${JSON.stringify(requested ?? null)}.`,
        );
      }
      const eventType = canonicalEventType(requested);
      const filter = checkFilter(eventType, body.filter);
      if ('status' in filter) return filter as ApiResponse;
      const bad = tagAndWebhook(ctx, body);
      if (bad) return bad;
      if (isPrivateActivityType(eventType)) {
        if (req.caller.kind === 'app') return UNSUPPORTED_APP_AUTH();
        if (req.caller.account.id !== filter.user_id) {
          return v2Problem(
            403,
            'Forbidden',
            `${eventType} is a private event: filter.user_id must be the authenticated user (${req.caller.account.id}).`,
          );
        }
      }
      const webhookId = body.webhook_id as string | undefined;
      for (const sub of ctx.xaa.subscriptions.values()) {
        if (sub.eventType === eventType && sameFilter(sub.filter, filter) && sub.webhookId === webhookId) {
          return v2Invalid(
            'DuplicateSubscriptionFailed',
            `Subscription ${sub.id} already has this event type and filter.`,
          );
        }
      }
      if (ctx.xaa.subscriptions.size >= ctx.xaa.maxSubscriptions) {
        return v2Invalid(
          'SubscriptionLimitExceeded',
          `The app has reached its limit of ${ctx.xaa.maxSubscriptions} subscriptions.`,
        );
      }
      const now = ctx.clock();
      const sub: XaaSubscriptionState = {
        id: ctx.store.nextId(),
        eventType,
        filter,
        tag: body.tag as string | undefined,
        webhookId,
        createdAt: now,
        updatedAt: now,
      };
      ctx.xaa.subscriptions.set(sub.id, sub);
      const json = subscriptionJson(sub);
      const total = ctx.xaa.subscriptions.size;
      switch (ctx.xaaEnvelope) {
        case 'openapi':
          return { status: 200, body: { data: { subscription: json } } };
        case 'docs':
          return { status: 200, body: { data: json, meta: { total_subscriptions: total } } };
        case 'docs-array':
          return { status: 200, body: { data: [json], meta: { total_subscriptions: total } } };
      }
    },
  },
  {
    id: 'A2',
    generation: 'v2',
    method: 'GET',
    pattern: SUBSCRIPTIONS,
    auth: ['app', 'user', 'oauth2-user'],
    handle(ctx, req) {
      const bad = unknownQuery(req, ['max_results', 'pagination_token']);
      if (bad) return bad;
      const max = maxResults(req);
      if (typeof max !== 'number') return max;
      const start = pageStart(req);
      if (typeof start !== 'number') return start;
      const all = [...ctx.xaa.subscriptions.values()];
      const page = all.slice(start, start + max);
      const next = start + max < all.length ? { next_token: encodeToken(start + max) } : {};
      const meta =
        ctx.xaaEnvelope === 'openapi'
          ? { result_count: page.length, ...next }
          : { total_subscriptions: all.length, ...next };
      return { status: 200, body: { data: page.map(subscriptionJson), meta } };
    },
  },
  {
    id: 'A3',
    generation: 'v2',
    method: 'PUT',
    pattern: SUBSCRIPTION,
    auth: ['app'],
    handle(ctx, req) {
      const sub = subscriptionOf(ctx, req);
      if (isResponse(sub)) return sub;
      const body = jsonObject(req.body);
      if (!body) return v2Invalid(undefined, 'The request body must be a JSON object.');
      if ('event_type' in body || 'filter' in body) {
        return v2Invalid(
          undefined,
          '`event_type` and `filter` cannot be changed: delete the subscription and create a new one.',
        );
      }
      const extra = unknownKeys(body, ['tag', 'webhook_id'], 'request body');
      if (extra) return extra;
      if (body.tag === undefined && body.webhook_id === undefined) {
        return v2Invalid(undefined, 'At least one of `tag`, `webhook_id` is required.');
      }
      const bad = tagAndWebhook(ctx, body);
      if (bad) return bad;
      if (isString(body.tag)) sub.tag = body.tag;
      if (isString(body.webhook_id)) sub.webhookId = body.webhook_id;
      sub.updatedAt = ctx.clock();
      const total = ctx.xaa.subscriptions.size;
      return ctx.xaaEnvelope === 'openapi'
        ? { status: 200, body: { data: { subscription: subscriptionJson(sub), total_subscriptions: total } } }
        : { status: 200, body: { data: subscriptionJson(sub), meta: { total_subscriptions: total } } };
    },
  },
  {
    id: 'A4',
    generation: 'v2',
    method: 'DELETE',
    pattern: SUBSCRIPTION,
    auth: ['app'],
    handle(ctx, req) {
      const sub = subscriptionOf(ctx, req);
      if (isResponse(sub)) return sub;
      ctx.xaa.subscriptions.delete(sub.id);
      const meta = ctx.xaaEnvelope === 'openapi' ? {} : { meta: { total_subscriptions: ctx.xaa.subscriptions.size } };
      return { status: 200, body: { data: { deleted: true }, ...meta } };
    },
  },
  {
    id: 'A5',
    generation: 'v2',
    method: 'DELETE',
    pattern: SUBSCRIPTIONS,
    auth: ['app'],
    handle(ctx, req) {
      const raw = req.query.get('ids');
      const ids = raw === null || raw === '' ? [] : raw.split(',');
      if (ids.length < 1 || ids.length > 100) {
        return v2Invalid(
          undefined,
          `The \`ids\` query parameter must list 1 to 100 subscription ids, got ${ids.length}.`,
        );
      }
      const data: { deleted: true; subscription_id: string }[] = [];
      const errors: { message: string; reason: string; subscription_id: string }[] = [];
      for (const id of ids) {
        if (!ID.test(id)) {
          errors.push({
            message: `${id} is not a subscription id (1-19 digits).`,
            reason: 'SubscriptionIdInvalid',
            subscription_id: id,
          });
        } else if (ctx.xaa.subscriptions.delete(id)) {
          data.push({ deleted: true, subscription_id: id });
        } else {
          errors.push({
            message: `Subscription ${id} does not exist.`,
            reason: 'SubscriptionNotFound',
            subscription_id: id,
          });
        }
      }
      return {
        status: 200,
        body: {
          data,
          ...(errors.length > 0 ? { errors } : {}),
          meta: { total_subscriptions: ctx.xaa.subscriptions.size },
        },
      };
    },
  },
  {
    id: 'A6',
    generation: 'v2',
    method: 'GET',
    pattern: /^\/2\/activity\/stream$/,
    auth: ['app'],
    handle(ctx, req) {
      const bad = unknownQuery(req, ['backfill_minutes', 'start_time', 'end_time']);
      if (bad) return bad;
      const rawBackfill = req.query.get('backfill_minutes');
      let backfill = 0;
      if (rawBackfill !== null) {
        backfill = /^\d+$/.test(rawBackfill) ? Number(rawBackfill) : Number.NaN;
        if (!(backfill >= 0 && backfill <= 5)) {
          return v2Invalid(
            undefined,
            `The \`backfill_minutes\` query parameter value [${rawBackfill}] is not between 0 and 5`,
          );
        }
      }
      const start = isoParam(req, 'start_time');
      if (typeof start === 'object') return start;
      const end = isoParam(req, 'end_time');
      if (typeof end === 'object') return end;
      if (start !== undefined && end !== undefined && start >= end) {
        return v2Invalid(undefined, '`start_time` must be before `end_time`.');
      }
      const stream = ctx.xaa.stream;
      if (stream.active >= stream.maxConnections) {
        stream.refused();
        return { status: 429, body: TOO_MANY_CONNECTIONS };
      }
      const fault = req.takeStreamFault?.();
      const now = ctx.clock();
      const fromMs = start ?? (backfill > 0 ? now - backfill * 60_000 : undefined);
      return {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
        stream: (res) => stream.connect(res, { fromMs, endMs: end, ...(fault ? { fault } : {}) }),
      };
    },
  },
  {
    id: 'R1',
    generation: 'v2',
    method: 'GET',
    pattern: RULES,
    auth: ['app'],
    handle(ctx, req) {
      const bad = unknownQuery(req, ['ids', 'max_results', 'pagination_token']);
      if (bad) return bad;
      const max = maxResults(req);
      if (typeof max !== 'number') return max;
      const start = pageStart(req);
      if (typeof start !== 'number') return start;
      const ids = req.query.get('ids');
      const wanted = ids === null ? undefined : new Set(ids.split(','));
      const all = [...ctx.xaa.rules.values()].filter((r) => wanted === undefined || wanted.has(r.id));
      const page = all.slice(start, start + max);
      const sent = new Date(ctx.clock()).toISOString();
      return {
        status: 200,
        body: {
          ...(page.length > 0 ? { data: page.map(ruleJson) } : {}),
          meta: {
            sent,
            result_count: page.length,
            ...(start + max < all.length ? { next_token: encodeToken(start + max) } : {}),
          },
        },
      };
    },
  },
  {
    id: 'R2',
    generation: 'v2',
    method: 'POST',
    pattern: RULES,
    auth: ['app'],
    handle(ctx, req) {
      const bad = unknownQuery(req, ['dry_run', 'delete_all']);
      if (bad) return bad;
      const dryRun = booleanParam(req, 'dry_run');
      if (typeof dryRun !== 'boolean') return dryRun;
      const deleteAll = booleanParam(req, 'delete_all');
      if (typeof deleteAll !== 'boolean') return deleteAll;
      const sent = new Date(ctx.clock()).toISOString();
      if (deleteAll) {
        const count = ctx.xaa.rules.size;
        if (!dryRun) ctx.xaa.rules.clear();
        return { status: 200, body: { meta: { sent, summary: { deleted: count, not_deleted: 0 } } } };
      }
      const body = jsonObject(req.body);
      if (!body) return v2Invalid(undefined, 'The request body must be a JSON object.');
      const extra = unknownKeys(body, ['add', 'delete'], 'request body');
      if (extra) return extra;
      if ('add' in body === 'delete' in body) {
        return v2Invalid(undefined, 'The body must have exactly one of `add` and `delete`.');
      }
      return 'add' in body ? addRules(ctx, body, dryRun, sent) : deleteRules(ctx, body, dryRun, sent);
    },
  },
  {
    id: 'L1',
    generation: 'v2',
    method: 'POST',
    pattern: LINK,
    auth: ['app'],
    handle(ctx, req) {
      const id = req.params[0] ?? '';
      if (!ID.test(id)) return badId('webhook_id', id);
      const bad = unknownQuery(req, LINK_PARAMS);
      if (bad) return bad;
      if (!ctx.store.webhooks.has(id)) {
        return v2Invalid('WebhookIdInvalid', `Webhook ${id} does not exist or belongs to another app.`);
      }
      if (ctx.xaa.links.has(id)) return v2Invalid('StreamLinkExists', `Webhook ${id} is already linked to the stream.`);
      const params = new Map<string, string[]>();
      const fields: string[] = [];
      for (const name of LINK_PARAMS) {
        const value = req.query.get(name);
        if (value === null || value === '') continue;
        params.set(
          name,
          value.split(',').filter((v) => v !== ''),
        );
        fields.push(`${name}=${value}`);
      }
      ctx.xaa.links.set(id, { webhookId: id, createdAt: ctx.clock(), fields, params });
      return { status: 200, body: { data: { provisioned: true } } };
    },
  },
  {
    id: 'L2',
    generation: 'v2',
    method: 'DELETE',
    pattern: LINK,
    auth: ['app'],
    handle(ctx, req) {
      const id = req.params[0] ?? '';
      if (!ID.test(id)) return badId('webhook_id', id);
      if (!ctx.xaa.links.delete(id)) {
        return v2Invalid('StreamLinkNotFound', `Webhook ${id} is not linked to the stream.`);
      }
      return { status: 200, body: { data: { deleted: true } } };
    },
  },
  {
    id: 'L3',
    generation: 'v2',
    method: 'GET',
    pattern: /^\/2\/tweets\/search\/(?:stream\/)?webhooks$/,
    auth: ['app'],
    handle(ctx) {
      const links = [...ctx.xaa.links.values()].map((link) => linkJson(ctx, link));
      return { status: 200, body: ctx.xaaEnvelope === 'openapi' ? { data: links } : { data: { links } } };
    },
  },
];
