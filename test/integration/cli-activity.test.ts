/**
 * `activity subscriptions`, `activity stream`, `stream-rules` and `stream-links` as spawned processes
 * against the emulator on 127.0.0.1; webhooks are a real receiver made with the library.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { type Emulator, startEmulator } from '../../src/testing/index.js';
import { createWebhookHandler } from '../../src/webhooks/index.js';
import { type Result, type Running, emulatorEnv, run, start } from './cli-process.js';

// Each command is a real process (node + tsx): generous bounds, as the machine may be busy.
vi.setConfig({ testTimeout: 120_000 });

let x: Emulator;
let receiver: http.Server;
let webhookUrl: string;
let env: Record<string, string>;
const running: Running[] = [];

beforeEach(async () => {
  // Keep-alives well inside the stream's 20 s stall timeout, so that no test depends on timing.
  x = await startEmulator({ retryScale: 0.001, keepAliveMs: 200 });
  const handler = createWebhookHandler(x.webhookOptions());
  receiver = http.createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;
  env = emulatorEnv(x);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop('SIGKILL')));
  await new Promise<void>((resolve) => {
    receiver.close(() => resolve());
    receiver.closeAllConnections();
  });
  await x.close();
});

/** Every secret the commands could know: none may appear in their output. */
function secrets(): string[] {
  const alice = x.account('alice');
  return [
    env.X_CONSUMER_SECRET as string,
    env.X_ACCESS_TOKEN_SECRET as string,
    x.bearerToken,
    alice.accessTokenSecret,
    alice.oauth2AccessToken,
  ];
}

function expectNoSecret(...results: Result[]): void {
  for (const result of results) {
    for (const secret of secrets()) expect(result.stdout + result.stderr).not.toContain(secret);
  }
}

async function registerWebhook(): Promise<string> {
  const registered = await run(['webhooks', 'register', webhookUrl, '--json'], { env });
  expect(registered.code, registered.stderr).toBe(0);
  return (JSON.parse(registered.stdout) as { id: string }).id;
}

/** Starts a long-running command; the test's afterEach kills it if the test did not end it. */
function background(args: readonly string[]): Running {
  const child = start(args, { env });
  running.push(child);
  return child;
}

/** Sends `signal` and waits for the exit, killing the process if it has not exited within `ms`. */
async function stopWithin(child: Running, signal: NodeJS.Signals, ms = 30_000): Promise<number | null | 'killed'> {
  const timer = setTimeout(() => child.child.kill('SIGKILL'), ms);
  child.child.kill(signal);
  const code = await child.exited;
  clearTimeout(timer);
  return child.child.signalCode === 'SIGKILL' ? 'killed' : code;
}

/** Waits for the exit of a command expected to end by itself, killing it after `ms`. */
async function exitWithin(child: Running, ms = 60_000): Promise<number | null | 'killed'> {
  const timer = setTimeout(() => child.child.kill('SIGKILL'), ms);
  const code = await child.exited;
  clearTimeout(timer);
  return child.child.signalCode === 'SIGKILL' ? 'killed' : code;
}

