// toNodeListener with real servers on 127.0.0.1 (node:http, Express 5, a Connect-style chain) and the
// documented Fastify recipe, called with real fetch.
import { InvalidArgumentError } from '../../src/errors.js';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { createWebhookHandler } from '../../src/webhooks/handler.js';
import { type Started, listen } from '../helpers/server.js';
import { xCrcAnswer, xSignature } from '../helpers/sign.js';

const SECRET = 'node-adapter-secret';
const BODY = JSON.stringify({
  for_user_id: '4337869213',
  direct_message_indicate_typing_events: [
    { created_timestamp: '1518127183443', sender_id: '3284025577', target: { recipient_id: '4337869213' } },
  ],
  users: {},
});

let started: Started[] = [];
afterEach(async () => {
  await Promise.all(started.map((s) => s.close()));
  started = [];
});

async function serve(app: Parameters<typeof listen>[0]): Promise<string> {
  const s = await listen(app);
  started.push(s);
  return s.url;
}

function makeHandler(maxBodyBytes?: number) {
  const handler = createWebhookHandler({ consumerSecret: SECRET, ...(maxBodyBytes ? { maxBodyBytes } : {}) });
  const types: string[] = [];
  handler.onAny((event) => {
    types.push(event.type);
  });
  return { handler, types };
}

const signedPost = (body: string, secret = SECRET): RequestInit => ({
  method: 'POST',
  body,
  headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': xSignature(body, secret) },
});

/** The behaviour every server integration must show. */
async function expectFullContract(url: string, types: string[]): Promise<void> {
  const crc = await fetch(`${url}?crc_token=foo`);
  expect(crc.status).toBe(200);
  // Fastify appends "; charset=utf-8" to the type the handler sets.
  expect(crc.headers.get('content-type')).toMatch(/^application\/json(; charset=utf-8)?$/);
  expect(await crc.json()).toEqual({ response_token: xCrcAnswer('foo', SECRET) });

  expect((await fetch(url)).status).toBe(400);

  const ok = await fetch(url, signedPost(BODY));
  expect(ok.status).toBe(200);
  expect(await ok.text()).toBe('');
  expect(types.length).toBe(1);

  const forged = await fetch(url, signedPost(BODY, 'not-the-secret'));
  expect(forged.status).toBe(401);
  const unsigned = await fetch(url, { method: 'POST', body: BODY, headers: { 'content-type': 'application/json' } });
  expect(unsigned.status).toBe(401);
  expect(types.length).toBe(1);

  const malformed = await fetch(url, signedPost('{"for_user_id":'));
  expect(malformed.status).toBe(400);
}

