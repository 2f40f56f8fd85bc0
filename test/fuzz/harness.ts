/**
 * The webhook handler under generated requests: the generators, the oracle and the runner shared by
 * `npm run fuzz` (test/fuzz/run.ts, 100,000 cases and more) and the slice in `npm test`
 * (test/unit/fuzz-slice.test.ts).
 *
 * Each case builds a fresh handler (store, listeners, `onError` and logger drawn from ordinary and
 * hostile kinds), sends one request (or 2-3 concurrent copies of it, as X's retries and duplicates
 * arrive) through `handleRaw` or `handle(Request)`, and checks:
 *
 * - the answer: never a rejection, always within a bound, even with a store that never answers
 *   (each store call is bounded by storeTimeoutMs, here as short as inFlightWaitMs);
 * - nothing unverified is dispatched: an event reaches a listener only when the header is the
 *   HMAC-SHA256 of the exact body bytes under an active secret, computed here with node:crypto;
 * - the status is the one the handler documents for that request (src/webhooks/handler.ts), computed
 *   here independently: 405, CRC 200/400/401 (and the right `response_token`), 413 over the limit,
 *   401 unsigned, 400 for a verified body that is not a JSON object, 200/500/503 for a verified JSON
 *   object (500 only with a listener that can fail, 503 only with concurrent copies or a hung store),
 *   400 for a body stream that fails, 500 for a body already read;
 * - `stats().dispatched` equals the events the listeners saw;
 * - no prototype pollution: `Object.prototype` keeps its exact properties, and no object gains the
 *   sentinel keys that the generated `__proto__` / `constructor.prototype` payloads carry.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { type DedupStore, createDeduplicator } from '../../src/events/dedup.js';
import type { Deduplicator } from '../../src/events/dedup.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  type Logger,
  type RawWebhookRequest,
  type WebhookHandler,
  createWebhookHandler,
} from '../../src/webhooks/handler.js';

export const SECRETS = ['fuzz-consumer-secret-primary', 'fuzz-consumer-secret-rotated'] as const;
const SIGNATURE = 'x-twitter-webhooks-signature';
const SENTINELS = ['fuzzPolluted', 'polluted', 'isAdmin'] as const;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const FIXTURE_DIRS = ['events', 'xaa', 'filtered-stream'] as const;

/** Every JSON fixture of test/fixtures (AAA, XAA, Filtered Stream), parsed. */
export const FIXTURES: readonly { readonly name: string; readonly value: unknown }[] = FIXTURE_DIRS.flatMap((dir) => {
  const base = new URL(`../fixtures/${dir}/`, import.meta.url);
  return readdirSync(base)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ name: `${dir}/${file}`, value: JSON.parse(readFileSync(new URL(file, base), 'utf8')) }));
});

// ---------------------------------------------------------------------------------------------
// Case description
// ---------------------------------------------------------------------------------------------

