/**
 * `webhooks`, `subscriptions` and `replay` as spawned processes against the emulator; the webhook
 * is a real receiver on 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { type Emulator, startEmulator } from '../../src/testing/index.js';
import { createWebhookHandler } from '../../src/webhooks/index.js';
import { type Running, emulatorEnv, run, scratch, start } from './cli-process.js';

// Each command is a real process (node + tsx): generous bounds, as the machine may be busy.
vi.setConfig({ testTimeout: 120_000 });

let x: Emulator;
let receiver: http.Server;
let webhookUrl: string;
let env: Record<string, string>;
const running: Running[] = [];

async function startReceiver(port = 0): Promise<http.Server> {
  const handler = createWebhookHandler(x.webhookOptions());
  const server = http.createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

beforeEach(async () => {
  x = await startEmulator({ retryScale: 0.001 });
  receiver = await startReceiver();
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;
  env = emulatorEnv(x);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop('SIGKILL')));
  if (receiver.listening) await close(receiver);
  await x.close();
});

describe('webhooks', () => {
  it('registers, lists (table and JSON), validates and deletes, with credentials from the environment', async () => {
    const registered = await run(['webhooks', 'register', webhookUrl, '--json'], { env });
    expect(registered.code, registered.stderr).toBe(0);
    const webhook = JSON.parse(registered.stdout) as { id: string; url: string; valid: boolean };
    expect(webhook).toMatchObject({ url: webhookUrl, valid: true });
    expect(x.webhooks().map((w) => w.id)).toEqual([webhook.id]);

    const table = await run(['webhooks', 'list'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+URL\s+VALID\s+CREATED\n/);
    expect(table.stdout).toContain(`${webhook.id}  ${webhookUrl}  yes`);

    const listed = await run(['webhooks', 'list', '--json'], { env });
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((w) => w.id)).toEqual([webhook.id]);

    const validated = await run(['webhooks', 'validate', webhook.id], { env });
    expect(validated.code).toBe(0);
    expect(validated.stdout).toMatch(/CRC (passed|attempted)/);

    const deleted = await run(['webhooks', 'delete', webhook.id], { env });
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(`deleted webhook ${webhook.id}\n`);
    expect(x.webhooks()).toEqual([]);
  });

  it('exits 1 with X reason and a hint when X refuses; nothing secret is printed', async () => {
    await close(receiver); // the CRC of the registration fails
    const result = await run(['webhooks', 'register', webhookUrl], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error \w+Error: .*CrcValidationFailed/);
    expect(result.stderr).toContain('reason CrcValidationFailed');
    expect(result.stderr).toContain('x-account-activity crc <url>');
    for (const secret of [env.X_CONSUMER_SECRET, env.X_ACCESS_TOKEN_SECRET, x.bearerToken]) {
      expect(result.stderr + result.stdout).not.toContain(secret);
    }
  });

  it('reads credentials from a .env file in the working directory, the environment winning', async () => {
    const dir = scratch(
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    try {
      const fromFile = await run(['webhooks', 'list', '--json'], { cwd: dir.cwd });
      expect(fromFile.code, fromFile.stderr).toBe(0);
      expect(JSON.parse(fromFile.stdout)).toEqual([]);
      const overridden = await run(['webhooks', 'list'], { cwd: dir.cwd, env: { X_CONSUMER_SECRET: 'wrong-secret' } });
      expect(overridden.code).toBe(1); // the environment's wrong secret was used, not the file's
    } finally {
      dir.remove();
    }
  });

  it('exits 2 on usage errors: no credentials, unknown option, missing argument, unknown action', async () => {
    const dir = scratch();
    try {
      const none = await run(['webhooks', 'list'], { cwd: dir.cwd });
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('no credentials');
    } finally {
      dir.remove();
    }
    const unknown = await run(['webhooks', 'list', '--bogus'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
    expect(unknown.stderr).toContain('x-account-activity webhooks --help');
    expect((await run(['webhooks', 'register'], { env })).code).toBe(2);
    expect((await run(['webhooks', 'frobnicate'], { env })).code).toBe(2);
  });
});

describe('subscriptions', () => {
  it('adds a user, checks, lists, counts and removes', async () => {
    const webhook = JSON.parse((await run(['webhooks', 'register', webhookUrl, '--json'], { env })).stdout) as {
      id: string;
    };
    const alice = x.account('alice');
    const user = ['--user-token', alice.accessToken, '--user-token-secret', alice.accessTokenSecret];

    const before = await run(['subscriptions', 'check', webhook.id, ...user], { env });
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('not subscribed');

    const added = await run(['subscriptions', 'add', webhook.id, ...user], { env });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe(`subscribed the user to webhook ${webhook.id}\n`);
    expect(added.stdout + added.stderr).not.toContain(alice.accessTokenSecret);

    const checked = await run(['subscriptions', 'check', webhook.id, '--json'], {
      env: { ...env, X_USER_ACCESS_TOKEN: alice.accessToken, X_USER_ACCESS_TOKEN_SECRET: alice.accessTokenSecret },
    });
    expect(checked.code).toBe(0);
    expect(JSON.parse(checked.stdout)).toEqual({ subscribed: true, webhookId: webhook.id });

    const listed = await run(['subscriptions', 'list', webhook.id], { env });
    expect(listed.stdout).toBe(`USER ID\n${alice.id}\n`);

    const count = await run(['subscriptions', 'count', '--json'], { env });
    expect(JSON.parse(count.stdout)).toMatchObject({ subscriptionsCountAll: 1 });
    const countTable = await run(['subscriptions', 'count'], { env });
    expect(countTable.stdout).toMatch(/subscriptionsCountAll\s+1/);

    const removed = await run(['subscriptions', 'remove', webhook.id, alice.id], { env });
    expect(removed.code).toBe(0);
    expect(x.webhooks()[0]?.subscriptions).toEqual([]);
    expect((await run(['subscriptions', 'remove', webhook.id], { env })).code).toBe(2);
  });
});

describe('replay', () => {
  it('starts a job; checks the window before sending anything', async () => {
    const webhook = JSON.parse((await run(['webhooks', 'register', webhookUrl, '--json'], { env })).stdout) as {
      id: string;
    };
    const started = await run(['replay', webhook.id, '--from', '3h', '--to', '1h', '--json'], { env });
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ webhookId: webhook.id, jobId: expect.stringMatching(/^\d+$/) });

    const tooRecent = await run(['replay', webhook.id, '--from', '20m', '--to', '5m'], { env });
    expect(tooRecent.code).toBe(1);
    expect(tooRecent.stderr).toContain('InvalidArgumentError');
    expect((await run(['replay', webhook.id, '--from', 'yesterday-ish', '--to', '1h'], { env })).code).toBe(2);
    expect((await run(['replay', webhook.id, '--to', '1h'], { env })).code).toBe(2);
  });

  it('--wait listens on the webhook port and follows the job to its replay_job_status', async () => {
    const webhook = JSON.parse((await run(['webhooks', 'register', webhookUrl, '--json'], { env })).stdout) as {
      id: string;
    };
    const port = (receiver.address() as AddressInfo).port;
    await close(receiver); // the CLI takes the webhook's port
    const result = await run(['replay', webhook.id, '--from', '3h', '--to', '1h', '--wait', '--port', String(port)], {
      env,
      timeoutMs: 15_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^replay job \d+: Complete \(0 events received\)/);
    expect(result.stderr).toContain(`waiting for its replay_job_status on http://127.0.0.1:${port}/webhook`);
  });

  it('--wait gives up after --wait-timeout with exit 1 when nothing reaches the port', async () => {
    const webhook = JSON.parse((await run(['webhooks', 'register', webhookUrl, '--json'], { env })).stdout) as {
      id: string;
    };
    // The webhook stays on the test's receiver; the CLI listens elsewhere and never hears the job end.
    const result = await run(
      ['replay', webhook.id, '--from', '3h', '--to', '1h', '--wait', '--port', '0', '--wait-timeout', '500'],
      {
        env,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("does the webhook's URL reach this port?");
  });
});

describe('emulate', () => {
  it('prints environment lines, serves the API to --emulator, and stops cleanly on SIGINT and SIGTERM', async () => {
    const emulator = start(['emulate', '--port', '0']);
    running.push(emulator);
    await emulator.waitFor(/^X_CAROL_ACCESS_TOKEN_SECRET=\S+$/m);
    const [, url] = await emulator.waitFor(/^X_API_BASE_URL=(\S+)$/m);
    expect(emulator.stdout()).toMatch(/^X_CONSUMER_SECRET=emulator-consumer-secret$/m);
    expect(emulator.stdout()).toMatch(/^X_ALICE_ACCESS_TOKEN=\S+$/m);
    const listed = await run(['webhooks', 'list', '--emulator', '--base-url', String(url)]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toBe('no webhooks\n');
    expect(await emulator.stop('SIGINT')).toBe(0);
    expect(emulator.stderr()).toContain('emulator stopped');

    const again = start(['emulate', '--port', '0', '--json']);
    running.push(again);
    const [line] = await again.waitFor(/^\{.*\}$/m);
    expect(JSON.parse(line)).toMatchObject({ X_CONSUMER_KEY: 'emulator-consumer-key', accounts: expect.any(Array) });
    expect(await again.stop('SIGTERM')).toBe(0);
  });
});
