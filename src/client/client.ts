/**
 * `AccountActivityClient`: webhooks, subscriptions and replay on X API v2 and v1.1.
 *
 * A call goes: method -> checked arguments -> endpoint table row -> request (signed for each attempt
 * in the transport, see `http.ts` and `ky-transport.ts`) -> zod-checked answer or typed error. The
 * app-only token is obtained the same way, through the table's `oauth2.token` row.
 *
 * Importing this module loads neither ky nor zod: the transport and the response schemas are loaded
 * by the first request (dynamic `import()` of `ky-transport.ts` and `schemas.ts`).
 */
import { InvalidArgumentError, ResponseValidationError } from '../errors.js';
import type { RateLimitInfo } from '../errors.js';
import { BearerTokenSource } from './bearer.js';
import { endpointsFor, OPERATION_NAMES } from './endpoints.js';
import type {
  ApiVersion,
  AuthKind,
  CallParams,
  Endpoint,
  EndpointTable,
  OperationName,
  ParamSource,
  RawSubscriptionList,
  SchemaOutput,
  TableRow,
} from './endpoints.js';
import { isErrorOnly, readRateLimit, toApiError } from './errors-map.js';
import { HttpTransport, checkMs, normalizeRetry, pathOf } from './http.js';
import type { HttpRequest, RetryOptions } from './http.js';
import { OAuth1Signer, percentEncode } from './oauth1.js';
import type { TokenPair } from './oauth1.js';
import { checkReplayWindow } from './replay-window.js';
import { StreamTransport, readBounded } from './stream-transport.js';
import type { OpenedStream } from './stream-transport.js';
import { MAX_BODY_TEXT } from './error-text.js';
import { ActivityResource } from './activity.js';
import { StreamLinksResource, StreamRulesResource } from './stream-rules.js';
import type {
  ReplayJob,
  SentDirectMessage,
  SubscriptionCount,
  SubscriptionList,
  Webhook,
  WebhookValidation,
} from './schemas.js';

/**
 * Options of {@link AccountActivityClient}.
 *
 * Which credentials an operation needs depends on its endpoint (see the table in docs/client.md):
 * app-only endpoints need `bearerToken`, or `consumerKey` and `consumerSecret` to obtain one;
 * OAuth 1.0a endpoints need `consumerKey`, `consumerSecret`, `accessToken` and `accessTokenSecret`.
 *
 * @example
 * ```ts
 * const client = new AccountActivityClient({
 *   consumerKey: process.env.X_CONSUMER_KEY,
 *   consumerSecret: process.env.X_CONSUMER_SECRET,
 *   accessToken: process.env.X_ACCESS_TOKEN,
 *   accessTokenSecret: process.env.X_ACCESS_TOKEN_SECRET,
 * });
 * ```
 */
export interface AccountActivityClientOptions {
  /** The app's consumer (API) key. */
  readonly consumerKey?: string;
  /** The app's consumer (API) secret. */
  readonly consumerSecret?: string;
  /** The app owner's OAuth 1.0a access token. */
  readonly accessToken?: string;
  /** The app owner's OAuth 1.0a access token secret. */
  readonly accessTokenSecret?: string;
  /**
   * An OAuth 2.0 app-only bearer token. When absent and `consumerKey` and `consumerSecret` are given,
   * the client obtains one with `POST /oauth2/token` on first use and caches it.
   */
  readonly bearerToken?: string;
  /**
   * The API generation.
   * @default '2'
   */
  readonly apiVersion?: ApiVersion;
  /**
   * Where the API lives (point it at a local emulator in tests).
   * @default 'https://api.x.com'
   */
  readonly baseUrl?: string;
  /**
   * Milliseconds to wait for each attempt's answer. Registering and validating a webhook make X run
   * a CRC first, which may take a few seconds.
   * @default 30000
   */
  readonly timeout?: number;
  /**
   * Retry policy, or `false` for no retries.
   * @default { limit: 2, retryPost: false, baseDelay: 500, maxDelay: 10000, maxRetryAfter: 60000 }
   */
  readonly retry?: RetryOptions | false;
  /**
   * The `fetch` implementation.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * The `User-Agent` header; runtimes that forbid setting it (browsers) ignore it.
   * @default 'x-account-activity'
   */
  readonly userAgent?: string;
}

/** Options of a single call. */
export interface RequestOptions {
  /** Aborts the call; the call then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Milliseconds to wait for each attempt of this call, instead of the client's `timeout`. */
  readonly timeout?: number;
  /**
   * `true` allows retries for this call even when it is a POST; `false` turns them off for this call.
   * @default retries for idempotent requests, and for POSTs when `retry.retryPost` is set
   */
  readonly retry?: boolean;
}

