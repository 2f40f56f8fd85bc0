/**
 * `npm run demo`: the whole Account Activity flow and the move to the X Activity API, offline, in a
 * few seconds.
 *
 * 1. Starts the local X API emulator and a webhook server built with this SDK (node:http).
 * 2. Registers the webhook through `AccountActivityClient` (the emulator runs a real CRC against it),
 *    subscribes two users, alice and bob, through the Account Activity API (AAA), creates X Activity
 *    API (XAA) subscriptions of several event types for alice on the same webhook, and links a
 *    Filtered Stream with one rule to it: one endpoint, three families of deliveries.
 * 3. Opens the XAA activity stream (`client.activity.stream`), whose connections the emulator then
 *    breaks on purpose: a dropped socket, a stall, an in-stream `operational-disconnect` and a 429.
 * 4. Plays a story that covers all 19 AAA activity kinds (plus a profile update), printing each typed
 *    event as it arrives, prefixed by its family. Part of it happens during an outage of the webhook
 *    server: X retries, then gives up.
 * 5. Checks the stream against what the emulator sent: every event exactly once.
 * 6. Starts a replay job for the story's window: the events lost in the outage arrive again, the
 *    ones already handled are dropped by the deduplicator, and `replay_job_status` closes the job.
 * 7. Prints a summary with counts per family and exits 0 (1 if any kind is missing, the replay did
 *    not complete, or the stream lost or doubled an event).
 *
 * The story is dated an hour ago (the emulator's clock runs an hour behind while it plays), because
 * X replays only windows that end at least 10 minutes in the past.
 *
 * `npm run demo -- --real` listens for real X deliveries instead (see examples/README.md).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccountActivityClient,
  type AccountActivityEvent,
  type ActivityEventType,
  type ActivityStreamDisconnectReason,
  type ActivityStreamStateChange,
  activityKey,
  createDeduplicator,
  isPrivateActivityType,
  parseActivity,
} from 'x-account-activity';
import { toNodeListener } from 'x-account-activity/node';
import { type Emulator, startEmulator } from 'x-account-activity/testing';
import { createWebhookHandler } from 'x-account-activity/webhooks';
import { ACTIVITY_KINDS, type ActivityKind, activityKind, describeEvent } from './shared/describe.js';
import { isMain, realClientOptionsFromEnv, requireEnv } from './shared/recipe.js';

/** The 19 kinds X documents (everything but the replay status and unknown). */
export const DOCUMENTED_KINDS: readonly ActivityKind[] = (Object.keys(ACTIVITY_KINDS) as ActivityKind[]).filter(
  (kind) => kind !== 'replay_status' && kind !== 'unknown',
);

/** The XAA subscriptions the demo creates for alice on its webhook (private ones in her context). */
export const XAA_SUBSCRIPTIONS: readonly { readonly eventType: ActivityEventType; readonly direction?: 'inbound' }[] = [
  { eventType: 'post.create' },
  { eventType: 'post.mention.create' },
  { eventType: 'post.reply.create' },
  { eventType: 'like.create', direction: 'inbound' },
  { eventType: 'follow.follow' },
  { eventType: 'dm.received' },
  { eventType: 'profile.update.bio' },
];

/** The Filtered-Stream rule linked to the webhook. */
export const STREAM_RULE = { value: '(webhooks OR SDK) -is:retweet', tag: 'about-the-sdk' } as const;

/** The disconnects the emulator forces on the activity stream, one per connection, in this order. */
export const STREAM_FAULTS = ['stream-drop', 'stream-stall', 'operational-disconnect', '429'] as const;

/** One of {@link STREAM_FAULTS}. */
export type StreamFaultName = (typeof STREAM_FAULTS)[number];

/** What the stream consumer saw, checked against what the emulator sent. */
export interface StreamReport {
  /** Distinct events the emulator published on `/2/activity/stream` (its retained log). */
  readonly sent: number;
  /** Events the consumer yielded. */
  readonly received: number;
  /** Sent but never yielded. */
  readonly lost: number;
  /** Yielded more than once. */
  readonly doubled: number;
  /** Yielded but never sent. */
  readonly unexpected: number;
  /** Event lines the emulator wrote over every connection (backfills included). */
  readonly linesWritten: number;
  /** Backfilled copies the consumer dropped (`stats().duplicates`). */
  readonly copiesDropped: number;
  /** Connections the emulator accepted after the first one. */
  readonly reconnects: number;
  /** The forced disconnects, by fault, as the consumer reported them. */
  readonly disconnects: Readonly<Record<StreamFaultName, number>>;
  /** The stream yielded the same XAA events as the webhook received. */
  readonly sameAsWebhook: boolean;
  /** Nothing lost, nothing doubled, nothing unexpected, and something was sent. */
  readonly exactlyOnce: boolean;
}

