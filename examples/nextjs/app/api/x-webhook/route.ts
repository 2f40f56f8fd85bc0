/**
 * Recipe: a Next.js App Router route handler (`app/api/x-webhook/route.ts`). Next.js hands route
 * handlers web `Request`s; `handler.handle` answers with a web `Response`.
 * Raw-body rule: do not call `request.json()` first; the handler reads the raw bytes itself.
 */
import { createWebhookHandler } from 'x-account-activity/webhooks';
import { printEvent } from '../../../../shared/recipe.js';

const consumerSecret = process.env['X_CONSUMER_SECRET'];
if (!consumerSecret) throw new Error("Set X_CONSUMER_SECRET to your app's consumer secret (API secret key).");

export const handler = createWebhookHandler({ consumerSecret });
handler.onAny(printEvent);

/** X's CRC challenge. */
export function GET(request: Request): Promise<Response> {
  return handler.handle(request);
}

/** X's signed deliveries. */
export function POST(request: Request): Promise<Response> {
  return handler.handle(request);
}

// Node runtime (default) or edge: the SDK works on both.
export const runtime = 'nodejs';
