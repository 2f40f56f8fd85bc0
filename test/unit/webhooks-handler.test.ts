import { Writable } from 'node:stream';
import { pino } from 'pino';
import { InvalidArgumentError } from '../../src/errors.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CrcTokenError,
  InvalidPayloadError,
  ListenerError,
  PayloadTooLargeError,
  RawBodyError,
  SignatureVerificationError,
  type XAccountActivityError,
} from '../../src/errors.js';
import { type DedupStore, createDeduplicator } from '../../src/events/dedup.js';
import { type Logger, createWebhookHandler } from '../../src/webhooks/handler.js';
import { xCrcAnswer, xSignature } from '../helpers/sign.js';

const SECRET = 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw';
const BODY = JSON.stringify({
  for_user_id: '2244994945',
  favorite_events: [
    {
      id: 'a7ba59eab0bfcba386f7acedac279542',
      created_at: 'Mon Mar 26 16:33:26 +0000 2018',
      timestamp_ms: 1522082006140,
    },
  ],
});

function setup(options: Partial<Parameters<typeof createWebhookHandler>[0]> = {}) {
  const handler = createWebhookHandler({ consumerSecret: SECRET, ...options });
  const events: unknown[] = [];
  const errors: XAccountActivityError[] = [];
  handler.onAny((event) => {
    events.push(event);
  });
  handler.onError((error) => {
    errors.push(error);
  });
  return { handler, events, errors };
}

const post = (body: string | Uint8Array, headers: Record<string, string> = {}) => ({
  method: 'POST',
  url: '/webhook',
  headers,
  body,
});

describe('handleRaw: CRC', () => {
  it('answers a CRC GET with 200 JSON and the right token, for a path or a full URL', async () => {
    const { handler } = setup();
    for (const url of ['/webhook?crc_token=foo', 'https://example.com/webhook?crc_token=foo&nonce=1#x']) {
      const res = await handler.handleRaw({ method: 'GET', url, headers: {} });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.body)).toEqual({ response_token: xCrcAnswer('foo', SECRET) });
    }
    expect(handler.stats().crcAnswered).toBe(2);
  });

  it('decodes the token from the query string before signing it', async () => {
    const { handler } = setup();
    const res = await handler.handleRaw({ method: 'get', url: '/w?crc_token=ab%2Bcd%2F%3D', headers: {} });
    expect(JSON.parse(res.body)).toEqual({ response_token: xCrcAnswer('ab+cd/=', SECRET) });
  });

  it('answers 400 without crc_token, and 400 for a refused token, reporting CrcTokenError', async () => {
    const { handler, errors } = setup();
    const missing = await handler.handleRaw({ method: 'GET', url: '/webhook', headers: {} });
    expect(missing.status).toBe(400);
    const forged = encodeURIComponent(BODY);
    const refused = await handler.handleRaw({ method: 'GET', url: `/webhook?crc_token=${forged}`, headers: {} });
    expect(refused.status).toBe(400);
    expect(refused.body).not.toContain('sha256=');
    expect(errors.map((e) => e.constructor)).toEqual([CrcTokenError, CrcTokenError]);
  });

  it('answers CRC with the first secret of a rotation list', async () => {
    const { handler } = setup({ consumerSecret: ['current', 'previous'] });
    const res = await handler.handleRaw({ method: 'GET', url: '/webhook?crc_token=foo', headers: {} });
    expect(JSON.parse(res.body)).toEqual({ response_token: xCrcAnswer('foo', 'current') });
  });

  describe('v1.1 CRC GET signature over the raw query string', () => {
    const query = 'crc_token=OWY4ODQ2&nonce=MTQ4Nzk3';
    const good = { 'X-Twitter-Webhooks-Signature': xSignature(query, SECRET) };
    const bad = { 'x-twitter-webhooks-signature': xSignature(query, 'other') };

    it('is ignored by default', async () => {
      const { handler } = setup();
      expect((await handler.handleRaw({ method: 'GET', url: `/w?${query}`, headers: bad })).status).toBe(200);
    });

    it("'verify-if-present' refuses a wrong header and accepts a missing one", async () => {
      const { handler, errors } = setup({ crcSignature: 'verify-if-present' });
      expect((await handler.handleRaw({ method: 'GET', url: `/w?${query}`, headers: good })).status).toBe(200);
      expect((await handler.handleRaw({ method: 'GET', url: `/w?${query}`, headers: bad })).status).toBe(401);
      expect((await handler.handleRaw({ method: 'GET', url: `/w?${query}`, headers: {} })).status).toBe(200);
      expect(errors[0]).toBeInstanceOf(SignatureVerificationError);
    });

    it("'require' also refuses a missing header", async () => {
      const { handler } = setup({ crcSignature: 'require' });
      expect((await handler.handleRaw({ method: 'GET', url: `/w?${query}`, headers: good })).status).toBe(200);
      expect((await handler.handleRaw({ method: 'GET', url: `/w?${query}`, headers: {} })).status).toBe(401);
    });
  });
});