/**
 * The subscribing user's credentials: their OAuth 1.0a access token and secret, or (v2 only) an
 * OAuth 2.0 user access token with the scopes `dm.read dm.write tweet.read users.read`.
 */
export type SubscriberCredentials =
  | { readonly accessToken: string; readonly accessTokenSecret: string }
  | { readonly oauth2AccessToken: string };

const DEFAULT_BASE_URL = 'https://api.x.com';
const DEFAULT_TIMEOUT = 30_000;
const ID_PATTERN = /^[0-9]{1,19}$/;
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** Keys, secrets and tokens: visible ASCII, no spaces or line breaks (they go into headers). */
const CREDENTIAL = /^[\x21-\x7E]+$/;

/** Whether `value` has a control character (a pasted line break, a NUL...). */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function optionalString(options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(`AccountActivityClient: \`${name}\` must be a non-empty string when given.`);
  }
  if (name !== 'userAgent' ? !CREDENTIAL.test(value) : hasControlCharacter(value)) {
    throw new InvalidArgumentError(
      `AccountActivityClient: \`${name}\` has a space, a line break or a non-ASCII character; check for a pasted newline.`,
    );
  }
  return value;
}

const checkTimeout = (value: unknown, where: string): number => checkMs(`${where}: \`timeout\``, value, false);

function checkId(value: unknown, name: string, operation: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new InvalidArgumentError(
      `${operation}: \`${name}\` must be a numeric id string of 1 to 19 digits (never a number: use X's *_str ids); got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}.`,
    );
  }
  return value;
}

/** What a table row answers with. */
type Answer<K extends TableRow> = SchemaOutput<EndpointTable[K]['schema']>;

type SchemasModule = typeof import('./schemas.js');
let schemasModule: Promise<SchemasModule> | undefined;

/**
 * The response schemas (and zod/mini with them), loaded by the first request rather than at import:
 * they are most of what importing the root entry would otherwise cost.
 */
function loadSchemas(): Promise<SchemasModule> {
  let pending = schemasModule;
  if (!pending) {
    pending = import('./schemas.js');
    schemasModule = pending;
    // A failed load is forgotten, so that the next request tries again.
    pending.catch(() => {
      if (schemasModule === pending) schemasModule = undefined;
    });
  }
  return pending;
}

const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';

/** Everything the resources share. Never exposed: it holds the secrets. */
export class ClientCore {
  readonly version: ApiVersion;
  readonly baseUrl: string;
  readonly timeout: number;
  readonly #table: EndpointTable;
  readonly #transport: HttpTransport;
  readonly #streams: StreamTransport;
  readonly #bearer: BearerTokenSource;
  readonly #basic: string | undefined;
  readonly #signer: OAuth1Signer | undefined;
  readonly #owner: TokenPair | undefined;
  /** Every credential of the client, hidden wherever an error quotes server text. */
  readonly #secrets: readonly string[];
  readonly #rateLimits = new Map<OperationName, RateLimitInfo>();
  #lastRateLimit: RateLimitInfo | undefined;

