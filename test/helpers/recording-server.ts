/**
 * A real node:http server on 127.0.0.1 that stands in for api.x.com in client tests.
 *
 * It records every request (method, path, query, body, the parsed OAuth 1.0a parameters, the bearer
 * token, Basic credentials), recomputes each OAuth 1.0a HMAC-SHA1 signature with its own code (not
 * the client's) and answers 401/32 to a wrong signature or a reused nonce, and otherwise plays the
 * responses scripted per route: success variants, error bodies, 429 with headers, delays, dropped
 * connections. `POST /oauth2/token` answers a bearer token for the right Basic credentials by default.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { AccountActivityClient, type AccountActivityClientOptions } from '../../src/client/index.js';

/** One scripted answer. */
export interface ScriptedResponse {
  /** @default 200 */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object or array is sent as JSON; a string as is; undefined sends no body. */
  readonly body?: unknown;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Destroy the socket instead of answering (a network error for the client). */
  readonly destroy?: boolean;
}

/** How a request authenticated. */
export type RecordedAuth =
  | { readonly kind: 'oauth1'; readonly params: Readonly<Record<string, string>>; readonly valid: boolean }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly user: string; readonly password: string }
  | { readonly kind: 'none' };

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly auth: RecordedAuth;
}

/** Credentials the server accepts. */
export interface RecordingServerOptions {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  /** Access token -> token secret, for every user whose OAuth 1.0a signatures are checked. */
  readonly tokens: Readonly<Record<string, string>>;
  /** The bearer token `POST /oauth2/token` hands out. @default 'app-bearer-token' */
  readonly bearerToken?: string;
}

const rfc3986 = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function parseOAuthHeader(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of header.slice('OAuth '.length).matchAll(/([a-z_]+)="([^"]*)"/g)) {
    params[decodeURIComponent(match[1] as string)] = decodeURIComponent(match[2] as string);
  }
  return params;
}

/** The HMAC-SHA1 signature RFC 5849 §3.4 prescribes, computed independently of the client. */
export function expectedSignature(
  method: string,
  baseUrl: string,
  rawQuery: string,
  oauth: Readonly<Record<string, string>>,
  consumerSecret: string,
  tokenSecret: string,
): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery === '' ? [] : rawQuery.split('&')) {
    const [key = '', value = ''] = part.split('=');
    pairs.push([rfc3986(decodeURIComponent(key)), rfc3986(decodeURIComponent(value))]);
  }
  for (const [key, value] of Object.entries(oauth)) {
    if (key !== 'oauth_signature') pairs.push([rfc3986(key), rfc3986(value)]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const normalized = pairs.map(([key, value]) => `${key}=${value}`).join('&');
  const base = `${method.toUpperCase()}&${rfc3986(baseUrl)}&${rfc3986(normalized)}`;
  return createHmac('sha1', `${rfc3986(consumerSecret)}&${rfc3986(tokenSecret)}`)
    .update(base)
    .digest('base64');
}

const AUTH_FAILED = { errors: [{ code: 32, message: 'Could not authenticate you.' }] };

/** The recording server. */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #options: RecordingServerOptions;
  readonly #routes = new Map<string, ScriptedResponse[]>();
  readonly #nonces = new Set<string>();
  #url: string | undefined;

  /** A server that is not listening yet: see {@link RecordingServer.listen}. */
  constructor(options: RecordingServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  /** Starts a server on 127.0.0.1 and an ephemeral port. */
  static start(options: RecordingServerOptions): Promise<RecordingServer> {
    return new RecordingServer(options).listen();
  }

  /** The base URL, once listening. */
  get url(): string {
    if (this.#url === undefined) throw new Error('RecordingServer: not listening yet');
    return this.#url;
  }

  /** Listens on 127.0.0.1 and an ephemeral port. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}`;
    return this;
  }

  /** Scripts the answers of `method path`: played in order, the last one repeats. */
  reply(method: string, path: string, ...responses: ScriptedResponse[]): this {
    this.#routes.set(`${method.toUpperCase()} ${path}`, responses);
    return this;
  }

  /** Forgets the scripts and recorded requests (nonces stay remembered). */
  reset(): void {
    this.#routes.clear();
    this.requests.length = 0;
  }

  /** The recorded requests to `path` (any method), or all with no argument. */
  seen(path?: string): RecordedRequest[] {
    return path === undefined ? [...this.requests] : this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((e) => (e ? reject(e) : resolve())));
  }

  #auth(method: string, header: string | undefined, path: string, rawQuery: string): RecordedAuth {
    if (header === undefined) return { kind: 'none' };
    if (header.startsWith('Bearer ')) return { kind: 'bearer', token: header.slice(7) };
    if (header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return {
        kind: 'basic',
        user: decodeURIComponent(decoded.slice(0, colon)),
        password: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
    if (header.startsWith('OAuth ')) {
      const params = parseOAuthHeader(header);
      const tokenSecret = this.#options.tokens[params['oauth_token'] ?? ''];
      const nonce = params['oauth_nonce'] ?? '';
      let valid =
        tokenSecret !== undefined &&
        params['oauth_consumer_key'] === this.#options.consumerKey &&
        params['oauth_signature_method'] === 'HMAC-SHA1' &&
        params['oauth_version'] === '1.0' &&
        /^[0-9]+$/.test(params['oauth_timestamp'] ?? '') &&
        nonce !== '' &&
        !this.#nonces.has(nonce);
      if (valid) {
        const expected = expectedSignature(
          method,
          `${this.url}${path}`,
          rawQuery,
          params,
          this.#options.consumerSecret,
          tokenSecret as string,
        );
        valid = expected === params['oauth_signature'];
      }
      this.#nonces.add(nonce);
      return { kind: 'oauth1', params, valid };
    }
    return { kind: 'none' };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const rawQuery = q === -1 ? '' : target.slice(q + 1);
    const method = req.method ?? 'GET';
    const auth = this.#auth(method, req.headers.authorization, path, rawQuery);
    const query = Object.fromEntries(new URLSearchParams(rawQuery));
    this.requests.push({ method, path, query, rawQuery, headers: { ...req.headers }, body, auth });

    if (auth.kind === 'oauth1' && !auth.valid) return send(res, { status: 401, body: AUTH_FAILED });

    const key = `${method} ${path}`;
    const script = this.#routes.get(key);
    let response: ScriptedResponse | undefined;
    if (script && script.length > 0) response = script.length > 1 ? script.shift() : script[0];
    else if (key === 'POST /oauth2/token') response = this.#token(auth, body);
    if (!response) {
      return send(res, { status: 500, body: { errors: [{ message: `unscripted route ${key}` }] } });
    }
    if (response.delayMs) await new Promise((resolve) => setTimeout(resolve, response.delayMs));
    if (response.destroy) {
      req.socket.destroy();
      return;
    }
    send(res, response);
  }

  #token(auth: RecordedAuth, body: string): ScriptedResponse {
    const ok =
      auth.kind === 'basic' &&
      auth.user === this.#options.consumerKey &&
      auth.password === this.#options.consumerSecret &&
      body === 'grant_type=client_credentials';
    if (!ok)
      return {
        status: 403,
        body: {
          errors: [{ code: 99, label: 'authenticity_token_error', message: 'Unable to verify your credentials' }],
        },
      };
    return {
      status: 200,
      body: { token_type: 'bearer', access_token: this.#options.bearerToken ?? 'app-bearer-token' },
    };
  }
}

function send(res: ServerResponse, response: ScriptedResponse): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...response.headers };
  let payload: string | undefined;
  if (typeof response.body === 'string') payload = response.body;
  else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(payload);
}