describe('handleRaw: deliveries', () => {
  it('verifies, parses and dispatches a signed delivery, then answers 200 with an empty body', async () => {
    const { handler, events, errors } = setup();
    const res = await handler.handleRaw(post(BODY, { 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) }));
    expect(res).toEqual({ status: 200, headers: {}, body: '' });
    expect(events.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(handler.stats()).toMatchObject({ deliveries: 1, verified: 1, rejected: 0, failed: 0 });
  });

  it('finds the signature header in any letter case, in a plain object or a Headers', async () => {
    const { handler, events } = setup();
    const sig = xSignature(BODY, SECRET);
    for (const headers of [
      { 'X-TWITTER-WEBHOOKS-SIGNATURE': sig },
      new Headers({ 'X-Twitter-Webhooks-Signature': sig }),
    ]) {
      expect((await handler.handleRaw({ method: 'POST', url: '/w', headers, body: BODY })).status).toBe(200);
    }
    expect(events.length).toBe(2);
  });

  it('accepts bytes, Buffers and ArrayBuffers as the body', async () => {
    const { handler } = setup();
    const headers = { 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) };
    const bytes = new TextEncoder().encode(BODY);
    for (const body of [bytes, Buffer.from(BODY), bytes.slice().buffer]) {
      expect((await handler.handleRaw({ method: 'POST', url: '/w', headers, body })).status).toBe(200);
    }
  });

  it.each([
    ['missing', {}],
    ['wrong secret', { 'x-twitter-webhooks-signature': xSignature(BODY, 'other') }],
    ['other body', { 'x-twitter-webhooks-signature': xSignature(`${BODY} `, SECRET) }],
    ['garbage', { 'x-twitter-webhooks-signature': 'sha256=nope' }],
  ])('answers 401 and dispatches nothing for a %s signature', async (_case, headers) => {
    const { handler, events, errors } = setup();
    const res = await handler.handleRaw(post(BODY, headers));
    expect(res.status).toBe(401);
    expect(events).toEqual([]);
    expect(errors[0]).toBeInstanceOf(SignatureVerificationError);
  });

  it('answers 413 for a body over maxBodyBytes, counting UTF-8 bytes', async () => {
    const { handler, events, errors } = setup({ maxBodyBytes: 100 });
    const big = JSON.stringify({ text: 'é'.repeat(60) }); // 60 characters of 2 bytes each
    const res = await handler.handleRaw(post(big, { 'x-twitter-webhooks-signature': xSignature(big, SECRET) }));
    expect(res.status).toBe(413);
    expect(events).toEqual([]);
    expect(errors[0]).toBeInstanceOf(PayloadTooLargeError);
    const small = JSON.stringify({ text: 'e'.repeat(60) });
    const ok = await handler.handleRaw(post(small, { 'x-twitter-webhooks-signature': xSignature(small, SECRET) }));
    expect(ok.status).toBe(200);
  });

  it.each(['not json', '[1,2]', '"text"', '42', 'null', ''])(
    'answers 400 for a signed body that is not a JSON object: %j',
    async (body) => {
      const { handler, events, errors } = setup();
      const res = await handler.handleRaw(post(body, { 'x-twitter-webhooks-signature': xSignature(body, SECRET) }));
      expect(res.status).toBe(400);
      expect(events).toEqual([]);
      expect(errors[0]).toBeInstanceOf(InvalidPayloadError);
    },
  );

  it('answers 500 when a listener throws or rejects, after running the others, so that X retries', async () => {
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    const ran: string[] = [];
    const errors: XAccountActivityError[] = [];
    handler.onAny(() => {
      ran.push('sync-throw');
      throw new Error('boom');
    });
    handler.onAny(async () => {
      ran.push('async-ok');
    });
    handler.onError((error) => {
      errors.push(error);
    });
    const res = await handler.handleRaw(post(BODY, { 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) }));
    expect(res.status).toBe(500);
    expect(ran).toEqual(['sync-throw', 'async-ok']);
    expect(errors[0]).toBeInstanceOf(ListenerError);
    expect((errors[0] as ListenerError).cause).toEqual(new Error('boom'));
    expect((errors[0] as ListenerError).message).toMatch(/^A listener for "\w+" failed: Error: boom$/);
    expect(handler.stats().failed).toBe(1);
  });

  it('awaits async listeners before answering', async () => {
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    let finished = false;
    handler.onAny(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    });
    await handler.handleRaw(post(BODY, { 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) }));
    expect(finished).toBe(true);
  });

  it('reports failures in listener order, whether a listener threw or its promise (or thenable) rejected later', async () => {
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    handler.onAny(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('late');
    });
    handler.onAny(() => {
      throw new Error('at once');
    });
    // Not a Promise: an object with a then() that rejects, which must be awaited like one.
    // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test is about.
    handler.onAny(() => ({ then: (_ok: unknown, fail: (reason: unknown) => void) => fail(new Error('thenable')) }));
    handler.onAny(() => 'a value that is not a promise');
    const causes: string[] = [];
    handler.onError((error) => {
      causes.push(String((error.cause as Error).message));
    });
    const res = await handler.handleRaw(post(BODY, { 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) }));
    expect(res.status).toBe(500);
    expect(causes).toEqual(['late', 'at once', 'thenable']);
  });

  it('runs the events of one delivery one after the other, an async listener finishing before the next event', async () => {
    const body = JSON.stringify({
      for_user_id: '2244994945',
      follow_events: [1, 2, 3].map((n) => ({
        type: 'follow',
        created_timestamp: String(1_700_000_000_000 + n),
        source: { id: `${n}`, screen_name: `s${n}`, name: 'S' },
        target: { id: '2244994945', screen_name: 't', name: 'T' },
      })),
    });
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    const log: string[] = [];
    handler.on('follow', (event) => {
      log.push(`sync ${event.source.id}`);
    });
    handler.on('follow', async (event) => {
      log.push(`async start ${event.source.id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`async end ${event.source.id}`);
    });
    const res = await handler.handleRaw(post(body, { 'x-twitter-webhooks-signature': xSignature(body, SECRET) }));
    expect(res.status).toBe(200);
    expect(log).toEqual([1, 2, 3].flatMap((n) => [`sync ${n}`, `async start ${n}`, `async end ${n}`]));
    expect(handler.stats().dispatched).toBe(3);
  });

  it('a throwing onError listener does not change the answer', async () => {
    const logged: string[] = [];
    const logger: Logger = { error: (message) => logged.push(message), warn: (message) => logged.push(message) };
    const handler = createWebhookHandler({ consumerSecret: SECRET, logger });
    handler.onError(() => {
      throw new Error('observer broke');
    });
    const res = await handler.handleRaw(post(BODY, {}));
    expect(res.status).toBe(401);
    expect(logged).toContain('An onError listener threw');
  });

  it('removes listeners with the returned function', async () => {
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    let calls = 0;
    const off = handler.onAny(() => {
      calls++;
    });
    const headers = { 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) };
    await handler.handleRaw(post(BODY, headers));
    off();
    await handler.handleRaw(post(BODY, headers));
    expect(calls).toBe(1);
  });
});

describe('handleRaw: methods and options', () => {
  it.each(['PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'])('answers 405 to %s with an Allow header', async (method) => {
    const { handler } = setup();
    const res = await handler.handleRaw({ method, url: '/webhook', headers: {} });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, POST');
  });

  it('refuses bad options with an InvalidArgumentError', () => {
    expect(() => createWebhookHandler({ consumerSecret: '' })).toThrow(InvalidArgumentError);
    expect(() => createWebhookHandler({ consumerSecret: SECRET, maxBodyBytes: 0 })).toThrow(InvalidArgumentError);
    expect(() => createWebhookHandler({ consumerSecret: SECRET, maxBodyBytes: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => createWebhookHandler({ consumerSecret: SECRET, crcSignature: 'sometimes' as 'require' })).toThrow(
      InvalidArgumentError,
    );
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    expect(() => handler.onAny('not a function' as unknown as () => void)).toThrow(InvalidArgumentError);
  });

  it('takes deduplicators made by createDeduplicator (spread copies too), and refuses hand-made ones saying how', async () => {
    const handMade = { claim: async () => true, release: async () => undefined };
    expect(() => createWebhookHandler({ consumerSecret: SECRET, deduplicator: handMade })).toThrow(
      /deduplicator must come from createDeduplicator\(\) or a store's deduplicator\(\)\. .*spread it: \{ \.\.\.deduplicator, claim \}/,
    );
    expect(() =>
      createWebhookHandler({ consumerSecret: SECRET, deduplicator: null as unknown as typeof handMade }),
    ).not.toThrow(); // no deduplicator at all
    const made = createDeduplicator({ ttlMs: 60_000 });
    const copy = { ...createDeduplicator({ ttlMs: 60_000 }), ttlMs: 30_000 };
    const inner = createDeduplicator({ ttlMs: 60_000 });
    const claimed: string[] = [];
    const wrapped = {
      ...inner,
      claim: async (key: string) => {
        claimed.push(key);
        return inner.claim(key);
      },
    };
    for (const deduplicator of [made, copy, wrapped]) {
      const handler = createWebhookHandler({ consumerSecret: SECRET, deduplicator });
      const signed = post(BODY, { 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) });
      expect((await handler.handleRaw(signed)).status).toBe(200);
      expect((await handler.handleRaw(signed)).status).toBe(200);
      expect(handler.stats()).toMatchObject({ dispatched: 1, duplicates: 1 });
    }
    expect(claimed).toHaveLength(2); // the wrapper's claim() is the one the handler calls
  });

  it('never logs or reports the secret', async () => {
    const lines: string[] = [];
    const record = (message: string, meta?: Record<string, unknown>) =>
      lines.push(message + JSON.stringify(meta ?? {}));
    const logger: Logger = { debug: record, info: record, warn: record, error: record };
    const { handler, errors } = setup({ logger });
    await handler.handleRaw({ method: 'GET', url: '/w?crc_token=foo', headers: {} });
    await handler.handleRaw(post(BODY, {}));
    await handler.handleRaw(post('x', { 'x-twitter-webhooks-signature': xSignature('x', SECRET) }));
    const text = lines.join('\n') + errors.map((e) => `${e.message} ${String(e)}`).join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(text).not.toContain(SECRET);
  });
});

describe('handle: web Request -> Response', () => {
  it('answers CRC, accepts a signed delivery, refuses a forged one', async () => {
    const { handler, events } = setup();
    const crc = await handler.handle(new Request('http://localhost/webhook?crc_token=foo'));
    expect(crc.status).toBe(200);
    expect(crc.headers.get('content-type')).toBe('application/json');
    expect(await crc.json()).toEqual({ response_token: xCrcAnswer('foo', SECRET) });

    const ok = await handler.handle(
      new Request('http://localhost/webhook', {
        method: 'POST',
        body: BODY,
        headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) },
      }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('');
    const forged = await handler.handle(
      new Request('http://localhost/webhook', {
        method: 'POST',
        body: BODY,
        headers: { 'x-twitter-webhooks-signature': xSignature(BODY, 'x') },
      }),
    );
    expect(forged.status).toBe(401);
    expect(events.length).toBe(1);
  });

  it('answers 413 from content-length, and from a streamed body without one', async () => {
    const { handler, events } = setup({ maxBodyBytes: 64 });
    const big = 'x'.repeat(200);
    const declared = await handler.handle(new Request('http://localhost/w', { method: 'POST', body: big }));
    expect(declared.status).toBe(413);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 1000) controller.close();
        else controller.enqueue(new Uint8Array(32));
      },
    });
    const streamed = await handler.handle(
      new Request('http://localhost/w', { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThan(10); // stopped reading soon after the limit
    expect(events).toEqual([]);
  });

  it('reads a body of known length in one arrayBuffer() call, and streams only when the length is unknown', async () => {
    const { handler, events } = setup();
    let buffered = 0;
    class CountingRequest extends Request {
      override arrayBuffer(): Promise<ArrayBuffer> {
        buffered++;
        return super.arrayBuffer();
      }
    }
    const signed = { 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) };
    const known = new CountingRequest('http://localhost/w', {
      method: 'POST',
      body: BODY,
      headers: { ...signed, 'content-length': String(Buffer.byteLength(BODY)) },
    });
    expect((await handler.handle(known)).status).toBe(200);
    expect(buffered).toBe(1);
    const chunked = new CountingRequest('http://localhost/w', {
      method: 'POST',
      body: new Blob([BODY]).stream(),
      headers: signed,
      duplex: 'half',
    } as RequestInit);
    expect((await handler.handle(chunked)).status).toBe(200);
    expect(buffered).toBe(1);
    expect(events.length).toBe(2);
  });

  it('answers 413 when a hand-built Request declares a length within the limit but carries more', async () => {
    const { handler, events } = setup({ maxBodyBytes: 64 });
    const big = 'x'.repeat(200);
    const lying = new Request('http://localhost/w', { method: 'POST', body: big, headers: { 'content-length': '10' } });
    expect((await handler.handle(lying)).status).toBe(413);
    expect(events).toEqual([]);
  });

  it('answers 405 to other methods', async () => {
    const { handler } = setup();
    const res = await handler.handle(new Request('http://localhost/w', { method: 'PUT', body: 'x' }));
    expect(res.status).toBe(405);
  });
});

const FAVORITE = readFileSync(new URL('../fixtures/events/favorite-of-user.json', import.meta.url), 'utf8');

describe('handler with a deduplicator', () => {
  const headers = { 'x-twitter-webhooks-signature': xSignature(FAVORITE, SECRET) };

  it('drops a repeated delivery, and counts it', async () => {
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000 }),
    });
    let calls = 0;
    handler.on('favorite', () => {
      calls++;
    });
    expect((await handler.handleRaw(post(FAVORITE, headers))).status).toBe(200);
    expect((await handler.handleRaw(post(FAVORITE, headers))).status).toBe(200);
    expect(calls).toBe(1);
    expect(handler.stats()).toMatchObject({ dispatched: 1, duplicates: 1 });
  });

  it("releases the claim when a listener fails, so that X's retry is handled", async () => {
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000 }),
    });
    let attempts = 0;
    handler.on('favorite', () => {
      attempts++;
      if (attempts === 1) throw new Error('transient');
    });
    expect((await handler.handleRaw(post(FAVORITE, headers))).status).toBe(500);
    expect((await handler.handleRaw(post(FAVORITE, headers))).status).toBe(200);
    expect((await handler.handleRaw(post(FAVORITE, headers))).status).toBe(200);
    expect(attempts).toBe(2);
  });

  it('dispatches anyway when the store fails, and logs it', async () => {
    const warnings: string[] = [];
    const store: DedupStore = {
      setIfAbsent: () => Promise.reject(new Error('redis down')),
      delete: () => Promise.resolve(),
    };
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000, store }),
      logger: { warn: (message) => warnings.push(message) },
    });
    let calls = 0;
    handler.on('favorite', () => {
      calls++;
    });
    expect((await handler.handleRaw(post(FAVORITE, headers))).status).toBe(200);
    expect(calls).toBe(1);
    expect(warnings.join('\n')).toMatch(/deduplicator failed/);
  });
});

describe('typed listeners', () => {
  it('calls a listener only for its types, and refuses unknown types', async () => {
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    const seen: string[] = [];
    handler.on(['follow', 'favorite'], (event) => {
      seen.push(event.type);
    });
    handler.on('direct_message', (event) => {
      seen.push(event.type);
    });
    await handler.handleRaw(post(FAVORITE, { 'x-twitter-webhooks-signature': xSignature(FAVORITE, SECRET) }));
    expect(seen).toEqual(['favorite']);
    expect(() => handler.on('favourite' as 'favorite', () => undefined)).toThrow(/unknown event type "favourite"/);
  });
});

describe('a retry that overlaps the first attempt (X retries after 3 s)', () => {
  const headers = { 'x-twitter-webhooks-signature': xSignature(FAVORITE, SECRET) };

  it('waits for the first attempt: when it fails, the copy is handled and answered 200', async () => {
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000 }),
    });
    let calls = 0;
    let releaseFirst: () => void = () => undefined;
    const firstMayFail = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    handler.on('favorite', async () => {
      calls++;
      if (calls === 1) {
        await firstMayFail;
        throw new Error('slow and failing');
      }
    });
    const first = handler.handleRaw(post(FAVORITE, headers));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const retry = handler.handleRaw(post(FAVORITE, headers));
    await new Promise((resolve) => setTimeout(resolve, 10));
    releaseFirst();
    expect((await first).status).toBe(500);
    expect((await retry).status).toBe(200);
    expect(calls).toBe(2);
    expect(handler.stats()).toMatchObject({ dispatched: 2, failed: 1, duplicates: 0 });
  });

  it('waits for the first attempt: when it succeeds, the copy is a duplicate answered after it', async () => {
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000 }),
    });
    let calls = 0;
    handler.on('favorite', async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 40));
    });
    const order: string[] = [];
    const first = handler.handleRaw(post(FAVORITE, headers)).then((r) => {
      order.push('first');
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const copy = handler.handleRaw(post(FAVORITE, headers)).then((r) => {
      order.push('copy');
      return r;
    });
    expect([(await first).status, (await copy).status]).toEqual([200, 200]);
    expect(order).toEqual(['first', 'copy']);
    expect(calls).toBe(1);
    expect(handler.stats().duplicates).toBe(1);
  });

  it('protects copies that arrive together, and three overlapping copies', async () => {
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000 }),
    });
    let calls = 0;
    handler.on('favorite', async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (calls === 1) throw new Error('first attempt fails');
    });
    const statuses = (await Promise.all([1, 2, 3].map(() => handler.handleRaw(post(FAVORITE, headers))))).map(
      (r) => r.status,
    );
    // The first fails (500); one copy handles the event (200); the other waits for it (200, duplicate).
    expect(statuses).toEqual([500, 200, 200]);
    expect(calls).toBe(2);
    expect(handler.stats()).toMatchObject({ failed: 1, duplicates: 1 });
  });

  it('answers 503 to a copy when the first attempt is still running after inFlightWaitMs', async () => {
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000 }),
      inFlightWaitMs: 30,
    });
    let unblock: () => void = () => undefined;
    handler.on('favorite', () => new Promise<void>((resolve) => (unblock = resolve)));
    const first = handler.handleRaw(post(FAVORITE, headers));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const copy = await handler.handleRaw(post(FAVORITE, headers));
    expect(copy.status).toBe(503);
    expect(copy.headers['retry-after']).toBe('5');
    unblock();
    expect((await first).status).toBe(200);
  });

  it('a logger that throws changes no answer', async () => {
    const boom = (): void => {
      throw new Error('logger broke');
    };
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({ ttlMs: 60_000 }),
      logger: { debug: boom, info: boom, warn: boom, error: boom },
    });
    handler.on('favorite', () => {
      throw new Error('listener fails');
    });
    expect((await handler.handleRaw(post(FAVORITE, headers))).status).toBe(500);
    expect((await handler.handleRaw(post(FAVORITE, {}))).status).toBe(401);
    expect((await handler.handleRaw({ method: 'GET', url: '/w?crc_token=foo', headers: {} })).status).toBe(200);
  });
});

describe('refuseBody and consumed web Requests', () => {
  it('answers 500 naming the fix when the Request body was already read, and reports it', async () => {
    const { handler, errors, events } = setup();
    const request = new Request('http://localhost/webhook', {
      method: 'POST',
      body: FAVORITE,
      headers: { 'x-twitter-webhooks-signature': xSignature(FAVORITE, SECRET) },
    });
    await request.json();
    const res = await handler.handle(request);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /Pass the untouched Request to handler\.handle\(\)/,
    );
    expect(errors[0]).toBeInstanceOf(RawBodyError);
    expect(events).toEqual([]);
    expect(handler.stats()).toMatchObject({ deliveries: 1, rejected: 1 });
  });

  it('reports what adapters refuse: 413 and consumed bodies', async () => {
    const { handler, errors } = setup();
    expect((await handler.refuseBody('too-large')).status).toBe(413);
    const consumed = await handler.refuseBody('consumed', 'Use express.raw() on this route.');
    expect(consumed.status).toBe(500);
    expect(consumed.body).toContain('Use express.raw() on this route.');
    expect(errors.map((e) => e.name)).toEqual(['PayloadTooLargeError', 'RawBodyError']);
    expect(handler.stats()).toMatchObject({ deliveries: 2, rejected: 2 });
  });
});

describe('v1.1 CRC signature when the webhook URL has its own query', () => {
  it('accepts a signature over crc_token and nonce only, or over the whole query', async () => {
    const { handler } = setup({ crcSignature: 'require' });
    const own = 'crc_token=OWY4ODQ2&nonce=MTQ4Nzk3';
    const url = `/webhook?env=prod&${own}`;
    const overOwn = { 'x-twitter-webhooks-signature': xSignature(own, SECRET) };
    const overAll = { 'x-twitter-webhooks-signature': xSignature(`env=prod&${own}`, SECRET) };
    const forged = { 'x-twitter-webhooks-signature': xSignature(`env=dev&${own}`, 'other') };
    expect((await handler.handleRaw({ method: 'GET', url, headers: overOwn })).status).toBe(200);
    expect((await handler.handleRaw({ method: 'GET', url, headers: overAll })).status).toBe(200);
    expect((await handler.handleRaw({ method: 'GET', url, headers: forged })).status).toBe(401);
  });

  it('refuses a captured signature carried with another, percent-encoded crc_token', async () => {
    const { handler } = setup({ crcSignature: 'require' });
    const own = 'crc_token=OWY4ODQ2&nonce=MTQ4Nzk3';
    const headers = { 'x-twitter-webhooks-signature': xSignature(own, SECRET) };
    for (const url of [`/w?crc%5Ftoken=EVIL&${own}`, `/w?%63rc_token=EVIL&${own}`, `/w?env=1&crc_token=EVIL&${own}`]) {
      const res = await handler.handleRaw({ method: 'GET', url, headers });
      expect(res.status).toBe(400);
      expect(res.body).not.toContain('sha256=');
    }
  });

  it('refuses two crc_token parameters in every mode', async () => {
    const { handler } = setup();
    const res = await handler.handleRaw({ method: 'GET', url: '/w?crc_token=a&crc_token=b', headers: {} });
    expect(res.status).toBe(400);
  });
});

describe('listeners that return values, and loggers of both styles', () => {
  it('answers 200 when a listener returns a value, and 500 when the promise it returns rejects', async () => {
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    const returned: unknown[] = [];
    handler.onAny((event) => {
      returned.push(event.type);
      return event.type;
    });
    const headers = { 'x-twitter-webhooks-signature': xSignature(BODY, SECRET) };
    expect((await handler.handleRaw({ method: 'POST', url: '/w', headers, body: BODY })).status).toBe(200);
    handler.onAny(() => Promise.reject(new Error('storage down')));
    expect((await handler.handleRaw({ method: 'POST', url: '/w', headers, body: BODY })).status).toBe(500);
    expect(returned.length).toBe(2);
  });

  it('says which signature check failed, in the answer, the error and the log, never echoing the signature', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      logger: { warn: (message) => lines.push(message) },
    });
    handler.onError((error) => errors.push(error.message));
    const wrong = xSignature(BODY, 'another secret');
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /^Missing x-twitter-webhooks-signature header/],
      [{ 'x-twitter-webhooks-signature': 'sha256=short' }, /^Malformed x-twitter-webhooks-signature header/],
      [{ 'x-twitter-webhooks-signature': wrong }, /does not match the raw body/],
    ];
    for (const [headers, reason] of cases) {
      const res = await handler.handleRaw({ method: 'POST', url: '/w', headers, body: BODY });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error).toMatch(reason);
    }
    expect(lines.map((line) => cases.findIndex(([, reason]) => reason.test(line)))).toEqual([0, 1, 2]);
    expect(errors.map((line) => cases.findIndex(([, reason]) => reason.test(line)))).toEqual([0, 1, 2]);
    expect([...lines, ...errors].join('\n')).not.toContain(wrong.slice(7));
  });

  it('keeps every metadata field with a real pino logger, called as (fields, message)', async () => {
    const written: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, destination);
    const handler = createWebhookHandler({ consumerSecret: SECRET, logger });
    await handler.handleRaw({ method: 'POST', url: '/w', headers: {}, body: BODY });
    const refused = written
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line['status'] === 401);
    expect(refused).toMatchObject({
      msg: 'Missing x-twitter-webhooks-signature header.',
      status: 401,
      error: 'SignatureVerificationError',
    });
  });

  it('calls a console-style logger as (message, fields)', async () => {
    const calls: unknown[][] = [];
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      logger: { warn: (...args: unknown[]) => calls.push(args) },
    });
    await handler.handleRaw({ method: 'POST', url: '/w', headers: {}, body: BODY });
    expect(calls).toEqual([
      ['Missing x-twitter-webhooks-signature header.', { status: 401, error: 'SignatureVerificationError' }],
    ]);
  });
});

describe('hostile bodies, stores, listeners and loggers (found by fuzzing one receiver)', () => {
  it('answers (never rejects) when the body stream errors mid-upload, and reports it', async () => {
    const errors: string[] = [];
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    handler.onError((error) => errors.push(error.name));
    let sent = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === 0) controller.enqueue(new TextEncoder().encode('{"for_user_id":'));
        else controller.error(new Error('client aborted'));
      },
    });
    const res = await handler.handle(
      new Request('http://localhost/w', { method: 'POST', body: broken, duplex: 'half' } as RequestInit),
    );
    expect(res.status).toBe(400);
    expect(handler.stats()).toMatchObject({ deliveries: 1, rejected: 1, dispatched: 0 });
    expect(errors).toEqual(['RawBodyError']);
  });

  it('answers 500 naming the fix when the body stream is locked by another reader', async () => {
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    const request = new Request('http://localhost/w', { method: 'POST', body: BODY });
    request.body?.getReader();
    const res = await handler.handle(request);
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/already read/);
  });

  it('a logger, onError listener or store that throws an unprintable value changes no answer and blocks no later copy', async () => {
    const unprintable = {
      toString() {
        throw new Error('no string for you');
      },
    };
    const throwing = () => {
      throw unprintable;
    };
    let claims = 0;
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      logger: { warn: throwing, error: throwing },
      deduplicator: createDeduplicator({
        ttlMs: 60_000,
        store: {
          setIfAbsent: async () => {
            claims++;
            if (claims === 1) throw unprintable;
            return true;
          },
          delete: async () => undefined,
        },
      }),
    });
    handler.onError(throwing);
    const headers = { 'x-twitter-webhooks-signature': xSignature(FAVORITE, SECRET) };
    const first = await handler.handleRaw({ method: 'POST', url: '/w', headers, body: FAVORITE });
    expect(first.status).toBe(200); // the store failed: dispatched anyway
    const again = await handler.handleRaw({ method: 'POST', url: '/w', headers, body: FAVORITE });
    expect(again.status).toBe(200);
    const refused = await handler.handleRaw({ method: 'POST', url: '/w', headers: {}, body: FAVORITE });
    expect(refused.status).toBe(401);
  });

  it("when the store cannot release a failed event, X's retry is handled, not dropped as a duplicate", async () => {
    const claimed = new Set<string>();
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      deduplicator: createDeduplicator({
        ttlMs: 60_000,
        store: {
          setIfAbsent: async (key) => {
            if (claimed.has(key)) return false;
            claimed.add(key);
            return true;
          },
          delete: () => Promise.reject(new Error('store down')),
        },
      }),
    });
    let calls = 0;
    handler.on('favorite', () => {
      calls++;
      if (calls === 1) throw new Error('listener failed');
    });
    const headers = { 'x-twitter-webhooks-signature': xSignature(FAVORITE, SECRET) };
    expect((await handler.handleRaw({ method: 'POST', url: '/w', headers, body: FAVORITE })).status).toBe(500);
    expect((await handler.handleRaw({ method: 'POST', url: '/w', headers, body: FAVORITE })).status).toBe(200);
    expect(calls).toBe(2);
    // Handled once it succeeded: a third copy is a duplicate again.
    expect((await handler.handleRaw({ method: 'POST', url: '/w', headers, body: FAVORITE })).status).toBe(200);
    expect(calls).toBe(2);
  });
});

describe('more hostile inputs', () => {
  it('a store whose setIfAbsent resolves a non-boolean is a store failure: the event is dispatched, not dropped', async () => {
    const warnings: string[] = [];
    const handler = createWebhookHandler({
      consumerSecret: SECRET,
      logger: { warn: (message) => warnings.push(message) },
      deduplicator: createDeduplicator({
        ttlMs: 60_000,
        // A forgotten `return`: resolves undefined.
        store: { setIfAbsent: async () => undefined as unknown as boolean, delete: async () => undefined },
      }),
    });
    let calls = 0;
    handler.on('favorite', () => {
      calls++;
    });
    const headers = { 'x-twitter-webhooks-signature': xSignature(FAVORITE, SECRET) };
    expect((await handler.handleRaw({ method: 'POST', url: '/w', headers, body: FAVORITE })).status).toBe(200);
    expect(calls).toBe(1);
    expect(warnings.some((w) => /deduplicator failed/.test(w))).toBe(true);
  });

  it('a signed text body with a byte order mark is parsed like the same bytes', async () => {
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    const types: string[] = [];
    handler.onAny((event) => {
      types.push(event.type);
    });
    const text = `\uFEFF${FAVORITE}`;
    const headers = { 'x-twitter-webhooks-signature': xSignature(text, SECRET) };
    expect((await handler.handleRaw({ method: 'POST', url: '/w', headers, body: text })).status).toBe(200);
    expect(
      (await handler.handleRaw({ method: 'POST', url: '/w', headers, body: new TextEncoder().encode(text) })).status,
    ).toBe(200);
    expect(types).toEqual(['favorite', 'favorite']);
  });
});