  constructor(input: AccountActivityClientOptions) {
    if (typeof input !== 'object' || input === null) {
      throw new InvalidArgumentError('AccountActivityClient needs an options object.');
    }
    const options = input as Record<string, unknown>;
    const consumerKey = optionalString(options, 'consumerKey');
    const consumerSecret = optionalString(options, 'consumerSecret');
    const accessToken = optionalString(options, 'accessToken');
    const accessTokenSecret = optionalString(options, 'accessTokenSecret');
    const bearerToken = optionalString(options, 'bearerToken');
    const userAgent = optionalString(options, 'userAgent') ?? 'x-account-activity';
    if ((consumerKey === undefined) !== (consumerSecret === undefined)) {
      throw new InvalidArgumentError('AccountActivityClient: give `consumerKey` and `consumerSecret` together.');
    }
    if ((accessToken === undefined) !== (accessTokenSecret === undefined)) {
      throw new InvalidArgumentError('AccountActivityClient: give `accessToken` and `accessTokenSecret` together.');
    }
    if (accessToken !== undefined && consumerKey === undefined) {
      throw new InvalidArgumentError(
        'AccountActivityClient: `accessToken` and `accessTokenSecret` need `consumerKey` and `consumerSecret` to sign.',
      );
    }
    if (consumerKey === undefined && bearerToken === undefined) {
      throw new InvalidArgumentError(
        'AccountActivityClient needs credentials: `consumerKey` and `consumerSecret` (plus `accessToken` and `accessTokenSecret` for OAuth 1.0a endpoints), or `bearerToken`.',
      );
    }
    const version = options['apiVersion'] ?? '2';
    if (version !== '2' && version !== '1.1') {
      throw new InvalidArgumentError(
        `AccountActivityClient: \`apiVersion\` must be '2' or '1.1'; got ${JSON.stringify(version)}.`,
      );
    }
    const baseUrl = options['baseUrl'] ?? DEFAULT_BASE_URL;
    let parsedBase: URL | undefined;
    try {
      parsedBase = typeof baseUrl === 'string' ? new URL(baseUrl) : undefined;
    } catch {
      parsedBase = undefined;
    }
    if (
      !parsedBase ||
      (parsedBase.protocol !== 'https:' && parsedBase.protocol !== 'http:') ||
      parsedBase.search !== ''
    ) {
      throw new InvalidArgumentError(
        `AccountActivityClient: \`baseUrl\` must be an http(s) URL without a query, like '${DEFAULT_BASE_URL}'.`,
      );
    }
    if (parsedBase.username !== '' || parsedBase.password !== '') {
      // Neither the URL nor its password goes into the message.
      throw new InvalidArgumentError(
        'AccountActivityClient: `baseUrl` must not carry credentials (`user:password@`): the client would show them wherever it prints its base URL. X authenticates with the keys and tokens; a proxy that needs credentials belongs in your `fetch`.',
      );
    }
    const fetchImpl = options['fetch'] ?? ((url: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(url, init));
    if (typeof fetchImpl !== 'function') {
      throw new InvalidArgumentError('AccountActivityClient: `fetch` must be a function.');
    }
    this.version = version;
    this.baseUrl = String(baseUrl).replace(/\/+$/, '');
    this.timeout =
      options['timeout'] === undefined ? DEFAULT_TIMEOUT : checkTimeout(options['timeout'], 'AccountActivityClient');
    this.#table = endpointsFor(version);
    const transportOptions = {
      fetch: fetchImpl as typeof globalThis.fetch,
      userAgent,
      retry: normalizeRetry(options['retry'] as RetryOptions | false | undefined),
    };
    this.#transport = new HttpTransport(transportOptions);
    this.#streams = new StreamTransport(transportOptions);
    this.#basic =
      consumerKey !== undefined && consumerSecret !== undefined
        ? `Basic ${btoa(`${encodeURIComponent(consumerKey)}:${encodeURIComponent(consumerSecret)}`)}`
        : undefined;
    // The token request is not retried (X answers 403/99 to a token endpoint called too often), and
    // runs to its end whatever the signal of the call that started it: other calls may share it.
    const obtain =
      this.#basic === undefined ? undefined : () => this.call('oauth2.token', {}, undefined, { retry: false });
    this.#bearer = new BearerTokenSource(bearerToken, obtain as (() => Promise<string>) | undefined);
    this.#signer =
      consumerKey !== undefined && consumerSecret !== undefined
        ? new OAuth1Signer(consumerKey, consumerSecret)
        : undefined;
    this.#owner =
      accessToken !== undefined && accessTokenSecret !== undefined
        ? { key: accessToken, secret: accessTokenSecret }
        : undefined;
    this.#secrets = [
      consumerKey,
      consumerSecret,
      accessToken,
      accessTokenSecret,
      bearerToken,
      this.#basic?.slice(6),
    ].filter((value): value is string => value !== undefined);
  }

  /** What an error built from this answer must hide: the client's credentials, the call's user's, the app token. */
  #errorContext(text: string, user: UserCredentials | undefined): { text: string; sensitive: string[] } {
    const sensitive = [...this.#secrets];
    const token = this.#bearer.current();
    if (token !== undefined) sensitive.push(token);
    if (user?.oauth1) sensitive.push(user.oauth1.key, user.oauth1.secret);
    if (user?.oauth2 !== undefined) sensitive.push(user.oauth2);
    return { text, sensitive };
  }

  rateLimit(operation?: OperationName): RateLimitInfo | undefined {
    return operation === undefined ? this.#lastRateLimit : this.#rateLimits.get(operation);
  }

