// Every framework recipe, started for real on 127.0.0.1 and called with real fetch (the Next.js route
// handler with real web Requests): a CRC challenge, a correctly signed delivery, a badly signed one.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountActivityEvent } from 'x-account-activity';
import type { RecipeOptions, RunningRecipe } from '../shared/recipe.js';
import { start as startExpress } from './express.js';
import { start as startFastify } from './fastify.js';
import { start as startHono } from './hono.js';
import { start as startNodeHttp } from './node-http.js';

const SECRET = 'recipes-consumer-secret';
const sign = (body: string, secret = SECRET): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

// A like of the subscribed user's post, as X delivers it (exact bytes, ids beyond 2^53 included).
const DELIVERY = readFileSync(new URL('../../test/fixtures/events/favorite-of-user.json', import.meta.url), 'utf8');

const recipes: [string, (options: RecipeOptions) => Promise<RunningRecipe>][] = [
  ['node:http', startNodeHttp],
  ['Express 5', startExpress],
  ['Fastify 5', startFastify],
  ['Hono on Node', startHono],
];

const running: RunningRecipe[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});

describe.each(recipes)('%s recipe', (_name, start) => {
  it('answers CRC, dispatches a signed delivery as a typed event, refuses a badly signed one', async () => {
    const events: AccountActivityEvent[] = [];
    const recipe = await start({ consumerSecret: SECRET, onEvent: (event) => events.push(event) });
    running.push(recipe);

    const token = 'OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi';
    const crc = await fetch(`${recipe.url}?crc_token=${token}`);
    expect(crc.status).toBe(200);
    expect(await crc.json()).toEqual({
      response_token: `sha256=${createHmac('sha256', SECRET).update(token).digest('base64')}`,
    });

    const ok = await fetch(recipe.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': sign(DELIVERY) },
      body: DELIVERY,
    });
    expect(ok.status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['favorite']);
    const [like] = events;
    if (like?.type !== 'favorite') throw new Error('expected a favorite event');
    expect(like.user.screenName).toBe('furiouscamper');
    expect(like.tweet.id).toBe('1924465506158878995');
    expect(like.bySubscribedUser).toBe(false);

    const bad = await fetch(recipe.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': sign(DELIVERY, 'wrong') },
      body: DELIVERY,
    });
    expect(bad.status).toBe(401);
    expect(events.length).toBe(1);
  });
});

describe('Next.js App Router route handler', () => {
  it('answers GET and POST web Requests', async () => {
    process.env['X_CONSUMER_SECRET'] = SECRET;
    const route = await import('../nextjs/app/api/x-webhook/route.js');
    const events: AccountActivityEvent[] = [];
    route.handler.onAny((event) => {
      events.push(event);
    });

    const crc = await route.GET(new Request('https://example.com/api/x-webhook?crc_token=foo'));
    expect(crc.status).toBe(200);
    expect(crc.headers.get('content-type')).toBe('application/json');
    expect(await crc.json()).toEqual({
      response_token: `sha256=${createHmac('sha256', SECRET).update('foo').digest('base64')}`,
    });

    const post = (signature: string): Request =>
      new Request('https://example.com/api/x-webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature },
        body: DELIVERY,
      });
    expect((await route.POST(post(sign(DELIVERY)))).status).toBe(200);
    expect((await route.POST(post(sign(DELIVERY, 'wrong')))).status).toBe(401);
    expect(events.map((e) => e.type)).toEqual(['favorite']);
  });
});

describe('recipes from the command line, against the emulator (no credentials)', () => {
  it.each(['node-http', 'express', 'fastify', 'hono'])('%s registers itself and prints typed events', async (name) => {
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['X_CONSUMER_SECRET'];
    const { stdout } = await promisify(execFile)(tsx, [script, '--once'], { env, timeout: 15_000 });
    expect(stdout).toMatch(/Registered http:\/\/127\.0\.0\.1:\d+\/webhook as webhook \d+ \(the CRC passed\)/);
    for (const label of ['Post', 'Mention', 'Like', 'DM received']) expect(stdout).toContain(label);
  });
});
