/**
 * The live events dashboard: `npm run dashboard`.
 *
 * One node:http server serves the page (plain HTML, CSS and a small script), receives X's deliveries
 * at `/webhook` through the SDK's handler (CRC answers, signature checks, typed events, dedup), streams
 * every event to the open pages with server-sent events (`/events`), and offers a small JSON API over
 * `AccountActivityClient`: webhooks, subscriptions, replay, X Activity API (XAA) subscriptions, and in
 * emulator mode "make accounts act".
 *
 * One webhook, three families: AAA deliveries, XAA deliveries of the subscriptions made in the XAA
 * panel, and, in emulator mode, the posts a Filtered-Stream rule (`#dashboard`) matches through a
 * stream link. In emulator mode the server also reads the XAA activity stream
 * (`client.activity.stream`), so each XAA event shows twice in the live list: via the webhook and via
 * the stream.
 *
 * Without X credentials in the environment it starts the local emulator from
 * `x-account-activity/testing`; with X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN and
 * X_ACCESS_TOKEN_SECRET (and X_WEBHOOK_URL, the public https URL that reaches this server's /webhook)
 * it talks to real X.
 *
 * Raw-body rule: nothing to do here: `/webhook` is handed to `toNodeListener` before anything reads the
 * request, so the handler verifies the signature over the exact bytes X sent.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccountActivityClient,
  type ActivityStream,
  type ActivityStreamStateChange,
  type ActivitySubscription,
  activityKey,
  createDeduplicator,
  createOAuth1Flow,
  createWebhookHandler,
  isInvalidArgumentError,
  isPrivateActivityType,
  isXApiError,
  XAA_TYPES,
  type AccountActivityEvent,
  type Deduplicator,
  type SubscriberCredentials,
  type Webhook,
} from 'x-account-activity';
import { toNodeListener } from 'x-account-activity/node';
import { startEmulator, type Emulator, type EmulatorOptions } from 'x-account-activity/testing';
import { ACTIVITY_KINDS, summarize, type EventSummary } from '../shared/describe.js';
import { isMain } from '../shared/recipe.js';
import { ACTIONS, ActionError, EmulatorActions } from './emulator-actions.js';
import { EventStream } from './event-stream.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Where X credentials are read from (X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN,
   * X_ACCESS_TOKEN_SECRET, X_BEARER_TOKEN, X_WEBHOOK_URL, X_API_BASE_URL).
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * `'emulator'` runs against the local emulator, `'x'` against real X.
   * @default 'x' when X_CONSUMER_KEY is set, else 'emulator'
   */
  readonly mode?: 'emulator' | 'x';
  /** Options of the emulator in emulator mode. */
  readonly emulator?: EmulatorOptions;
  /**
   * Milliseconds between SSE heartbeats.
   * @default 15000
   */
  readonly heartbeatMs?: number;
  /** Receives one line per notable thing (startup, refused deliveries). Silent by default. */
  readonly log?: (line: string) => void;
  /**
   * Read the XAA activity stream (`client.activity.stream`) and show its events in the live list too.
   * @default true with the emulator, false with real X (a stream connection counts against X's limit)
   */
  readonly activityStream?: boolean;
}

/** The XAA event types the panel offers: every type the library knows but `oauth.revoke` (X sends it unasked). */
export const XAA_PANEL_TYPES: readonly string[] = XAA_TYPES.filter((type) => type !== 'oauth.revoke');

/** The Filtered-Stream rule the dashboard adds in emulator mode, linked to its webhook. */
export const DASHBOARD_STREAM_RULE = { value: '#dashboard', tag: 'dashboard-hashtag' } as const;

/** A running dashboard. */
export interface RunningDashboard {
  /** The page, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The webhook URL registered for this dashboard, when there is one. */
  readonly webhookUrl: string | undefined;
  /** The emulator, in emulator mode. */
  readonly emulator?: Emulator;
  /** The API client the dashboard uses. */
  readonly client: AccountActivityClient;
  /** Stops the event streams, the server and the emulator. */
  close(): Promise<void>;
}

