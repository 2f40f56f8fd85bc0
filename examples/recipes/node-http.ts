/**
 * Recipe: node:http. Run: `npx tsx examples/recipes/node-http.ts` (against the
 * emulator), or with `X_CONSUMER_SECRET=...` set for real X.
 * Raw-body rule: nothing to do, `toNodeListener` reads the bytes from the request stream.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeListener } from 'x-account-activity/node';
import { createWebhookHandler } from 'x-account-activity/webhooks';
import { isMain, printEvent, type RecipeOptions, type RunningRecipe, runFromCli } from '../shared/recipe.js';

export async function start(options: RecipeOptions): Promise<RunningRecipe> {
  const handler = createWebhookHandler({ consumerSecret: options.consumerSecret });
  handler.onAny(options.onEvent ?? printEvent);

  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (isMain(import.meta.url)) await runFromCli(start);
