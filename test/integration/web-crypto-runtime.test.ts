// The webhook toolkit in a runtime that has only Web Crypto (no `process`, no `Buffer`, no
// node:crypto), as on Cloudflare workerd, Vercel edge or a browser: the real source is bundled for the
// browser and run in a fresh V8 context that has the web globals only.
import { webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { CRC_VECTORS, S3_PRIME, SIGNATURE_VECTORS, T1 } from '../fixtures/vectors.js';

interface WebhooksModule {
  createCrcResponse(token: string, secret: string): Promise<{ response_token: string }>;
  verifySignature(body: string | Uint8Array, header: string | undefined, secret: string | string[]): Promise<boolean>;
  signPayload(body: string, secret: string): Promise<string>;
  createWebhookHandler(options: { consumerSecret: string }): {
    handle(request: Request): Promise<Response>;
    on(type: string, listener: (event: { type: string }) => void): () => void;
    onAny(listener: (event: { type: string }) => void): () => void;
  };
}

let mod: WebhooksModule;
let context: vm.Context;

beforeAll(() => {
  const entry = fileURLToPath(new URL('../../src/webhooks/index.ts', import.meta.url));
  const { outputFiles } = buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'xaa',
    platform: 'browser',
    target: 'es2022',
  });
  const code = outputFiles[0]?.text ?? '';
  expect(code).not.toMatch(/require\(["']node:crypto["']\)/);
  context = vm.createContext({
    crypto: webcrypto,
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    URL,
    URLSearchParams,
    Request,
    Response,
    Headers,
    console: { log() {}, warn() {}, error() {} },
  });
  vm.runInContext(code, context);
  mod = vm.runInContext('xaa', context) as WebhooksModule;
});

describe('webhook toolkit on a Web-Crypto-only runtime', () => {
  it('has no process and no Buffer in that context', () => {
    expect(vm.runInContext('typeof process + "," + typeof Buffer', context)).toBe('undefined,undefined');
  });

  it.each(CRC_VECTORS)('CRC %s', async (_id, secret, token, expected) => {
    expect((await mod.createCrcResponse(token, secret)).response_token).toBe(expected);
  });

  it.each(SIGNATURE_VECTORS)('signature %s', async (_id, secret, body, header) => {
    expect(await mod.verifySignature(body, header, secret)).toBe(true);
    expect(await mod.signPayload(body, secret)).toBe(header);
    expect(await mod.verifySignature(body, header, ['other', secret])).toBe(true);
    expect(await mod.verifySignature(body, header, 'other')).toBe(false);
  });

  it("S3' and T1", async () => {
    expect(await mod.verifySignature(S3_PRIME.body, S3_PRIME.header, S3_PRIME.secret)).toBe(true);
    expect(await mod.verifySignature(S3_PRIME.body.trimEnd(), S3_PRIME.header, S3_PRIME.secret)).toBe(false);
    expect(await mod.verifySignature(T1.query, T1.header, T1.secret)).toBe(true);
  });

  it('handles web Requests end to end', async () => {
    const handler = mod.createWebhookHandler({ consumerSecret: 'test' });
    const seen: string[] = [];
    handler.onAny((event) => {
      seen.push(event.type);
    });
    const crc = await handler.handle(new Request('https://example.com/webhook?crc_token=foo'));
    expect(crc.status).toBe(200);
    expect(await crc.json()).toEqual({ response_token: CRC_VECTORS[1][3] });
    const body = '{"for_user_id":"1","favorite_events":[]}';
    const signed = await handler.handle(
      new Request('https://example.com/webhook', {
        method: 'POST',
        body,
        headers: { 'x-twitter-webhooks-signature': await mod.signPayload(body, 'test') },
      }),
    );
    expect(signed.status).toBe(200);
    const forged = await handler.handle(
      new Request('https://example.com/webhook', {
        method: 'POST',
        body,
        headers: { 'x-twitter-webhooks-signature': await mod.signPayload(body, 'wrong') },
      }),
    );
    expect(forged.status).toBe(401);
  });
});