describe('activity subscriptions', () => {
  it('creates public and private subscriptions, lists (table and JSON), updates and deletes one and several', async () => {
    const webhookId = await registerWebhook();
    const alice = x.account('alice');
    const bob = x.account('bob');

    const posts = await run(
      [
        'activity',
        'subscriptions',
        'create',
        '--event-type',
        'post.create',
        '--user-id',
        bob.id,
        '--tag',
        'posts',
        '--json',
      ],
      { env },
    );
    expect(posts.code, posts.stderr).toBe(0);
    const postsSub = (JSON.parse(posts.stdout) as { subscription: { id: string; eventType: string; tag: string } })
      .subscription;
    expect(postsSub).toMatchObject({ eventType: 'post.create', tag: 'posts' });

    // A private type in alice's context, with her tokens from the flags.
    const likes = await run(
      [
        'activity',
        'subscriptions',
        'create',
        '--event-type',
        'like.create',
        '--user-id',
        alice.id,
        '--direction',
        'inbound',
        '--webhook-id',
        webhookId,
        // The `=` form: a generated token may start with '-', which util.parseArgs would take for an option.
        `--user-token=${alice.accessToken}`,
        `--user-token-secret=${alice.accessTokenSecret}`,
      ],
      { env },
    );
    expect(likes.code, likes.stderr).toBe(0);
    expect(likes.stdout).toMatch(
      new RegExp(
        `^created subscription (\\d+) \\(like\\.create, user_id=${alice.id},direction=inbound, webhook ${webhookId}\\)`,
      ),
    );
    const likesId = /^created subscription (\d+)/.exec(likes.stdout)?.[1] as string;
    expect(x.xaa.subscriptions().map((s) => s['subscription_id'])).toEqual([postsSub.id, likesId]);

    const table = await run(['activity', 'subscriptions', 'list'], { env });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+EVENT TYPE\s+FILTER\s+TAG\s+WEBHOOK\s+CREATED\n/);
    expect(table.stdout).toMatch(
      new RegExp(`${postsSub.id}\\s+post\\.create\\s+user_id=${bob.id}\\s+posts\\s+\\d{4}-`),
    );
    expect(table.stdout).toMatch(
      new RegExp(`${likesId}\\s+like\\.create\\s+user_id=${alice.id},direction=inbound\\s+${webhookId}`),
    );
    const listed = await run(['activity', 'subscriptions', 'list', '--json'], { env });
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((s) => s.id)).toEqual([postsSub.id, likesId]);

    const updated = await run(['activity', 'subscriptions', 'update', postsSub.id, '--tag', 'bob-posts'], { env });
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain(
      `updated subscription ${postsSub.id} (post.create, user_id=${bob.id}, tag "bob-posts"`,
    );
    expect(x.xaa.subscriptions().find((s) => s['subscription_id'] === postsSub.id)?.['tag']).toBe('bob-posts');

    const one = await run(['activity', 'subscriptions', 'delete', postsSub.id], { env });
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^deleted subscription ${postsSub.id}`));

    // Several ids: the bulk delete; one unknown id fails, is reported, and makes the exit code 1.
    const many = await run(['activity', 'subscriptions', 'delete', likesId, '999999999999'], { env });
    expect(many.code).toBe(1);
    expect(many.stdout).toContain(`deleted subscription ${likesId}\n`);
    expect(many.stdout).toContain('1 deleted, 1 failed');
    expect(many.stderr).toMatch(/failed subscription 999999999999: SubscriptionNotFound: /);
    expect(x.xaa.subscriptions()).toEqual([]);

    const empty = await run(['activity', 'subscriptions', 'list'], { env });
    expect(empty.stdout).toBe('no X Activity API subscriptions\n');
    expectNoSecret(posts, likes, table, listed, updated, one, many);
  });

  it('a private type without the user context fails typed with exit 1; usage errors exit 2', async () => {
    const alice = x.account('alice');
    // The app owner's tokens are not alice's: X (the emulator) refuses.
    const refused = await run(
      ['activity', 'subscriptions', 'create', '--event-type', 'dm.received', '--user-id', alice.id],
      { env },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error ForbiddenError: /);
    expect(refused.stderr).toContain('status 403');
    expect(x.xaa.subscriptions()).toEqual([]);
    const json = await run(['activity', 'subscriptions', 'update', '123456', '--tag', 't', '--json'], { env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: 'InvalidRequestError', status: 400 });
    expect(json.stderr).toContain('SubscriptionNotFound');
    expectNoSecret(refused, json);

    const noType = await run(['activity', 'subscriptions', 'create', '--user-id', alice.id], { env });
    expect(noType.code).toBe(2);
    expect(noType.stderr).toContain('--event-type is required');
    const twoFilters = await run(
      ['activity', 'subscriptions', 'create', '--event-type', 'post.create', '--user-id', alice.id, '--keyword', 'k'],
      { env },
    );
    expect(twoFilters.code).toBe(2);
    expect((await run(['activity', 'subscriptions', 'update', '123456'], { env })).code).toBe(2);
    expect((await run(['activity', 'subscriptions', 'delete'], { env })).code).toBe(2);
    expect((await run(['activity', 'frobnicate'], { env })).code).toBe(2);
    const help = await run(['activity', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('activity subscriptions create --event-type');
  });
});

describe('activity stream', () => {
  it('prints the events the emulator produces, one line each (text and NDJSON), and ends after --max', async () => {
    const alice = x.account('alice');
    const created = await run(
      ['activity', 'subscriptions', 'create', '--event-type', 'post.create', '--user-id', alice.id, '--tag', 'mine'],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);

    const text = background(['activity', 'stream', '--max', '1']);
    await text.waitFor(/connected \(Ctrl-C stops\)/);
    await x.activity.post('alice', 'hello from the stream');
    expect(await exitWithin(text)).toBe(0);
    expect(text.stdout()).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d post\\.create for ${alice.id} \\[mine\\] @alice posted \\d+ "hello from the stream"\\n$`,
      ),
    );
    expect(text.stderr()).toContain('stopped after --max 1: 1 events');

    const json = background(['activity', 'stream', '--max', '2', '--json']);
    await json.waitFor(/connected \(Ctrl-C stops\)/);
    await x.activity.post('alice', 'one');
    await x.activity.post('alice', 'two');
    expect(await exitWithin(json)).toBe(0);
    const lines = json
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; family: string; text: string; tag: string; raw?: unknown });
    expect(lines.map((e) => [e.type, e.family, e.text, e.tag])).toEqual([
      ['post.create', 'xaa', 'one', 'mine'],
      ['post.create', 'xaa', 'two', 'mine'],
    ]);
    expect(lines[0]?.raw).toBeUndefined();
    expect(json.stderr()).toContain('stopped after --max 2: 2 events');
    for (const secret of secrets())
      expect(text.stdout() + text.stderr() + json.stdout() + json.stderr()).not.toContain(secret);
  });

  it('reports a dropped connection and the reconnect on stderr; the backfilled copy is not printed again', async () => {
    const alice = x.account('alice');
    expect(
      (
        await run(['activity', 'subscriptions', 'create', '--event-type', 'post.create', '--user-id', alice.id], {
          env,
        })
      ).code,
    ).toBe(0);
    x.faults.inject({ type: 'stream-drop', afterEvents: 1 }); // the first connection drops after one event
    const stream = background(['activity', 'stream', '--max', '2']);
    await stream.waitFor(/connected \(Ctrl-C stops\)/);
    await x.activity.post('alice', 'before the drop');
    await stream.waitFor(/reconnected \(attempt 2\)/);
    await x.activity.post('alice', 'after the drop');
    expect(await exitWithin(stream)).toBe(0);
    const lines = stream.stdout().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"before the drop"');
    expect(lines[1]).toContain('"after the drop"');
    expect(stream.stderr()).toMatch(/^disconnected: network/m);
    expect(stream.stderr()).toMatch(/^reconnecting in \d+ ms \(network\)$/m);
    expect(stream.stderr()).toMatch(/^connecting, attempt 2 \(backfill 1 min\)$/m);
    expect(stream.stderr()).toMatch(/stopped after --max 2: 2 events, 1 reconnects, 1 duplicates dropped/);
  });

  it('--start and --end: prints the events of the window and ends when X ends the answer', async () => {
    const alice = x.account('alice');
    expect(
      (
        await run(['activity', 'subscriptions', 'create', '--event-type', 'post.create', '--user-id', alice.id], {
          env,
        })
      ).code,
    ).toBe(0);
    await x.activity.post('alice', 'first in the window');
    await x.activity.post('alice', 'second in the window');
    // X's times have whole seconds: an end a little ahead keeps both events inside the window.
    const end = new Date(Date.now() + 2_000).toISOString();
    const window = background(['activity', 'stream', '--start', '10m', '--end', end]);
    expect(await exitWithin(window)).toBe(0);
    const lines = window.stdout().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"first in the window"');
    expect(lines[1]).toContain('"second in the window"');
    expect(window.stderr()).toMatch(/^ended: 2 events/m);
  });

  it('SIGINT closes the stream cleanly and prints its counts; a refused token fails typed with exit 1', async () => {
    const alice = x.account('alice');
    expect(
      (
        await run(['activity', 'subscriptions', 'create', '--event-type', 'post.create', '--user-id', alice.id], {
          env,
        })
      ).code,
    ).toBe(0);
    const stream = background(['activity', 'stream', '--backfill', '1']);
    await stream.waitFor(/connecting, attempt 1 \(backfill 1 min\)/);
    await stream.waitFor(/connected \(Ctrl-C stops\)/);
    await x.activity.post('alice', 'before the interrupt');
    await stream.waitFor(/"before the interrupt"/);
    expect(await stopWithin(stream, 'SIGINT')).toBe(0);
    expect(stream.stderr()).toMatch(/^stopped: 1 events, 0 reconnects, 0 duplicates dropped, \d+ keep-alives$/m);
    // The emulator saw the connection end (polled: the close reaches it after the exit).
    await vi.waitFor(() => expect(x.stream.stats().active).toBe(0), { timeout: 10_000, interval: 20 });
    expect(x.stream.connections().map((c) => c.state)).toEqual(['closed']);

    const refused = await run(['activity', 'stream'], { env: { ...env, X_BEARER_TOKEN: 'not-the-bearer-token' } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error AuthenticationError: /m);
    expect(refused.stderr).toContain('failed: 0 events');
    expect(refused.stderr).not.toContain('not-the-bearer-token');
    expectNoSecret(refused);
    expect((await run(['activity', 'stream', '--backfill', '9'], { env })).code).toBe(2);
    expect((await run(['activity', 'stream', '--start', 'soon'], { env })).code).toBe(2);
  });
});

