/**
 * `startEmulator()`: a local X API for Account Activity, on a real node:http server.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createActivity, type EmulatorActivity } from './activity.js';
import {
  ActivityStream,
  type StreamConnectionInfo,
  type StreamEventRecord,
  type StreamFault,
  type StreamStats,
} from './activity-stream.js';
import {
  v11Error,
  v2Problem,
  type ApiResponse,
  type Caller,
  type EmulatorVariants,
  type Route,
  type RouteContext,
  type XaaEnvelopeVariant,
} from './api.js';
import {
  DeliveryEngine,
  X_RETRY_DELAYS_MS,
  type DeliveryFamily,
  type DeliveryKind,
  type DeliveryRecord,
} from './delivery.js';
import { basicCredentials, bearerToken, OAuth1Verifier, parsePairs } from './oauth-verify.js';
import { Outbound } from './outbound.js';
import {
  DEFAULT_RATE_LIMITS,
  type EmulatorOperation,
  type EndpointId,
  operationOf,
  RateLimiter,
} from './rate-limit.js';
import { V11_ROUTES } from './routes-v11.js';
import { AuthEmulator, type EmulatorApproval } from './routes-auth.js';
import { V2_ROUTES } from './routes-v2.js';
import { XAA_ROUTES } from './routes-xaa.js';
import { type EmulatedAccount, Store, type AccountInit } from './store.js';
import { XaaHub, type XaaEventInput } from './xaa-hub.js';

/** Options of {@link startEmulator}. Every option has a default. */
export interface EmulatorOptions {
  /** The app's consumer key (API key). @default 'emulator-consumer-key' */
  readonly consumerKey?: string;
  /** The app's consumer secret: signs deliveries and CRC answers. @default 'emulator-consumer-secret' */
  readonly consumerSecret?: string;
  /** The app id (`application_id`, `source_app_id`, revoke `app_id`). @default '28000000' */
  readonly appId?: string;
  /** The app's name in DM `apps` maps. @default 'Emulated App' */
  readonly appName?: string;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** The app owner, whose tokens manage webhooks with OAuth 1.0a. @default { screenName: 'app_owner' } */
  readonly owner?: AccountInit;
  /**
   * Accounts besides the owner.
   * @default alice, bob and carol
   */
  readonly accounts?: readonly AccountInit[];
  /** The app-only bearer token `POST /oauth2/token` issues. @default random */
  readonly bearerToken?: string;
  /** Time allowed for a CRC answer (3 s in X's enterprise docs). @default 3000 */
  readonly crcTimeoutMs?: number;
  /** Time allowed for a delivery answer before it counts as failed (3 s in X's enterprise docs). @default 3000 */
  readonly deliveryTimeoutMs?: number;
  /**
   * Factor applied to X's retry waits of 3 s, 27 s and 242 s (see docs/x-api-notes.md#delivery-retries);
   * `0.001` makes them 3, 27 and 242 ms for tests.
   * @default 1
   */
  readonly retryScale?: number;
  /**
   * Webhook limit, counted for the whole account (see
   * docs/x-api-notes.md#webhook-and-subscription-limits).
   * @default 5
   */
  readonly maxWebhooks?: number;
  /** Subscription limit across all webhooks; reported as `provisioned_count`. @default 500 */
  readonly maxSubscriptions?: number;
  /**
   * How long a webhook may go without a passed CRC before a transient periodic failure (4xx, 5xx,
   * timeout) invalidates it (X's v2 rule: 24 h + 4 h; see docs/x-api-notes.md#crc-timing-and-invalidation).
   * @default 100800000 (28 h)
   */
  readonly crcGracePeriodMs?: number;
  /** Runs {@link Emulator.revalidate} on this interval; off unless set. @default undefined */
  readonly revalidateIntervalMs?: number;
  /** Wait before a replay job starts delivering. @default 0 */
  readonly replayStartDelayMs?: number;
  /**
   * Requests per 15-minute window per endpoint (merged over {@link DEFAULT_RATE_LIMITS}), or `false`
   * to turn rate limiting off.
   * @default DEFAULT_RATE_LIMITS
   */
  readonly rateLimits?: Readonly<Partial<Record<EndpointId, number>>> | false;
  /** Allowed OAuth 1.0a `oauth_timestamp` skew against real time, in seconds. @default 300 */
  readonly oauthTimestampWindowSeconds?: number;
  /**
   * The emulator's clock (epoch ms): activity times, replay windows, rate-limit windows and the CRC
   * grace period follow it. OAuth timestamps are always checked against real time.
   * @default Date.now
   */
  readonly clock?: () => number;
  /** Choices between documented variants (see docs/x-api-notes.md). */
  readonly variants?: EmulatorVariants;
  /** The app's OAuth 2.0 Client ID, for the sign-in endpoints. @default 'emulator-oauth2-client-id' */
  readonly oauth2ClientId?: string;
  /** The app's OAuth 2.0 Client Secret (confidential clients). @default 'emulator-oauth2-client-secret' */
  readonly oauth2ClientSecret?: string;
  /**
   * The callback URLs of the app's settings: `oauth_callback` and `redirect_uri` must be one of them
   * (exact match), as on X. `undefined` accepts any absolute URL.
   * @default undefined
   */
  readonly callbackUrls?: readonly string[];
  /**
   * XAA subscription limit of the app (X's self-serve tier; Enterprise 75,000, Partner 150,000).
   * @default 1500
   */
  readonly maxActivitySubscriptions?: number;
  /** Filtered-Stream rule limit of the project. @default 25000 */
  readonly maxStreamRules?: number;
  /**
   * Response envelopes of the XAA subscription endpoints and the stream-link list: X's OpenAPI spec
   * (`'openapi'`) or docs.x.com (`'docs'`, `'docs-array'`); see docs/testing.md.
   * @default 'openapi'
   */
  readonly xaaEnvelope?: XaaEnvelopeVariant;
  /** Interval of the blank `\r\n` keep-alives of `/2/activity/stream` (X: at least every 20 s). @default 20000 */
  readonly keepAliveMs?: number;
  /** Concurrent `/2/activity/stream` connections allowed; one more gets 429 `TooManyConnections`. @default 2 */
  readonly maxStreamConnections?: number;
  /** Stream events kept for backfills (`backfill_minutes`, `start_time`), oldest dropped first. @default 10000 */
  readonly streamRetainEvents?: number;
}