  /** Sends the request of table row `operation` and returns its parsed answer, or `false` for a `negative` status. */
  async call<K extends TableRow>(
    operation: K,
    params: CallParams,
    user: UserCredentials | undefined,
    options: RequestOptions | undefined,
    auth?: AuthKind,
  ): Promise<Answer<K> | false> {
    const tableRow: Endpoint = this.#table[operation];
    // A resource may pick another documented auth for one call (XAA create: app-only for public types).
    const endpoint: Endpoint = auth === undefined || auth === tableRow.auth ? tableRow : { ...tableRow, auth };
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new InvalidArgumentError(`${operation}: request options must be an object.`);
    }
    const timeout = options?.timeout === undefined ? this.timeout : checkTimeout(options.timeout, operation);
    const signal = options?.signal;
    const url = this.#url(endpoint, params);
    const request: HttpRequest = {
      method: endpoint.method,
      url,
      ...body(endpoint, params),
      authorize: this.#authorizer(operation, endpoint, url, user, signal),
      retry: options?.retry ?? (endpoint.idempotent || this.#transport.retryPolicy.retryPost),
      sensitive: () => this.#errorContext('', user).sensitive,
    };
    // The schemas load while the request is on its way.
    const schemas = loadSchemas();
    const response = await this.#transport.send(request, { signal, timeout });
    const rateLimit = readRateLimit(response.headers);
    if (rateLimit && operation !== 'oauth2.token') {
      this.#rateLimits.set(operation as OperationName, rateLimit);
      this.#lastRateLimit = rateLimit;
    }
    let answer: unknown;
    let json = true;
    if (response.text !== '') {
      try {
        answer = JSON.parse(response.text);
      } catch {
        answer = response.text;
        json = false;
      }
    }
    const info = { method: endpoint.method, url };
    if (endpoint.success.includes(response.status)) {
      // A success status whose body holds only `errors` is X's failure, whatever a tolerant schema makes of it.
      if (!endpoint.itemErrors && isErrorOnly(answer)) {
        throw toApiError(response.status, answer, response.headers, info, this.#errorContext(response.text, user));
      }
      if (!json) {
        throw new ResponseValidationError(
          `X answered ${operation} (${endpoint.method} ${pathOf(url)}) with ${response.status} and a body that is not JSON.`,
        );
      }
      const parsed = (await schemas).parseAnswer(endpoint.schema, answer);
      if (!parsed.success) {
        const errors = (answer as { errors?: unknown } | undefined)?.errors;
        if (Array.isArray(errors) && errors.length > 0)
          throw toApiError(response.status, answer, response.headers, info, this.#errorContext(response.text, user));
        throw new ResponseValidationError(
          `X answered ${operation} (${endpoint.method} ${pathOf(url)}) with ${response.status} and an undocumented body: ${describeIssues(parsed.error.issues)}.`,
          { cause: parsed.error },
        );
      }
      return parsed.data as Answer<K>;
    }
    if (endpoint.negative?.includes(response.status)) return false;
    const error = toApiError(response.status, answer, response.headers, info, this.#errorContext(response.text, user));
    if (response.status === 401 && endpoint.auth === 'app-only') this.#forgetToken(this.#bearer.current());
    throw error;
  }

  /**
   * Opens the streaming answer of table row `operation` with the call's URL, auth, user agent and
   * error mapping, in one attempt (the stream consumer reconnects with X's own backoff). Resolves with
   * the unread body, and the credentials that text read from it must never quote, once X answered a
   * success status; throws the typed error otherwise. An error answer's body is read up to
   * `MAX_BODY_TEXT` characters and for at most `timeout` ms (a body that trickles or never ends
   * must not hold the stream in `connecting`), then the rest is cancelled.
   */
  async open(
    operation: 'activity.stream',
    params: CallParams,
    signal: AbortSignal,
    timeout: number | undefined,
  ): Promise<OpenedStream> {
    const endpoint: Endpoint = this.#table[operation];
    const url = this.#url(endpoint, params);
    const sensitive = (): string[] => this.#errorContext('', undefined).sensitive;
    const request: HttpRequest = {
      method: endpoint.method,
      url,
      authorize: this.#authorizer(operation, endpoint, url, undefined, signal),
      retry: false,
      sensitive,
    };
    const wait = timeout ?? this.timeout;
    const response = await this.#streams.open(request, { signal, timeout: wait });
    const rateLimit = readRateLimit(response.headers);
    if (rateLimit) {
      this.#rateLimits.set(operation, rateLimit);
      this.#lastRateLimit = rateLimit;
    }
    if (endpoint.success.includes(response.status) && response.body !== null) {
      return { body: response.body, sensitive: sensitive() };
    }
    // An error answer cut short, slow or endless is mapped on what arrived in time.
    const text = response.body === null ? '' : await readBounded(response.body, MAX_BODY_TEXT, wait, signal);
    signal.throwIfAborted();
    let answer: unknown = text;
    try {
      answer = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (or cut): mapped as text.
    }
    if (response.status === 401 && endpoint.auth === 'app-only') this.#forgetToken(this.#bearer.current());
    throw toApiError(
      response.status,
      answer,
      response.headers,
      { method: endpoint.method, url },
      this.#errorContext(text, undefined),
    );
  }

  /** A subscribing user's checked credentials (for the resources of other modules). */
  user(user: unknown, operation: string): UserCredentials | undefined {
    return checkUser(user, operation);
  }

  #forgetToken(token: string | undefined): void {
    if (token !== undefined) this.#bearer.invalidate(token);
  }

  #url(endpoint: Endpoint, params: CallParams): string {
    let path = endpoint.path;
    if (params.webhookId !== undefined) path = path.replace(':webhook_id', params.webhookId);
    if (params.userId !== undefined) path = path.replace(':user_id', params.userId);
    if (params.participantId !== undefined) path = path.replace(':participant_id', params.participantId);
    if (params.subscriptionId !== undefined) path = path.replace(':subscription_id', params.subscriptionId);
    const query = encodeForm({ ...(endpoint.query && fill(endpoint.query, params)), ...params.query });
    return query ? `${this.baseUrl}${path}?${query}` : this.baseUrl + path;
  }

  #authorizer(
    operation: TableRow,
    endpoint: Endpoint,
    url: string,
    user: UserCredentials | undefined,
    signal: AbortSignal | undefined,
  ): () => string | Promise<string> {
    if (endpoint.auth === 'basic') {
      const basic = this.#basic as string;
      return () => basic;
    }
    if (endpoint.auth === 'app-only') {
      if (!this.#bearer.available) {
        throw new InvalidArgumentError(
          `${operation} on API v${this.version} uses app-only auth: give the client \`bearerToken\`, or \`consumerKey\` and \`consumerSecret\`.`,
        );
      }
      const bearer = this.#bearer;
      return () => {
        const token = bearer.current();
        return token === undefined ? bearer.get(signal).then((value) => `Bearer ${value}`) : `Bearer ${token}`;
      };
    }
    if (user !== undefined && endpoint.auth === 'user') {
      // v1.1 endpoints take OAuth 1.0a only; v2 ones (the DM endpoint in both generations) also take
      // OAuth 2.0. With both kinds given, OAuth 1.0a is used when the client can sign.
      const v2Endpoint = endpoint.path.startsWith('/2/');
      const { oauth1, oauth2 } = user;
      if (oauth1 && (this.#signer || !oauth2 || !v2Endpoint)) {
        const signer = this.#requireSigner(operation);
        return () => signer.authorize(endpoint.method, url, oauth1);
      }
      if (!v2Endpoint) {
        throw new InvalidArgumentError(
          `${operation}: OAuth 2.0 user tokens work on v2 only; on v1.1 pass { accessToken, accessTokenSecret }.`,
        );
      }
      const header = `Bearer ${oauth2 as string}`;
      return () => header;
    }
    const signer = this.#requireSigner(operation);
    const owner = this.#owner;
    if (!owner) {
      throw new InvalidArgumentError(
        `${operation} on API v${this.version} uses OAuth 1.0a user context: give the client the app owner's \`accessToken\` and \`accessTokenSecret\`${endpoint.auth === 'user' ? ", or pass the subscribing user's credentials to the call" : ''}.`,
      );
    }
    return () => signer.authorize(endpoint.method, url, owner);
  }

  #requireSigner(operation: TableRow): OAuth1Signer {
    if (!this.#signer) {
      throw new InvalidArgumentError(
        `${operation} on API v${this.version} uses OAuth 1.0a: give the client \`consumerKey\` and \`consumerSecret\`.`,
      );
    }
    return this.#signer;
  }
}

