/**
 * End-to-end harness: the local X API emulator, a real webhook app built with this SDK
 * (`createWebhookHandler` + `toNodeListener` on node:http, 127.0.0.1, port 0) and an
 * `AccountActivityClient` pointed at the emulator. Everything is real: HTTP on loopback, OAuth 1.0a
 * signatures, bearer tokens, CRC checks and signed deliveries.
 *
 * Use one {@link E2eScope} per test file and close it in `afterEach`:
 *
 * ```ts
 * const scope = createE2eScope();
 * afterEach(() => scope.closeAll());
 * const e2e = await scope.start({ apiVersion: '1.1' });
 * const webhook = await e2e.register();
 * await e2e.subscribe('alice');
 * await e2e.emulator.activity.post('alice', 'hello');
 * expect(e2e.events).toHaveLength(1);
 * ```
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountActivityClient, type AccountActivityClientOptions } from '../../src/client/index.js';
import type { Webhook } from '../../src/client/index.js';
import { toNodeListener } from '../../src/adapters/node.js';
import type { XAccountActivityError } from '../../src/errors.js';
import type { Deduplicator } from '../../src/events/dedup.js';
import type { AccountActivityEvent } from '../../src/events/types.js';
import { createCrcResponse } from '../../src/webhooks/crc.js';
import { createWebhookHandler, type WebhookHandler, type WebhookHandlerOptions } from '../../src/webhooks/handler.js';
import { startEmulator, type EmulatedAccount, type Emulator, type EmulatorOptions } from '../../src/testing/index.js';

/** The app the emulator knows; the webhook app and the client use the same keys. */
export const E2E_CONSUMER_KEY = 'e2e-consumer-key';
export const E2E_CONSUMER_SECRET = 'e2e-consumer-secret';

/**
 * How the webhook server answers CRC GETs:
 * `'sdk'` lets the SDK handler answer; `'wrong-token'` answers 200 JSON with a response token for
 * another crc_token; `'status-500'` answers 500; `'hang'` never answers (the connection is left
 * open until the emulator gives up and closes it).
 */
export type CrcMode = 'sdk' | 'wrong-token' | 'status-500' | 'hang';

/** Options of {@link E2eScope.start}. */
export interface E2eOptions {
  /** @default '2' */
  readonly apiVersion?: '2' | '1.1';
  /** Merged over the harness defaults (`retryScale: 0.001`, small timeouts). */
  readonly emulator?: EmulatorOptions;
  /** Merged over the client defaults (emulator URL, app owner's tokens, fast retries). */
  readonly client?: Partial<AccountActivityClientOptions>;
  /** Passed to `createWebhookHandler`. */
  readonly deduplicator?: Deduplicator;
  /** Other options of `createWebhookHandler` (the consumer secret is the harness's). */
  readonly handler?: Omit<WebhookHandlerOptions, 'consumerSecret' | 'deduplicator'>;
  /** Path of the webhook on the local server. @default '/webhooks/x' */
  readonly path?: string;
}

/** A running end-to-end setup. */
export interface E2e {
  readonly emulator: Emulator;
  readonly client: AccountActivityClient;
  readonly handler: WebhookHandler;
  /** The webhook URL (http on loopback, which the emulator accepts). */
  readonly webhookUrl: string;
  /** Every event the handler dispatched, in order. */
  readonly events: AccountActivityEvent[];
  /** Every error the handler reported (refused requests, listener failures). */
  readonly errors: XAccountActivityError[];
  /** How CRC GETs are answered from now on. */
  crcMode: CrcMode;
  /** CRC GETs the webhook server received. */
  readonly crcRequests: number;
  /** Registers {@link webhookUrl} through the client. */
  register(): Promise<Webhook>;
  /** Subscribes accounts (by screen name) to the registered webhook with their OAuth 1.0a tokens. */
  subscribe(...screenNames: string[]): Promise<EmulatedAccount[]>;
  /** The id of the webhook registered with {@link register}; throws before. */
  readonly webhookId: string;
  /** Removes and returns the events collected so far. */
  takeEvents(): AccountActivityEvent[];
  /** Closes the webhook server and the emulator. */
  close(): Promise<void>;
}