/** One event as the page receives it. */
interface FeedItem extends EventSummary {
  readonly key: string;
  readonly forUser: string;
  readonly receivedAt: string;
  /** `'new'`, or `'duplicate'` when the deduplicator dropped it (a replay or a retry). */
  readonly delivery: 'new' | 'duplicate';
  /** How it arrived: a webhook delivery, or a line of the XAA activity stream. */
  readonly via: 'webhook' | 'stream';
}

interface ReplayState {
  readonly webhookId: string;
  /** Empty until X answers the start request. */
  jobId: string;
  readonly from: string;
  readonly to: string;
  startedAt: string;
  received: number;
  /** Grows with every change, so that the page keeps the latest of the stream and the API answer. */
  version: number;
  state: 'running' | 'Complete' | 'Incomplete' | string;
  description: string;
}

interface XCredentials {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly accessToken: string;
  readonly accessTokenSecret: string;
  readonly bearerToken: string | undefined;
  readonly webhookUrl: string | undefined;
  readonly baseUrl: string | undefined;
}

const PUBLIC_FILES: Readonly<Record<string, readonly [file: string, type: string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
};
const PUBLIC_DIR = new URL('./public/', import.meta.url);
const MAX_API_BODY = 16 * 1024;
const RECENT_LIMIT = 2_000;

function readCredentials(env: Readonly<Record<string, string | undefined>>): XCredentials {
  const need = ['X_CONSUMER_KEY', 'X_CONSUMER_SECRET', 'X_ACCESS_TOKEN', 'X_ACCESS_TOKEN_SECRET'] as const;
  const missing = need.filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`Real X mode needs ${missing.join(', ')} in the environment.`);
  const value = (name: string): string | undefined => (env[name] ? env[name] : undefined);
  return {
    consumerKey: env['X_CONSUMER_KEY'] as string,
    consumerSecret: env['X_CONSUMER_SECRET'] as string,
    accessToken: env['X_ACCESS_TOKEN'] as string,
    accessTokenSecret: env['X_ACCESS_TOKEN_SECRET'] as string,
    bearerToken: value('X_BEARER_TOKEN'),
    webhookUrl: value('X_WEBHOOK_URL'),
    baseUrl: value('X_API_BASE_URL'),
  };
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** Reads a small JSON object body; only `application/json` (a cross-site form cannot send it). */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'Send JSON (content-type: application/json).');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_API_BODY) throw new HttpError(413, 'Request body too large.');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, 'Send a JSON object.');
  return parsed as Record<string, unknown>;
}

const str = (body: Record<string, unknown>, name: string): string | undefined => {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
};

function dateOf(body: Record<string, unknown>, name: string): Date {
  const value = str(body, name);
  const date = value === undefined ? undefined : new Date(value);
  if (!date || Number.isNaN(date.getTime())) throw new HttpError(400, `\`${name}\` must be a date (ISO 8601).`);
  return date;
}

/** Maps an error to a status and a message the page can show (SDK messages never hold secrets). */
function describeError(error: unknown): { status: number; message: string } {
  if (error instanceof HttpError) return { status: error.status, message: error.message };
  if (error instanceof ActionError || isInvalidArgumentError(error)) return { status: 400, message: error.message };
  if (isXApiError(error)) return { status: 502, message: `X answered ${error.status}: ${error.message}` };
  if (error instanceof Error) return { status: 500, message: `${error.name}: ${error.message}` };
  return { status: 500, message: 'Internal error.' };
}

