/**
 * Quickstart: a webhook endpoint on node:http, exercised locally the way X calls it (a CRC challenge,
 * a signed delivery, a forged one). Run: `npx tsx examples/quickstart.ts`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeListener } from 'x-account-activity/node';
import { createWebhookHandler, signPayload } from 'x-account-activity/webhooks';

const consumerSecret = process.env['X_CONSUMER_SECRET'] ?? 'quickstart-consumer-secret';

const handler = createWebhookHandler({ consumerSecret });
handler.onAny((event) => {
  console.log(`  event: ${event.type} for user ${event.forUserId ?? '(none)'}`);
});
handler.onError((error) => {
  console.log(`  refused: ${error.name}: ${error.message}`);
});

const server = createServer(toNodeListener(handler));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
console.log(`Webhook listening at ${url}`);

// 1. X's Challenge-Response Check.
const crc = await fetch(`${url}?crc_token=OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi`);
console.log(`CRC GET -> ${crc.status} ${await crc.text()}`);

// 2. A delivery signed the way X signs it.
const body = JSON.stringify({
  for_user_id: '2244994945',
  favorite_events: [{ id: 'a7ba59eab0bfcba386f7acedac279542', created_at: 'Mon Mar 26 16:33:26 +0000 2018', timestamp_ms: 1522082006140 }],
});
const signed = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': await signPayload(body, consumerSecret) },
  body,
});
console.log(`signed POST -> ${signed.status}`);

// 3. The same delivery with a forged signature: refused, nothing dispatched.
const forged = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': await signPayload(body, 'attacker') },
  body,
});
console.log(`forged POST -> ${forged.status}`);

console.log('stats:', handler.stats());
server.close();