/** Events per family: dispatched by the webhook (AAA, XAA, Filtered Stream) and yielded by the stream. */
export interface FamilyCounts {
  readonly aaa: number;
  readonly xaa: number;
  readonly filteredStream: number;
  readonly stream: number;
}

/** What the demo saw. */
export interface DemoSummary {
  readonly kindsSeen: readonly ActivityKind[];
  readonly missingKinds: readonly ActivityKind[];
  /** Deliveries the emulator made that the webhook answered 200. */
  readonly delivered: number;
  /** Deliveries lost during the outage (before replay). */
  readonly lostInOutage: number;
  /** POSTs whose signature verified. */
  readonly verified: number;
  /** Events handed to listeners. */
  readonly dispatched: number;
  /** Events dropped as duplicates (mostly replayed copies of events already handled). */
  readonly duplicatesDropped: number;
  /** Events that arrived during the replay and were new. */
  readonly recoveredByReplay: number;
  /** The final replay job state. */
  readonly replayState: string | undefined;
  /** Events per family. */
  readonly families: FamilyCounts;
  /** XAA subscriptions created. */
  readonly xaaSubscriptions: number;
  /** The activity stream's check. */
  readonly stream: StreamReport;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where lines go. @default console.log */
  readonly log?: (line: string) => void;
}

const HOUR = 3_600_000;

/** Which forced fault a disconnect reason comes from. */
const FAULT_OF_REASON: Partial<Record<ActivityStreamDisconnectReason, StreamFaultName>> = {
  network: 'stream-drop',
  stall: 'stream-stall',
  'stream-error': 'operational-disconnect',
  'rate-limit': '429',
};

const FAULT_TEXT: Readonly<Record<StreamFaultName, string>> = {
  'stream-drop': 'the emulator dropped the connection',
  'stream-stall': 'the connection stalled (not even keep-alives)',
  'operational-disconnect': 'X sent operational-disconnect and ended the answer',
  '429': 'X answered 429 Too Many Requests',
};

/** The prefix of a line: the family of the event, or `stream`. */
const tag = (family: string): string => family.padEnd(7);
const FAMILY_TAG = { aaa: 'AAA', xaa: 'XAA', filtered_stream: 'FS', unknown: '?' } as const;

interface StreamConsumer {
  /** Resolves once the first connection is accepted. */
  readonly connected: Promise<void>;
  /** Waits (up to 10 s) until every event the emulator published was yielded, closes the stream and reports. */
  finish(webhookXaaKeys: ReadonlySet<string>): Promise<StreamReport>;
  /** Closes the stream (when the demo stops early). */
  close(): void;
}

/**
 * Reads `client.activity.stream()` in the background and makes the emulator break its connections:
 * each new connection gets the next fault of {@link STREAM_FAULTS} (the first one after two live
 * events; the others after one backfilled event, or at once for the 429). Timings are the client's
 * options, shrunk so that the demo stays fast.
 */