export const STORE_KINDS = [
  'none',
  'memory',
  'memory-tiny',
  'throw-sync',
  'reject',
  'reject-unprintable',
  'non-boolean',
  'slow',
  'delete-throws',
  'hung',
  'coordinated-garbage',
  'coordinated-throws',
] as const;
export const LISTENER_KINDS = [
  'ok',
  'async-ok',
  'throw',
  'throw-unprintable',
  'reject',
  'reject-undefined',
  'slow',
  'flaky',
  'mutate',
  'weird-return',
] as const;
export const REPORTER_KINDS = ['none', 'ok', 'throw', 'throw-unprintable', 'reject', 'getter-throws'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
export type ListenerKind = (typeof LISTENER_KINDS)[number];
export type ReporterKind = (typeof REPORTER_KINDS)[number];

/** How the handler is made. */
export interface HandlerConfig {
  readonly store: StoreKind;
  readonly listener: ListenerKind;
  readonly onError: ReporterKind;
  readonly logger: ReporterKind;
  readonly maxBodyBytes: number;
  readonly crcSignature: 'ignore' | 'verify-if-present' | 'require';
  readonly rotated: boolean;
  readonly inFlightWaitMs: number;
}

/** The body as handed to the handler, and the exact bytes it stands for. */
export interface BodySpec {
  readonly form: 'string' | 'bytes' | 'arraybuffer' | 'none';
  readonly text?: string;
  readonly bytes: Uint8Array;
  readonly label: string;
}

/** How a web `Request` carries the body. */
export type WebMode = 'plain' | 'stream' | 'stream-error' | 'consumed' | 'locked';

/** One generated case. */
export interface FuzzCase {
  readonly config: HandlerConfig;
  readonly via: 'raw' | 'web';
  readonly webMode: WebMode;
  readonly copies: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: BodySpec;
}

// ---------------------------------------------------------------------------------------------
// Hostile parts
// ---------------------------------------------------------------------------------------------

/** A thrown value whose String() throws (and whose every conversion throws). */
function unprintable(): unknown {
  const value = Object.create(null) as Record<PropertyKey, unknown>;
  value[Symbol.toPrimitive] = () => {
    throw new Error('unprintable');
  };
  value['toString'] = () => {
    throw new Error('unprintable');
  };
  return value;
}

/** A promise that never settles: a fresh one per call, as a store would make (a shared one would keep every reaction). */
const never = (): Promise<never> => new Promise<never>(() => undefined);

function makeStore(kind: StoreKind): Deduplicator | undefined {
  const ttlMs = 60_000;
  const memory = new Map<string, string>();
  switch (kind) {
    case 'none':
      return undefined;
    case 'memory':
      return createDeduplicator({ ttlMs });
    case 'memory-tiny':
      return createDeduplicator({ ttlMs, maxEntries: 2 });
    case 'throw-sync':
      return createDeduplicator({
        ttlMs,
        store: {
          setIfAbsent: () => {
            throw new Error('store down');
          },
          delete: () => {
            throw new Error('store down');
          },
        },
      });
    case 'reject':
      return createDeduplicator({
        ttlMs,
        store: {
          setIfAbsent: () => Promise.reject(new Error('down')),
          delete: () => Promise.reject(new Error('down')),
        },
      });
    case 'reject-unprintable':
      return createDeduplicator({
        ttlMs,
        store: { setIfAbsent: () => Promise.reject(unprintable()), delete: () => Promise.reject(unprintable()) },
      });
    case 'non-boolean': {
      const answers: unknown[] = [undefined, null, 'true', 1, {}, 0, Number.NaN];
      let i = 0;
      const store = {
        setIfAbsent: () => Promise.resolve(answers[i++ % answers.length]),
        delete: () => Promise.resolve(),
      } as unknown as DedupStore;
      return createDeduplicator({ ttlMs, store });
    }
    case 'slow':
      return createDeduplicator({
        ttlMs,
        store: {
          async setIfAbsent(key) {
            await sleep(1);
            if (memory.has(key)) return false;
            memory.set(key, 'd');
            return true;
          },
          async delete(key) {
            await sleep(0);
            memory.delete(key);
          },
        },
      });
    case 'delete-throws':
      return createDeduplicator({
        ttlMs,
        store: {
          setIfAbsent: async (key) => {
            if (memory.has(key)) return false;
            memory.set(key, 'd');
            return true;
          },
          delete: () => Promise.reject(unprintable()),
        },
      });
    case 'hung':
      return createDeduplicator({ ttlMs, store: { setIfAbsent: never, delete: never } });
    case 'coordinated-garbage': {
      const states: unknown[] = ['claimed', 'in-progress', 'done', 'weird', undefined, 42];
      const outcomes: unknown[] = ['released', 'done', 'timeout', 'nope', null];
      let i = 0;
      const store = {
        setIfAbsent: async () => true,
        delete: async () => undefined,
        claim: async () => states[i++ % states.length],
        complete: async () => {
          if (i % 3 === 0) throw unprintable();
        },
        wait: async () => outcomes[i++ % outcomes.length],
        release: async () => {
          if (i % 2 === 0) throw new Error('release failed');
        },
      } as unknown as DedupStore;
      return { ...createDeduplicator({ ttlMs, store }), store, ttlMs };
    }
    case 'coordinated-throws': {
      const store = {
        setIfAbsent: () => {
          throw unprintable();
        },
        delete: () => {
          throw unprintable();
        },
        claim: () => {
          throw unprintable();
        },
        complete: () => Promise.reject(unprintable()),
        wait: () => Promise.reject(unprintable()),
        release: () => {
          throw unprintable();
        },
      } as unknown as DedupStore;
      return { ...createDeduplicator({ ttlMs, store }), store, ttlMs };
    }
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}

function makeListener(kind: ListenerKind): (event: unknown) => unknown {
  let calls = 0;
  switch (kind) {
    case 'ok':
      return () => undefined;
    case 'async-ok':
      return async () => {
        await Promise.resolve();
      };
    case 'throw':
      return () => {
        throw new Error('listener failed');
      };
    case 'throw-unprintable':
      return () => {
        throw unprintable();
      };
    case 'reject':
      return () => Promise.reject(new TypeError('listener rejected'));
    case 'reject-undefined':
      return () => Promise.reject(undefined);
    case 'slow':
      return () => sleep(1);
    case 'flaky':
      return () => {
        calls++;
        if (calls % 2 === 1) throw new Error('transient');
      };
    case 'mutate':
      return (event) => {
        const target = event as Record<string, unknown>;
        for (const key of Object.keys(target)) delete target[key];
        Object.freeze(target);
      };
    case 'weird-return':
      // biome-ignore lint/suspicious/noThenProperty: a hostile listener returns a thenable on purpose
      return () => ({ then: (resolve: (value: unknown) => void) => resolve(unprintable()) });
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}

/** Whether a listener of this kind may make a delivery fail. */
const MAY_FAIL: ReadonlySet<ListenerKind> = new Set([
  'throw',
  'throw-unprintable',
  'reject',
  'reject-undefined',
  'flaky',
]);

function makeReporter(kind: ReporterKind): ((...args: unknown[]) => unknown) | undefined {
  switch (kind) {
    case 'none':
      return undefined;
    case 'ok':
      return () => undefined;
    case 'throw':
      return () => {
        throw new Error('reporter failed');
      };
    case 'throw-unprintable':
    case 'getter-throws':
      return () => {
        throw unprintable();
      };
    case 'reject':
      return () => Promise.reject(unprintable());
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}

function makeLogger(kind: ReporterKind): Logger | undefined {
  if (kind === 'none') return undefined;
  if (kind === 'getter-throws') {
    const logger = {};
    for (const level of ['debug', 'info', 'warn', 'error']) {
      Object.defineProperty(logger, level, {
        get() {
          throw unprintable();
        },
      });
    }
    return logger as Logger;
  }
  const method = makeReporter(kind) as (message: string, meta?: Record<string, unknown>) => void;
  return { debug: method, info: method, warn: method, error: method };
}

/** A handler for the config, and a counter of what its listeners saw. */
export function buildHandler(config: HandlerConfig): { handler: WebhookHandler; seen: { events: number } } {
  const deduplicator = makeStore(config.store);
  const logger = makeLogger(config.logger);
  const handler = createWebhookHandler({
    consumerSecret: config.rotated ? [...SECRETS] : SECRETS[0],
    maxBodyBytes: config.maxBodyBytes,
    crcSignature: config.crcSignature,
    inFlightWaitMs: config.inFlightWaitMs,
    storeTimeoutMs: config.inFlightWaitMs,
    ...(deduplicator ? { deduplicator } : {}),
    ...(logger ? { logger } : {}),
  });
  const seen = { events: 0 };
  // Registered first: counts every event handed to listeners, whatever the hostile one does after.
  handler.onAny(() => {
    seen.events++;
  });
  const listener = makeListener(config.listener);
  handler.onAny(listener as Parameters<WebhookHandler['onAny']>[0]);
  handler.on(['favorite', 'tweet_create', 'post.create', 'filtered_stream.post'], listener);
  const onError = makeReporter(config.onError);
  if (onError) handler.onError(onError as Parameters<WebhookHandler['onError']>[0]);
  return { handler, seen };
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const encoder = new TextEncoder();
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

function hmac(secret: string, bytes: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(bytes).digest();
}

const signatureOf = (secret: string, bytes: Uint8Array): string => `sha256=${hmac(secret, bytes).toString('base64')}`;

/** Every container slot of a JSON value: [parent, key] pairs, depth-first. */
function slots(root: unknown): [Record<string, unknown> | unknown[], string | number][] {
  const out: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        out.push([value, index]);
        walk(item);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) {
        out.push([value as Record<string, unknown>, key]);
        walk((value as Record<string, unknown>)[key]);
      }
    }
  };
  walk(root);
  return out;
}

const MUTATIONS = [
  'delete',
  'replace',
  'null',
  'stringify',
  'numberify',
  'wrap-array',
  'empty-object',
  'empty-array',
  'proto-key',
  'constructor-key',
  'big-string',
  'deep',
  'duplicate',
  'huge-number',
] as const;
type Mutation = { readonly at: number; readonly op: (typeof MUTATIONS)[number]; readonly value: unknown };

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Sets an own property, even `__proto__` (an assignment would change the prototype instead). */
function defineOwn(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mutate(source: unknown, mutations: readonly Mutation[]): unknown {
  const root = structuredClone(source) as unknown;
  for (const { at, op, value } of mutations) {
    const all = slots(root);
    if (all.length === 0) break;
    const [parent, key] = all[at % all.length] as [Record<string, unknown> | unknown[], string | number];
    const current = (parent as Record<string | number, unknown>)[key];
    switch (op) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        break;
      case 'replace':
        defineOwn(parent, key, value);
        break;
      case 'null':
        defineOwn(parent, key, null);
        break;
      case 'stringify':
        defineOwn(parent, key, typeof current === 'object' ? JSON.stringify(current) : String(current));
        break;
      case 'numberify':
        defineOwn(parent, key, Number(current));
        break;
      case 'wrap-array':
        defineOwn(parent, key, [current]);
        break;
      case 'empty-object':
        defineOwn(parent, key, {});
        break;
      case 'empty-array':
        defineOwn(parent, key, []);
        break;
      case 'proto-key': {
        const target = Array.isArray(parent) ? current : parent;
        if (typeof target === 'object' && target !== null) {
          defineOwn(target as Record<string, unknown>, '__proto__', { fuzzPolluted: true, polluted: 'yes' });
        }
        break;
      }
      case 'constructor-key':
        defineOwn(parent, 'constructor', { prototype: { fuzzPolluted: true, isAdmin: true } });
        break;
      case 'big-string':
        defineOwn(parent, key, 'x'.repeat(20_000));
        break;
      case 'deep':
        defineOwn(parent, key, nested(500, value));
        break;
      case 'duplicate':
        if (Array.isArray(current)) current.push(...current);
        break;
      case 'huge-number':
        defineOwn(parent, key, 2 ** 64 + 1);
        break;
    }
  }
  return root;
}

const jsonLeaf = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '1924465506158878979', '', '\u0000', '\ud800'),
);
const jsonValue = fc.oneof({ weight: 3, arbitrary: jsonLeaf }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });

