/**
 * The flows' transport against real local servers: a server that never answers gives a
 * TimeoutError, a closed port a ConnectionError, and odd success bodies a ResponseValidationError.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOAuth1Flow, createOAuth2Flow } from '../../src/auth/index.js';
import { ConnectionError, ResponseValidationError, TimeoutError } from '../../src/errors.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function serve(answer: (body: string, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => answer(body, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('sign-in transport', { timeout: 10_000 }, () => {
  it('times out with TimeoutError when X does not answer', async () => {
    const baseUrl = await serve(() => undefined);
    const flow = createOAuth2Flow({ clientId: 'c', redirectUri: 'https://e.com/cb', baseUrl, timeoutMs: 150 });
    await expect(flow.refresh('refresh-token-value')).rejects.toBeInstanceOf(TimeoutError);
  });

  it('reports a refused connection as ConnectionError', async () => {
    const baseUrl = await serve(() => undefined);
    servers[0]?.close();
    servers.splice(0);
    const flow = createOAuth1Flow({ consumerKey: 'k', consumerSecret: 's', baseUrl, timeoutMs: 2_000 });
    await expect(flow.requestToken({ callback: 'oob' })).rejects.toBeInstanceOf(ConnectionError);
  });

  it('refuses success answers of an undocumented shape', async () => {
    const baseUrl = await serve((_body, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"token_type":"bearer"}'),
    );
    const oauth2 = createOAuth2Flow({ clientId: 'c', redirectUri: 'https://e.com/cb', baseUrl, timeoutMs: 2_000 });
    await expect(oauth2.exchange({ code: 'code-value', codeVerifier: 'verifier-value' })).rejects.toBeInstanceOf(
      ResponseValidationError,
    );
    await expect(oauth2.revoke('token-value')).rejects.toBeInstanceOf(ResponseValidationError);
    const oauth1 = createOAuth1Flow({ consumerKey: 'k', consumerSecret: 's', baseUrl, timeoutMs: 2_000 });
    await expect(oauth1.requestToken({ callback: 'oob' })).rejects.toBeInstanceOf(ResponseValidationError);
  });
});
