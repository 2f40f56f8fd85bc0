// End to end on 127.0.0.1: the library's client against the library's emulator, for every XAA
// subscription operation (in each of the emulator's envelope variants), the Filtered-Stream links and
// rules, and the activity stream across 20 forced disconnects of each kind (drop, stall, 429, 503,
// operational-disconnect) with every event delivered exactly once. Time is scaled through the
// documented options (keepAliveMs, stallTimeoutMs, backoff), never slept through.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { AccountActivityClient } from '../../src/client/index.js';
import type { ActivityStreamOptions, ActivityStreamStateChange } from '../../src/client/index.js';
import { isAuthenticationError } from '../../src/errors.js';
import type { AccountActivityEvent } from '../../src/events/index.js';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/testing/index.js';
import { createWebhookHandler } from '../../src/webhooks/index.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ retryScale: 0.001, crcTimeoutMs: 2_000, deliveryTimeoutMs: 2_000, ...options });
  closers.push(() => emu.close());
  return emu;
}

/** A webhook app made with the library: CRC and signatures checked, events recorded. */
async function webhookApp(emu: Emulator): Promise<{ url: string; events: AccountActivityEvent[] }> {
  const handler = createWebhookHandler(emu.webhookOptions());
  const events: AccountActivityEvent[] = [];
  handler.onAny((event) => {
    events.push(event);
  });
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/x`, events };
}

describe('XAA subscriptions end to end', () => {
  for (const envelope of ['openapi', 'docs', 'docs-array'] as const) {
    it(`create, list, update, delete, deleteMany with the ${envelope} envelopes; private types in the user's context`, async () => {
      const emu = await emulator({ xaaEnvelope: envelope });
      const client = new AccountActivityClient(emu.clientOptions());
      const alice = emu.account('alice');
      const bob = emu.account('bob');
      const app = await webhookApp(emu);
      const webhook = await client.webhooks.register(app.url);

      const bio = await client.activity.subscriptions.create({
        eventType: 'profile.update.bio',
        filter: { userId: alice.id },
        tag: 'bios',
        webhookId: webhook.id,
      });
      expect(bio.subscription).toMatchObject({
        eventType: 'profile.update.bio',
        filter: { userId: alice.id },
        tag: 'bios',
        webhookId: webhook.id,
      });
      expect(bio.subscription.id).toMatch(/^[0-9]+$/);
      const like = await client.activity.subscriptions.create(
        { eventType: 'like.create', filter: { userId: alice.id, direction: 'inbound' }, tag: 'likes' },
        { user: { accessToken: alice.accessToken, accessTokenSecret: alice.accessTokenSecret } },
      );
      expect(like.subscription.filter.direction).toBe('inbound');
      const dm = await client.activity.subscriptions.create(
        { eventType: 'dm.received', filter: { userId: bob.id } },
        { user: { oauth2AccessToken: bob.oauth2AccessToken } },
      );
      const posts = await client.activity.subscriptions.create({
        eventType: 'post.create',
        filter: { userId: bob.id },
      });

      const all: string[] = [];
      for await (const sub of client.activity.subscriptions.list({ maxResults: 1 })) all.push(sub.id);
      expect(all.sort()).toEqual([bio, like, dm, posts].map((r) => r.subscription.id).sort());
      const page = await client.activity.subscriptions.listPage({ maxResults: 2 });
      expect(page.subscriptions).toHaveLength(2);

      const updated = await client.activity.subscriptions.update(bio.subscription.id, { tag: 'profile-bios' });
      expect(updated.subscription.tag).toBe('profile-bios');
      expect(emu.xaa.subscriptions().find((s) => s['subscription_id'] === bio.subscription.id)?.['tag']).toBe(
        'profile-bios',
      );

      // The subscription delivers to the webhook app, typed.
      await emu.activity.updateProfile('alice', { bio: 'new bio' });
      await emu.settled();
      expect(app.events.map((e) => [e.type, e.family === 'xaa' ? e.tag : undefined])).toEqual([
        ['profile.update.bio', 'profile-bios'],
      ]);

      const removed = await client.activity.subscriptions.delete(posts.subscription.id);
      expect(removed.deleted).toBe(true);
      const many = await client.activity.subscriptions.deleteMany([
        bio.subscription.id,
        like.subscription.id,
        '999999999999',
      ]);
      expect([...many.deleted].sort()).toEqual([bio.subscription.id, like.subscription.id].sort());
      expect(many.failed.map((f) => f.subscriptionId)).toEqual(['999999999999']);
      expect(emu.xaa.subscriptions().map((s) => s['subscription_id'])).toEqual([dm.subscription.id]);
    });
  }

  it("a public type works with the app token alone; a revoked user's token is refused, typed, with no secret in the error", async () => {
    const emu = await emulator();
    const client = new AccountActivityClient({ bearerToken: emu.bearerToken, baseUrl: emu.url });
    const created = await client.activity.subscriptions.create(
      { eventType: 'post.create', filter: { userId: emu.account('alice').id } },
      {},
    );
    expect(created.subscription.eventType).toBe('post.create');
    // With a user's token that the emulator refuses (revoked), the call fails with the typed error.
    const alice = emu.account('alice');
    await emu.activity.revoke('alice');
    const refused = await client.activity.subscriptions
      .create(
        { eventType: 'like.create', filter: { userId: alice.id } },
        { user: { oauth2AccessToken: alice.oauth2AccessToken } },
      )
      .catch((e: unknown) => e);
    expect(isAuthenticationError(refused) || (refused as { status?: number }).status === 403).toBe(true);
    const text = `${String(refused)} ${inspect(refused, { depth: 5 })} ${JSON.stringify(refused)}`;
    expect(text).not.toContain(alice.oauth2AccessToken);
    expect(text).not.toContain(emu.bearerToken);
  });
});

