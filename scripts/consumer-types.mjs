// Consumer matrix: a small TypeScript program that uses every entry of the packed package, compiled
// as a user's project would compile it, in every module resolution mode that TypeScript users meet:
// node10 (what `tsc --init` of TypeScript 5.x writes with "module": "commonjs"), node16 from CommonJS
// and from ESM, nodenext and bundler, with the project's TypeScript 5.x; and nodenext and bundler with
// the newest TypeScript (7.x). Run by `npm test` after `npm run smoke`, which unpacks the tarball.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumerFolder, root } from './packed.mjs';

const work = consumerFolder(join(root, '.tmp', 'consumers'));

const TS5 = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const TS7 = join(root, 'node_modules', 'typescript-7', 'bin', 'tsc');

// What a newcomer writes: every entry, narrowing, the exhaustiveness check, the client, the emulator.
const program = `
import { AccountActivityClient, isXApiError, type AccountActivityEvent } from 'x-account-activity';
import { createWebhookHandler, parseActivity, verifySignature } from 'x-account-activity/webhooks';
import { toNodeListener } from 'x-account-activity/node';
import { createRedisStore, type RedisClientLike } from 'x-account-activity/redis';
import { startEmulator, tweetCreatePayload } from 'x-account-activity/testing';
import { tweetSchema, type RawTweet } from 'x-account-activity/schemas';

const handler = createWebhookHandler({ consumerSecret: 'secret' });
handler.on('favorite', (event) => event.tweet.id);
handler.on(['follow', 'unfollow'], (event) => {
  const kind: 'follow' | 'unfollow' = event.type;
  return kind;
});
handler.on('direct_message', async (event) => event.text.length);
export const listener = toNodeListener(handler);
export const sharedHandler = (redis: RedisClientLike) =>
  createWebhookHandler({ consumerSecret: 'secret', deduplicator: createRedisStore(redis).deduplicator({ ttlMs: 60_000 }) });

export function describe(event: AccountActivityEvent): string {
  // X Activity API and Filtered-Stream events first, then an exhaustive switch over the AAA ones.
  if (event.family === 'xaa' || event.family === 'filtered_stream') return event.type;
  switch (event.type) {
    case 'tweet_create': return event.text;
    case 'favorite': return event.tweet.id;
    case 'follow': case 'unfollow': case 'block': case 'unblock': case 'mute': case 'unmute':
      return event.target.id;
    case 'user_revoke': return event.userId;
    case 'direct_message': return event.text;
    case 'direct_message_typing': case 'direct_message_read': return event.senderId;
    case 'tweet_delete': return event.tweetId;
    case 'replay_job_status': return event.jobState;
    case 'unknown': return event.reason;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export async function main(): Promise<void> {
  const ok: boolean = await verifySignature('{}', 'sha256=x', 'secret');
  const events: AccountActivityEvent[] = parseActivity('{}');
  const raw: RawTweet | undefined = tweetSchema.safeParse({}).data;
  const x = await startEmulator();
  const client = new AccountActivityClient(x.clientOptions());
  try {
    await client.webhooks.list();
  } catch (error) {
    if (isXApiError(error)) console.log(error.status);
  }
  console.log(ok, events.length, raw, tweetCreatePayload);
  await x.close();
}
`;

const cases = [
  {
    name: 'node10, TypeScript 5',
    tsc: TS5,
    type: 'commonjs',
    options: { module: 'commonjs', moduleResolution: 'node10' },
  },
  {
    name: 'node16 from CommonJS, TypeScript 5',
    tsc: TS5,
    type: 'commonjs',
    options: { module: 'node16', moduleResolution: 'node16' },
  },
  {
    name: 'node16 from ESM, TypeScript 5',
    tsc: TS5,
    type: 'module',
    options: { module: 'node16', moduleResolution: 'node16' },
  },
  {
    name: 'nodenext, TypeScript 5',
    tsc: TS5,
    type: 'module',
    options: { module: 'nodenext', moduleResolution: 'nodenext' },
  },
  {
    name: 'bundler, TypeScript 5',
    tsc: TS5,
    type: 'module',
    options: { module: 'esnext', moduleResolution: 'bundler' },
  },
  {
    name: 'nodenext, TypeScript 7',
    tsc: TS7,
    type: 'module',
    options: { module: 'nodenext', moduleResolution: 'nodenext' },
  },
  {
    name: 'bundler, TypeScript 7',
    tsc: TS7,
    type: 'module',
    options: { module: 'esnext', moduleResolution: 'bundler' },
  },
];

let failed = 0;
for (const [index, c] of cases.entries()) {
  const dir = join(work, `case-${index}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${index}`, private: true, type: c.type }));
  const compilerOptions = {
    ...c.options,
    target: 'es2022',
    lib: ['es2022', 'dom'],
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    esModuleInterop: true,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['index.ts'] }, null, 2));
  writeFileSync(join(dir, 'index.ts'), program);
  try {
    execFileSync(process.execPath, [c.tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    console.log(`ok types: ${c.name}`);
  } catch (error) {
    failed++;
    console.error(`FAILED types: ${c.name}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}
if (failed > 0) process.exit(1);
