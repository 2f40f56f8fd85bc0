/**
 * `npm run bot`: a DM auto-reply bot on Account Activity and the DM endpoint.
 *
 * - Receives the bot account's DMs through the SDK's webhook handler (verified, typed, deduplicated).
 * - Answers received DMs with `client.directMessages.send` (`POST /2/dm_conversations/with/:id/messages`,
 *   signed as the bot account).
 * - Never answers DMs the bot account sent itself (its own replies come back as `direction: 'sent'`),
 *   so it cannot loop; and a delivery X retries or replays is answered once.
 *
 * Commands: `help`, `echo <text>`, `time`, `menu` (a numbered quick-reply menu: answer 1, 2 or 3). A
 * v1.1 quick-reply button press (`quick_reply_response.metadata`) is handled like the typed command.
 *
 * By default it runs against the local emulator and plays a short conversation; with X credentials in
 * the environment it serves real X (see examples/README.md).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccountActivityClient,
  createDeduplicator,
  type DirectMessageEvent,
  type SubscriberCredentials,
} from 'x-account-activity';
import { toNodeListener } from 'x-account-activity/node';
import { type Emulator, startEmulator } from 'x-account-activity/testing';
import { createWebhookHandler, type Logger } from 'x-account-activity/webhooks';
import { isMain, realClientOptionsFromEnv, requireEnv } from '../shared/recipe.js';

/** The numbered menu `menu` offers; answering a number runs its command. */
export const MENU = [
  { choice: '1', label: 'What time is it?', command: 'time' },
  { choice: '2', label: 'Echo "hello"', command: 'echo hello' },
  { choice: '3', label: 'Show the help', command: 'help' },
] as const;

const HELP = 'Commands: help, echo <text>, time, menu';

/**
 * The bot's answer to a message text, or undefined when it has nothing to say. Pure, so it is easy
 * to test and to change.
 */
export function answer(text: string, now: () => Date = () => new Date()): string {
  const trimmed = text.trim();
  const [word = '', ...rest] = trimmed.split(/\s+/);
  const command = word.toLowerCase();
  const picked = MENU.find((item) => item.choice === trimmed);
  if (picked) return answer(picked.command, now);
  switch (command) {
    case 'help':
      return HELP;
    case 'echo':
      return rest.length > 0 ? rest.join(' ') : 'echo what? Try: echo hello';
    case 'time':
      return `It is ${now().toISOString()} (UTC).`;
    case 'menu':
      return ['Pick one (reply with its number):', ...MENU.map((item) => `${item.choice}. ${item.label}`)].join('\n');
    default:
      return `Sorry, I do not know "${word}". ${HELP}`;
  }
}

/** Options of {@link startBot}. */
export interface BotOptions {
  /** The API client, signed as the app owner. */
  readonly client: AccountActivityClient;
  /** The app's consumer secret (verifies deliveries). */
  readonly consumerSecret: string;
  /** The bot account: its user id and OAuth 1.0a tokens (it subscribes and sends as this user). */
  readonly account: { readonly id: string; readonly accessToken: string; readonly accessTokenSecret: string };
  /** The public URL X delivers to; defaults to the bot's own loopback URL (emulator). */
  readonly webhookUrl?: string;
  /** Port to listen on. @default 0 */
  readonly port?: number;
  /** Where the bot says what it does. @default console */
  readonly logger?: Logger;
  /** Wraps the webhook listener (tests use it to delay or fail answers). */
  readonly wrapListener?: (listener: ReturnType<typeof toNodeListener>) => ReturnType<typeof toNodeListener>;
}

/** A running bot. */
export interface RunningBot {
  readonly url: string;
  readonly webhookId: string;
  /** The replies sent, in order. */
  readonly replies: readonly { readonly to: string; readonly text: string; readonly inReplyTo: string }[];
  close(): Promise<void>;
}

const consoleLogger: Logger = {
  info: (message, meta) => console.log(`[bot] ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`),
  warn: (message, meta) => console.warn(`[bot] ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`),
  error: (message, meta) => console.error(`[bot] ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`),
};