function consumeStream(client: AccountActivityClient, emulator: Emulator, log: (line: string) => void): StreamConsumer {
  const received: string[] = [];
  const disconnects: Record<StreamFaultName, number> = {
    'stream-drop': 0,
    'stream-stall': 0,
    'operational-disconnect': 0,
    '429': 0,
  };
  let markConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => {
    markConnected = resolve;
  });
  const injectFaultFor = (attempt: number): void => {
    const fault = STREAM_FAULTS[attempt - 1];
    if (fault === undefined) return;
    if (fault === '429') {
      emulator.faults.inject({ type: 'status', status: 429, match: { operation: 'activity.stream' } });
    } else {
      emulator.faults.inject({ type: fault, afterEvents: attempt === 1 ? 2 : 1 });
    }
  };
  const onState = (change: ActivityStreamStateChange): void => {
    if (change.state === 'connecting') {
      injectFaultFor(change.attempt);
      if (change.backfillMinutes !== undefined)
        log(`  ${tag('stream')}↻ reconnecting, asking for a ${change.backfillMinutes}-minute backfill`);
    } else if (change.state === 'connected') {
      markConnected();
    } else if (change.state === 'waiting' && change.reason !== undefined) {
      const fault = FAULT_OF_REASON[change.reason];
      if (fault !== undefined) disconnects[fault] += 1;
      log(`  ${tag('stream')}⚡ ${fault ? FAULT_TEXT[fault] : change.reason}; retrying in ${change.delayMs} ms`);
    }
  };
  const stream = client.activity.stream({
    stallTimeoutMs: 250,
    backoff: { networkStepMs: 5, httpInitialMs: 20, rateLimitInitialMs: 50, rateLimitMaxMs: 100 },
    onState,
  });
  // A failure that ends the stream (a 401, say) is kept and thrown by finish().
  let failure: { readonly error: unknown } | undefined;
  const reading = (async () => {
    for await (const event of stream) {
      received.push(activityKey(event));
      log(`  ${tag('stream')}${describeEvent(event)}`);
    }
  })().catch((error: unknown) => {
    failure = { error };
  });

  /** The keys of the events the emulator published on the stream (one line each). */
  const sentKeys = (): string[] =>
    emulator.stream.events().flatMap((record) => parseActivity(record.body).map((event) => activityKey(event)));

  return {
    connected,
    async finish(webhookXaaKeys) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const have = new Set(received);
        if (sentKeys().every((key) => have.has(key)) || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      stream.close();
      await reading;
      if (failure) throw failure.error;
      const sent = new Set(sentKeys());
      const yielded = new Set(received);
      const lost = [...sent].filter((key) => !yielded.has(key)).length;
      const unexpected = [...yielded].filter((key) => !sent.has(key)).length;
      const doubled = received.length - yielded.size;
      const stats = stream.stats();
      const sameAsWebhook = webhookXaaKeys.size === yielded.size && [...yielded].every((k) => webhookXaaKeys.has(k));
      return {
        sent: sent.size,
        received: received.length,
        lost,
        doubled,
        unexpected,
        linesWritten: emulator.stream.stats().eventsSent,
        copiesDropped: stats.duplicates,
        reconnects: stats.reconnects,
        disconnects,
        sameAsWebhook,
        exactlyOnce: sent.size > 0 && lost === 0 && doubled === 0 && unexpected === 0,
      };
    },
    close: () => stream.close(),
  };
}

