/**
 * `listen`, `send`, `crc` and `--help` as spawned processes against real loopback endpoints: a good
 * CRC responder and broken ones, each failure explained.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { createWebhookHandler } from '../../src/webhooks/index.js';
import { type Running, closedPort, run, start } from './cli-process.js';

// Each command is a real process (node + tsx): generous bounds, as the machine may be busy.
vi.setConfig({ testTimeout: 120_000 });

const SECRET = 'cli-test-consumer-secret';
const env = { X_CONSUMER_SECRET: SECRET };
const servers: http.Server[] = [];
const running: Running[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop('SIGKILL')));
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
});

async function serve(listener: http.RequestListener): Promise<string> {
  const server = http.createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
}

const digest = (token: string, secret = SECRET): Buffer => createHmac('sha256', secret).update(token).digest();
const tokenOf = (req: http.IncomingMessage): string =>
  new URL(req.url ?? '/', 'http://x').searchParams.get('crc_token') ?? '';
const json = (res: http.ServerResponse, body: unknown, type = 'application/json'): void => {
  res.writeHead(200, { 'content-type': type }).end(typeof body === 'string' ? body : JSON.stringify(body));
};

describe('listen and send', () => {
  it('answers CRC, prints verified events, shows and counts refusals, and stops on SIGTERM with totals', async () => {
    const listener = start(['listen', '--port', '0'], { env });
    running.push(listener);
    const [, url] = await listener.waitFor(/listening on (\S+) /);
    const webhook = String(url);

    const crc = await run(['crc', webhook], { env });
    expect(crc.code, crc.stdout + crc.stderr).toBe(0);
    expect(crc.stdout).toMatch(/^ok CRC passed: 200, valid response_token, \d+ ms \(limit 3000 ms\)\n$/);

    const sent = await run(['send', webhook, 'mention', '--from', 'carol', '--to', 'alice', '--text', 'hello @alice'], {
      env,
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^ok POST mention \(\d+ bytes, signed\) -> 200 in \d+ ms/);
    await listener.waitFor(/tweet_create for \d+ @carol posted \d+ \[mention\] "hello @alice"/);

    const like = await run(['send', webhook, 'like', '--json'], { env });
    expect(JSON.parse(like.stdout)).toMatchObject({ ok: true, kind: 'favorite', status: 200 });
    await listener.waitFor(/favorite for \d+ @alice liked \d+ by @bob/);

    const forged = await run(['send', webhook, 'dm', '--bad-signature'], { env });
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain('-> 401');
    expect(forged.stdout).toContain('hint the endpoint refused the signature');
    await listener.waitFor(/refused 401 POST \/webhook: .*signature/);

    expect(await listener.stop('SIGTERM')).toBe(0);
    expect(listener.stderr()).toMatch(/stopped: 2 events from 2 verified deliveries, \d+ CRC answered, \d+ refused/);
    expect(listener.stdout()).toMatch(/crc answered a CRC challenge/);
  });

  it('--json prints one JSON object per line (NDJSON), for every kind send knows', async () => {
    const listener = start(['listen', '--port', '0', '--json', '--path', '/x/hook'], { env });
    running.push(listener);
    const [, url] = await listener.waitFor(/listening on (\S+) /);
    const kinds = [
      'tweet_create',
      'reply',
      'retweet',
      'quote',
      'follow',
      'unfollow',
      'block',
      'unblock',
      'mute',
      'unmute',
      'user_revoke',
      'direct_message',
      'typing',
      'read',
      'tweet_delete',
      'replay_job_status',
    ];
    const sent = await run(['send', String(url), ...kinds], { env });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    expect(sent.stdout.trim().split('\n')).toHaveLength(kinds.length);
    const wrongPath = await run(['send', String(url).replace('/x/hook', '/other'), 'follow'], { env });
    expect(wrongPath.code).toBe(1);
    await listener.waitFor(/"refused":404/);
    await listener.stop('SIGINT');
    const lines = listener
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type?: string; refused?: number });
    const types = lines.flatMap((l) => (l.type ? [l.type] : []));
    expect(types).toEqual([
      'tweet_create',
      'tweet_create',
      'tweet_create',
      'tweet_create',
      'follow',
      'unfollow',
      'block',
      'unblock',
      'mute',
      'unmute',
      'user_revoke',
      'direct_message',
      'direct_message_typing',
      'direct_message_read',
      'tweet_delete',
      'replay_job_status',
    ]);
    expect(lines.filter((l) => l.refused === 404)).toHaveLength(1);
  });

  it('send: usage errors exit 2; an unreachable URL exits 1', async () => {
    const unknown = await run(['send', 'http://127.0.0.1:9/webhook', 'poke'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown kind 'poke'");
    expect((await run(['send', 'http://127.0.0.1:9/webhook'], { env })).code).toBe(2);
    expect((await run(['send', 'http://127.0.0.1:9/webhook', 'follow'])).code).toBe(2); // no consumer secret
    const refused = await run(['send', `http://127.0.0.1:${await closedPort()}/webhook`, 'follow'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('ECONNREFUSED');
  });
});

describe('crc explains each failure', () => {
  const cases: [string, http.RequestListener, RegExp][] = [
    [
      'another consumer secret',
      (req, res) => json(res, { response_token: `sha256=${digest(tokenOf(req), 'other').toString('base64')}` }),
      /another consumer secret/,
    ],
    [
      'a hex digest',
      (req, res) => json(res, { response_token: `sha256=${digest(tokenOf(req)).toString('hex')}` }),
      /the digest is hex, not base64/,
    ],
    [
      'no sha256= prefix',
      (req, res) => json(res, { response_token: digest(tokenOf(req)).toString('base64') }),
      /lacks its "sha256=" prefix/,
    ],
    [
      'the wrong JSON key',
      (req, res) => json(res, { responseToken: `sha256=${digest(tokenOf(req)).toString('base64')}` }),
      /no "response_token" \(it has "responseToken"\)/,
    ],
    [
      'the bare token as text',
      (req, res) => json(res, `sha256=${digest(tokenOf(req)).toString('base64')}`, 'text/plain'),
      /the body is the bare token, not JSON/,
    ],
    [
      'a redirect',
      (_req, res) => res.writeHead(301, { location: 'https://example.com/webhook/' }).end(),
      /redirect 301 to https:\/\/example\.com\/webhook\/: X does not follow redirects/,
    ],
    ['a 404', (_req, res) => res.writeHead(404).end('nope'), /answered 404, not 200/],
    [
      'a refused token shape',
      (req, res) => {
        const token = tokenOf(req);
        if (!/^[A-Za-z0-9]+$/.test(token)) return void res.writeHead(400).end('bad token');
        json(res, { response_token: `sha256=${digest(token).toString('base64')}` });
      },
      /refuses the token's shape/,
    ],
  ];
  for (const [name, listener, explanation] of cases) {
    it(`fails with exit 1 on ${name}`, async () => {
      const url = await serve(listener);
      const result = await run(['crc', url], { env });
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toMatch(/^fail CRC failed/);
      expect(result.stdout).toMatch(explanation);
      expect(result.stdout).not.toContain(SECRET);
    });
  }

  it('fails on an answer over the time limit, and on no answer at all', async () => {
    const slow = await serve((req, res) => {
      setTimeout(() => json(res, { response_token: `sha256=${digest(tokenOf(req)).toString('base64')}` }), 400);
    });
    const late = await run(['crc', slow, '--limit', '100', '--json'], { env });
    expect(late.code).toBe(1);
    expect(JSON.parse(late.stdout)).toMatchObject({
      ok: false,
      status: 200,
      limitMs: 100,
      problem: expect.stringMatching(/over X's 100 ms limit/),
    });
    const silent = await serve(() => {});
    const timeout = await run(['crc', silent, '--timeout', '300'], { env });
    expect(timeout.code).toBe(1);
    expect(timeout.stdout).toContain('no answer within 300 ms');
  });

  it('fails on a refused connection and on a TLS error', async () => {
    const refused = await run(['crc', `http://127.0.0.1:${await closedPort()}/webhook`], { env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('connection refused');
    const plain = await serve((_req, res) => res.end('plain http'));
    const tls = await run(['crc', plain.replace('http:', 'https:')], { env });
    expect(tls.code).toBe(1);
    expect(tls.stdout).toContain('TLS error');
  });

  it('passes a good endpoint, warns on a missing content type and on a signature oracle', async () => {
    const loose = await serve((req, res) =>
      json(res, { response_token: `sha256=${digest(tokenOf(req)).toString('base64')}` }, 'text/plain'),
    );
    const result = await run(['crc', loose], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("warning content-type is 'text/plain'");
    expect(result.stdout).toContain('signature oracle');

    const good = await serve(toNodeListener(createWebhookHandler({ consumerSecret: SECRET })));
    const clean = await run(['crc', good, '--json'], { env });
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, status: 200, warnings: [] });
  });

  it('usage: no URL, a bad URL, no consumer secret exit 2', async () => {
    expect((await run(['crc'], { env })).code).toBe(2);
    expect((await run(['crc', 'example.com/webhook'], { env })).code).toBe(2);
    const none = await run(['crc', 'http://127.0.0.1:9/webhook']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('X_CONSUMER_SECRET');
  });
});

describe('help', () => {
  it.each([
    'emulate',
    'listen',
    'crc',
    'send',
    'webhooks',
    'subscriptions',
    'replay',
    'auth',
    'activity',
    'stream-rules',
    'stream-links',
  ])('%s --help shows usage and examples', async (command) => {
    const result = await run([command, '--help']);
    expect(result.code, command).toBe(0);
    expect(result.stdout, command).toContain(`Usage: x-account-activity ${command}`);
    expect(result.stdout, command).toContain('Examples');
  });

  it('--help and --version; no command exits 2; the XAA commands are listed', async () => {
    const main = await run(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('activity subscriptions list|create|update|delete');
    expect(main.stdout).not.toContain('Not yet');
    expect((await run([])).code).toBe(2);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const activity = await run(['activity']);
    expect(activity.code).toBe(2);
    expect(activity.stderr).toContain('Usage: x-account-activity activity <subscriptions|stream>');
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
