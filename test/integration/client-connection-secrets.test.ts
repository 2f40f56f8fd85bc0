// A fetch (or a proxy in front of it) that fails may quote the request it failed on: the Basic header
// of the token request, the app-only token, a consumer secret, bare or in a nested cause. The
// client's ConnectionError must show none of them, in its message, util.inspect or JSON, on the
// request path and on the activity-stream path alike.
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountActivityClient } from '../../src/client/index.js';
import type { ActivityStreamStateChange } from '../../src/client/index.js';
import { ConnectionError } from '../../src/errors.js';
import { startRecordingServer, TEST_CREDENTIALS } from '../helpers/recording-server.js';
import type { RecordingServer } from '../helpers/recording-server.js';

const BEARER = 'app-bearer-FROMTOKEN-5151';
const BASIC = btoa(
  `${encodeURIComponent(TEST_CREDENTIALS.consumerKey)}:${encodeURIComponent(TEST_CREDENTIALS.consumerSecret)}`,
);
const SECRETS = [...Object.values(TEST_CREDENTIALS), BEARER, BASIC];

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer(BEARER);
});
afterAll(() => server.close());

function renderings(error: unknown): string {
  const e = error as Error & { cause?: unknown };
  return [
    e.message,
    String(error),
    e.stack ?? '',
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
    JSON.stringify(e.cause ?? null),
  ].join('\n');
}

function expectNoSecret(error: unknown): void {
  const text = renderings(error);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

/** The request's Authorization header value, as the fetch got it. */
function authorizationOf(input: RequestInfo | URL, init?: RequestInit): string {
  if (input instanceof Request) return input.headers.get('authorization') ?? '';
  return new Headers(init?.headers).get('authorization') ?? '';
}

/** The error of one `webhooks.list()` of a client on the recording server whose fetch is `quoting`. */
function listError(quoting: typeof fetch): Promise<unknown> {
  const client = new AccountActivityClient({ ...TEST_CREDENTIALS, baseUrl: server.url, fetch: quoting, retry: false });
  return client.webhooks.list().catch((e: unknown) => e);
}

/** Whether a fetch is the app-only token request (let through to the server, to get a real token). */
const isTokenRequest = (input: Parameters<typeof fetch>[0]): boolean =>
  (input instanceof Request ? input.url : String(input)).includes('/oauth2/token');

describe('connection errors hide the credentials a failing fetch quotes', () => {
  it('the token request: `authorization=Basic <base64(key:secret)>` in the message and in a nested cause', async () => {
    const quoting: typeof fetch = async (input, init) => {
      const header = authorizationOf(input, init);
      throw new TypeError(`proxy refused POST /oauth2/token with authorization=${header}`, {
        cause: new Error(`upstream said: ${header}`),
      });
    };
    const error = await listError(quoting);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('/oauth2/token');
    expect((error as Error).message).toContain('[redacted]');
    expect((error as Error).cause).toBeUndefined();
    expectNoSecret(error);
  });

  it('the app-only token obtained from X and the consumer secret, quoted bare (no auth scheme before them)', async () => {
    const quoting: typeof fetch = async (input, init) => {
      if (isTokenRequest(input)) return globalThis.fetch(input, init);
      const token = authorizationOf(input, init).replace(/^Bearer /, '');
      throw new TypeError(`gateway: token ${token} rejected for app ${TEST_CREDENTIALS.consumerSecret}`);
    };
    const error = await listError(quoting);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('gateway: token [redacted] rejected for app [redacted]');
    expect((error as Error).cause).toBeUndefined();
    expectNoSecret(error);
  });

  it('the activity stream path: the same redaction on the errors of its attempts', async () => {
    const quoting: typeof fetch = async (input, init) => {
      if (isTokenRequest(input)) return globalThis.fetch(input, init);
      const token = authorizationOf(input, init).replace(/^Bearer /, '');
      throw new TypeError('fetch failed', { cause: new Error(`socket closed; token=${token}; raw ${token}`) });
    };
    const client = new AccountActivityClient({ ...TEST_CREDENTIALS, baseUrl: server.url, fetch: quoting });
    const failures: ActivityStreamStateChange[] = [];
    const stream = client.activity.stream({
      backoff: { networkStepMs: 1, networkMaxMs: 1 },
      onState: (change) => {
        if (change.state === 'disconnected') {
          failures.push(change);
          stream.close();
        }
      },
    });
    for await (const _ of stream) {
      // nothing arrives
    }
    expect(failures).toHaveLength(1);
    const error = failures[0]?.error;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error?.message).toContain('[redacted]');
    expect(error?.cause).toBeUndefined();
    expectNoSecret(error);
    expectNoSecret(stream.stats().lastError);
  });

  it('a runtime error without credentials is kept as the cause', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }),
      });
    };
    const client = new AccountActivityClient({
      bearerToken: BEARER,
      baseUrl: server.url,
      fetch: failing,
      retry: false,
    });
    const error = await client.webhooks.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('fetch failed (ECONNREFUSED)');
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });
});