/** The body of a row's request: JSON, a URL-encoded form, or none. */
function body(endpoint: Endpoint, params: CallParams): Pick<HttpRequest, 'body' | 'contentType'> {
  if (endpoint.json === 'call') return { body: JSON.stringify(params.body ?? {}), contentType: 'application/json' };
  if (endpoint.json !== undefined)
    return { body: JSON.stringify(fill(endpoint.json, params)), contentType: 'application/json' };
  if (endpoint.form !== undefined) return { body: encodeForm(fill(endpoint.form, params)), contentType: FORM };
  return {};
}

/** `key=value&...`, RFC 3986-encoded (the encoding OAuth 1.0a signs). */
function encodeForm(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`)
    .join('&');
}

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly errors?: readonly (readonly Issue[])[];
}

/** The most specific issues of a zod error: union branches are searched for the deepest failure. */
export function describeIssues(issues: readonly Issue[]): string {
  const leaves: { path: string; depth: number; message: string }[] = [];
  const walk = (list: readonly Issue[], prefix: readonly PropertyKey[]): void => {
    for (const issue of list) {
      const path = [...prefix, ...issue.path];
      if (issue.errors && issue.errors.length > 0) for (const branch of issue.errors) walk(branch, path);
      else leaves.push({ path: path.map(String).join('.') || '(body)', depth: path.length, message: issue.message });
    }
  };
  walk(issues, []);
  const deepest = Math.max(...leaves.map((leaf) => leaf.depth));
  const seen = new Set<string>();
  for (const leaf of leaves) if (leaf.depth === deepest) seen.add(`${leaf.path}: ${leaf.message}`);
  return [...seen].slice(0, 3).join('; ');
}

function fill(fields: Readonly<Record<string, ParamSource>>, params: CallParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, source] of Object.entries(fields)) {
    const value = typeof source === 'string' ? params[source] : source.value;
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** A subscribing user's checked credentials: either kind, or both (the endpoint chooses). */
export interface UserCredentials {
  readonly oauth1?: TokenPair;
  readonly oauth2?: string;
}

function checkUser(user: unknown, operation: string): UserCredentials | undefined {
  if (user === undefined) return undefined;
  if (typeof user === 'object' && user !== null) {
    const record = user as Record<string, unknown>;
    const valid = (value: unknown): value is string => typeof value === 'string' && CREDENTIAL.test(value);
    const oauth1 =
      valid(record['accessToken']) && valid(record['accessTokenSecret'])
        ? { key: record['accessToken'], secret: record['accessTokenSecret'] }
        : undefined;
    const oauth2 = valid(record['oauth2AccessToken']) ? record['oauth2AccessToken'] : undefined;
    if (oauth1 || oauth2) return { ...(oauth1 ? { oauth1 } : {}), ...(oauth2 ? { oauth2 } : {}) };
  }
  throw new InvalidArgumentError(
    `${operation}: \`user\` must be { accessToken, accessTokenSecret }, { oauth2AccessToken } (v2 only), or left out (app owner); tokens are visible ASCII without spaces.`,
  );
}