describe('Filtered-Stream links and rules end to end', () => {
  it('rules add (dry run, duplicate), list, delete; a link delivers matching posts to the webhook app', async () => {
    const emu = await emulator();
    const client = new AccountActivityClient(emu.clientOptions());
    const app = await webhookApp(emu);
    const webhook = await client.webhooks.register(app.url);

    const dry = await client.streamRules.add([{ value: 'kittens', tag: 'cats' }], { dryRun: true });
    expect(dry.summary.valid).toBe(1);
    expect(emu.xaa.rules()).toEqual([]);
    const added = await client.streamRules.add([{ value: 'kittens', tag: 'cats' }, { value: 'puppies' }]);
    expect(added.rules.map((r) => r.value)).toEqual(['kittens', 'puppies']);
    const again = await client.streamRules.add([{ value: 'kittens' }]);
    expect(again.rules).toEqual([]);
    expect(again.errors[0]?.title).toBe('DuplicateRule');
    const listed: string[] = [];
    for await (const rule of client.streamRules.list()) listed.push(rule.value);
    expect(listed.sort()).toEqual(['kittens', 'puppies']);

    const link = await client.streamLinks.create(webhook.id, {
      fields: { tweet: ['created_at'], expansions: ['author_id'] },
    });
    expect(link.provisioned).toBe(true);
    const links = await client.streamLinks.list();
    expect(links.map((l) => l.webhookId)).toEqual([webhook.id]);

    await emu.activity.post('alice', 'look at these kittens');
    await emu.settled();
    const post = app.events.find((e) => e.type === 'filtered_stream.post');
    expect(post?.type === 'filtered_stream.post' && post.matchingRules.map((r) => r.tag)).toEqual(['cats']);

    const deleted = await client.streamRules.delete(added.rules.map((r) => r.id));
    expect(deleted.summary.deleted).toBe(2);
    expect(emu.xaa.rules()).toEqual([]);
    expect((await client.streamLinks.delete(webhook.id)).deleted).toBe(true);
    expect(await client.streamLinks.list()).toEqual([]);
  });
});

