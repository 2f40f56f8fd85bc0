// A logger whose methods are async and reject (a remote log shipper that fails) must not end the
// process with an unhandled rejection: found by `npm run fuzz`.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../src/webhooks/handler.js';

const SECRET = 'logger-secret';

describe('a logger that returns rejected promises', () => {
  it('leaves no unhandled rejection, and the answers do not change', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const rejecting = async (): Promise<void> => {
        throw new Error('log shipper down');
      };
      const handler = createWebhookHandler({
        consumerSecret: SECRET,
        logger: { debug: rejecting, info: rejecting, warn: rejecting, error: rejecting },
      });
      handler.onAny(() => {
        throw new Error('listener failed'); // logged with error()
      });
      const body = JSON.stringify({ for_user_id: '1', unknown_events: [{}] });
      const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}`;
      const post = (headers: Record<string, string>) => handler.handleRaw({ method: 'POST', url: '/w', headers, body });
      expect((await post({})).status).toBe(401); // warn()
      expect((await post({ 'x-twitter-webhooks-signature': signature })).status).toBe(500); // error()
      expect((await handler.handleRaw({ method: 'GET', url: '/w?crc_token=abc', headers: {} })).status).toBe(200); // debug()
      // Node reports an unhandled rejection after the microtask queue drains, before the next macrotask:
      // a few event-loop turns are enough, and deterministic (no wall-clock wait).
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