/** Starts the bot's webhook server, registers it and subscribes the bot account. */
export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { client, account } = options;
  const logger = options.logger ?? consoleLogger;
  const credentials: SubscriberCredentials = {
    accessToken: account.accessToken,
    accessTokenSecret: account.accessTokenSecret,
  };
  const replies: { to: string; text: string; inReplyTo: string }[] = [];

  const handler = createWebhookHandler({
    consumerSecret: options.consumerSecret,
    deduplicator: createDeduplicator({ ttlMs: 24 * 3_600_000 }),
    logger: { warn: logger.warn?.bind(logger), error: logger.error?.bind(logger) } as Logger,
  });

  handler.on('direct_message', async (event: DirectMessageEvent) => {
    if (event.forUserId !== account.id) return; // a copy delivered for another subscribed user
    if (event.direction === 'sent') {
      logger.info?.('Ignoring a DM the bot account sent', { id: event.id });
      return;
    }
    // A v1.1 quick-reply button press carries its choice as metadata.
    const data = event.raw.message_create.message_data as { quick_reply_response?: { metadata?: unknown } };
    const metadata = data.quick_reply_response?.metadata;
    const text = answer(typeof metadata === 'string' && metadata !== '' ? metadata : event.text);
    logger.info?.('Answering', { from: event.senderId, dm: event.id, command: event.text.slice(0, 40) });
    await client.directMessages.send(event.senderId, text, credentials);
    replies.push({ to: event.senderId, text, inReplyTo: event.id });
  });
  handler.onError((error) => {
    logger.warn?.('Refused or failed delivery', { error: error.name, message: error.message });
  });

  const listener = toNodeListener(handler);
  const server: Server = createServer(options.wrapListener ? options.wrapListener(listener) : listener);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = options.webhookUrl ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;

  const existing = (await client.webhooks.list()).find((webhook) => webhook.url === url);
  const webhook = existing ?? (await client.webhooks.register(url));
  if (!(await client.subscriptions.check(webhook.id, credentials))) {
    await client.subscriptions.add(webhook.id, credentials);
  }
  logger.info?.('Listening for DMs', { webhook: webhook.id, url });

  return {
    url,
    webhookId: webhook.id,
    replies,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Starts the emulator, a bot on its `helpbot` account, and a short scripted conversation. */
export async function runWithEmulator(): Promise<void> {
  const emulator: Emulator = await startEmulator({ accounts: [{ screenName: 'helpbot' }, { screenName: 'alice' }] });
  const helpbot = emulator.account('helpbot');
  const alice = emulator.account('alice');
  const client = new AccountActivityClient(emulator.clientOptions());
  const bot = await startBot({ client, consumerSecret: emulator.consumerSecret, account: helpbot });
  try {
    for (const text of ['help', 'echo hi there', 'menu', '1']) {
      console.log(`@alice -> @helpbot: ${text}`);
      await emulator.activity.sendDirectMessage(alice, helpbot, text);
      await emulator.settled();
      const last = bot.replies.at(-1);
      if (last) console.log(`@helpbot -> @alice: ${last.text.replaceAll('\n', '\n                   ')}`);
    }
  } finally {
    await bot.close();
    await emulator.close();
  }
}

async function runReal(): Promise<void> {
  const options = realClientOptionsFromEnv();
  const client = new AccountActivityClient(options);
  const consumerSecret = options.consumerSecret;
  await startBot({
    client,
    consumerSecret,
    account: {
      id: requireEnv('X_BOT_USER_ID'),
      accessToken: requireEnv('X_BOT_ACCESS_TOKEN'),
      accessTokenSecret: requireEnv('X_BOT_ACCESS_TOKEN_SECRET'),
    },
    webhookUrl: requireEnv('X_WEBHOOK_URL'),
    port: Number(process.env['PORT'] ?? 3000),
  });
}

if (isMain(import.meta.url)) {
  if (process.env['X_CONSUMER_KEY']) await runReal();
  else await runWithEmulator();
}
