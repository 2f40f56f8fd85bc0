// The webhook toolkit on Cloudflare's runtime for real: workerd (the npm package's binary) serves a
// worker bundled from the source, without nodejs_compat, so only Web Crypto exists there and code
// generation (`new Function`) is refused. CRC, a signed delivery and a forged one go through it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xCrcAnswer, xSignature } from '../helpers/sign.js';

const SECRET = 'workerd-consumer-secret';
const WORKER = `
import { createWebhookHandler } from ${JSON.stringify(fileURLToPath(new URL('../../src/webhooks/index.ts', import.meta.url)))};
const handler = createWebhookHandler({ consumerSecret: ${JSON.stringify(SECRET)} });
const seen = [];
handler.onAny((event) => { seen.push(event.type === 'favorite' ? event.type + ':' + event.user.screenName : event.type); });
export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === '/runtime') {
      let codegen = 'allowed';
      try { new Function('return 1'); } catch { codegen = 'refused'; }
      return Response.json({ process: typeof process, codegen });
    }
    if (path === '/seen') return Response.json(seen);
    return handler.handle(request);
  },
};
`;

let dir: string;
let child: ChildProcess | undefined;
let base: string;
let output = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xaa-workerd-'));
  writeFileSync(join(dir, 'entry.js'), WORKER);
  buildSync({
    entryPoints: [join(dir, 'entry.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'worker.js'),
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .mainWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2024-09-23",
);
`,
  );
  const bin = fileURLToPath(new URL('../../node_modules/.bin/workerd', import.meta.url));
  child = spawn(bin, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Up to 15 s for workerd to listen.
  for (let attempt = 0; attempt < 150; attempt++) {
    try {
      await fetch(`${base}/runtime`, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`workerd did not start:\n${output}`);
}, 30_000);

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('webhook handler on workerd (Cloudflare Workers runtime)', () => {
  it('runs where only Web Crypto exists and code generation is refused', async () => {
    expect(await (await fetch(`${base}/runtime`)).json()).toEqual({ process: 'undefined', codegen: 'refused' });
  });

  it('answers CRC, dispatches a signed delivery as a typed event, refuses a forged one', async () => {
    const crc = await fetch(`${base}/webhook?crc_token=OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi`);
    expect(crc.status).toBe(200);
    expect(await crc.json()).toEqual({
      response_token: xCrcAnswer('OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi', SECRET),
    });

    const body = readFileSync(new URL('../fixtures/events/favorite-of-user.json', import.meta.url), 'utf8');
    const post = (signature: string) =>
      fetch(`${base}/webhook`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature },
      });
    expect((await post(xSignature(body, SECRET))).status).toBe(200);
    expect((await post(xSignature(body, 'forged'))).status).toBe(401);
    expect(await (await fetch(`${base}/seen`)).json()).toEqual(['favorite:furiouscamper']);
  });
});
