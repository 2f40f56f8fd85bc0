/**
 * The emulator's state: accounts and their tokens, webhooks, subscriptions, posts, and the core
 * operations shared by the v2 and v1.1 routes (which only translate outcomes into each generation's
 * shapes).
 */
import { randomBytes } from 'node:crypto';
import { invalidatesImmediately, runCrc, type CrcOutcome } from './crc-check.js';
import type { DeliveryEngine } from './delivery.js';
import type { Outbound } from './outbound.js';
import type { PayloadUser, TweetPayload } from './payloads.js';
import { runReplayJob, selectReplayEvents } from './replay.js';

/** How to create an emulated account. */
export interface AccountInit {
  /** Handle without `@`, unique (case-insensitive). */
  readonly screenName: string;
  /** @default a fresh numeric id */
  readonly id?: string;
  /** @default the screen name */
  readonly name?: string;
  /** A protected account's mentions reach only its followers. @default false */
  readonly protected?: boolean;
  /** OAuth 1.0a access token. @default random */
  readonly accessToken?: string;
  /** OAuth 1.0a access token secret. @default random */
  readonly accessTokenSecret?: string;
}

/**
 * An account of the emulated X: a user with an id, a screen name and the OAuth credentials the app
 * holds for it (an OAuth 1.0a access token and secret, and an OAuth 2.0 user token for the endpoints
 * that accept one). Secrets are readable through getters but never appear in `JSON.stringify` or
 * `util.inspect`.
 */
export class EmulatedAccount implements PayloadUser {
  readonly id: string;
  readonly screenName: string;
  readonly name: string;
  readonly protected: boolean;
  readonly createdAt: Date;
  readonly #accessToken: string;
  readonly #accessTokenSecret: string;
  readonly #oauth2AccessToken: string;
  /** Whether the user revoked the app (`revoke`): its tokens are then refused. */
  revoked = false;
  /** @internal ids this account follows. */
  readonly following = new Set<string>();
  /** @internal ids this account blocked. */
  readonly blocking = new Set<string>();
  /** @internal ids this account muted. */
  readonly muting = new Set<string>();

  /** @internal */
  constructor(init: Required<Omit<AccountInit, 'protected' | 'name'>> & { name: string; protected: boolean }) {
    this.id = init.id;
    this.screenName = init.screenName;
    this.name = init.name;
    this.protected = init.protected;
    this.createdAt = new Date('2015-01-29T18:34:29Z');
    this.#accessToken = init.accessToken;
    this.#accessTokenSecret = init.accessTokenSecret;
    this.#oauth2AccessToken = `u2-${init.id}-${randomBytes(18).toString('base64url')}`;
  }

  /** The OAuth 1.0a access token (not enumerable, like the secrets). */
  get accessToken(): string {
    return this.#accessToken;
  }

  /** The OAuth 1.0a access token secret (sign requests as this user with it). */
  get accessTokenSecret(): string {
    return this.#accessTokenSecret;
  }

  /** An OAuth 2.0 user-context bearer token, accepted by V6, V7 and the DM endpoint. */
  get oauth2AccessToken(): string {
    return this.#oauth2AccessToken;
  }
}

/** A registered webhook. */
export interface WebhookState {
  readonly id: string;
  readonly url: string;
  readonly createdAt: Date;
  valid: boolean;
  /** Emulator-clock ms of the last passed CRC. */
  lastValidatedAt: number;
  /** Subscribed user id -> subscription time (emulator clock). */
  readonly subscriptions: Map<string, number>;
  replayJob: string | undefined;
  /** Registered through v1.1 (E1): its CRCs carry a nonce and a signature, as v1.1 documents. */
  readonly v11: boolean;
}

/** A post known to the emulator. */
export interface StoredTweet {
  readonly tweet: TweetPayload;
  readonly authorId: string;
  deleted: boolean;
}

/** Settings the store needs. */
export interface StoreSettings {
  readonly consumerSecret: string;
  readonly crcTimeoutMs: number;
  readonly maxWebhooks: number;
  readonly maxSubscriptions: number;
  readonly crcGracePeriodMs: number;
  readonly replayStartDelayMs: number;
  readonly clock: () => number;
}

/** Outcome of registering a webhook. */
export type RegisterOutcome =
  | { readonly ok: true; readonly webhook: WebhookState }
  | { readonly ok: false; readonly error: 'url'; readonly detail: string }
  | { readonly ok: false; readonly error: 'duplicate' | 'limit' }
  | { readonly ok: false; readonly error: 'crc'; readonly crc: CrcOutcome & { ok: false } };