/** The SubscriptionList of a webhook, from the raw list answer and the id that was asked for. */
function toSubscriptionList(raw: RawSubscriptionList, webhookId: string): SubscriptionList {
  return {
    webhookId: raw.webhook_id ?? webhookId,
    webhookUrl: raw.webhook_url,
    applicationId: raw.application_id,
    subscriptions: (raw.subscriptions ?? []).map((entry) => ({ userId: entry.user_id })),
  };
}

/** `client.webhooks`: register, list, validate and delete webhooks. */
export class WebhooksResource {
  readonly #core: ClientCore;

  /** @internal */
  constructor(core: ClientCore) {
    this.#core = core;
  }

  /**
   * Registers a webhook URL. X first runs a CRC against it (answer it with `createCrcResponse`), and
   * fails with reason `CrcValidationFailed` (v2) or code 214 (v1.1) when the CRC fails.
   *
   * @param url - public https URL without a port, at most 200 characters.
   * @example
   * ```ts
   * const webhook = await client.webhooks.register('https://example.com/webhooks/x');
   * ```
   */
  async register(url: string, options?: RequestOptions): Promise<Webhook> {
    if (typeof url !== 'string' || url.length === 0 || url.length > 200) {
      throw new InvalidArgumentError('webhooks.register: `url` must be a string of 1 to 200 characters.');
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidArgumentError(`webhooks.register: \`url\` is not an absolute URL: ${JSON.stringify(url)}.`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new InvalidArgumentError('webhooks.register: `url` must be https, without a port.');
    }
    return this.#core.call('webhooks.register', { url }, undefined, options) as Promise<Webhook>;
  }

  /** Lists the app's webhooks, with their `valid` state. */
  async list(options?: RequestOptions): Promise<Webhook[]> {
    return this.#core.call('webhooks.list', {}, undefined, options) as Promise<Webhook[]>;
  }

  /**
   * Makes X run a CRC against the webhook now; when it passes, a webhook marked invalid is enabled
   * again.
   */
  async validate(webhookId: string, options?: RequestOptions): Promise<WebhookValidation> {
    const id = checkId(webhookId, 'webhookId', 'webhooks.validate');
    return this.#core.call('webhooks.validate', { webhookId: id }, undefined, options) as Promise<WebhookValidation>;
  }

  /** Deletes the webhook and, with it, its subscriptions. */
  async delete(webhookId: string, options?: RequestOptions): Promise<void> {
    const id = checkId(webhookId, 'webhookId', 'webhooks.delete');
    await this.#core.call('webhooks.delete', { webhookId: id }, undefined, options);
  }
}

/** `client.subscriptions`: subscribe users to a webhook, check, list, count and remove them. */
export class SubscriptionsResource {
  readonly #core: ClientCore;