/** Options for `createOAuth1Flow` that talk to the emulator as its app. Holds the consumer secret. */
export interface EmulatorOAuth1FlowOptions {
  readonly baseUrl: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
}

/** Options for `createOAuth2Flow` that talk to the emulator as its app. Holds the client secret. */
export interface EmulatorOAuth2FlowOptions {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

/** The emulator's sign-in test hooks (`emulator.auth`). */
export interface EmulatorAuth {
  /**
   * Approves an authorize URL (`authorizeUrl` of `requestToken()`, or `url` of `authorizeUrl()`) as
   * the account would by pressing "Authorize app" on the page, and returns the verifier or PIN
   * (OAuth 1.0a) or the code (OAuth 2.0), with the callback URL X would send the user to.
   *
   * @param options.account - who signs in (id or screen name). @default the first account after the owner
   * @example
   * ```ts
   * const pending = await flow.requestToken({ callback: 'oob' });
   * const { verifier } = emulator.auth.approve(pending.authorizeUrl, { account: 'alice' });
   * ```
   */
  approve(authorizeUrl: string, options?: { readonly account?: string }): EmulatorApproval;
  /** Declines an authorize URL; returns the callback URL X sends the user to (`undefined` for the PIN flow). */
  deny(authorizeUrl: string): string | undefined;
  /** Options for `createOAuth1Flow({ ... })` that talk to this emulator. Do not log them. */
  oauth1FlowOptions(): EmulatorOAuth1FlowOptions;
  /** Options for `createOAuth2Flow({ ... })` (a confidential client) that talk to this emulator. Do not log them. */
  oauth2FlowOptions(options?: { readonly redirectUri?: string }): EmulatorOAuth2FlowOptions;
  /** The scopes of an OAuth 2.0 access token issued by `POST /2/oauth2/token` (undefined when not live). */
  scopesOf(accessToken: string): readonly string[] | undefined;
}

/** Which requests a fault applies to; every given field must match. */
export interface FaultMatch {
  /**
   * The client operation, as `AccountActivityClient` names it: `'webhooks.register'`,
   * `'subscriptions.add'`, `'replay.start'`, `'directMessages.send'`, `'oauth2.token'`... It matches
   * the v1.1 and the v2 endpoint of the operation alike; add `version` to pick one.
   */
  readonly operation?: EmulatorOperation;
  /** The API generation: `'v2'` (`/2/...`) or `'v1.1'` (`/1.1/...`); the token request has none. */
  readonly version?: 'v2' | 'v1.1';
  readonly method?: string;
  /** Exact path, or a pattern tested on the path. */
  readonly path?: string | RegExp;
}

/** A failure injected into the emulator's API (not into deliveries). */
export type EmulatorFault = (
  | {
      /** Answer with an error status (503 with X's body by default) instead of handling the request. */
      readonly type: 'status';
      /** @default 503 */
      readonly status?: number;
    }
  | {
      /** Wait before handling the request. */
      readonly type: 'latency';
      readonly ms: number;
    }
  | {
      /** Destroy the connection without an answer. */
      readonly type: 'drop';
    }
  /**
   * `/2/activity/stream` only (whatever `match` says): `stream-drop`, `stream-stall` or
   * `operational-disconnect` after `afterEvents` event lines of an accepted connection; `times`
   * counts connections.
   */
  | StreamFault
) & {
  /** How many requests it applies to (connections, for the stream faults). @default 1 */
  readonly times?: number;
  /** @default every request */
  readonly match?: FaultMatch;
};

/** A webhook as the emulator sees it. */
export interface EmulatorWebhook {
  readonly id: string;
  readonly url: string;
  readonly valid: boolean;
  readonly createdAt: Date;
  /** Subscribed user ids. */
  readonly subscriptions: readonly string[];
  /** The running replay job, if any. */
  readonly replayJobId: string | undefined;
}

/** Filters of {@link Emulator.deliveries}. */
export interface DeliveryFilter {
  readonly webhookId?: string;
  readonly forUserId?: string;
  readonly kind?: DeliveryKind;
  /** `'aaa'`, `'xaa'` or `'filtered_stream'`. */
  readonly family?: DeliveryFamily;
  readonly eventType?: string;
}

/** The `/2/activity/stream` test hooks (`emulator.stream`). */
export interface EmulatorStream {
  /** Every connection (the last 1,000), oldest first, with its counts, fault and close reason. */
  connections(): StreamConnectionInfo[];
  /** Counters over all connections. */
  stats(): StreamStats;
  /** The retained event log (what a backfill can send), oldest first. */
  events(): StreamEventRecord[];
  /** Ends every open connection cleanly, as a server restart would. */
  disconnectAll(): void;
}

/** The XAA and Filtered-Stream state (`emulator.xaa`), as the API lists it. */
export interface EmulatorXaa {
  /** XAA subscriptions, in creation order, as `GET /2/activity/subscriptions` writes them. */
  subscriptions(): Record<string, unknown>[];
  /** Stream rules `{ id, value, tag? }`. */
  rules(): { readonly id: string; readonly value: string; readonly tag?: string }[];
  /** Webhook ids linked to the Filtered Stream, with their field parameters. */
  links(): { readonly webhookId: string; readonly fields: readonly string[] }[];
  /**
   * Delivers an XAA event of your making to every matching subscription (its webhook and the
   * stream), for the types no emulated activity produces (`chat.*`, `news.new`, `spaces.*`,
   * `broadcast.*`). Resolves once the first attempts are over.
   *
   * @example
   * ```ts
   * await emulator.xaa.emit({ eventType: 'news.new', text: 'Rockets', payload: { id: '1', name: 'Rockets' } });
   * ```
   */
  emit(event: XaaEventInput): Promise<DeliveryRecord[]>;
}

/** What {@link Emulator.clientOptions} returns: the options of an `AccountActivityClient`. */
export interface EmulatorClientOptions {
  readonly baseUrl: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly accessToken: string;
  readonly accessTokenSecret: string;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:53117`: use it as the API base of a client. */
  readonly url: string;
  readonly consumerKey: string;
  /** The consumer secret (not enumerable). */
  readonly consumerSecret: string;
  /** The app-only bearer token that `POST /oauth2/token` issues (not enumerable). */
  readonly bearerToken: string;
  readonly appId: string;
  /** The app's OAuth 2.0 Client ID. */
  readonly oauth2ClientId: string;
  /** The app's OAuth 2.0 Client Secret (not enumerable). */
  readonly oauth2ClientSecret: string;
  /** Sign-in test hooks: approve or deny an authorize page without a browser. */
  readonly auth: EmulatorAuth;
  /** The app owner. */
  readonly owner: EmulatedAccount;
  /** Every account, the owner first. */
  readonly accounts: readonly EmulatedAccount[];
  /** An account by id or screen name; throws a TypeError when unknown. */
  account(ref: string): EmulatedAccount;
  /** Adds an account. */
  createAccount(init: AccountInit): EmulatedAccount;
  /** Make accounts act and deliver the resulting events. */
  readonly activity: EmulatorActivity;
  /** The delivery log, oldest first (a snapshot). */
  deliveries(filter?: DeliveryFilter): DeliveryRecord[];
  /** Empties the delivery log (replays select from the log, so they find nothing older afterwards). */
  clearDeliveries(): void;
  /** Resolves when no delivery, retry or replay job is pending. */
  settled(): Promise<void>;
  /** The registered webhooks. */
  webhooks(): EmulatorWebhook[];
  /**
   * Runs X's periodic CRC now on every webhook: a pass makes it valid; a wrong token or a 3xx
   * invalidates it at once; other failures only after `crcGracePeriodMs` without a pass.
   */
  revalidate(): Promise<{ readonly webhookId: string; readonly valid: boolean }[]>;
  /** `/2/activity/stream` connections and counts. */
  readonly stream: EmulatorStream;
  /** XAA subscriptions, stream rules and links. */
  readonly xaa: EmulatorXaa;
  /** Fault injection for reliability tests. */
  readonly faults: {
    inject(fault: EmulatorFault): void;
    clear(): void;
  };
  /** Forgets every rate-limit window. */
  resetRateLimits(): void;
  /**
   * Options for an `AccountActivityClient` that talks to this emulator as its app, signed with the
   * app owner's tokens (or `account`'s). The result holds secrets: pass it on, do not log it.
   *
   * @example
   * ```ts
   * const client = new AccountActivityClient(emulator.clientOptions());
   * ```
   */
  clientOptions(account?: string): EmulatorClientOptions;
  /**
   * The options of the webhook app's handler: the consumer secret this emulator signs deliveries and
   * checks CRC answers with. A handler made with another secret fails the CRC at registration.
   *
   * @example
   * ```ts
   * const handler = createWebhookHandler(emulator.webhookOptions());
   * ```
   */
  webhookOptions(): { readonly consumerSecret: string };
  /** Stops the server, every timer, retry, replay job and socket. */
  close(): Promise<void>;
}

const DEFAULT_ACCOUNTS: readonly AccountInit[] = [
  { screenName: 'alice', name: 'Alice Example' },
  { screenName: 'bob', name: 'Bob Example' },
  { screenName: 'carol', name: 'Carol Example' },
];
const MAX_BODY = 1024 * 1024;
/** Titles of injected status faults (v2 problems). */
const STATUS_TITLES: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
const V2_UNAUTHORIZED = (): ApiResponse => v2Problem(401, 'Unauthorized', 'Unauthorized');

const AUTH_NAMES = {
  app: 'OAuth 2.0 Application-Only',
  owner: 'OAuth 1.0a User Context',
  user: 'OAuth 1.0a User Context',
  'oauth2-user': 'OAuth 2.0 User Context',
} as const;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value >= 0 && !Number.isNaN(value))) {
    throw new TypeError(`startEmulator(): ${name} must be a number >= 0, got ${String(value)}.`);
  }
  return value;
}

interface ActiveFault {
  fault: EmulatorFault;
  left: number;
}

/**
 * Starts a local X API emulator for Account Activity on a real HTTP server (127.0.0.1, a free port
 * by default). It serves the v2 and v1.1 webhook, subscription and replay endpoints, `POST
 * /oauth2/token` and the DM send endpoint, checks OAuth 1.0a signatures and bearer tokens as X
 * does, runs real CRCs against webhook URLs, and delivers signed events when its accounts act.
 *
 * Choices between documented variants: v1.1 code 214 is answered with HTTP 400 (a real capture; the
 * docs show 403: `variants.crcErrorStatus`); V3 answers `{ data: { valid } }` and reports a failed CRC
 * as `CrcValidationFailed`; V11 answers `{ data: { job_id, created_at } }`; V5 windows are 24 h with an
 * inclusive `to_date`, E11 and V11 windows 5 days with an exclusive one; unfollow, block, unblock,
 * mute and unmute are delivered to the actor only (X's enterprise docs); v2 failures are HTTP 400
 * problems. See docs/x-api-notes.md for each choice.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator({ consumerKey: 'key', consumerSecret: 'secret' });
 * // ... register a webhook at emulator.url with your client, subscribe users ...
 * await emulator.activity.post('alice', 'hello @bob');
 * console.log(emulator.deliveries());
 * await emulator.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const consumerKey = options.consumerKey ?? 'emulator-consumer-key';
  const consumerSecret = options.consumerSecret ?? 'emulator-consumer-secret';
  if (consumerKey === '' || consumerSecret === '')
    throw new TypeError('startEmulator(): consumerKey and consumerSecret must not be empty.');
  const appId = options.appId ?? '28000000';
  const clock = options.clock ?? Date.now;
  const appBearer = options.bearerToken ?? `AAAAAAAAAAAAAAAAAAAAA${randomBytes(30).toString('base64url')}`;
  const retryScale = positive('retryScale', options.retryScale, 1);
  const variants: Required<EmulatorVariants> = {
    crcErrorStatus: options.variants?.crcErrorStatus ?? 400,
    v3Response: options.variants?.v3Response ?? 'valid',
    v11Response: options.variants?.v11Response ?? 'data',
    userHasBlocked: options.variants?.userHasBlocked ?? 'boolean',
  };

  const outbound = new Outbound();
  const engine = new DeliveryEngine({
    outbound,
    consumerSecret,
    timeoutMs: positive('deliveryTimeoutMs', options.deliveryTimeoutMs, 3000),
    retryDelaysMs: X_RETRY_DELAYS_MS.map((ms) => ms * retryScale),
  });
  const store = new Store(
    {
      consumerSecret,
      crcTimeoutMs: positive('crcTimeoutMs', options.crcTimeoutMs, 3000),
      maxWebhooks: positive('maxWebhooks', options.maxWebhooks, 5),
      maxSubscriptions: positive('maxSubscriptions', options.maxSubscriptions, 500),
      crcGracePeriodMs: positive('crcGracePeriodMs', options.crcGracePeriodMs, 28 * 3_600_000),
      replayStartDelayMs: positive('replayStartDelayMs', options.replayStartDelayMs, 0),
      clock,
    },
    outbound,
    engine,
  );
  const owner = store.createAccount(options.owner ?? { screenName: 'app_owner', name: 'App Owner' });
  for (const init of options.accounts ?? DEFAULT_ACCOUNTS) store.createAccount(init);

  const app = { id: appId, name: options.appName ?? 'Emulated App', url: 'https://github.com/x-account-activity' };
  const stream = new ActivityStream({
    clock,
    keepAliveMs: positive('keepAliveMs', options.keepAliveMs, 20_000) || 1,
    maxConnections: positive('maxStreamConnections', options.maxStreamConnections, 2),
    retain: positive('streamRetainEvents', options.streamRetainEvents, 10_000),
  });
  const xaa = new XaaHub({
    store,
    engine,
    stream,
    clock,
    appId,
    maxSubscriptions: positive('maxActivitySubscriptions', options.maxActivitySubscriptions, 1_500),
    maxRules: positive('maxStreamRules', options.maxStreamRules, 25_000),
  });
  const activity = createActivity({ store, engine, clock, app, userHasBlocked: variants.userHasBlocked, xaa });
  const ctx: RouteContext = {
    store,
    clock,
    appId,
    owner,
    variants,
    activity,
    xaa,
    xaaEnvelope: options.xaaEnvelope ?? 'openapi',
  };
  const limiter = new RateLimiter(
    options.rateLimits === false ? {} : { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
    clock,
  );
  const verifier = new OAuth1Verifier({
    consumerKey,
    consumerSecret,
    tokenSecret: (token) => store.accountByAccessToken(token)?.accessTokenSecret,
    windowSeconds: positive('oauthTimestampWindowSeconds', options.oauthTimestampWindowSeconds, 300),
  });
  const oauth2ClientId = options.oauth2ClientId ?? 'emulator-oauth2-client-id';
  const oauth2ClientSecret = options.oauth2ClientSecret ?? 'emulator-oauth2-client-secret';
  const auth = new AuthEmulator({
    consumerKey,
    consumerSecret,
    clientId: oauth2ClientId,
    clientSecret: oauth2ClientSecret,
    store,
    clock,
    windowSeconds: positive('oauthTimestampWindowSeconds', options.oauthTimestampWindowSeconds, 300),
    callbackUrls: options.callbackUrls,
  });
  const routes: readonly Route[] = [...V2_ROUTES, ...XAA_ROUTES, ...V11_ROUTES];
  let faults: ActiveFault[] = [];
  let closed = false;

  function authenticate(
    route: Route,
    req: IncomingMessage,
    path: string,
    rawQuery: string,
    body: string,
  ): Caller | ApiResponse {
    const v2 = route.generation === 'v2';
    const header = req.headers.authorization;
    let caller: Caller;
    const bearer = bearerToken(header);
    if (bearer !== undefined) {
      if (bearer === appBearer) caller = { kind: 'app' };
      else {
        const account = store.accountByOAuth2Token(bearer) ?? auth.accountByAccessToken(bearer);
        if (!account) return v2 ? V2_UNAUTHORIZED() : v11Error(401, 89, 'Invalid or expired token.');
        caller = { kind: 'user', account, via: 'oauth2' };
      }
    } else if (header !== undefined && /^OAuth\s/i.test(header)) {
      const form = String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
      const result = verifier.verify({
        method: req.method ?? 'GET',
        baseUrl: `http://${String(req.headers.host ?? '').toLowerCase()}${path}`,
        query: rawQuery,
        authorization: header,
        ...(form ? { formBody: body } : {}),
      });
      if (!result.ok) {
        if (v2) return V2_UNAUTHORIZED();
        if (result.reason === 'timestamp') return v11Error(401, 135, 'Timestamp out of bounds.');
        if (result.reason === 'token') return v11Error(401, 89, 'Invalid or expired token.');
        return v11Error(401, 32, 'Could not authenticate you.');
      }
      const account = store.accountByAccessToken(result.token);
      if (!account) return v2 ? V2_UNAUTHORIZED() : v11Error(401, 89, 'Invalid or expired token.');
      caller = { kind: 'user', account, via: 'oauth1' };
    } else {
      return v2 ? V2_UNAUTHORIZED() : v11Error(400, 215, 'Bad Authentication data.');
    }

    const modes = route.auth;
    const accepted =
      caller.kind === 'app'
        ? modes.includes('app')
        : caller.via === 'oauth2'
          ? modes.includes('oauth2-user')
          : modes.includes('user') || (modes.includes('owner') && caller.account.id === owner.id);
    if (accepted) return caller;
    const ownerOnly = caller.kind === 'user' && caller.via === 'oauth1' && modes.includes('owner');
    if (v2) {
      if (ownerOnly) return v2Problem(403, 'Forbidden', 'Only the app owner can manage the webhooks of this app.');
      const used =
        caller.kind === 'app' ? AUTH_NAMES.app : AUTH_NAMES[caller.via === 'oauth2' ? 'oauth2-user' : 'user'];
      const supported = [...new Set(modes.map((m) => AUTH_NAMES[m]))].join(', ');
      return v2Problem(
        403,
        'Unsupported Authentication',
        `Authenticating with ${used} is forbidden for this endpoint.  Supported authentication types are [${supported}].`,
        'https://api.twitter.com/2/problems/unsupported-authentication',
      );
    }
    if (caller.kind === 'app' && route.method !== 'GET')
      return v11Error(403, 261, 'Application cannot perform write actions.');
    if (ownerOnly) return v11Error(403, 99, 'You don’t have access to this resource.');
    return v11Error(401, 32, 'Could not authenticate you.');
  }

  function issueToken(req: IncomingMessage, rawQuery: string, body: string): ApiResponse {
    const credentials = basicCredentials(req.headers.authorization);
    if (!credentials || credentials.id !== consumerKey || credentials.secret !== consumerSecret) {
      return {
        status: 403,
        body: {
          errors: [{ code: 99, message: 'Unable to verify your credentials', label: 'authenticity_token_error' }],
        },
      };
    }
    const params = [...(parsePairs(rawQuery) ?? []), ...(parsePairs(body.replace(/\+/g, '%20')) ?? [])];
    const grant = params.find(([k]) => k === 'grant_type')?.[1];
    if (grant === undefined) {
      return {
        status: 403,
        body: {
          errors: [
            { code: 170, message: 'Missing required parameter: grant_type', label: 'forbidden_missing_parameter' },
          ],
        },
      };
    }
    if (grant !== 'client_credentials') {
      return {
        status: 400,
        body: {
          errors: [
            { code: 170, message: 'grant_type must be client_credentials', label: 'forbidden_missing_parameter' },
          ],
        },
      };
    }
    return { status: 200, body: { token_type: 'bearer', access_token: appBearer } };
  }

  function takeFault(
    endpoint: EndpointId | undefined,
    method: string,
    path: string,
    body: string,
    streamFaults: boolean,
  ): EmulatorFault | undefined {
    for (const active of faults) {
      const m = active.fault.match;
      const type = active.fault.type;
      const forStream = type === 'stream-drop' || type === 'stream-stall' || type === 'operational-disconnect';
      if (forStream !== streamFaults) continue;
      if (m?.operation !== undefined && (endpoint === undefined || operationOf(endpoint, body) !== m.operation))
        continue;
      if (m?.version !== undefined && !path.startsWith(m.version === 'v2' ? '/2/' : '/1.1/')) continue;
      if (m?.method !== undefined && m.method.toUpperCase() !== method) continue;
      if (m?.path !== undefined && (typeof m.path === 'string' ? m.path !== path : !m.path.test(path))) continue;
      active.left -= 1;
      if (active.left <= 0) faults = faults.filter((f) => f !== active);
      return active.fault;
    }
    return undefined;
  }

  function send(res: ServerResponse, response: ApiResponse): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string> = { ...response.headers };
    let payload: string | undefined;
    if (response.body !== undefined && response.status !== 204) {
      payload = JSON.stringify(response.body);
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }

  function readBody(req: IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
      req.on('error', () => resolve(undefined));
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    const isToken = path === '/oauth2/token' && method === 'POST';
    let route: Route | undefined;
    let params: string[] = [];
    for (const candidate of isToken ? [] : routes) {
      const m = candidate.method === method ? candidate.pattern.exec(path) : null;
      if (m) {
        route = candidate;
        params = m.slice(1).map((p) => decodeURIComponent(p));
        break;
      }
    }
    const v2 = route ? route.generation === 'v2' : !path.startsWith('/1.1/');
    const endpoint: EndpointId | undefined = isToken ? 'TOKEN' : route?.id;

    const body = await readBody(req);
    const fault = takeFault(endpoint, method, path, body ?? '', false);
    if (fault?.type === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.type === 'latency') await store.sleep(fault.ms);
    if (fault?.type === 'status') {
      const status = fault.status ?? 503;
      const title = STATUS_TITLES[status] ?? 'Error';
      send(
        res,
        v2
          ? v2Problem(status, title, STATUS_TITLES[status] === undefined ? `Injected status ${status}` : title)
          : v11Error(
              status,
              status === 503 ? 67 : 131,
              status === 503 ? 'Dependent service is down.' : 'Internal error.',
            ),
      );
      return;
    }

    if (body === undefined) {
      send(
        res,
        v2
          ? v2Problem(413, 'Payload Too Large', 'The request body is too large.')
          : v11Error(413, 0, 'Request entity too large.'),
      );
      return;
    }
    if (isToken) {
      send(res, issueToken(req, rawQuery, body));
      return;
    }
    if (!route && auth.matches(method, path)) {
      const answer = auth.handle({
        method,
        path,
        rawQuery,
        headers: req.headers,
        body,
        origin: `http://${String(req.headers.host ?? '').toLowerCase()}`,
      });
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      }
      return;
    }
    if (!route) {
      send(
        res,
        v2
          ? v2Problem(404, 'Not Found Error', 'Sorry, that page does not exist.')
          : v11Error(404, 34, 'Sorry, that page does not exist.'),
      );
      return;
    }
    const caller = authenticate(route, req, path, rawQuery, body);
    if ('status' in caller) {
      send(res, caller);
      return;
    }
    const limit = limiter.hit(route.id, caller.kind === 'app' ? 'app' : caller.account.id);
    const limitHeaders: Record<string, string> = limit
      ? {
          'x-rate-limit-limit': String(limit.limit),
          'x-rate-limit-remaining': String(limit.remaining),
          'x-rate-limit-reset': String(limit.reset),
        }
      : {};
    if (limit?.limited) {
      const tooMany = v2
        ? v2Problem(429, 'Too Many Requests', 'Too Many Requests')
        : v11Error(429, 88, 'Rate limit exceeded.');
      send(res, { ...tooMany, headers: limitHeaders });
      return;
    }
    const response = await route.handle(ctx, {
      method,
      path,
      params,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      body,
      caller,
      ...(route.id === 'A6'
        ? {
            takeStreamFault: () => {
              const taken = takeFault(endpoint, method, path, body, true);
              return taken?.type === 'stream-drop' ||
                taken?.type === 'stream-stall' ||
                taken?.type === 'operational-disconnect'
                ? taken
                : undefined;
            },
          }
        : {}),
    });
    if (response.stream && !res.headersSent && !res.destroyed) {
      res.writeHead(response.status, { ...limitHeaders, ...response.headers });
      response.stream(res);
      return;
    }
    send(res, { ...response, headers: { ...limitHeaders, ...response.headers } });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      send(res, { status: 500, body: { errors: [{ code: 131, message: 'Internal error.' }] } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  async function revalidate(): Promise<{ webhookId: string; valid: boolean }[]> {
    const results: { webhookId: string; valid: boolean }[] = [];
    for (const webhook of [...store.webhooks.values()]) {
      await store.checkWebhook(webhook, { strict: false, withNonce: webhook.v11 });
      results.push({ webhookId: webhook.id, valid: webhook.valid });
    }
    return results;
  }
  const interval =
    options.revalidateIntervalMs === undefined
      ? undefined
      : setInterval(() => void revalidate(), positive('revalidateIntervalMs', options.revalidateIntervalMs, 0) || 1);
  interval?.unref();

  async function settled(): Promise<void> {
    while (!engine.idle || !store.idle) {
      await engine.settled();
      await store.jobsSettled();
    }
  }

  const emulator: Emulator = {
    url: `http://${host}:${address.port}`,
    consumerKey,
    consumerSecret,
    bearerToken: appBearer,
    appId,
    oauth2ClientId,
    oauth2ClientSecret,
    auth: {
      approve(authorizeUrl, approveOptions) {
        const ref = approveOptions?.account;
        const account =
          ref === undefined ? ([...store.accounts.values()].find((a) => a !== owner) ?? owner) : emulator.account(ref);
        return auth.approve(authorizeUrl, account);
      },
      deny: (authorizeUrl) => auth.deny(authorizeUrl),
      oauth1FlowOptions: () => ({ baseUrl: emulator.url, consumerKey, consumerSecret }),
      oauth2FlowOptions: (flowOptions) => ({
        baseUrl: emulator.url,
        clientId: oauth2ClientId,
        clientSecret: oauth2ClientSecret,
        redirectUri: flowOptions?.redirectUri ?? `${emulator.url}/callback`,
      }),
      scopesOf: (accessToken) => auth.scopesOf(accessToken),
    },
    owner,
    get accounts() {
      return [...store.accounts.values()];
    },
    account(ref) {
      const found = store.findAccount(ref);
      if (!found) throw new TypeError(`Unknown emulated account "${ref}".`);
      return found;
    },
    createAccount: (init) => store.createAccount(init),
    activity,
    deliveries(filter) {
      return engine
        .log()
        .filter(
          (r) =>
            (filter?.webhookId === undefined || r.webhookId === filter.webhookId) &&
            (filter?.forUserId === undefined || r.forUserId === filter.forUserId) &&
            (filter?.kind === undefined || r.kind === filter.kind) &&
            (filter?.family === undefined || r.family === filter.family) &&
            (filter?.eventType === undefined || r.eventType === filter.eventType),
        );
    },
    clearDeliveries: () => engine.clear(),
    settled,
    webhooks() {
      return [...store.webhooks.values()].map((w) => ({
        id: w.id,
        url: w.url,
        valid: w.valid,
        createdAt: w.createdAt,
        subscriptions: [...w.subscriptions.keys()],
        replayJobId: w.replayJob,
      }));
    },
    revalidate,
    stream: {
      connections: () => stream.connections(),
      stats: () => stream.stats(),
      events: () => stream.events(),
      disconnectAll: () => stream.disconnectAll(),
    },
    xaa: {
      subscriptions: () =>
        [...xaa.subscriptions.values()].map((s) => ({
          subscription_id: s.id,
          event_type: s.eventType,
          filter: { ...s.filter },
          ...(s.tag === undefined ? {} : { tag: s.tag }),
          ...(s.webhookId === undefined ? {} : { webhook_id: s.webhookId }),
        })),
      rules: () =>
        [...xaa.rules.values()].map((r) => ({
          id: r.id,
          value: r.value,
          ...(r.tag === undefined ? {} : { tag: r.tag }),
        })),
      links: () => [...xaa.links.values()].map((l) => ({ webhookId: l.webhookId, fields: [...l.fields] })),
      emit: (event) => xaa.emit(event),
    },
    faults: {
      inject(fault) {
        const times = fault.times ?? 1;
        if (!(times > 0)) throw new TypeError('faults.inject(): times must be > 0.');
        faults.push({ fault, left: times });
      },
      clear() {
        faults = [];
      },
    },
    resetRateLimits: () => limiter.reset(),
    clientOptions(account) {
      const signer = account === undefined ? owner : emulator.account(account);
      return {
        baseUrl: emulator.url,
        consumerKey,
        consumerSecret,
        accessToken: signer.accessToken,
        accessTokenSecret: signer.accessTokenSecret,
      };
    },
    webhookOptions() {
      // A plain object, like clientOptions(), so that `{ ...emulator.webhookOptions(), logger }` works.
      return { consumerSecret };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (interval) clearInterval(interval);
      engine.close();
      store.close();
      stream.close();
      outbound.abortAll();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      await store.jobsSettled();
      engine.close();
    },
  };
  // Keep the secrets out of JSON.stringify and util.inspect.
  Object.defineProperty(emulator, 'consumerSecret', { enumerable: false });
  Object.defineProperty(emulator, 'bearerToken', { enumerable: false });
  Object.defineProperty(emulator, 'oauth2ClientSecret', { enumerable: false });
  return emulator;
}