/** A body: text or bytes, with a label saying what it is. */
type RawBody = { readonly text?: string; readonly bytes: Uint8Array; readonly label: string };

const textBody = (text: string, label: string): RawBody => ({ text, bytes: encoder.encode(text), label });

/** A correctly serialised, possibly mutated fixture (AAA, XAA or Filtered Stream). */
const fixtureBody: fc.Arbitrary<RawBody> = fc
  .record({
    index: fc.nat(FIXTURES.length - 1),
    mutations: fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom(...MUTATIONS), value: jsonValue }), {
      maxLength: 4,
    }),
    style: fc.constantFrom('compact', 'compact', 'pretty', 'bom', 'bom-bytes', 'truncated', 'proto-text', 'trailing'),
    cut: fc.nat(),
  })
  .map(({ index, mutations, style, cut }) => {
    const fixture = FIXTURES[index] as { name: string; value: unknown };
    const value = mutate(fixture.value, mutations);
    let text = JSON.stringify(value, null, style === 'pretty' ? 2 : undefined);
    if (style === 'bom') text = `\ufeff${text}`;
    if (style === 'truncated') text = text.slice(0, cut % Math.max(1, text.length));
    if (style === 'proto-text')
      text = text.replace('{', '{"__proto__":{"fuzzPolluted":true},"constructor":{"prototype":{"isAdmin":true}},');
    if (style === 'trailing') text = `${text} \n`;
    if (style === 'bom-bytes') {
      const bytes = new Uint8Array([...BOM, ...encoder.encode(text)]);
      return { bytes, label: `fixture ${fixture.name} BOM bytes` };
    }
    return textBody(text, `fixture ${fixture.name} ${style} ${mutations.map((m) => m.op).join(',')}`);
  });

