/**
 * Recipe: Fastify 5. Run: `npx tsx examples/recipes/fastify.ts` (against the
 * emulator), or with `X_CONSUMER_SECRET=...` set for real X.
 * Raw-body rule: a content-type parser with `{ parseAs: 'buffer' }` keeps the exact bytes for the
 * webhook plugin; the handler's framework-free core `handleRaw` does the rest.
 */
import Fastify from 'fastify';
import { createWebhookHandler } from 'x-account-activity/webhooks';
import { isMain, printEvent, type RecipeOptions, type RunningRecipe, runFromCli } from '../shared/recipe.js';

export async function start(options: RecipeOptions): Promise<RunningRecipe> {
  const handler = createWebhookHandler({ consumerSecret: options.consumerSecret });
  handler.onAny(options.onEvent ?? printEvent);

  const app = Fastify();
  // Encapsulated: the buffer parser applies to the webhook routes only.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });
    scope.route({
      method: ['GET', 'POST', 'PUT', 'DELETE'],
      url: '/webhook',
      handler: async (request, reply) => {
        const result = await handler.handleRaw({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.isBuffer(request.body) ? request.body : undefined,
        });
        return reply.code(result.status).headers(result.headers).send(result.body);
      },
    });
  });

  const address = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  return { url: `${address}/webhook`, close: () => app.close() };
}

if (isMain(import.meta.url)) await runFromCli(start);