describe('node:http', () => {
  it('answers every case of the contract', async () => {
    const { handler, types } = makeHandler();
    const url = await serve(toNodeListener(handler));
    await expectFullContract(`${url}/webhook`, types);
    expect((await fetch(`${url}/webhook`, { method: 'DELETE' })).status).toBe(405);
  });

  it('answers 500 when a listener throws, so that X retries', async () => {
    const handler = createWebhookHandler({ consumerSecret: SECRET });
    handler.on('direct_message_typing', () => {
      throw new Error('database down');
    });
    handler.on('unknown', () => {
      throw new Error('database down');
    });
    const url = await serve(toNodeListener(handler));
    const res = await fetch(url, signedPost(BODY));
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('database down');
  });

  it('answers 413 from content-length at once, while the client is still sending, and reports it', async () => {
    const { handler, types } = makeHandler(256);
    const errors: string[] = [];
    handler.onError((error) => {
      errors.push(error.name);
    });
    const url = await serve(toNodeListener(handler));
    // Declares 10 MB, sends 1 kB and then nothing: only an answer that does not wait for the body
    // can arrive.
    const { status, sent } = await postWithoutEnd(url, { 'content-length': String(10 * 1024 * 1024) });
    expect(status).toBe(413);
    expect(sent).toBe(1024);
    expect(types).toEqual([]);
    expect(errors).toEqual(['PayloadTooLargeError']);
    expect(handler.stats()).toMatchObject({ deliveries: 1, rejected: 1 });
  });

  it('answers 413 for a chunked body once it passes the limit, without waiting for its end', async () => {
    const { handler, types } = makeHandler(4096);
    const url = await serve(toNodeListener(handler));
    // Chunked, no length: 1 kB every 5 ms until the answer arrives (at most 200 chunks).
    const { status, sent } = await postWithoutEnd(url, { 'transfer-encoding': 'chunked' }, { every: 5, max: 200 });
    expect(status).toBe(413);
    expect(sent).toBeLessThan(200 * 1024);
    expect(types).toEqual([]);
  });

  it('reads a stream that earlier middleware paused, instead of hanging', async () => {
    const { handler, types } = makeHandler();
    const listener = toNodeListener(handler);
    const url = await serve((req: IncomingMessage, res: ServerResponse) => {
      req.pause();
      setTimeout(() => void listener(req, res), 5);
    });
    const res = await fetch(url, { ...signedPost(BODY), signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(types.length).toBe(1);
  });

  it('uses a pre-buffered req.rawBody (Buffer or string)', async () => {
    for (const asString of [false, true]) {
      const { handler, types } = makeHandler();
      const listener = toNodeListener(handler);
      const url = await serve((req: IncomingMessage & { rawBody?: unknown }, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          req.rawBody = asString ? raw.toString('utf8') : raw;
          void listener(req, res);
        });
      });
      expect((await fetch(url, signedPost(BODY))).status).toBe(200);
      expect(types.length).toBe(1);
    }
  });

  it('answers 500 naming the fix, and does not hang, when the stream was already consumed', async () => {
    const { handler, types } = makeHandler();
    const errors: string[] = [];
    handler.onError((error) => {
      errors.push(error.name);
    });
    const listener = toNodeListener(handler);
    const url = await serve((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => void listener(req, res));
    });
    const res = await fetch(url, { ...signedPost(BODY), signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(500);
    expect((await res.json()).error).toMatch(/express\.raw\(\{ type: 'application\/json' \}\)/);
    expect(types).toEqual([]);
    expect(errors).toEqual(['RawBodyError']);
  });
});

describe('Express 5', () => {
  it('works with express.raw on the route', async () => {
    const { handler, types } = makeHandler();
    const app = express();
    app.all('/webhook', express.raw({ type: 'application/json' }), toNodeListener(handler));
    const url = await serve(createServer(app));
    await expectFullContract(`${url}/webhook`, types);
  });

  it('works mounted with app.use, without any body parser', async () => {
    const { handler, types } = makeHandler();
    const app = express();
    app.use('/hooks/x', toNodeListener(handler));
    const url = await serve(createServer(app));
    await expectFullContract(`${url}/hooks/x`, types);
  });

  it('works with express.json({ verify }) keeping req.rawBody', async () => {
    const { handler, types } = makeHandler();
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
        },
      }),
    );
    app.all('/webhook', toNodeListener(handler));
    const url = await serve(createServer(app));
    await expectFullContract(`${url}/webhook`, types);
  });

  it('answers 500 naming express.raw when express.json consumed the body', async () => {
    const { handler, types } = makeHandler();
    const app = express();
    app.use(express.json());
    app.all('/webhook', toNodeListener(handler));
    const url = await serve(createServer(app));
    const res = await fetch(`${url}/webhook`, { ...signedPost(BODY), signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(500);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain("express.raw({ type: 'application/json' })");
    expect(types).toEqual([]);
    // CRC still works: GETs carry no body.
    expect((await fetch(`${url}/webhook?crc_token=foo`)).status).toBe(200);
  });
});

describe('Connect-style middleware chain', () => {
  it('runs as (req, res, next) behind another middleware', async () => {
    const { handler, types } = makeHandler();
    const listener = toNodeListener(handler);
    const calls: string[] = [];
    const url = await serve((req: IncomingMessage, res: ServerResponse) => {
      const chain = [
        (_q: IncomingMessage, _s: ServerResponse, next: () => void) => {
          calls.push('logger');
          next();
        },
        listener,
      ];
      let index = 0;
      const next = (error?: unknown): void => {
        if (error) {
          res.writeHead(599).end();
          return;
        }
        const fn = chain[index++];
        if (fn) void fn(req, res, next);
      };
      next();
    });
    await expectFullContract(url, types);
    expect(calls.length).toBeGreaterThan(0);
  });
});

describe('Fastify 5 recipe', () => {
  it('keeps the raw bytes with parseAs: buffer and hands them to handleRaw', async () => {
    const { handler, types } = makeHandler();
    const app = Fastify();
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });
    app.route({
      method: ['GET', 'POST'],
      url: '/webhook',
      handler: async (request, reply) => {
        const result = await handler.handleRaw({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: request.body as Buffer | undefined,
        });
        return reply.code(result.status).headers(result.headers).send(result.body);
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      await expectFullContract(`http://127.0.0.1:${port}/webhook`, types);
    } finally {
      await app.close();
    }
  });
});