/** Starts setups and closes them all at the end of each test. */
export interface E2eScope {
  start(options?: E2eOptions): Promise<E2e>;
  closeAll(): Promise<void>;
}

/** The account behind a screen name, with its tokens as `SubscriberCredentials`. */
export function oauth1(account: EmulatedAccount): { accessToken: string; accessTokenSecret: string } {
  return { accessToken: account.accessToken, accessTokenSecret: account.accessTokenSecret };
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function startOne(options: E2eOptions): Promise<E2e> {
  const emulator = await startEmulator({
    consumerKey: E2E_CONSUMER_KEY,
    consumerSecret: E2E_CONSUMER_SECRET,
    retryScale: 0.001,
    crcTimeoutMs: 1_000,
    deliveryTimeoutMs: 1_000,
    ...options.emulator,
  });
  let server: Server | undefined;
  try {
    const handler = createWebhookHandler({
      ...options.handler,
      consumerSecret: E2E_CONSUMER_SECRET,
      ...(options.deduplicator ? { deduplicator: options.deduplicator } : {}),
    });
    const events: AccountActivityEvent[] = [];
    const errors: XAccountActivityError[] = [];
    handler.onAny((event) => {
      events.push(event);
    });
    handler.onError((error) => {
      errors.push(error);
    });
    const sdkListener = toNodeListener(handler);
    const state = { crcMode: 'sdk' as CrcMode, crcRequests: 0 };
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'GET') {
        state.crcRequests += 1;
        const token = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('crc_token') ?? '';
        switch (state.crcMode) {
          case 'wrong-token':
            void createCrcResponse(`${token}x`, E2E_CONSUMER_SECRET).then((answer) => {
              res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
            });
            return;
          case 'status-500':
            res.writeHead(500).end();
            return;
          case 'hang':
            // No answer: the emulator times out and closes the connection.
            return;
          case 'sdk':
            break;
        }
      }
      void sdkListener(req, res);
    });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}${options.path ?? '/webhooks/x'}`;
    const client = new AccountActivityClient({
      baseUrl: emulator.url,
      consumerKey: E2E_CONSUMER_KEY,
      consumerSecret: E2E_CONSUMER_SECRET,
      accessToken: emulator.owner.accessToken,
      accessTokenSecret: emulator.owner.accessTokenSecret,
      apiVersion: options.apiVersion ?? '2',
      timeout: 5_000,
      retry: { limit: 2, baseDelay: 1, maxDelay: 5, maxRetryAfter: 1_000 },
      ...options.client,
    });
    let webhookId: string | undefined;
    let closed = false;
    const e2e: E2e = {
      emulator,
      client,
      handler,
      webhookUrl,
      events,
      errors,
      get crcMode() {
        return state.crcMode;
      },
      set crcMode(mode: CrcMode) {
        state.crcMode = mode;
      },
      get crcRequests() {
        return state.crcRequests;
      },
      get webhookId() {
        if (webhookId === undefined) throw new Error('e2e: register() the webhook first.');
        return webhookId;
      },
      async register() {
        const webhook = await client.webhooks.register(webhookUrl);
        webhookId = webhook.id;
        return webhook;
      },
      async subscribe(...screenNames) {
        const accounts = screenNames.map((name) => emulator.account(name));
        for (const account of accounts) await client.subscriptions.add(e2e.webhookId, oauth1(account));
        return accounts;
      },
      takeEvents() {
        return events.splice(0);
      },
      async close() {
        if (closed) return;
        closed = true;
        await closeServer(listening);
        await emulator.close();
      },
    };
    return e2e;
  } catch (error) {
    if (server) await closeServer(server);
    await emulator.close();
    throw error;
  }
}

/** A set of setups closed together (call `closeAll` in `afterEach`). */
export function createE2eScope(): E2eScope {
  const running: E2e[] = [];
  return {
    async start(options = {}) {
      const e2e = await startOne(options);
      running.push(e2e);
      return e2e;
    },
    async closeAll() {
      for (const e2e of running.splice(0).reverse()) await e2e.close();
    },
  };
}