/** Runs the scripted story against the emulator and returns what was seen. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  let clockOffset = -HOUR;
  // keepAliveMs: the stream's blank keep-alive lines, every 25 ms here (X: every 20 s or less).
  const emulator = await startEmulator({
    retryScale: 0.001,
    keepAliveMs: 25,
    clock: () => Date.now() + clockOffset,
  });
  let server: Server | undefined;
  let consumer: StreamConsumer | undefined;
  try {
    // The webhook app: verified, typed, deduplicated events.
    const handler = createWebhookHandler({
      consumerSecret: emulator.consumerSecret,
      deduplicator: createDeduplicator({ ttlMs: 24 * HOUR }),
    });
    const kindsSeen = new Set<ActivityKind>();
    const families = { aaa: 0, xaa: 0, filteredStream: 0 };
    const webhookXaaKeys = new Set<string>();
    let phase: 'live' | 'replay' = 'live';
    let recoveredByReplay = 0;
    let replayState: string | undefined;
    let jobDone: () => void = () => undefined;
    const replayFinished = new Promise<void>((resolve) => {
      jobDone = resolve;
    });
    handler.onAny((event: AccountActivityEvent) => {
      if (event.family === 'aaa') {
        kindsSeen.add(activityKind(event));
        families.aaa++;
      } else if (event.family === 'xaa') {
        families.xaa++;
        webhookXaaKeys.add(activityKey(event));
      } else if (event.family === 'filtered_stream') {
        families.filteredStream++;
      }
      if (phase === 'replay' && event.type !== 'replay_job_status') recoveredByReplay++;
      const family = tag(FAMILY_TAG[event.family ?? 'unknown']);
      log(`  ${phase === 'replay' ? '[replay] ' : ''}${family}${describeEvent(event)}`);
      if (event.type === 'replay_job_status') {
        replayState = event.jobState;
        jobDone();
      }
    });

    let outage = false;
    const listener = toNodeListener(handler);
    server = createServer((req, res) => {
      if (outage && req.method === 'POST') {
        req.resume();
        res.writeHead(503).end();
        return;
      }
      void listener(req, res);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;

    // Manage webhooks and subscriptions like on X.
    const client = new AccountActivityClient(emulator.clientOptions());
    log(`X API emulator at ${emulator.url}; webhook app at ${webhookUrl}`);
    const webhook = await client.webhooks.register(webhookUrl);
    log(`Registered webhook ${webhook.id} (the CRC passed: valid=${webhook.valid})`);
    const alice = emulator.account('alice');
    const bob = emulator.account('bob');
    const carol = emulator.account('carol');
    for (const user of [alice, bob]) {
      await client.subscriptions.add(webhook.id, {
        accessToken: user.accessToken,
        accessTokenSecret: user.accessTokenSecret,
      });
      log(`Subscribed @${user.screenName} (${user.id})`);
    }
    const count = await client.subscriptions.count();
    log(`AAA subscriptions: ${count.subscriptionsCountAll} of ${count.provisionedCount} provisioned`);

    // The X Activity API: one subscription per event type and filter, on the same webhook. Private
    // types (mentions, replies, likes, DMs) are created in alice's own OAuth 1.0a context.
    const aliceContext = { user: { accessToken: alice.accessToken, accessTokenSecret: alice.accessTokenSecret } };
    for (const { eventType, direction } of XAA_SUBSCRIPTIONS) {
      const filter = direction === undefined ? { userId: alice.id } : { userId: alice.id, direction };
      const input = { eventType, filter, tag: 'migration-demo', webhookId: webhook.id };
      const { subscription } = isPrivateActivityType(eventType)
        ? await client.activity.subscriptions.create(input, aliceContext)
        : await client.activity.subscriptions.create(input);
      const how = isPrivateActivityType(eventType) ? "in @alice's context" : 'with the app token';
      log(
        `XAA subscription ${subscription.id}: ${subscription.eventType}${direction ? ` (${direction})` : ''} for @alice, ${how}`,
      );
    }

    // Filtered Stream: a rule, and a link that sends the matching posts to the same webhook.
    const added = await client.streamRules.add([STREAM_RULE]);
    for (const rule of added.rules) log(`Stream rule ${rule.id}: ${rule.value} (tag ${rule.tag ?? '-'})`);
    await client.streamLinks.create(webhook.id, {
      fields: { tweet: ['created_at', 'author_id'], expansions: ['author_id'], user: ['username'] },
    });
    log(`Filtered Stream linked to webhook ${webhook.id}`);

    // The XAA activity stream: the same XAA events, over one long-lived connection.
    consumer = consumeStream(client, emulator, log);
    await consumer.connected;
    log('Activity stream connected (the emulator will break it 4 times)');

    const storyStart = new Date(Date.now() + clockOffset);
    log(
      '\nThe story (an hour ago), one line per typed event: AAA, XAA and FS (Filtered Stream) from the webhook, stream from the activity stream:',
    );
    const a = emulator.activity;
    const hello = (await a.post(alice, 'Hello from alice, testing webhooks')).tweet;
    await a.mention(bob, alice, 'have you seen the new SDK?');
    await a.reply(carol, hello, 'Nice post!');
    await a.retweet(carol, hello);
    const quote = (await a.quote(carol, hello, 'This is worth reading')).tweet;
    await a.retweet(bob, quote);
    await a.like(carol, hello);
    await a.follow(carol, alice);
    await a.follow(alice, carol);

    log('\n  -- the webhook server goes down: X retries 3 times, then gives up --');
    outage = true;
    await a.unfollow(alice, carol);
    await a.block(alice, carol);
    await a.unblock(alice, carol);
    await emulator.settled();
    outage = false;
    const lostInOutage = emulator.deliveries().filter((d) => d.state === 'failed').length;
    log(`  -- back up; ${lostInOutage} deliveries were lost --\n`);

    await a.updateProfile(alice, { bio: 'Moving to the X Activity API' });
    await a.mute(alice, carol);
    await a.unmute(alice, carol);
    const dm = (await a.sendDirectMessage(carol, alice, 'Hi alice, got a minute?')).event;
    await a.typing(carol, alice);
    await a.sendDirectMessage(alice, carol, 'Sure, what is up?');
    await a.markRead(carol, alice, dm.id);
    await a.deleteTweet(alice, hello);
    await a.revoke(bob);
    await emulator.settled();
    const storyEnd = new Date(Date.now() + clockOffset);
    // Before the clock moves on: the stream must have every event the emulator sent, once.
    const streamReport = await consumer.finish(webhookXaaKeys);

    // Back to the present, and replay the story's window.
    clockOffset = 0;
    phase = 'replay';
    const from = new Date(Math.floor(storyStart.getTime() / 60_000) * 60_000);
    const to = new Date(Math.floor(storyEnd.getTime() / 60_000) * 60_000 + 60_000);
    const job = await client.replay.start(webhook.id, { from, to });
    log(`\nReplay job ${job.jobId} for ${from.toISOString()} .. ${to.toISOString()}:`);
    await Promise.race([
      replayFinished,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the replay job did not finish in 10 s')), 10_000).unref(),
      ),
    ]);
    await emulator.settled();

    const stats = handler.stats();
    const delivered = emulator.deliveries().filter((d) => d.state === 'delivered').length;
    const missingKinds = DOCUMENTED_KINDS.filter((kind) => !kindsSeen.has(kind));
    return {
      kindsSeen: [...kindsSeen],
      missingKinds,
      delivered,
      lostInOutage,
      verified: stats.verified,
      dispatched: stats.dispatched,
      duplicatesDropped: stats.duplicates,
      recoveredByReplay,
      replayState,
      families: { ...families, stream: streamReport.received },
      xaaSubscriptions: XAA_SUBSCRIPTIONS.length,
      stream: streamReport,
    };
  } finally {
    consumer?.close();
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await emulator.close();
  }
}

function printSummary(summary: DemoSummary, log: (line: string) => void): void {
  log('\nSummary');
  log(
    `  activity kinds seen      ${summary.kindsSeen.filter((k) => DOCUMENTED_KINDS.includes(k)).length} of ${DOCUMENTED_KINDS.length}`,
  );
  log(`  deliveries answered 200  ${summary.delivered}`);
  log(`  lost in the outage       ${summary.lostInOutage}, recovered by replay ${summary.recoveredByReplay}`);
  log(`  signatures verified      ${summary.verified}`);
  log(`  events dispatched        ${summary.dispatched}`);
  log(`  duplicates dropped       ${summary.duplicatesDropped}`);
  log(`  replay job               ${summary.replayState ?? 'no status'}`);
  const f = summary.families;
  log(`  events by family         AAA ${f.aaa}, XAA ${f.xaa}, Filtered Stream ${f.filteredStream}, stream ${f.stream}`);
  const s = summary.stream;
  const d = s.disconnects;
  log(
    `  activity stream          ${s.sent} events sent by the emulator (${s.linesWritten} lines with the backfills), ${s.received} received: ${s.lost} lost, ${s.doubled} doubled${s.unexpected > 0 ? `, ${s.unexpected} unexpected` : ''}: ${s.exactlyOnce ? 'exactly once' : 'NOT exactly once'}`,
  );
  log(
    `  forced disconnects       drop ${d['stream-drop']}, stall ${d['stream-stall']}, operational-disconnect ${d['operational-disconnect']}, 429 ${d['429']}; ${s.reconnects} reconnects, ${s.copiesDropped} backfilled copies dropped`,
  );
  log(`  stream vs webhook        ${s.sameAsWebhook ? 'the same XAA events' : 'DIFFERENT XAA events'}`);
  if (summary.missingKinds.length > 0) log(`  MISSING kinds: ${summary.missingKinds.join(', ')}`);
}

/** Whether the run showed everything it should: every kind, the replay, the stream exactly once across every fault. */
export function demoSucceeded(summary: DemoSummary): boolean {
  return (
    summary.missingKinds.length === 0 &&
    summary.replayState === 'Complete' &&
    summary.stream.exactlyOnce &&
    summary.stream.sameAsWebhook &&
    STREAM_FAULTS.every((fault) => summary.stream.disconnects[fault] >= 1)
  );
}

