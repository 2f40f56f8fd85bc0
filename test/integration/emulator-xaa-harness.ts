/**
 * Shared harness of the emulator-xaa*.test.ts files: the emulator on 127.0.0.1:0, plain fetch calls
 * signed here (app bearer, OAuth 1.0a with oauth-1.0a and node:crypto, OAuth 2.0 user bearer), a real
 * webhook receiver built with the library (createWebhookHandler + toNodeListener) that answers CRC
 * and records every verified, parsed event, and an NDJSON stream reader.
 */
import { afterEach, expect } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import type { AccountActivityEvent } from '../../src/events/types.js';
import type { EmulatedAccount, Emulator, EmulatorOptions } from '../../src/testing/index.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';
import { oauth1Signer, startTestEmulator } from '../helpers/emulator.js';
import { listen } from '../helpers/server.js';

export const KEY = 'xaa-consumer-key';
export const SECRET = 'xaa-consumer-secret';
const APP = { consumerKey: KEY, consumerSecret: SECRET };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Starts an emulator closed after the test (fast retries, small timeouts). */
export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startTestEmulator(APP, { crcTimeoutMs: 1_000, deliveryTimeoutMs: 1_000, ...options });
  closers.push(() => emu.close());
  return emu;
}

const oauth = oauth1Signer(APP);

/** How a call authenticates: the app bearer, nothing, OAuth 1.0a as an account, or an OAuth 2.0 user bearer. */
export type Auth = 'app' | 'none' | EmulatedAccount | { readonly oauth2: EmulatedAccount };

/** A call's answer. */
export interface Call {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test-side JSON access
  readonly json: any;
}

/** One request with plain fetch. */
export async function call(emu: Emulator, method: string, path: string, auth: Auth, body?: unknown): Promise<Call> {
  const url = emu.url + path;
  const headers: Record<string, string> = {};
  if (auth === 'app') headers.authorization = `Bearer ${emu.bearerToken}`;
  else if (auth !== 'none' && 'oauth2' in auth) headers.authorization = `Bearer ${auth.oauth2.oauth2AccessToken}`;
  else if (auth !== 'none') {
    const signed = oauth.authorize({ url, method }, { key: auth.accessToken, secret: auth.accessTokenSecret });
    headers.authorization = oauth.toHeader(signed).Authorization;
  }
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) };
}

/** `errors[0].message` up to the colon: the reason of a v2 invalid-request problem. */
export const reason = (c: Call): string => String(c.json?.errors?.[0]?.message ?? '').split(':')[0] ?? '';

/** A webhook app made with the library, on 127.0.0.1:0. */
export interface Receiver {
  readonly url: string;
  /** Every event the handler dispatched, in order. */
  readonly events: AccountActivityEvent[];
  /** Statuses to answer POSTs with, in order (the last repeats); the handler answers when `[]`. */
  statuses: number[];
}

/** Starts a receiver: CRC and signature checks by the library's handler, events recorded. */
export async function receiver(): Promise<Receiver> {
  const handler = createWebhookHandler({ consumerSecret: SECRET });
  const events: AccountActivityEvent[] = [];
  handler.onAny((event) => {
    events.push(event);
  });
  const listener = toNodeListener(handler);
  const state = { statuses: [] as number[] };
  const server = await listen((req, res) => {
    if (req.method === 'POST' && state.statuses.length > 0) {
      const status = state.statuses.length > 1 ? state.statuses.shift()! : state.statuses[0]!;
      if (status !== 200) {
        req.resume();
        req.on('end', () => res.writeHead(status).end());
        return;
      }
    }
    void listener(req, res);
  });
  closers.push(server.close);
  return Object.assign(state, { url: `${server.url}/webhooks/x`, events });
}

/** Registers a webhook through `POST /2/webhooks` (the CRC runs against the receiver). */
export async function registerWebhook(emu: Emulator, url: string): Promise<string> {
  const res = await call(emu, 'POST', '/2/webhooks', 'app', { url });
  expect(res.status).toBe(200);
  return res.json.data.id as string;
}

/** Creates an XAA subscription; returns its id (OpenAPI envelope). */
export async function subscribe(
  emu: Emulator,
  auth: Auth,
  body: { event_type: string; filter: Record<string, string>; tag?: string; webhook_id?: string },
): Promise<string> {
  const res = await call(emu, 'POST', '/2/activity/subscriptions', auth, body);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.data.subscription.subscription_id as string;
}

/** An open `/2/activity/stream` connection read line by line. */
export interface StreamReader {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed event lines, in order. */
  readonly events: Record<string, unknown>[];
  /** Raw event lines, in order. */
  readonly lines: string[];
  /** Blank keep-alive lines seen. */
  readonly keepAlives: number;
  /** Resolves when the body ended cleanly (`'end'`) or failed (`'error'`). */
  readonly done: Promise<'end' | 'error'>;
  /** Resolves once `predicate` holds (checked on every line), or rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Aborts the request (the client side closes). */
  close(): void;
}

/** Opens the stream with the app bearer (or `auth`) and reads it in the background. */
export async function openStream(emu: Emulator, query = '', auth: Auth = 'app'): Promise<StreamReader> {
  const controller = new AbortController();
  const headers: Record<string, string> = {};
  if (auth === 'app') headers.authorization = `Bearer ${emu.bearerToken}`;
  else if (auth !== 'none' && 'oauth2' in auth) headers.authorization = `Bearer ${auth.oauth2.oauth2AccessToken}`;
  const res = await fetch(`${emu.url}/2/activity/stream${query}`, { headers, signal: controller.signal });
  const state = { keepAlives: 0 };
  const events: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of waiters) w();
  };
  let buffer = '';
  const done = (async (): Promise<'end' | 'error'> => {
    const body = res.body?.getReader();
    if (!body) return 'end';
    const decoder = new TextDecoder();
    try {
      for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) {
        buffer += decoder.decode(chunk.value, { stream: true });
        let at = buffer.indexOf('\r\n');
        while (at >= 0) {
          const line = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          if (line === '') state.keepAlives += 1;
          else {
            lines.push(line);
            events.push(JSON.parse(line) as Record<string, unknown>);
          }
          at = buffer.indexOf('\r\n');
        }
        wake();
      }
      return 'end';
    } catch {
      return 'error';
    } finally {
      wake();
    }
  })();
  const reader: StreamReader = {
    status: res.status,
    headers: res.headers,
    events,
    lines,
    get keepAlives() {
      return state.keepAlives;
    },
    done,
    until(predicate, timeoutMs = 3_000) {
      if (predicate()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`stream: condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close: () => controller.abort(),
  };
  closers.push(async () => {
    controller.abort();
    await done;
  });
  return reader;
}
