/**
 * The local webhook receiver of `listen` and `replay --wait`: `createWebhookHandler` behind
 * `toNodeListener` on node:http, with every answered CRC, event and refusal reported.
 *
 * @internal
 * @packageDocumentation
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeListener } from '../adapters/node.js';
import type { AccountActivityEvent, WebhookHandlerStats } from '../webhooks/index.js';
import { createWebhookHandler } from '../webhooks/index.js';

export interface Refusal {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly reason: string;
}

export interface ReceiverOptions {
  readonly consumerSecret: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly onEvent: (event: AccountActivityEvent) => void;
  readonly onCrc?: () => void;
  readonly onRefusal: (refusal: Refusal) => void;
}

export interface Receiver {
  readonly url: string;
  stats(): WebhookHandlerStats & { readonly refused: number };
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  let lastWarning = '';
  let refused = 0;
  const handler = createWebhookHandler({
    consumerSecret: options.consumerSecret,
    logger: {
      warn: (message) => {
        lastWarning = message;
      },
      error: (message) => {
        lastWarning = message;
      },
    },
  });
  handler.onAny((event) => options.onEvent(event));
  const listener = toNodeListener(handler);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, reason: string): void => {
      refused += 1;
      options.onRefusal({ status, method: req.method ?? 'GET', path: url.pathname, reason });
    };
    if (url.pathname !== options.path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`Not found: the webhook is at ${options.path}\n`);
      refuse(404, `not the webhook path (${options.path})`);
      return;
    }
    lastWarning = '';
    res.on('finish', () => {
      if (res.statusCode >= 400) refuse(res.statusCode, lastWarning || `answered ${res.statusCode}`);
      else if (req.method === 'GET' && url.searchParams.has('crc_token')) options.onCrc?.();
    });
    listener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}${options.path}`,
    stats: () => ({ ...handler.stats(), refused }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
