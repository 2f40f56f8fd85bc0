/**
 * Recipe: Express 5. Run: `npx tsx examples/recipes/express.ts` (against the
 * emulator), or with `X_CONSUMER_SECRET=...` set for real X.
 * Raw-body rule: the webhook route gets `express.raw({ type: 'application/json' })` and is declared
 * before any `express.json()`, so the handler sees the exact bytes X signed.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { toNodeListener } from 'x-account-activity/node';
import { createWebhookHandler } from 'x-account-activity/webhooks';
import { isMain, printEvent, type RecipeOptions, type RunningRecipe, runFromCli } from '../shared/recipe.js';

export async function start(options: RecipeOptions): Promise<RunningRecipe> {
  const handler = createWebhookHandler({ consumerSecret: options.consumerSecret });
  handler.onAny(options.onEvent ?? printEvent);

  const app = express();
  app.all('/webhook', express.raw({ type: 'application/json' }), toNodeListener(handler));
  // The rest of the app may parse JSON as usual.
  app.use(express.json());
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (isMain(import.meta.url)) await runFromCli(start);
