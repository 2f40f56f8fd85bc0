// Run by Bun or Deno (test/integration/runtimes-bun-deno.test.ts): the packed package's webhook
// toolkit behind the runtime's own HTTP server (Bun.serve / Deno.serve -> `handler.handle(request)`)
// on 127.0.0.1, port 0. The test, in Node, sends CRC, signed and forged requests; each event the
// listener sees is reported as a JSON line, and so is every error the handler reports. When stdin
// ends the server stops and a last `closed` line tells what was seen.
//
// Argument: the consumer secret.
import { createWebhookHandler } from 'x-account-activity/webhooks';
import { exit, fail, report, runtime, serve, stdinClosed } from './runtime.mjs';

try {
  const secret = (globalThis.Bun ? process.argv.slice(2) : globalThis.Deno.args)[0];
  const handler = createWebhookHandler({ consumerSecret: secret });
  const seen = [];
  handler.onAny((event) => {
    const line = {
      kind: 'event',
      type: event.type,
      family: event.family,
      forUserId: event.forUserId,
      source: event.source?.screenName,
      target: event.target?.screenName,
      createdAt: event.createdAt instanceof Date ? event.createdAt.toISOString() : null,
    };
    seen.push(line);
    report(line);
  });
  handler.onError((error) => {
    report({ kind: 'handler-error', name: error.name });
  });
  const server = await serve((request) => handler.handle(request));
  report({
    kind: 'ready',
    runtime,
    // Where the import went: the test checks it is the packed package, not the source.
    resolved: [import.meta.resolve('x-account-activity/webhooks')],
    url: `${server.url}/webhooks/x`,
  });
  await stdinClosed();
  await server.stop();
  report({ kind: 'closed', seen: seen.length });
  exit(0);
} catch (error) {
  fail(error);
}