const otherBody: fc.Arbitrary<RawBody> = fc.oneof(
  { depthSize: 'small' },
  fc.uint8Array({ maxLength: 2_048 }).map((bytes) => ({ bytes, label: 'random bytes' })),
  fc.string({ maxLength: 300, unit: 'binary' }).map((text) => textBody(text, 'random text')),
  fc.jsonValue({ maxDepth: 4 }).map((value) => textBody(JSON.stringify(value) ?? 'null', 'random JSON')),
  fc.nat(60_000).map((depth) => textBody(`${'['.repeat(depth)}${']'.repeat(depth)}`, `nested arrays ${depth}`)),
  fc.nat(20_000).map((depth) => textBody(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, `nested objects ${depth}`)),
  fc.constantFrom(
    textBody('', 'empty'),
    textBody('\ufeff', 'BOM only'),
    textBody('{}', 'empty object'),
    textBody('null', 'null'),
    textBody('[]', 'array'),
    textBody('{"__proto__":{"fuzzPolluted":true,"polluted":"yes"}}', '__proto__ only'),
    textBody('{"constructor":{"prototype":{"isAdmin":true}}}', 'constructor only'),
    textBody(
      '{"for_user_id":"1","__proto__":{"fuzzPolluted":1},"favorite_events":[{"__proto__":{"isAdmin":1}}]}',
      'proto in events',
    ),
    textBody(
      '{"data":{"__proto__":{"fuzzPolluted":1},"event_type":"post.create","payload":{"constructor":{"prototype":{"isAdmin":1}}}}}',
      'proto in XAA',
    ),
    { bytes: new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), label: 'BOM bytes + {}' },
    { bytes: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), label: 'invalid UTF-8' },
  ),
  fc.constant(null).map(() => textBody('{"placeholder":true}', 'object')),
);

/** Huge within (or just past) the default limit: a fixture padded with a long string. Rare: each costs 1 MiB. */
const hugeBody: fc.Arbitrary<RawBody> = fc.integer({ min: -2_000, max: 2_000 }).map((delta) => {
  const fixture = JSON.stringify(FIXTURES[0]?.value);
  const pad = Math.max(0, DEFAULT_MAX_BODY_BYTES - fixture.length - 20 + delta);
  return textBody(`${fixture.slice(0, -1)},"pad":"${'p'.repeat(pad)}"}`, `huge, ${delta} bytes around the limit`);
});

const SIGNATURE_KINDS = [
  ...Array<'correct'>(12).fill('correct'),
  'correct-rotated',
  'wrong-secret',
  'missing',
  'garbage',
  'random-b64',
  'stale',
  'duplicate',
  'upper-name',
  'upper-prefix',
  'whitespace',
  'number',
  'empty',
] as const;

/** The headers, with the signature header in one of many states. */
function headersFor(
  kind: (typeof SIGNATURE_KINDS)[number],
  bytes: Uint8Array,
  garbage: string,
  random32: Uint8Array,
  extra: Record<string, string>,
): Record<string, string | string[] | number | undefined> {
  const good = signatureOf(SECRETS[0], bytes);
  const headers: Record<string, string | string[] | number | undefined> = { ...extra };
  switch (kind) {
    case 'correct':
      headers[SIGNATURE] = good;
      break;
    case 'correct-rotated':
      headers[SIGNATURE] = signatureOf(SECRETS[1], bytes);
      break;
    case 'wrong-secret':
      headers[SIGNATURE] = signatureOf('not-the-secret', bytes);
      break;
    case 'missing':
      break;
    case 'garbage':
      headers[SIGNATURE] = garbage;
      break;
    case 'random-b64':
      headers[SIGNATURE] = `sha256=${Buffer.from(random32).toString('base64')}`;
      break;
    case 'stale':
      headers[SIGNATURE] = signatureOf(SECRETS[0], encoder.encode(`${garbage}x`));
      break;
    case 'duplicate':
      headers[SIGNATURE] = [good, good];
      break;
    case 'upper-name':
      headers['X-Twitter-Webhooks-Signature'] = good;
      break;
    case 'upper-prefix':
      headers[SIGNATURE] = good.replace('sha256=', 'SHA256=');
      break;
    case 'whitespace':
      headers[SIGNATURE] = ` ${good} `;
      break;
    case 'number':
      headers[SIGNATURE] = 12345;
      break;
    case 'empty':
      headers[SIGNATURE] = '';
      break;
  }
  return headers;
}

