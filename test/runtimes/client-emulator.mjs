// Run by Bun or Deno (test/integration/runtimes-bun-deno.test.ts): the packed package's client, its
// emulator and its webhook handler, all three in this runtime. The emulator (`startEmulator`, a
// node:http server) listens on 127.0.0.1; the webhook app is the runtime's own server (Bun.serve /
// Deno.serve -> `handler.handle(request)`); `AccountActivityClient` manages the webhook and the
// subscription through the emulator, in API v2 and then v1.1, and an emulated post is delivered
// signed to the app. Each step is reported as a JSON line; then the emulator stays up (so that the
// test can call it from Node) until stdin ends, and a last `closed` line follows.
import { AccountActivityClient, isXApiError } from 'x-account-activity';
import { startEmulator } from 'x-account-activity/testing';
import { createWebhookHandler } from 'x-account-activity/webhooks';
import { exit, fail, report, runtime, serve, stdinClosed } from './runtime.mjs';

try {
  const emulator = await startEmulator({
    consumerKey: 'runtime-consumer-key',
    consumerSecret: 'runtime-consumer-secret',
    retryScale: 0.001,
    crcTimeoutMs: 2_000,
    deliveryTimeoutMs: 2_000,
  });
  const handler = createWebhookHandler(emulator.webhookOptions());
  const events = [];
  handler.onAny((event) => {
    events.push({ type: event.type, family: event.family, forUserId: event.forUserId, text: event.text });
  });
  const errors = [];
  handler.onError((error) => {
    errors.push(error.name);
  });
  let crcRequests = 0;
  const server = await serve((request) => {
    if (request.method === 'GET') crcRequests += 1;
    return handler.handle(request);
  });
  report({
    kind: 'ready',
    runtime,
    // Where the imports went: the test checks they are the packed package, not the source.
    resolved: ['x-account-activity', 'x-account-activity/testing', 'x-account-activity/webhooks'].map((specifier) =>
      import.meta.resolve(specifier),
    ),
    emulatorUrl: emulator.url,
    webhookUrl: server.url,
  });

  const alice = emulator.account('alice');
  for (const apiVersion of ['2', '1.1']) {
    const client = new AccountActivityClient({ ...emulator.clientOptions(), apiVersion, timeout: 5_000 });
    const url = `${server.url}/webhooks/v${apiVersion}`;
    const crcBefore = crcRequests;
    const registered = await client.webhooks.register(url);
    const listed = await client.webhooks.list();
    const validation = await client.webhooks.validate(registered.id);
    await client.subscriptions.add(registered.id, {
      accessToken: alice.accessToken,
      accessTokenSecret: alice.accessTokenSecret,
    });
    const subscribed = await client.subscriptions.check(registered.id, {
      accessToken: alice.accessToken,
      accessTokenSecret: alice.accessTokenSecret,
    });
    const subscriptions = await client.subscriptions.list(registered.id);

    events.length = 0;
    const text = `hello from ${runtime.name}, API v${apiVersion}`;
    const posted = await emulator.activity.post('alice', text);
    await emulator.settled();
    const delivered = emulator
      .deliveries({ webhookId: registered.id })
      .map((record) => ({ state: record.state, statuses: record.attempts.map((attempt) => attempt.status) }));
    const received = events.splice(0);

    await client.subscriptions.remove(registered.id, alice.id);
    let notFound;
    try {
      await client.webhooks.delete('1234567890');
    } catch (error) {
      notFound = { isXApiError: isXApiError(error), name: error.name, status: error.status };
    }
    await client.webhooks.delete(registered.id);
    const afterDelete = await client.webhooks.list();

    report({
      kind: 'client',
      apiVersion,
      registered: {
        url: registered.url,
        valid: registered.valid,
        createdAtIsDate: registered.createdAt instanceof Date,
      },
      listed: listed.map((webhook) => ({ id: webhook.id === registered.id, url: webhook.url, valid: webhook.valid })),
      validation,
      crcRequests: crcRequests - crcBefore,
      subscribed,
      subscriptions: subscriptions.subscriptions.map((subscription) => subscription.userId),
      aliceId: alice.id,
      posted: { deliveries: posted.deliveries.length, text: posted.tweet.text },
      delivered,
      received,
      notFound,
      afterDelete: afterDelete.length,
    });
  }
  report({ kind: 'done', handlerErrors: errors });

  await stdinClosed();
  await emulator.close();
  await server.stop();
  report({ kind: 'closed' });
  exit(0);
} catch (error) {
  fail(error);
}