describe('stream-rules', () => {
  it('adds (dry run, duplicate), lists and deletes rules; an invalid rule fails typed', async () => {
    const dry = await run(['stream-rules', 'add', 'kittens', '--dry-run'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: 1 valid, 0 invalid; nothing was changed');
    expect(x.xaa.rules()).toEqual([]);

    const added = await run(['stream-rules', 'add', 'kittens', 'puppies', '--tag', 'pets'], { env });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^added rule \d+ "kittens" \(tag pets\)\nadded rule \d+ "puppies" \(tag pets\)\n$/);
    const ids = x.xaa.rules().map((r) => r.id);
    expect(x.xaa.rules().map((r) => [r.value, r.tag])).toEqual([
      ['kittens', 'pets'],
      ['puppies', 'pets'],
    ]);

    const duplicate = await run(['stream-rules', 'add', 'kittens'], { env });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/refused "kittens".*: DuplicateRule/);

    const table = await run(['stream-rules', 'list'], { env });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+VALUE\s+TAG\n/);
    expect(table.stdout).toMatch(new RegExp(`${ids[0]}\\s+kittens\\s+pets`));
    const listed = await run(['stream-rules', 'list', '--json'], { env });
    expect((JSON.parse(listed.stdout) as { value: string }[]).map((r) => r.value)).toEqual(['kittens', 'puppies']);

    const invalid = await run(['stream-rules', 'add', '(cats'], { env });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error \w+Error: /);
    expect(invalid.stderr).toContain('status 400');

    const deleted = await run(['stream-rules', 'delete', ...ids], { env });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe('2 deleted, 0 not deleted\n');
    expect(x.xaa.rules()).toEqual([]);
    const missing = await run(['stream-rules', 'delete', ids[0] as string], { env });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('0 deleted, 1 not deleted\n');
    expect((await run(['stream-rules', 'add'], { env })).code).toBe(2);
    // A value that starts with '-' (generated tokens can) is a value, not an option: sent, and refused by X.
    const dashed = await run(['stream-rules', 'list', '--bearer-token', '-not-the-bearer-token'], { env });
    expect(dashed.code).toBe(1);
    expect(dashed.stderr).toMatch(/^error AuthenticationError: /);
    expect(dashed.stderr).not.toContain('not-the-bearer-token');
    expect((await run(['stream-rules', 'add', 'cats', '--tag', '--json'], { env })).code).toBe(2);
    expectNoSecret(dry, added, duplicate, table, listed, invalid, deleted, missing);
  });
});

