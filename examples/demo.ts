/**
 * `npm run demo`: the whole Account Activity flow, offline, in a few seconds.
 *
 * 1. Starts the local X API emulator and a webhook server built with this SDK (node:http).
 * 2. Registers the webhook through `AccountActivityClient` (the emulator runs a real CRC against it)
 *    and subscribes two users, alice and bob.
 * 3. Plays a story that covers all 19 activity kinds, printing each typed event as it arrives.
 *    Part of it happens during an outage of the webhook server: X retries, then gives up.
 * 4. Starts a replay job for the story's window: the events lost in the outage arrive again, the
 *    ones already handled are dropped by the deduplicator, and `replay_job_status` closes the job.
 * 5. Prints a summary and exits 0 (1 if any kind is missing or the replay did not complete).
 *
 * The story is dated an hour ago (the emulator's clock runs an hour behind while it plays), because
 * X replays only windows that end at least 10 minutes in the past.
 *
 * `npm run demo -- --real` listens for real X deliveries instead (see examples/README.md).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountActivityClient, type AccountActivityEvent, createDeduplicator } from 'x-account-activity';
import { toNodeListener } from 'x-account-activity/node';
import { type Emulator, startEmulator } from 'x-account-activity/testing';
import { createWebhookHandler } from 'x-account-activity/webhooks';
import { ACTIVITY_KINDS, type ActivityKind, activityKind, describeEvent } from './shared/describe.js';
import { isMain, realClientOptionsFromEnv, requireEnv } from './shared/recipe.js';

/** The 19 kinds X documents (everything but the replay status and unknown). */
export const DOCUMENTED_KINDS: readonly ActivityKind[] = (Object.keys(ACTIVITY_KINDS) as ActivityKind[]).filter(
  (kind) => kind !== 'replay_status' && kind !== 'unknown',
);

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
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where lines go. @default console.log */
  readonly log?: (line: string) => void;
}

const HOUR = 3_600_000;

/** Runs the scripted story against the emulator and returns what was seen. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  let clockOffset = -HOUR;
  const emulator = await startEmulator({ retryScale: 0.001, clock: () => Date.now() + clockOffset });
  let server: Server | undefined;
  try {
    // The webhook app: verified, typed, deduplicated events.
    const handler = createWebhookHandler({
      consumerSecret: emulator.consumerSecret,
      deduplicator: createDeduplicator({ ttlMs: 24 * HOUR }),
    });
    const kindsSeen = new Set<ActivityKind>();
    let phase: 'live' | 'replay' = 'live';
    let recoveredByReplay = 0;
    let replayState: string | undefined;
    let jobDone: () => void = () => undefined;
    const replayFinished = new Promise<void>((resolve) => {
      jobDone = resolve;
    });
    handler.onAny((event: AccountActivityEvent) => {
      kindsSeen.add(activityKind(event));
      if (phase === 'replay' && event.type !== 'replay_job_status') recoveredByReplay++;
      log(`  ${phase === 'replay' ? '[replay] ' : ''}${describeEvent(event)}`);
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
    log(`Subscriptions: ${count.subscriptionsCountAll} of ${count.provisionedCount} provisioned`);

    const storyStart = new Date(Date.now() + clockOffset);
    log('\nThe story (an hour ago):');
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
    };
  } finally {
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
  if (summary.missingKinds.length > 0) log(`  MISSING kinds: ${summary.missingKinds.join(', ')}`);
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
    process.exitCode = summary.missingKinds.length === 0 && summary.replayState === 'Complete' ? 0 : 1;
  }
}

export type { Emulator };