  /** @internal */
  constructor(core: ClientCore) {
    this.#core = core;
  }

  /**
   * Subscribes a user to all of their account activity on the webhook. The request is made in the
   * user's context: pass their credentials, or leave `user` out to subscribe the app owner.
   *
   * @example
   * ```ts
   * await client.subscriptions.add(webhook.id, { accessToken, accessTokenSecret });
   * ```
   */
  async add(webhookId: string, user?: SubscriberCredentials, options?: RequestOptions): Promise<void> {
    const id = checkId(webhookId, 'webhookId', 'subscriptions.add');
    await this.#core.call('subscriptions.add', { webhookId: id }, checkUser(user, 'subscriptions.add'), options);
  }

  /** True when the user (by default the app owner) is subscribed to the webhook. */
  async check(webhookId: string, user?: SubscriberCredentials, options?: RequestOptions): Promise<boolean> {
    const id = checkId(webhookId, 'webhookId', 'subscriptions.check');
    return this.#core.call(
      'subscriptions.check',
      { webhookId: id },
      checkUser(user, 'subscriptions.check'),
      options,
    ) as Promise<boolean>;
  }

  /** Lists the users subscribed to the webhook. */
  async list(webhookId: string, options?: RequestOptions): Promise<SubscriptionList> {
    const id = checkId(webhookId, 'webhookId', 'subscriptions.list');
    const raw = await this.#core.call('subscriptions.list', { webhookId: id }, undefined, options);
    return toSubscriptionList(raw as RawSubscriptionList, id);
  }

  /** Counts the app's subscriptions across all webhooks, with the provisioned limit. */
  async count(options?: RequestOptions): Promise<SubscriptionCount> {
    return this.#core.call('subscriptions.count', {}, undefined, options) as Promise<SubscriptionCount>;
  }

  /** Removes one user's subscription from the webhook (app-only auth). */
  async remove(webhookId: string, userId: string, options?: RequestOptions): Promise<void> {
    const id = checkId(webhookId, 'webhookId', 'subscriptions.remove');
    const user = checkId(userId, 'userId', 'subscriptions.remove');
    await this.#core.call('subscriptions.remove', { webhookId: id, userId: user }, undefined, options);
  }
}

/** The window of a replay job. */
export interface ReplayWindow {
  /** First minute to replay (inclusive), at least 31 minutes before now. */
  readonly from: Date;
  /** End of the window (exclusive on v1.1), at least 10 minutes before now and after `from`. */
  readonly to: Date;
}

/** `client.replay`: redeliver events whose delivery X already attempted. */
export class ReplayResource {
  readonly #core: ClientCore;

  /** @internal */
  constructor(core: ClientCore) {
    this.#core = core;
  }

  /**
   * Starts a replay job for the webhook. The window is checked first: the last 24 hours on v2 (the
   * last 5 days on v1.1), `from` at least 31 minutes and `to` at least 10 minutes before now, `from`
   * before `to`. Dates are sent as UTC `yyyymmddhhmm`. X signals the end with a `replay_job_status`
   * event; replayed events carry no marker, so deduplicate.
   *
   * @example
   * ```ts
   * const now = Date.now();
   * await client.replay.start(webhookId, {
   *   from: new Date(now - 3 * 3600_000),
   *   to: new Date(now - 3600_000),
   * });
   * ```
   */
  async start(webhookId: string, window: ReplayWindow, options?: RequestOptions): Promise<ReplayJob> {
    const id = checkId(webhookId, 'webhookId', 'replay.start');
    const dates = checkReplayWindow(window, this.#core.version);
    return this.#core.call('replay.start', { webhookId: id, ...dates }, undefined, options) as Promise<ReplayJob>;
  }
}

/** Longest DM text X accepts. */
const MAX_DM_TEXT = 10_000;

/** `client.directMessages`: answer users, for example from a bot driven by `direct_message` events. */
export class DirectMessagesResource {
  readonly #core: ClientCore;

  /** @internal */
  constructor(core: ClientCore) {
    this.#core = core;
  }