/**
 * Starts the dashboard: the emulator (unless X credentials are given), the client, the webhook
 * handler and the web server; registers the webhook and subscribes the accounts.
 *
 * @example
 * ```ts
 * const dashboard = await startDashboard({ port: 3000 });
 * console.log(`Open ${dashboard.url}`);
 * await dashboard.close();
 * ```
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<RunningDashboard> {
  const env = options.env ?? process.env;
  const mode = options.mode ?? (env['X_CONSUMER_KEY'] ? 'x' : 'emulator');
  const log = options.log ?? ((): void => undefined);
  const host = options.host ?? '127.0.0.1';
  const notes: string[] = [];

  // 1. The API: the emulator, or real X.
  let emulator: Emulator | undefined;
  let client: AccountActivityClient;
  let consumerSecret: string;
  let configuredWebhookUrl: string | undefined;
  if (mode === 'emulator') {
    // Stream keep-alives every 5 s (X: at least every 20 s, the client's stall limit).
    emulator = await startEmulator({ keepAliveMs: 5_000, ...options.emulator });
    consumerSecret = emulator.consumerSecret;
    // baseUrl: emulator.url, the app's consumer key and secret, the owner's access token and secret.
    client = new AccountActivityClient(emulator.clientOptions());
  } else {
    const creds = readCredentials(env);
    consumerSecret = creds.consumerSecret;
    configuredWebhookUrl = creds.webhookUrl;
    client = new AccountActivityClient({
      consumerKey: creds.consumerKey,
      consumerSecret: creds.consumerSecret,
      accessToken: creds.accessToken,
      accessTokenSecret: creds.accessTokenSecret,
      ...(creds.bearerToken === undefined ? {} : { bearerToken: creds.bearerToken }),
      ...(creds.baseUrl === undefined ? {} : { baseUrl: creds.baseUrl }),
    });
  }
  const actions = emulator ? new EmulatorActions(emulator) : undefined;
  const names = new Map<string, string>();
  const nameOf = (id: string | undefined): string => {
    if (id === undefined) return '-';
    const known = names.get(id) ?? emulator?.accounts.find((a) => a.id === id)?.screenName;
    return known ? `@${known}` : id;
  };

  // 2. The handler: every event goes to the pages; duplicates are shown greyed (replays carry no marker).
  const stream = new EventStream(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs });
  const recent = new Map<string, FeedItem>();
  let replay: ReplayState | undefined;
  // A short job can end before X's answer to the start request arrives: keep such statuses.
  const finishedJobs = new Map<string, { state: string; description: string }>();
  const sendReplay = (): void => {
    if (!replay || replay.jobId === '') return;
    replay.version++;
    stream.send('replay', replay);
  };
  const inWindow = (item: FeedItem): boolean => {
    if (replay?.state !== 'running') return false;
    const t = Date.parse(item.time);
    return t >= Date.parse(replay.from) && t < Date.parse(replay.to) + 60_000;
  };
  const publish = (item: FeedItem): void => {
    stream.send('activity', item);
    if (replay && inWindow(item)) {
      replay.received++;
      sendReplay();
    }
  };
  const remember = (item: FeedItem): void => {
    recent.delete(item.key);
    recent.set(item.key, item);
    if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  };
  const dedup = createDeduplicator({ ttlMs: 6 * 60 * 60 * 1000 });
  // A wrapper spreads the deduplicator, so that it keeps what the handler coordinates with.
  const watchingDedup: Deduplicator = {
    ...dedup,
    async claim(key) {
      const first = await dedup.claim(key);
      const seen = recent.get(key);
      if (!first && seen) publish({ ...seen, delivery: 'duplicate', receivedAt: new Date().toISOString() });
      return first;
    },
  };
  const handler = createWebhookHandler({
    consumerSecret,
    deduplicator: watchingDedup,
    logger: { warn: (message, meta) => log(`webhook: ${message} ${JSON.stringify(meta ?? {})}`) },
  });
  handler.onAny((event: AccountActivityEvent) => {
    const item: FeedItem = {
      ...summarize(event),
      key: activityKey(event),
      forUser: nameOf(event.forUserId),
      receivedAt: new Date().toISOString(),
      delivery: 'new',
      via: 'webhook',
    };
    remember(item);
    publish(item);
    if (event.type === 'replay_job_status') {
      const outcome = { state: event.jobState, description: event.description ?? '' };
      if (replay && replay.jobId === event.jobId) {
        Object.assign(replay, outcome);
        sendReplay();
      } else {
        finishedJobs.set(event.jobId, outcome);
        if (finishedJobs.size > 20) finishedJobs.delete(finishedJobs.keys().next().value as string);
      }
    }
  });
  const webhookListener = toNodeListener(handler);

  // 3. The web server.
  let webhookId: string | undefined;
  const requireWebhook = (body: Record<string, unknown>): string => {
    const id = str(body, 'webhookId') ?? webhookId;
    if (id === undefined)
      throw new HttpError(409, 'No webhook yet: register one first (set X_WEBHOOK_URL in real X mode).');
    return id;
  };
  /**
   * The subscriber's tokens. With the emulator, the account is signed in for real: the OAuth 1.0a PIN
   * flow (request token, the account approves on the emulator's authorize page, access token), the
   * same calls a real app makes against X. In real X mode the app owner subscribes (the client's own
   * tokens).
   */
  const subscriberTokens = async (
    account: string | undefined,
  ): Promise<{ accessToken: string; accessTokenSecret: string } | undefined> => {
    if (!emulator) return undefined;
    if (account === undefined || account === '') throw new HttpError(400, 'Choose an account to subscribe.');
    const name = account.replace(/^@/, '');
    try {
      emulator.account(name);
    } catch {
      throw new HttpError(400, `Unknown emulated account "${account}".`);
    }
    const flow = createOAuth1Flow(emulator.auth.oauth1FlowOptions());
    const pending = await flow.requestToken({ callback: 'oob' });
    const approval = emulator.auth.approve(pending.authorizeUrl, { account: name });
    if (approval.flow !== 'oauth1')
      throw new HttpError(500, 'The emulator answered an OAuth 1.0a sign-in with another flow.');
    const signedIn = await flow.accessToken({
      token: pending.token,
      tokenSecret: pending.tokenSecret,
      verifier: approval.verifier,
    });
    return { accessToken: signedIn.accessToken, accessTokenSecret: signedIn.accessTokenSecret };
  };

  // 2b. The XAA activity stream: its events join the live list, marked `via: 'stream'`.
  let activityStream: ActivityStream | undefined;
  let streamState: { state: string; reason?: string } = { state: 'off' };
  let reading: Promise<void> | undefined;
  const startActivityStream = (): void => {
    const onState = (change: ActivityStreamStateChange): void => {
      streamState =
        change.reason === undefined ? { state: change.state } : { state: change.state, reason: change.reason };
      stream.send('stream-state', streamState);
      if (change.state === 'closed' && change.error) notes.push(`Activity stream ended: ${change.error.message}`);
    };
    const consumer = client.activity.stream({ onState });
    activityStream = consumer;
    reading = (async () => {
      try {
        for await (const event of consumer) {
          const item: FeedItem = {
            ...summarize(event),
            key: `stream|${activityKey(event)}`,
            forUser: nameOf(event.forUserId),
            receivedAt: new Date().toISOString(),
            delivery: 'new',
            via: 'stream',
          };
          remember(item);
          publish(item);
        }
      } catch (error) {
        log(`activity stream: ${describeError(error).message}`);
      }
    })();
  };

  const xaaRow = (sub: ActivitySubscription) => ({
    id: sub.id,
    eventType: sub.eventType,
    userId: sub.filter.userId,
    user: sub.filter.userId === undefined ? undefined : nameOf(sub.filter.userId),
    keyword: sub.filter.keyword,
    direction: sub.filter.direction,
    tag: sub.tag,
    webhookId: sub.webhookId,
    createdAt: sub.createdAt?.toISOString(),
  });

  /** XAA subscriptions, the Filtered-Stream rules and links, and the stream's state. */
  async function xaaOverview(): Promise<unknown> {
    const subscriptions = [];
    for await (const sub of client.activity.subscriptions.list()) subscriptions.push(xaaRow(sub));
    // The Filtered-Stream part is best effort: an app without that access still sees its XAA list.
    const rules: { id: string; value: string; tag: string | undefined }[] = [];
    let linkedWebhooks: string[] = [];
    let filteredStreamError: string | undefined;
    try {
      for await (const rule of client.streamRules.list()) rules.push({ id: rule.id, value: rule.value, tag: rule.tag });
      linkedWebhooks = (await client.streamLinks.list()).map((link) => link.webhookId);
    } catch (error) {
      filteredStreamError = describeError(error).message;
    }
    const stats = activityStream?.stats();
    return {
      subscriptions,
      filteredStream: { rules, linkedWebhooks, error: filteredStreamError },
      stream: {
        ...streamState,
        ...(stats
          ? {
              events: stats.events,
              reconnects: stats.reconnects,
              duplicates: stats.duplicates,
              keepAlives: stats.keepAlives,
            }
          : {}),
      },
    };
  }

  /** Creates an XAA subscription for an account (emulator) or a user id (real X) on this dashboard's webhook. */
  async function createXaaSubscription(body: Record<string, unknown>): Promise<unknown> {
    const eventType = str(body, 'eventType') ?? '';
    if (!XAA_PANEL_TYPES.includes(eventType))
      throw new HttpError(400, `Choose an XAA event type (${XAA_PANEL_TYPES.slice(0, 3).join(', ')}...).`);
    const direction = str(body, 'direction') || undefined;
    if (direction !== undefined && direction !== 'inbound' && direction !== 'outbound')
      throw new HttpError(400, '`direction` is inbound, outbound or empty.');
    const tag = str(body, 'tag')?.trim() || undefined;
    let userId: string;
    let user: SubscriberCredentials | undefined;
    if (emulator) {
      const account = str(body, 'account')?.replace(/^@/, '') ?? '';
      const found = emulator.accounts.find((a) => a.screenName === account);
      if (!found) throw new HttpError(400, `Unknown emulated account "${account}".`);
      userId = found.id;
      // A private type is created in the user's own context: sign the account in (OAuth 1.0a PIN flow).
      if (isPrivateActivityType(eventType)) user = await subscriberTokens(account);
    } else {
      userId = str(body, 'userId') ?? '';
      if (!/^\d{1,19}$/.test(userId)) throw new HttpError(400, 'Give the numeric id of the user (`userId`).');
    }
    const result = await client.activity.subscriptions.create(
      {
        eventType,
        filter: direction === undefined ? { userId } : { userId, direction },
        ...(tag === undefined ? {} : { tag }),
        ...(webhookId === undefined ? {} : { webhookId }),
      },
      user === undefined ? undefined : { user },
    );
    return { subscription: xaaRow(result.subscription), context: user === undefined ? 'app' : 'user' };
  }

  async function api(method: string, path: string, req: IncomingMessage): Promise<unknown> {
    if (method === 'GET' && path === '/api/state') {
      return {
        mode,
        webhookId,
        webhookUrl,
        apiBaseUrl: client.baseUrl,
        kinds: ACTIVITY_KINDS,
        actions: emulator ? ACTIONS : {},
        accounts: emulator
          ? emulator.accounts.map((a) => ({ id: a.id, screenName: a.screenName, name: a.name, revoked: a.revoked }))
          : [],
        notes,
        replay,
        stats: handler.stats(),
        xaaTypes: XAA_PANEL_TYPES,
        privateXaaTypes: XAA_PANEL_TYPES.filter((type) => isPrivateActivityType(type)),
        streamRule: emulator ? DASHBOARD_STREAM_RULE : undefined,
        activityStream: streamState,
      };
    }
    if (method === 'GET' && path === '/api/xaa/subscriptions') return xaaOverview();
    if (method === 'POST' && path === '/api/xaa/subscriptions') return createXaaSubscription(await readJson(req));
    const xaaDelete = /^\/api\/xaa\/subscriptions\/(\d{1,19})$/.exec(path);
    if (method === 'DELETE' && xaaDelete) {
      const result = await client.activity.subscriptions.delete(xaaDelete[1] as string);
      return { deleted: result.deleted };
    }
    if (method === 'GET' && path === '/api/webhooks') {
      const webhooks: Webhook[] = await client.webhooks.list();
      const rows = [];
      for (const webhook of webhooks) {
        let subscriptions: { userId: string; user: string }[] = [];
        let error: string | undefined;
        try {
          const list = await client.subscriptions.list(webhook.id);
          subscriptions = list.subscriptions.map((s) => ({ userId: s.userId, user: nameOf(s.userId) }));
        } catch (caught) {
          error = describeError(caught).message;
        }
        rows.push({
          ...webhook,
          createdAt: webhook.createdAt.toISOString(),
          mine: webhook.id === webhookId,
          subscriptions,
          error,
        });
      }
      return { webhooks: rows, rateLimit: client.rateLimit('subscriptions.list') };
    }
    const validate = /^\/api\/webhooks\/(\d{1,19})\/validate$/.exec(path);
    if (method === 'POST' && validate) {
      const result = await client.webhooks.validate(validate[1] as string);
      return { attempted: result.attempted, valid: result.valid };
    }
    const subscribe = /^\/api\/webhooks\/(\d{1,19})\/subscriptions$/.exec(path);
    if (method === 'POST' && subscribe) {
      const body = await readJson(req);
      await client.subscriptions.add(subscribe[1] as string, await subscriberTokens(str(body, 'account')));
      return { subscribed: true };
    }
    const remove = /^\/api\/webhooks\/(\d{1,19})\/subscriptions\/(\d{1,19})$/.exec(path);
    if (method === 'DELETE' && remove) {
      await client.subscriptions.remove(remove[1] as string, remove[2] as string);
      return { removed: true };
    }
    if (method === 'POST' && path === '/api/replay') {
      const body = await readJson(req);
      const id = requireWebhook(body);
      const from = dateOf(body, 'from');
      const to = dateOf(body, 'to');
      const previous = replay;
      // Count the window's events from now on: replayed ones may arrive before X's answer.
      const current: ReplayState = {
        webhookId: id,
        jobId: '',
        from: new Date(Math.floor(from.getTime() / 60_000) * 60_000).toISOString(),
        to: new Date(Math.floor(to.getTime() / 60_000) * 60_000).toISOString(),
        startedAt: new Date().toISOString(),
        received: 0,
        version: 0,
        state: 'running',
        description: '',
      };
      replay = current;
      let job: Awaited<ReturnType<typeof client.replay.start>>;
      try {
        job = await client.replay.start(id, { from, to });
      } catch (error) {
        replay = previous;
        throw error;
      }
      current.jobId = job.jobId;
      current.startedAt = job.createdAt.toISOString();
      const finished = finishedJobs.get(job.jobId);
      if (finished) Object.assign(current, finished);
      sendReplay();
      return current;
    }
    if (method === 'POST' && path.startsWith('/api/act')) {
      if (!actions) throw new HttpError(404, 'Accounts act on the emulator only (the dashboard runs against real X).');
      const body = await readJson(req);
      if (path === '/api/act/tour') return actions.tour();
      if (path === '/api/act/history') return actions.history();
      if (path === '/api/act') {
        const minutes = body['minutesAgo'];
        return actions.act({
          action: str(body, 'action') ?? '',
          actor: str(body, 'actor') ?? '',
          target: str(body, 'target'),
          text: str(body, 'text'),
          minutesAgo: typeof minutes === 'number' ? minutes : undefined,
        });
      }
    }
    throw new HttpError(404, `No such endpoint: ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = new URL(req.url ?? '/', 'http://dashboard.local').pathname;
    if (path === '/webhook') {
      // Before anything reads the body: the handler needs the exact bytes X signed.
      void webhookListener(req, res);
      return;
    }
    if (path === '/events' && method === 'GET') {
      stream.connect(req, res);
      return;
    }
    if (path.startsWith('/api/')) {
      api(method, path, req).then(
        (body) => sendJson(res, 200, body),
        (error: unknown) => {
          const { status, message } = describeError(error);
          if (status >= 500) log(`api ${method} ${path}: ${message}`);
          sendJson(res, status, { error: message });
        },
      );
      return;
    }
    const file = PUBLIC_FILES[path];
    if (!file || (method !== 'GET' && method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    readFile(new URL(file[0], PUBLIC_DIR)).then(
      (content) => {
        res.writeHead(200, {
          'content-type': file[1],
          'cache-control': 'no-cache',
          'content-security-policy': "default-src 'self'; img-src 'self' data:",
          'x-content-type-options': 'nosniff',
        });
        res.end(method === 'HEAD' ? undefined : content);
      },
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('Could not read the page.'),
    );
  });

  const closeAll = async (): Promise<void> => {
    activityStream?.close();
    await reading;
    stream.close(); // ends every event stream with a goodbye, so pages do not reconnect
    // Idle connections close at once; a request still running gets a moment to finish.
    const force = setTimeout(() => server.closeAllConnections(), 1_000);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(force);
    await emulator?.close();
  };

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await emulator?.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;

  // 4. The webhook and the subscriptions.
  let webhookUrl: string | undefined;
  try {
    if (emulator) {
      webhookUrl = `${url}/webhook`;
      const webhook = await client.webhooks.register(webhookUrl);
      webhookId = webhook.id;
      for (const account of emulator.accounts) {
        names.set(account.id, account.screenName);
        await client.subscriptions.add(webhookId, {
          accessToken: account.accessToken,
          accessTokenSecret: account.accessTokenSecret,
        });
      }
      // Filtered Stream: one rule, its matching posts sent to the same webhook.
      await client.streamRules.add([DASHBOARD_STREAM_RULE]);
      await client.streamLinks.create(webhookId, { fields: { expansions: ['author_id'], user: ['username'] } });
      notes.push(
        `Emulator at ${emulator.url}; webhook ${webhookId} at ${webhookUrl}; ${emulator.accounts.length} accounts subscribed; posts with ${DASHBOARD_STREAM_RULE.value} arrive through a Filtered-Stream link.`,
      );
    } else {
      webhookUrl = configuredWebhookUrl;
      const existing = await client.webhooks.list();
      const mine = webhookUrl === undefined ? existing[0] : existing.find((w) => w.url === webhookUrl);
      if (mine) {
        webhookId = mine.id;
        webhookUrl = mine.url;
        if (!mine.valid) await client.webhooks.validate(mine.id);
      } else if (webhookUrl !== undefined) {
        webhookId = (await client.webhooks.register(webhookUrl)).id;
      } else {
        notes.push('No webhook registered and X_WEBHOOK_URL is not set: events cannot reach this dashboard.');
      }
      if (webhookId !== undefined && !(await client.subscriptions.check(webhookId))) {
        await client.subscriptions.add(webhookId);
        notes.push('Subscribed the app owner (X_ACCESS_TOKEN) to the webhook.');
      }
    }
  } catch (error) {
    if (emulator) {
      await closeAll();
      throw error;
    }
    // Real X: keep the page up so the problem can be seen and fixed from there.
    const { message } = describeError(error);
    notes.push(`Setup failed: ${message}`);
    log(`setup failed: ${message}`);
  }

  if (options.activityStream ?? mode === 'emulator') startActivityStream();

  return {
    url,
    webhookUrl,
    ...(emulator ? { emulator } : {}),
    client,
    close: closeAll,
  };
}

/** `npm run dashboard`: starts on PORT (default 3000) and prints where to look. */
async function runCli(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 3000);
  let dashboard: RunningDashboard;
  try {
    dashboard = await startDashboard({ port, log: (line) => console.log(line) });
  } catch (error) {
    console.error(`The dashboard could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  const mode = dashboard.emulator
    ? `the local emulator (${dashboard.emulator.url})`
    : `X (${dashboard.client.baseUrl})`;
  console.log(`Dashboard on ${mode}: open ${dashboard.url}`);
  if (dashboard.webhookUrl) console.log(`Webhook: ${dashboard.webhookUrl}`);
  const stop = (): void => void dashboard.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (isMain(import.meta.url)) await runCli();
