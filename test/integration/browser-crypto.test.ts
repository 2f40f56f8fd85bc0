// The webhook toolkit's Web Crypto path in a real browser (Debian's Chromium via playwright-core):
// the source is bundled for the browser, served from 127.0.0.1, and the known-answer vectors run in
// the page.
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { type Started, listen } from '../helpers/server.js';
import { CRC_VECTORS, S3_PRIME, SIGNATURE_VECTORS } from '../fixtures/vectors.js';

let browser: Browser;
let site: Started;

beforeAll(async () => {
  const entry = fileURLToPath(new URL('../../src/webhooks/index.ts', import.meta.url));
  const { outputFiles } = buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
  });
  const script = outputFiles[0]?.text ?? '';
  site = await listen((req, res) => {
    if (req.url === '/webhooks.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>kat</title><script type="module">
          import * as mod from '/webhooks.js'; window.xaa = mod; window.xaaReady = true;
        </script>`);
    }
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('webhook toolkit in Chromium', () => {
  it('passes every CRC and signature vector with Web Crypto', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/`);
    await page.waitForFunction('window.xaaReady === true');
    const results = await page.evaluate(
      async ({ crc, sig, prime }) => {
        const mod = (globalThis as unknown as { xaa: unknown }).xaa as {
          createCrcResponse(t: string, s: string): Promise<{ response_token: string }>;
          verifySignature(b: string | Uint8Array, h: string, s: string | string[]): Promise<boolean>;
          signPayload(b: string, s: string): Promise<string>;
        };
        const out: string[] = [];
        out.push(typeof (globalThis as { process?: unknown }).process);
        for (const [, secret, token] of crc) out.push((await mod.createCrcResponse(token, secret)).response_token);
        for (const [, secret, body, header] of sig) {
          out.push(String(await mod.verifySignature(new TextEncoder().encode(body), header, ['rotated', secret])));
          out.push(await mod.signPayload(body, secret));
        }
        out.push(String(await mod.verifySignature(prime.body, prime.header, prime.secret)));
        out.push(String(await mod.verifySignature(prime.body.trimEnd(), prime.header, prime.secret)));
        return out;
      },
      { crc: CRC_VECTORS, sig: SIGNATURE_VECTORS, prime: S3_PRIME },
    );
    const expected = [
      'undefined',
      ...CRC_VECTORS.map((v) => v[3]),
      ...SIGNATURE_VECTORS.flatMap((v) => ['true', v[3]]),
      'true',
      'false',
    ];
    expect(results).toEqual(expected);
    await page.close();
  });
});
