// A webhook server for the Bun HTTP bench, run under the `bun` binary of the `bun` npm package:
//   bun lib/bun-server.mjs <ours|bare|octokit> <loader URL of the consumer project>
// Listens on 127.0.0.1, port 0, prints {"port":N,"path":"..."} on one line, and exits when its
// stdin closes or after MAX_LIFE_MS at the latest.
//   ours:    Bun.serve({ fetch: (req) => handler.handle(req) }), a listener on every event (onAny);
//   bare:    the floor: Bun.serve whose fetch reads `await req.arrayBuffer()`, computes
//            HMAC-SHA256 with node:crypto, compares it in constant time and JSON.parses the body;
//   octokit: Bun.serve({ fetch: createWebMiddleware(new Webhooks({ secret })) }), onAny, at
//            /api/github/webhooks (information).
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAX_LIFE_MS = 10 * 60_000;
const [kind, loaderUrl] = process.argv.slice(2);
const secret = process.env.BENCH_SECRET;
const { load } = await import(loaderUrl);
let events = 0;
let fetch;
let path = '/webhook';
if (kind === 'ours') {
  const { createWebhookHandler } = await load('x-account-activity/webhooks');
  const resolved = (await import(loaderUrl)).where('x-account-activity/webhooks');
  if (!resolved.includes('/node_modules/x-account-activity/dist/')) {
    throw new Error(`bench setup: x-account-activity/webhooks resolved to ${resolved}, not the packed package`);
  }
  const handler = createWebhookHandler({ consumerSecret: secret });
  handler.onAny(() => {
    events++;
  });
  fetch = (req) => handler.handle(req);
} else if (kind === 'bare') {
  const decoder = new TextDecoder();
  fetch = async (req) => {
    const body = new Uint8Array(await req.arrayBuffer());
    const header = req.headers.get('x-twitter-webhooks-signature') ?? '';
    const expected = Buffer.from(header.slice('sha256='.length), 'base64');
    const mac = createHmac('sha256', secret).update(body).digest();
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
      return new Response('{"error":"Invalid signature."}', { status: 401 });
    }
    const payload = JSON.parse(decoder.decode(body));
    if (payload !== null && typeof payload === 'object') events++;
    return new Response('', { status: 200 });
  };
} else if (kind === 'octokit') {
  const { Webhooks, createWebMiddleware } = await load('@octokit/webhooks');
  const webhooks = new Webhooks({ secret });
  webhooks.onAny(() => {
    events++;
  });
  path = '/api/github/webhooks';
  fetch = createWebMiddleware(webhooks, { path });
} else {
  throw new Error(`unknown server kind ${kind}`);
}
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, idleTimeout: 60, fetch });
process.stdout.write(`${JSON.stringify({ port: server.port, path, pid: process.pid })}\n`);
const stop = () => {
  process.stderr.write(`${kind}: ${events} events\n`);
  server.stop(true);
  process.exit(0);
};
process.stdin.on('end', stop).resume();
setTimeout(stop, MAX_LIFE_MS).unref();