/**
 * POSTs with node:http and never ends the body: writes 1 kB at once, then (with `every`) 1 kB per
 * tick, until the response arrives or `max` chunks were written. Resolves with the status and the
 * bytes written; the request is destroyed afterwards.
 */
function postWithoutEnd(
  url: string,
  headers: Record<string, string>,
  pace: { every: number; max: number } = { every: 0, max: 1 },
): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    const req = request(
      url,
      { method: 'POST', headers: { 'x-twitter-webhooks-signature': 'sha256=x', ...headers } },
      (res) => {
        clearInterval(timer);
        res.resume();
        resolve({ status: res.statusCode ?? 0, sent });
        req.destroy();
      },
    );
    req.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    const chunk = Buffer.alloc(1024, 120);
    const write = (): void => {
      if (sent / 1024 >= pace.max) {
        clearInterval(timer);
        return;
      }
      req.write(chunk);
      sent += chunk.length;
    };
    write();
    if (pace.every > 0) timer = setInterval(write, pace.every);
    setTimeout(() => {
      clearInterval(timer);
      req.destroy();
      reject(new Error('no answer within 5 s'));
    }, 5000).unref();
  });
}

describe('streams with an encoding set by earlier middleware', () => {
  it('answers 500 naming the fix instead of crashing', async () => {
    const { handler, types } = makeHandler();
    const listener = toNodeListener(handler);
    const url = await serve((req: IncomingMessage, res: ServerResponse) => {
      req.setEncoding('utf8');
      void listener(req, res);
    });
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(BODY.slice(0, 10)));
        controller.enqueue(new TextEncoder().encode(BODY.slice(10)));
        controller.close();
      },
    });
    const res = await fetch(url, {
      ...signedPost(BODY),
      body: chunked,
      duplex: 'half',
      signal: AbortSignal.timeout(5000),
    } as RequestInit);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(/setEncoding/);
    expect(types).toEqual([]);
    // The server is still up.
    expect((await fetch(`${url}?crc_token=foo`)).status).toBe(200);
  });

  it('refuses a handler without refuseBody', () => {
    const { handler } = makeHandler();
    const { refuseBody: _unused, ...partial } = handler;
    expect(() => toNodeListener(partial as typeof handler)).toThrow(InvalidArgumentError);
  });
});

describe('slow and aborted uploads', () => {
  it('answers 408 and closes the connection when the body does not arrive within bodyTimeoutMs, and reports it', async () => {
    const { handler, types } = makeHandler();
    const errors: string[] = [];
    handler.onError((error) => errors.push(`${error.name}: ${error.message}`));
    const url = await serve(toNodeListener(handler, { bodyTimeoutMs: 150 }));
    // 1 kB of a declared 10 kB, then nothing more.
    const answer = await postWithoutEnd(`${url}/webhook`, { 'content-length': '10240' });
    expect(answer.status).toBe(408);
    expect(handler.stats()).toMatchObject({ deliveries: 1, rejected: 1, dispatched: 0 });
    expect(errors).toEqual(['RawBodyError: The request body did not arrive in time.']);
    expect(types).toEqual([]);
  });

  it('counts and reports an upload the client aborts mid-body', async () => {
    const { handler } = makeHandler();
    const errors: string[] = [];
    const reported = new Promise<void>((resolve) => {
      handler.onError((error) => {
        errors.push(error.name);
        resolve();
      });
    });
    const url = await serve(toNodeListener(handler, { bodyTimeoutMs: 5_000 }));
    const req = request(`${url}/webhook`, { method: 'POST', headers: { 'content-length': '4096' } });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(512, 120));
    setTimeout(() => req.destroy(), 50);
    await reported;
    expect(errors).toEqual(['RawBodyError']);
    expect(handler.stats()).toMatchObject({ deliveries: 1, rejected: 1, dispatched: 0 });
  });

  it('refuses a bodyTimeoutMs that is not a positive whole number', () => {
    const { handler } = makeHandler();
    expect(() => toNodeListener(handler, { bodyTimeoutMs: 0 })).toThrow(InvalidArgumentError);
  });
});