/** Credentials the client tests use (fake, and distinctive so that leak checks can search for them). */
export const TEST_CREDENTIALS = {
  consumerKey: 'ck-CONSUMERKEY-1111',
  consumerSecret: 'cs-CONSUMERSECRET-2222',
  accessToken: '100-OWNERTOKEN-3333',
  accessTokenSecret: 'ots-OWNERTOKENSECRET-4444',
} as const;

/** A subscribing user's OAuth 1.0a tokens. */
export const TEST_SUBSCRIBER = {
  accessToken: '200-USERTOKEN-5555',
  accessTokenSecret: 'uts-USERTOKENSECRET-6666',
} as const;

/** The default bearer token of {@link startRecordingServer} and {@link useRecordingServer}. */
const TEST_BEARER = 'app-bearer-TOKEN-7777';

/** A recording server, not listening yet, that knows {@link TEST_CREDENTIALS} and {@link TEST_SUBSCRIBER}. */
function testRecordingServer(bearerToken: string): RecordingServer {
  return new RecordingServer({
    consumerKey: TEST_CREDENTIALS.consumerKey,
    consumerSecret: TEST_CREDENTIALS.consumerSecret,
    tokens: {
      [TEST_CREDENTIALS.accessToken]: TEST_CREDENTIALS.accessTokenSecret,
      [TEST_SUBSCRIBER.accessToken]: TEST_SUBSCRIBER.accessTokenSecret,
    },
    bearerToken,
  });
}

/** Starts a recording server that knows {@link TEST_CREDENTIALS} and {@link TEST_SUBSCRIBER}. */
export function startRecordingServer(bearerToken = TEST_BEARER): Promise<RecordingServer> {
  return testRecordingServer(bearerToken).listen();
}

/**
 * The recording server of a client test file (it knows {@link TEST_CREDENTIALS} and
 * {@link TEST_SUBSCRIBER}): listening before the file's tests, its scripts and records cleared before
 * each test, closed after the last one. Call it at the top level of the file.
 */
export function useRecordingServer(bearerToken = TEST_BEARER): RecordingServer {
  const server = testRecordingServer(bearerToken);
  beforeAll(async () => {
    await server.listen();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());
  return server;
}

/**
 * A client of {@link TEST_CREDENTIALS} pointed at `server`, retrying after 1-2 ms; `options` go over
 * those.
 */
export function recordingClient(
  server: RecordingServer,
  options: Partial<AccountActivityClientOptions> = {},
): AccountActivityClient {
  return new AccountActivityClient({
    ...TEST_CREDENTIALS,
    baseUrl: server.url,
    retry: { baseDelay: 1, maxDelay: 2 },
    ...options,
  });
}