  /**
   * Sends a one-to-one DM with `POST /2/dm_conversations/with/:participant_id/messages`, in the
   * sender's user context: pass the sending account's credentials, or leave `user` out to send as
   * the app owner. The DM is then delivered to your webhook as a `direct_message` event with
   * `direction: 'sent'` for the sender: do not answer it (a bot that does loops).
   *
   * Not retried by default (a retry could send the DM twice).
   *
   * @param participantId - The recipient's user id.
   * @param text - 1 to 10,000 characters.
   * @example
   * ```ts
   * handler.on('direct_message', async (event) => {
   *   if (event.direction === 'received') {
   *     await client.directMessages.send(event.senderId, 'Thanks, we got your message!', botCredentials);
   *   }
   * });
   * ```
   */
  async send(
    participantId: string,
    text: string,
    user?: SubscriberCredentials,
    options?: RequestOptions,
  ): Promise<SentDirectMessage> {
    const id = checkId(participantId, 'participantId', 'directMessages.send');
    if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_DM_TEXT) {
      throw new InvalidArgumentError(
        `directMessages.send: \`text\` must be a non-blank string of at most ${MAX_DM_TEXT} characters.`,
      );
    }
    return this.#core.call(
      'directMessages.send',
      { participantId: id, text },
      checkUser(user, 'directMessages.send'),
      options,
    ) as Promise<SentDirectMessage>;
  }
}

/** `util.inspect` of a client: the safe summary only. Installed on the prototype by the first constructor call. */
function inspectClient(this: AccountActivityClient): string {
  return `AccountActivityClient { apiVersion: '${this.apiVersion}', baseUrl: '${this.baseUrl}' }`;
}

let inspectInstalled = false;

/**
 * The Account Activity API client: `client.webhooks`, `client.subscriptions` and `client.replay`, on
 * X API v2 (default) or v1.1 enterprise. Each operation uses the auth its endpoint documents; answers
 * are checked and returned as camelCase objects; failures throw `XApiError` subclasses.
 *
 * Secrets are kept in private fields: `JSON.stringify(client)` and `util.inspect(client)` show none.
 *
 * @example
 * ```ts
 * const client = new AccountActivityClient({ consumerKey, consumerSecret, accessToken, accessTokenSecret });
 * const webhook = await client.webhooks.register('https://example.com/webhooks/x');
 * await client.subscriptions.add(webhook.id);
 * console.log(await client.subscriptions.count());
 * ```
 */
export class AccountActivityClient {
  /** Webhook management. */
  readonly webhooks: WebhooksResource;
  /** Subscription management. */
  readonly subscriptions: SubscriptionsResource;
  /** Replay jobs. */
  readonly replay: ReplayResource;
  /** Sending DMs (so that a bot can answer). */
  readonly directMessages: DirectMessagesResource;
  /** The X Activity API: `activity.subscriptions` and `activity.stream(...)`. */
  readonly activity: ActivityResource;
  /** Filtered-Stream webhook links. */
  readonly streamLinks: StreamLinksResource;
  /** Filtered-Stream rules. */
  readonly streamRules: StreamRulesResource;
  readonly #core: ClientCore;

  constructor(options: AccountActivityClientOptions) {
    // `util.inspect` shows the safe summary only. The hook goes on the prototype here, once, rather
    // than in the class body: a method keyed `Symbol.for(...)` makes bundlers keep the class (and the
    // whole client) in every bundle that imports anything from the root entry.
    if (!inspectInstalled) {
      Object.defineProperty(AccountActivityClient.prototype, inspectSymbol, {
        value: inspectClient,
        writable: true,
        configurable: true,
      });
      inspectInstalled = true;
    }
    this.#core = new ClientCore(options);
    this.webhooks = new WebhooksResource(this.#core);
    this.subscriptions = new SubscriptionsResource(this.#core);
    this.replay = new ReplayResource(this.#core);
    this.directMessages = new DirectMessagesResource(this.#core);
    this.activity = new ActivityResource(this.#core);
    this.streamLinks = new StreamLinksResource(this.#core);
    this.streamRules = new StreamRulesResource(this.#core);
  }

  /** The API generation in use. */
  get apiVersion(): ApiVersion {
    return this.#core.version;
  }

  /** The API base URL in use. */
  get baseUrl(): string {
    return this.#core.baseUrl;
  }

  /**
   * The rate-limit state X reported with the latest answer (success or failure) of `operation`, or of
   * any operation when `operation` is left out; undefined before any answer carried the headers.
   *
   * @example
   * ```ts
   * await client.webhooks.list();
   * const { remaining, reset } = client.rateLimit('webhooks.list') ?? {};
   * ```
   */
  rateLimit(operation?: OperationName): RateLimitInfo | undefined {
    if (operation !== undefined && !OPERATION_NAMES.includes(operation)) {
      throw new InvalidArgumentError(
        `rateLimit: unknown operation ${JSON.stringify(operation)}; use one of ${OPERATION_NAMES.join(', ')}.`,
      );
    }
    return this.#core.rateLimit(operation);
  }

  /** A safe summary without any secret. */
  toJSON(): { apiVersion: ApiVersion; baseUrl: string } {
    return { apiVersion: this.#core.version, baseUrl: this.#core.baseUrl };
  }
}