describe('stream-links', () => {
  it('links a webhook with fields, lists, unlinks; linking twice and unlinking twice fail typed', async () => {
    const webhookId = await registerWebhook();
    const created = await run(
      ['stream-links', 'create', webhookId, '--tweet-fields', 'created_at,author_id', '--expansions', 'author_id'],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe(`linked webhook ${webhookId} to the Filtered Stream (provisioned: yes)\n`);
    expect(x.xaa.links().map((l) => l.webhookId)).toEqual([webhookId]);

    const table = await run(['stream-links', 'list'], { env });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^WEBHOOK\s+FIELDS\s+CREATED\n/);
    expect(table.stdout).toContain(webhookId);
    expect(table.stdout).toContain('created_at,author_id');
    const listed = await run(['stream-links', 'list', '--json'], { env });
    expect((JSON.parse(listed.stdout) as { webhookId: string }[]).map((l) => l.webhookId)).toEqual([webhookId]);

    const again = await run(['stream-links', 'create', webhookId], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error \w+Error: /);

    const deleted = await run(['stream-links', 'delete', webhookId], { env });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(`unlinked webhook ${webhookId} from the Filtered Stream\n`);
    expect(x.xaa.links()).toEqual([]);
    const twice = await run(['stream-links', 'delete', webhookId, '--json'], { env });
    expect(twice.code).toBe(1);
    expect(JSON.parse(twice.stderr)).toMatchObject({ status: expect.any(Number) });
    expect((await run(['stream-links', 'create'], { env })).code).toBe(2);
    expectNoSecret(created, table, listed, again, deleted, twice);
  });
});
