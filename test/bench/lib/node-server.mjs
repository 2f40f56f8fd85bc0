// A webhook server for the Node HTTP bench, run as its own process:
//   node lib/node-server.mjs <ours|octokit> <loader URL of the consumer project>
// Listens on 127.0.0.1, port 0, prints {"port":N,"path":"..."} on one line, and exits when its
// stdin closes (the bench ended or died) or after MAX_LIFE_MS at the latest.
//   ours:    http.createServer(toNodeListener(createWebhookHandler({ consumerSecret }))), a listener
//            on every event (onAny), any path;
//   octokit: http.createServer(createNodeMiddleware(new Webhooks({ secret }))), onAny, at
//            /api/github/webhooks (its default path).
import { createServer } from 'node:http';

const MAX_LIFE_MS = 10 * 60_000;
const [kind, loaderUrl] = process.argv.slice(2);
const secret = process.env.BENCH_SECRET;
const { load } = await import(loaderUrl);
let events = 0;
let listener;
let path = '/webhook';
if (kind === 'ours') {
  const { createWebhookHandler } = await load('x-account-activity/webhooks');
  const { toNodeListener } = await load('x-account-activity/node');
  const handler = createWebhookHandler({ consumerSecret: secret });
  handler.onAny(() => {
    events++;
  });
  listener = toNodeListener(handler);
} else if (kind === 'octokit') {
  const { Webhooks, createNodeMiddleware } = await load('@octokit/webhooks');
  const webhooks = new Webhooks({ secret });
  webhooks.onAny(() => {
    events++;
  });
  path = '/api/github/webhooks';
  listener = createNodeMiddleware(webhooks, { path });
} else {
  throw new Error(`unknown server kind ${kind}`);
}
const server = createServer(listener);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, path, pid: process.pid })}\n`);
});
const stop = () => {
  process.stderr.write(`${kind}: ${events} events\n`);
  process.exit(0);
};
process.stdin.on('end', stop).resume();
setTimeout(stop, MAX_LIFE_MS).unref();
