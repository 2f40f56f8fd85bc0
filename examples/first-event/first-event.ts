// From nothing to a verified, typed event, offline: copy this file into a project that ran
// `npm install x-account-activity`, then `npx tsx first-event.ts`.
//
// It starts the local X API emulator, serves a webhook handler on a local port, registers the
// webhook (the emulator runs a real CRC against it), subscribes the account "alice", and has "bob"
// mention her. The emulator then signs and delivers the event like X does; the handler verifies the
// signature and prints the typed event. Against real X, the same code takes your app's consumer key
// and secret and a public https URL instead of the emulator's.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountActivityClient } from 'x-account-activity';
import { toNodeListener } from 'x-account-activity/node';
import { startEmulator } from 'x-account-activity/testing';
import { createWebhookHandler } from 'x-account-activity/webhooks';

const emulator = await startEmulator();

// The webhook app: verifies every delivery with the same consumer secret the emulator signs with.
const handler = createWebhookHandler(emulator.webhookOptions());
handler.on('tweet_create', (event) => {
  console.log(`verified ${event.type} (${event.kinds.join(', ')}) from @${event.author.screenName}: ${event.text}`);
});
const server = http.createServer(toNodeListener(handler));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

// The management side: register the webhook and subscribe a user.
const client = new AccountActivityClient(emulator.clientOptions());
const webhook = await client.webhooks.register(`http://127.0.0.1:${port}/webhook`);
await client.subscriptions.add(webhook.id, emulator.account('alice'));

// Something happens on X: bob mentions alice.
await emulator.activity.mention('bob', 'alice', 'your first verified event');
await emulator.settled();

server.close();
await emulator.close();