const crcToken = fc.oneof(
  fc.base64String({ minLength: 4, maxLength: 64 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', 'a', 'x'.repeat(256), 'x'.repeat(257), 'abc==', 'a b', '%zz', '../', 'tok\u0000', 'a+b/c_d-e=='),
);

const url = fc.oneof(
  { weight: 4, arbitrary: fc.constant('/webhook') },
  {
    weight: 4,
    arbitrary: crcToken.map((token) => `/webhook?crc_token=${encodeURIComponent(token)}`),
  },
  { weight: 1, arbitrary: crcToken.map((token) => `/webhook?crc_token=${token}&nonce=1`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(crcToken, crcToken)
      .map(([a, b]) => `/webhook?crc_token=${encodeURIComponent(a)}&crc_token=${encodeURIComponent(b)}`),
  },
  {
    weight: 1,
    arbitrary: crcToken.map((token) => `https://example.com/x/webhook?a=1&crc_token=${encodeURIComponent(token)}#frag`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((s) => `/${s}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '?',
      '/?crc_token',
      '/?crc_token=',
      `/?crc_token=${'A'.repeat(5000)}`,
      '/%zz?crc_token=%zz',
    ),
  },
);

const RAW_METHODS = [
  'GET',
  'POST',
  'POST',
  'POST',
  'PUT',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'get',
  'post',
  'pOsT',
  'CONNECT',
  '',
];
const WEB_METHODS = [
  'GET',
  'POST',
  'POST',
  'POST',
  'PUT',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'get',
  'post',
  'PROPFIND',
];

const extraHeaders = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
      'garbage\u00ff',
    ),
    'content-length': fc.oneof(fc.nat(3_000_000).map(String), fc.constantFrom('-1', 'abc', '1e3', ' 12 ', '')),
    'user-agent': fc.constantFrom('X-Webhooks', 'curl/8', ''),
  },
  { requiredKeys: [] },
);

const config: fc.Arbitrary<HandlerConfig> = fc.record({
  store: fc.oneof(
    { weight: 300, arbitrary: fc.constantFrom<StoreKind>('none', 'memory') },
    { weight: 200, arbitrary: fc.constantFrom(...STORE_KINDS) },
  ),
  listener: fc.oneof(
    { weight: 3, arbitrary: fc.constant<ListenerKind>('ok') },
    { weight: 3, arbitrary: fc.constantFrom(...LISTENER_KINDS.filter((k) => k !== 'slow')) },
    { weight: 1, arbitrary: fc.constant<ListenerKind>('slow') },
  ),
  onError: fc.constantFrom(...REPORTER_KINDS),
  logger: fc.constantFrom(...REPORTER_KINDS),
  maxBodyBytes: fc.constantFrom(...Array<number>(8).fill(DEFAULT_MAX_BODY_BYTES), 4_096, 100),
  crcSignature: fc.constantFrom('ignore', 'ignore', 'verify-if-present', 'require'),
  rotated: fc.boolean(),
  inFlightWaitMs: fc.constantFrom(5, 20),
});

/** The case generator. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    config,
    via: fc.constantFrom<'raw' | 'web'>('raw', 'raw', 'web'),
    webMode: fc.constantFrom<WebMode>('plain', 'plain', 'plain', 'stream', 'stream-error', 'consumed', 'locked'),
    copies: fc.oneof(
      { weight: 8, arbitrary: fc.constant(1) },
      { weight: 2, arbitrary: fc.integer({ min: 2, max: 3 }) },
    ),
    rawMethod: fc.oneof(
      { weight: 14, arbitrary: fc.constantFrom('POST', 'post', 'pOsT') },
      { weight: 3, arbitrary: fc.constantFrom('GET', 'get') },
      { weight: 3, arbitrary: fc.constantFrom(...RAW_METHODS) },
    ),
    webMethod: fc.oneof(
      { weight: 14, arbitrary: fc.constantFrom('POST', 'post') },
      { weight: 3, arbitrary: fc.constant('GET') },
      { weight: 3, arbitrary: fc.constantFrom(...WEB_METHODS) },
    ),
    url,
    body: fc.oneof(
      { weight: 60, arbitrary: fixtureBody },
      { weight: 39, arbitrary: otherBody },
      { weight: 1, arbitrary: hugeBody },
    ),
    form: fc.constantFrom<BodySpec['form']>('string', 'bytes', 'arraybuffer', 'string'),
    signature: fc.constantFrom(...SIGNATURE_KINDS),
    garbage: fc.string({ maxLength: 60 }),
    random32: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    extra: extraHeaders,
    headerShape: fc.constantFrom('plain', 'plain', 'null-prototype', 'proto-key'),
  })
  .map((c) => {
    const method = c.via === 'raw' ? c.rawMethod : c.webMethod;
    const form: BodySpec['form'] = c.body.text === undefined && c.form === 'string' ? 'bytes' : c.form;
    let headers = headersFor(c.signature, c.body.bytes, c.garbage, c.random32, c.extra);
    if (c.headerShape === 'null-prototype') headers = Object.assign(Object.create(null), headers);
    if (c.headerShape === 'proto-key') defineOwn(headers, '__proto__', { [SIGNATURE]: 'sha256=inherited?' });
    return {
      config: c.config,
      via: c.via,
      webMode: c.webMode,
      copies: c.copies,
      method,
      url: c.url,
      headers,
      body: {
        form,
        bytes: c.body.bytes,
        label: c.body.label,
        ...(c.body.text === undefined ? {} : { text: c.body.text }),
      },
    };
  });

// ---------------------------------------------------------------------------------------------
// Oracle
// ---------------------------------------------------------------------------------------------

/** The header value as the documented lookup finds it (exact lower-case key, else any letter case). */
function headerValue(headers: FuzzCase['headers'], name: string): string | undefined {
  let value: unknown = Object.hasOwn(headers, name) ? headers[name] : undefined;
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Whether `header` is the signature of `bytes` under one of the active secrets. */
function signedCorrectly(header: string | undefined, bytes: Uint8Array, rotated: boolean): boolean {
  if (header === undefined || !/^sha256=[A-Za-z0-9+/]{43}=$/.test(header)) return false;
  const given = Buffer.from(header.slice(7), 'base64');
  return (rotated ? SECRETS : [SECRETS[0]]).some((secret) => hmac(secret, bytes).equals(given));
}

/** Whether the bytes (or text) are one JSON object, as the handler reads them (a BOM is dropped). */
function isJsonObject(body: BodySpec): boolean {
  let text: string;
  if (body.form === 'string' && body.text !== undefined) {
    text = body.text.charCodeAt(0) === 0xfeff ? body.text.slice(1) : body.text;
  } else {
    text = new TextDecoder().decode(body.bytes);
  }
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function rawQueryOf(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return '';
  const end = url.indexOf('#', start);
  return end === -1 ? url.slice(start + 1) : url.slice(start + 1, end);
}

const TOKEN_SHAPE = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** What the documented behaviour allows for this case. */
export interface Expectation {
  readonly statuses: ReadonlySet<number>;
  /** The signature verifies: events may be dispatched. */
  readonly verified: boolean;
  /** For a CRC answer: the token it must sign. */
  readonly crcToken?: string;
}

export function expectationOf(c: FuzzCase, effectiveMethod: string, effectiveUrl: string): Expectation {
  const method = effectiveMethod.toUpperCase();
  const { config } = c;
  if (method === 'GET') {
    const tokens = new URLSearchParams(rawQueryOf(effectiveUrl)).getAll('crc_token');
    const token = tokens.length === 1 ? (tokens[0] as string) : undefined;
    const shaped = token !== undefined && token.length <= 256 && TOKEN_SHAPE.test(token);
    const statuses = new Set<number>(shaped ? [200] : [400]);
    if (config.crcSignature !== 'ignore') statuses.add(401);
    if (config.crcSignature === 'require' && shaped) statuses.delete(200);
    return { statuses, verified: false, ...(shaped ? { crcToken: token } : {}) };
  }
  if (method !== 'POST') return { statuses: new Set([405]), verified: false };
  if (c.via === 'web' && c.webMode === 'stream-error') {
    // The stream fails after its first chunk (a third of the body): 413 when that chunk alone is over the limit.
    const first = Math.ceil(c.body.bytes.byteLength / 3);
    return { statuses: new Set([first > config.maxBodyBytes ? 413 : 400]), verified: false };
  }
  if (c.via === 'web' && (c.webMode === 'consumed' || c.webMode === 'locked')) {
    return { statuses: new Set([500]), verified: false };
  }
  const bytes = c.body.form === 'none' ? new Uint8Array(0) : c.body.bytes;
  const declared = c.via === 'web' ? declaredLength(c) : undefined;
  if (bytes.byteLength > config.maxBodyBytes || (declared !== undefined && declared > config.maxBodyBytes)) {
    return { statuses: new Set([413]), verified: false };
  }
  const header = c.via === 'web' ? webHeaderValue(c) : headerValue(c.headers, SIGNATURE);
  if (!signedCorrectly(header, bytes, config.rotated)) return { statuses: new Set([401]), verified: false };
  if (!isJsonObject(c.body)) return { statuses: new Set([400]), verified: true };
  const statuses = new Set([200]);
  if (MAY_FAIL.has(config.listener)) statuses.add(500);
  if (config.store !== 'none' && (c.copies > 1 || config.store === 'hung' || config.store.startsWith('coordinated'))) {
    statuses.add(503);
  }
  return { statuses, verified: true };
}

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

function rawRequest(c: FuzzCase): RawWebhookRequest {
  const body =
    c.body.form === 'none'
      ? undefined
      : c.body.form === 'string'
        ? (c.body.text as string)
        : c.body.form === 'bytes'
          ? c.body.bytes
          : c.body.bytes.slice().buffer;
  return { method: c.method, url: c.url, headers: c.headers, ...(body === undefined ? {} : { body }) };
}

/** The web headers a `Request` accepts (invalid names or values are left out, as a server would refuse them). */
function webHeaders(c: FuzzCase): Headers {
  const headers = new Headers();
  for (const key of Object.keys(c.headers)) {
    const value = c.headers[key];
    if (value === undefined) continue;
    if (key.toLowerCase() === 'content-length') continue; // set from the body below, or left out for streams
    for (const item of Array.isArray(value) ? value : [String(value)]) {
      try {
        headers.append(key, item);
      } catch {
        // not a valid header: a real server would not have let it through
      }
    }
  }
  return headers;
}

const webHeaderCache = new WeakMap<FuzzCase, Headers>();
function cachedWebHeaders(c: FuzzCase): Headers {
  let headers = webHeaderCache.get(c);
  if (!headers) {
    headers = webHeaders(c);
    webHeaderCache.set(c, headers);
  }
  return headers;
}

function webHeaderValue(c: FuzzCase): string | undefined {
  return cachedWebHeaders(c).get(SIGNATURE) ?? undefined;
}

/** The declared content-length of a web request: set for plain bodies only (streams are chunked). */
function declaredLength(c: FuzzCase): number | undefined {
  return c.webMode === 'plain' ? c.body.bytes.byteLength : undefined;
}

const hasBody = (method: string): boolean => !['GET', 'HEAD'].includes(method.toUpperCase());

/** The absolute URL a web `Request` gets for the case's URL (as the URL parser normalises it). */
function webHref(c: FuzzCase): string {
  const target = c.url.startsWith('http') ? c.url : `http://localhost${c.url.startsWith('/') ? '' : '/'}${c.url}`;
  try {
    return new URL(target).href;
  } catch {
    return 'http://localhost/webhook';
  }
}

async function webRequest(c: FuzzCase): Promise<Request> {
  const href = webHref(c);
  const headers = new Headers(cachedWebHeaders(c));
  const init: RequestInit & { duplex?: 'half' } = { method: c.method, headers };
  if (hasBody(c.method)) {
    const bytes = c.body.bytes;
    if (c.webMode === 'plain' || c.webMode === 'consumed' || c.webMode === 'locked') {
      headers.set('content-length', String(bytes.byteLength));
      init.body = new Uint8Array(bytes);
    } else {
      const chunk = Math.max(1, Math.ceil(bytes.byteLength / 3));
      let offset = 0;
      const failing = c.webMode === 'stream-error';
      init.body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (failing && (offset >= chunk || offset >= bytes.byteLength)) {
            controller.error(offset % 2 === 0 ? new Error('client aborted') : unprintable());
            return;
          }
          if (offset >= bytes.byteLength) {
            controller.close();
            return;
          }
          controller.enqueue(bytes.slice(offset, offset + chunk));
          offset += chunk;
        },
      });
      init.duplex = 'half';
    }
  }
  const request = new Request(href, init);
  if (hasBody(c.method) && c.webMode === 'consumed') await request.arrayBuffer();
  if (hasBody(c.method) && c.webMode === 'locked') request.body?.getReader();
  return request;
}

/** One answer, as status, headers and body text. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

async function send(handler: WebhookHandler, c: FuzzCase): Promise<Answer> {
  if (c.via === 'raw') return handler.handleRaw(rawRequest(c));
  const response = await handler.handle(await webRequest(c));
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/** One broken invariant. */
export interface Violation {
  readonly index: number;
  readonly invariant: string;
  readonly detail: string;
  readonly case: string;
}

/** What a run found. */
export interface FuzzReport {
  readonly cases: number;
  readonly requests: number;
  readonly violations: Violation[];
  /** Violations by invariant. */
  readonly byInvariant: Record<string, number>;
  /** Answers by status. */
  readonly statuses: Record<string, number>;
  /** Requests not answered within the bound (each is also a violation). */
  readonly held: number;
  readonly dispatched: number;
}

const PROTO_SNAPSHOT = (): string =>
  Reflect.ownKeys(Object.prototype)
    .map((key) => String(key))
    .sort()
    .join(',');

function describeCase(c: FuzzCase): string {
  return JSON.stringify({
    config: c.config,
    via: c.via,
    webMode: c.webMode,
    copies: c.copies,
    method: c.method,
    url: c.url.length > 200 ? `${c.url.slice(0, 200)}...` : c.url,
    headers: Object.fromEntries(Object.keys(c.headers).map((k) => [k, String(c.headers[k]).slice(0, 80)])),
    body: {
      form: c.body.form,
      label: c.body.label,
      bytes: c.body.bytes.byteLength,
      head: Buffer.from(c.body.bytes.slice(0, 120)).toString('latin1'),
    },
  });
}

/** Settles within `ms`, or says it did not. */
async function within<T>(promise: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one case; pushes what it breaks. */
async function runCase(
  c: FuzzCase,
  index: number,
  report: FuzzReport & { requests: number; dispatched: number; held: number },
): Promise<void> {
  const violations: Omit<Violation, 'index' | 'case'>[] = [];
  const { handler, seen } = buildHandler(c.config);
  // A web Request normalises the method (`post` becomes `POST`).
  const effectiveMethod =
    c.via === 'web' && ['get', 'post', 'put', 'delete', 'head', 'options', 'patch'].includes(c.method.toLowerCase())
      ? c.method.toUpperCase()
      : c.method;
  const expected = expectationOf(c, effectiveMethod, c.via === 'web' ? webHref(c) : c.url);
  const pending = Array.from({ length: c.copies }, () =>
    send(handler, c).then(
      (answer) => ({ ok: true as const, answer }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  );
  // Generous: a deep body takes a while to parse on a loaded machine; a held answer takes forever.
  const bound = 10_000;
  const settled = await within(Promise.all(pending), bound);
  let outcomes: ({ ok: true; answer: Answer } | { ok: false; error: unknown })[];
  if (settled.done) outcomes = settled.value;
  else {
    const each = await Promise.all(pending.map((p) => within(p, 0)));
    const held = each.filter((e) => !e.done).length;
    report.held += held;
    violations.push({
      invariant: 'answers',
      detail: `${held} of ${c.copies} requests not answered within ${bound} ms`,
    });
    outcomes = each.flatMap((e) => (e.done ? [e.value] : []));
  }
  for (const outcome of outcomes) {
    report.requests++;
    if (!outcome.ok) {
      let text: string;
      try {
        text = String(outcome.error);
      } catch {
        text = 'an unprintable value';
      }
      violations.push({ invariant: 'never rejects', detail: text });
      continue;
    }
    const { answer } = outcome;
    report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
    if (!expected.statuses.has(answer.status)) {
      violations.push({
        invariant: 'documented status',
        detail: `got ${answer.status}, expected ${[...expected.statuses].join('/')}: ${answer.body.slice(0, 200)}`,
      });
    }
    if (typeof answer.body !== 'string' || typeof answer.headers !== 'object') {
      violations.push({ invariant: 'answer shape', detail: typeof answer.body });
    } else if (answer.body !== '' && answer.headers['content-type']?.startsWith('application/json')) {
      try {
        JSON.parse(answer.body);
      } catch {
        violations.push({ invariant: 'answer shape', detail: `not JSON: ${answer.body.slice(0, 100)}` });
      }
    }
    if (answer.status === 200 && expected.crcToken !== undefined) {
      const token = (JSON.parse(answer.body) as { response_token?: unknown }).response_token;
      const want = signatureOf(SECRETS[0], encoder.encode(expected.crcToken));
      if (token !== want) violations.push({ invariant: 'CRC answer', detail: `${String(token)} != ${want}` });
    }
  }
  if (seen.events > 0 && !expected.verified) {
    violations.push({ invariant: 'nothing unverified dispatched', detail: `${seen.events} events dispatched` });
  }
  if (settled.done && handler.stats().dispatched !== seen.events) {
    violations.push({
      invariant: 'stats',
      detail: `stats().dispatched ${handler.stats().dispatched} != ${seen.events} seen`,
    });
  }
  report.dispatched += seen.events;
  const probe: Record<string, unknown> = {};
  for (const key of SENTINELS) {
    if (key in probe || key in Object.prototype) {
      violations.push({ invariant: 'no prototype pollution', detail: `Object.prototype has ${key}` });
    }
  }
  for (const violation of violations) {
    report.violations.push({ ...violation, index, case: describeCase(c) });
    report.byInvariant[violation.invariant] = (report.byInvariant[violation.invariant] ?? 0) + 1;
  }
}

/** Options of {@link runFuzz}. */
export interface RunOptions {
  readonly cases: number;
  readonly seed: number;
  /** Cases generated per batch (and between full prototype checks). */
  readonly batch?: number;
  /** Called after each batch with the cases done so far. */
  readonly progress?: (done: number, report: FuzzReport) => void;
}

/** Generates and runs `cases` cases from `seed`. */
export async function runFuzz(options: RunOptions): Promise<FuzzReport> {
  const batch = options.batch ?? 500;
  const report = {
    cases: 0,
    requests: 0,
    violations: [] as Violation[],
    byInvariant: {} as Record<string, number>,
    statuses: {} as Record<string, number>,
    held: 0,
    dispatched: 0,
  };
  const before = PROTO_SNAPSHOT();
  const builtins = [Object.prototype, Array.prototype, Function.prototype].map((proto) =>
    Reflect.ownKeys(proto).map((key) => [key, Object.getOwnPropertyDescriptor(proto, key)?.value] as const),
  );
  let done = 0;
  let round = 0;
  // A rejection nobody handles crashes a Node process by default: one from the handler (or from a
  // user part it called and left unobserved) is a violation, charged to the case running.
  let current: { index: number; c: FuzzCase } | undefined;
  const onUnhandled = (reason: unknown): void => {
    let text: string;
    try {
      text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    } catch {
      text = 'an unprintable value';
    }
    report.violations.push({
      index: current?.index ?? -1,
      invariant: 'no unhandled rejection',
      detail: text,
      case: current ? describeCase(current.c) : '',
    });
    report.byInvariant['no unhandled rejection'] = (report.byInvariant['no unhandled rejection'] ?? 0) + 1;
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    while (done < options.cases) {
      const size = Math.min(batch, options.cases - done);
      const cases = fc.sample(fuzzCase, { numRuns: size, seed: options.seed + round });
      for (const [i, c] of cases.entries()) {
        current = { index: done + i, c };
        await runCase(c, done + i, report);
      }
      done += size;
      round++;
      report.cases = done;
      const after = PROTO_SNAPSHOT();
      if (after !== before) {
        report.violations.push({
          index: done,
          invariant: 'no prototype pollution',
          detail: `Object.prototype keys changed: ${after}`,
          case: '',
        });
        report.byInvariant['no prototype pollution'] = (report.byInvariant['no prototype pollution'] ?? 0) + 1;
      }
      [Object.prototype, Array.prototype, Function.prototype].forEach((proto, p) => {
        for (const [key, value] of builtins[p] ?? []) {
          if (Object.getOwnPropertyDescriptor(proto, key)?.value !== value) {
            report.violations.push({
              index: done,
              invariant: 'no prototype pollution',
              detail: `${String(key)} replaced`,
              case: '',
            });
            report.byInvariant['no prototype pollution'] = (report.byInvariant['no prototype pollution'] ?? 0) + 1;
          }
        }
      });
      options.progress?.(done, report);
    }
    // Let rejections of the last case surface.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return report;
}