/** Outcome of subscribing a user. */
export type SubscribeOutcome = 'ok' | 'not_found' | 'duplicate' | 'limit';

/** Outcome of starting a replay. */
export type ReplayOutcome =
  | { readonly ok: true; readonly jobId: string; readonly createdAt: Date }
  | { readonly ok: false; readonly error: 'not_found' | 'conflict' | 'invalid' }
  | { readonly ok: false; readonly error: 'crc'; readonly crc: CrcOutcome & { ok: false } };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether a host name is a loopback host, where plain http and ports are allowed. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Checks a webhook URL against X's rules (https://docs.x.com/x-api/webhooks/quickstart); returns a
 * reason or `undefined`.
 */
export function webhookUrlProblem(url: string): string | undefined {
  if (url.length < 1 || url.length > 200) return 'the URL must be 1 to 200 characters long';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the URL is malformed';
  }
  const loopback = isLoopbackHost(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(loopback && parsed.protocol === 'http:')) {
    return 'the URL must use https (plain http is accepted for loopback hosts only)';
  }
  if (parsed.port !== '' && !loopback) return 'the URL must not name a port';
  if (parsed.username || parsed.password) return 'the URL must not carry credentials';
  return undefined;
}

/** All state of one emulator. */
export class Store {
  readonly accounts = new Map<string, EmulatedAccount>();
  readonly webhooks = new Map<string, WebhookState>();
  readonly tweets = new Map<string, StoredTweet>();
  readonly #settings: StoreSettings;
  readonly #outbound: Outbound;
  readonly #engine: DeliveryEngine;
  readonly #jobs = new Set<Promise<unknown>>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #nextId = 1_500_000_000_000_000_000n;
  #closed = false;

  constructor(settings: StoreSettings, outbound: Outbound, engine: DeliveryEngine) {
    this.#settings = settings;
    this.#outbound = outbound;
    this.#engine = engine;
  }

  /** The subscription limit (`provisioned_count`). */
  get maxSubscriptions(): number {
    return this.#settings.maxSubscriptions;
  }

  /** A fresh numeric id string (19 digits). */
  nextId(): string {
    this.#nextId += 1n;
    return this.#nextId.toString();
  }

  /** Creates an account; throws a TypeError on a duplicate id or screen name. */
  createAccount(init: AccountInit): EmulatedAccount {
    const id = init.id ?? this.nextId();
    if (!/^[0-9]{1,19}$/.test(id)) throw new TypeError(`Account id must be 1-19 digits, got "${id}".`);
    if (this.accounts.has(id)) throw new TypeError(`An account with id ${id} already exists.`);
    if (this.findAccount(init.screenName)) throw new TypeError(`An account @${init.screenName} already exists.`);
    const account = new EmulatedAccount({
      id,
      screenName: init.screenName,
      name: init.name ?? init.screenName,
      protected: init.protected ?? false,
      accessToken: init.accessToken ?? `${id}-${randomBytes(15).toString('base64url')}`,
      accessTokenSecret: init.accessTokenSecret ?? randomBytes(30).toString('base64url'),
    });
    this.accounts.set(id, account);
    return account;
  }

