/**
 * Recipe: Hono on Node (@hono/node-server). Run: `npx tsx examples/recipes/hono.ts` (against the
 * emulator), or with `X_CONSUMER_SECRET=...` set for real X.
 * Raw-body rule: pass the untouched web `Request` (`c.req.raw`) to `handler.handle`; never call
 * `c.req.json()` before it.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createWebhookHandler } from 'x-account-activity/webhooks';
import { isMain, printEvent, type RecipeOptions, type RunningRecipe, runFromCli } from '../shared/recipe.js';

export async function start(options: RecipeOptions): Promise<RunningRecipe> {
  const handler = createWebhookHandler({ consumerSecret: options.consumerSecret });
  handler.onAny(options.onEvent ?? printEvent);

  const app = new Hono();
  app.all('/webhook', (c) => handler.handle(c.req.raw));

  let listening: (port: number) => void = () => undefined;
  const ready = new Promise<number>((resolve) => {
    listening = resolve;
  });
  const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
    listening(info.port),
  );
  const port = await ready;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (isMain(import.meta.url)) await runFromCli(start);