const FAST: ActivityStreamOptions = {
  stallTimeoutMs: 2_000,
  backoff: {
    networkStepMs: 1,
    networkMaxMs: 4,
    httpInitialMs: 2,
    httpMaxMs: 8,
    rateLimitInitialMs: 3,
    rateLimitMaxMs: 12,
  },
};

describe('the activity stream end to end', () => {
  type Kind = 'stream-drop' | 'stream-stall' | 'operational-disconnect' | 429 | 503;
  const kinds: Kind[] = ['stream-drop', 'stream-stall', 'operational-disconnect', 429, 503];
  const reasons: Record<string, string> = {
    'stream-drop': 'network',
    'stream-stall': 'stall',
    'operational-disconnect': 'stream-error',
    429: 'rate-limit',
    503: 'http',
  };

  for (const kind of kinds) {
    it(`20 forced disconnects (${kind}): every post delivered exactly once, each reconnect with a backfill`, async () => {
      const emu = await emulator({ keepAliveMs: 20 });
      const client = new AccountActivityClient(emu.clientOptions());
      const alice = emu.account('alice');
      await client.activity.subscriptions.create({ eventType: 'post.create', filter: { userId: alice.id }, tag: 'a' });
      const total = 30;
      const states: ActivityStreamStateChange[] = [];
      const stream = client.activity.stream({
        ...FAST,
        ...(kind === 'stream-stall' ? { stallTimeoutMs: 150 } : {}),
        onState: (change) => states.push(change),
      });
      const texts: string[] = [];
      let posted = 0;
      const postNext = async (): Promise<void> => {
        if (posted < total) await emu.activity.post('alice', `post ${++posted}`);
      };
      // Faults for the 20 connections after the first one.
      const reading = (async () => {
        for await (const event of stream) {
          if (event.type !== 'post.create') throw new Error(`unexpected ${event.type}`);
          texts.push(event.text);
          if (texts.length === 1) {
            if (typeof kind === 'number') {
              emu.faults.inject({ type: 'status', status: kind, times: 20, match: { path: '/2/activity/stream' } });
              emu.stream.disconnectAll();
            } else {
              emu.faults.inject({ type: kind, afterEvents: 1, times: 20 });
              emu.stream.disconnectAll();
            }
          }
          if (texts.length === total) stream.close();
        }
      })();
      // Post once the stream is connected (the first connection asks for no backfill), then while it
      // suffers, a few posts ahead of the reader at most.
      // Bounded well inside vitest's 20 s testTimeout: at the deadline the stream is closed, the reader
      // ends, and the assertions below report what was missing.
      const deadline = Date.now() + 15_000;
      while (!states.some((s) => s.state === 'connected') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (Date.now() < deadline) await postNext();
      while (texts.length < total && Date.now() < deadline) {
        if (posted < total && posted <= texts.length + 2) await postNext();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      stream.close();
      await reading;
      expect(texts).toEqual(Array.from({ length: total }, (_, i) => `post ${i + 1}`));
      const stats = stream.stats();
      const reason = reasons[String(kind)] as keyof typeof stats.disconnects;
      expect(stats.disconnects[reason]).toBe(20);
      expect(stats.events).toBe(total);
      const connects = states.filter((s) => s.state === 'connecting');
      expect(connects.slice(1).every((s) => s.backfillMinutes !== undefined && s.backfillMinutes >= 1)).toBe(true);
      if (typeof kind !== 'number') expect(stats.duplicates).toBeGreaterThan(0);
    });
  }

  it('a revoked bearer token (401) ends the iteration with AuthenticationError, not retried', async () => {
    const emu = await emulator({ keepAliveMs: 20 });
    const stream = new AccountActivityClient({
      bearerToken: 'not-the-emulator-token',
      baseUrl: emu.url,
    }).activity.stream(FAST);
    let caught: unknown;
    try {
      for await (const _ of stream) {
        // nothing
      }
    } catch (error) {
      caught = error;
    }
    expect(isAuthenticationError(caught)).toBe(true);
    expect(stream.stats().attempts).toBe(1);
    expect(String(caught)).not.toContain('not-the-emulator-token');
  });
});