/** Real X: listen for deliveries on PORT behind your public https URL (X_WEBHOOK_URL). */
async function runReal(): Promise<void> {
  const options = realClientOptionsFromEnv();
  const client = new AccountActivityClient(options);
  const consumerSecret = options.consumerSecret;
  const webhookUrl = requireEnv('X_WEBHOOK_URL');
  const handler = createWebhookHandler({ consumerSecret, deduplicator: createDeduplicator({ ttlMs: 24 * HOUR }) });
  handler.onAny((event) => console.log(describeEvent(event)));
  const port = Number(process.env['PORT'] ?? 3000);
  const server = createServer(toNodeListener(handler)).listen(port);
  console.log(`Listening on port ${port}; X must reach it at ${webhookUrl}`);
  const existing = (await client.webhooks.list()).find((w) => w.url === webhookUrl);
  const webhook = existing ?? (await client.webhooks.register(webhookUrl));
  if (existing && !existing.valid) await client.webhooks.validate(existing.id);
  console.log(`Webhook ${webhook.id}; subscribing the app owner`);
  if (!(await client.subscriptions.check(webhook.id))) await client.subscriptions.add(webhook.id);
  console.log('Waiting for activity (Ctrl-C to stop)');
  process.once('SIGINT', () => server.close(() => process.exit(0)));
}

if (isMain(import.meta.url)) {
  if (process.argv.includes('--real')) {
    await runReal();
  } else {
    const started = performance.now();
    const summary = await runDemo();
    printSummary(summary, (line) => console.log(line));
    console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s, offline, without credentials.`);
    process.exitCode = demoSucceeded(summary) ? 0 : 1;
  }
}

export type { Emulator };