  /** Finds an account by id or screen name (with or without `@`). */
  findAccount(ref: string): EmulatedAccount | undefined {
    const byId = this.accounts.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^@/, '').toLowerCase();
    for (const account of this.accounts.values()) if (account.screenName.toLowerCase() === name) return account;
    return undefined;
  }

  /** The account holding an OAuth 1.0a access token (revoked accounts excluded). */
  accountByAccessToken(token: string): EmulatedAccount | undefined {
    for (const account of this.accounts.values()) if (!account.revoked && account.accessToken === token) return account;
    return undefined;
  }

  /** The account holding an OAuth 2.0 user token (revoked accounts excluded). */
  accountByOAuth2Token(token: string): EmulatedAccount | undefined {
    for (const account of this.accounts.values())
      if (!account.revoked && account.oauth2AccessToken === token) return account;
    return undefined;
  }

  /** Total subscriptions across all webhooks. */
  subscriptionCount(): number {
    let n = 0;
    for (const webhook of this.webhooks.values()) n += webhook.subscriptions.size;
    return n;
  }

  #crc(url: string, withNonce: boolean): Promise<CrcOutcome> {
    return runCrc(this.#outbound, url, this.#settings.consumerSecret, {
      timeoutMs: this.#settings.crcTimeoutMs,
      withNonce,
    });
  }

  /** E1 / V1: checks the URL, the duplicate and limit rules, then runs the CRC before saving. */
  async registerWebhook(url: string, withNonce: boolean): Promise<RegisterOutcome> {
    const problem = webhookUrlProblem(url);
    if (problem !== undefined) return { ok: false, error: 'url', detail: problem };
    for (const webhook of this.webhooks.values()) if (webhook.url === url) return { ok: false, error: 'duplicate' };
    if (this.webhooks.size >= this.#settings.maxWebhooks) return { ok: false, error: 'limit' };
    const crc = await this.#crc(url, withNonce);
    if (!crc.ok) return { ok: false, error: 'crc', crc };
    for (const webhook of this.webhooks.values()) if (webhook.url === url) return { ok: false, error: 'duplicate' };
    const webhook: WebhookState = {
      id: this.nextId(),
      url,
      createdAt: new Date(this.#settings.clock()),
      valid: true,
      lastValidatedAt: this.#settings.clock(),
      subscriptions: new Map(),
      replayJob: undefined,
      v11: withNonce,
    };
    this.webhooks.set(webhook.id, webhook);
    return { ok: true, webhook };
  }

  /**
   * Runs a CRC and records the result. A pass makes the webhook valid. A failure makes it invalid
   * when `strict` (manual trigger, v1.1 rules), when the failure invalidates at once (wrong token,
   * 3xx), or when the last pass is older than the grace period (v2 rules, 28 h).
   */
  async checkWebhook(webhook: WebhookState, options: { strict: boolean; withNonce: boolean }): Promise<CrcOutcome> {
    const crc = await this.#crc(webhook.url, options.withNonce);
    if (crc.ok) {
      webhook.valid = true;
      webhook.lastValidatedAt = this.#settings.clock();
    } else if (
      options.strict ||
      invalidatesImmediately(crc) ||
      this.#settings.clock() - webhook.lastValidatedAt > this.#settings.crcGracePeriodMs
    ) {
      webhook.valid = false;
    }
    return crc;
  }

  /** Subscribes a user to a webhook (V6 / E5). */
  subscribe(webhookId: string, userId: string): SubscribeOutcome {
    const webhook = this.webhooks.get(webhookId);
    if (!webhook) return 'not_found';
    if (webhook.subscriptions.has(userId)) return 'duplicate';
    if (this.subscriptionCount() >= this.#settings.maxSubscriptions) return 'limit';
    webhook.subscriptions.set(userId, this.#settings.clock());
    return 'ok';
  }

  /** Starts a replay job after the conflict, validity and CRC checks (E11, V11, V5). */
  async startReplay(webhookId: string, fromMs: number, endMs: number, withNonce: boolean): Promise<ReplayOutcome> {
    const webhook = this.webhooks.get(webhookId);
    if (!webhook) return { ok: false, error: 'not_found' };
    if (webhook.replayJob !== undefined) return { ok: false, error: 'conflict' };
    if (!webhook.valid) return { ok: false, error: 'invalid' };
    const crc = await this.checkWebhook(webhook, { strict: false, withNonce });
    if (!crc.ok) return { ok: false, error: 'crc', crc };
    if (webhook.replayJob !== undefined) return { ok: false, error: 'conflict' };
    const jobId = this.nextId();
    webhook.replayJob = jobId;
    const events = selectReplayEvents(this.#engine.records(), webhook.id, fromMs, endMs);
    const job = (async () => {
      if (this.#settings.replayStartDelayMs > 0) await this.sleep(this.#settings.replayStartDelayMs);
      try {
        await runReplayJob(this.#engine, {
          webhookId: webhook.id,
          url: webhook.url,
          jobId,
          events,
          isCancelled: () => this.#closed || this.webhooks.get(webhook.id) !== webhook,
        });
      } finally {
        if (webhook.replayJob === jobId) webhook.replayJob = undefined;
      }
    })();
    this.#jobs.add(job);
    job.catch(() => undefined).finally(() => this.#jobs.delete(job));
    return { ok: true, jobId, createdAt: new Date(this.#settings.clock()) };
  }

  /** Whether no replay job is running. */
  get idle(): boolean {
    return this.#jobs.size === 0;
  }

  /** Resolves when every replay job has ended. */
  async jobsSettled(): Promise<void> {
    while (this.#jobs.size > 0) await Promise.allSettled([...this.#jobs]);
  }

  /** A timer that close() cancels (the promise then resolves at once). */
  sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#wakers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
      this.#wakers.set(timer, resolve);
    });
  }

  readonly #wakers = new Map<ReturnType<typeof setTimeout>, () => void>();

  /** Cancels timers and jobs. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) {
      clearTimeout(timer);
      this.#wakers.get(timer)?.();
    }
    this.#timers.clear();
    this.#wakers.clear();
  }
}
