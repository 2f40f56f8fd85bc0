// Smoke test of the packed package: `npm pack`, unpack into a scratch node_modules, then require()
// and import() every entry point from a real CommonJS script and a real ES module, and use them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.tmp', 'smoke');
rmSync(work, { recursive: true, force: true });
const target = join(work, 'node_modules', 'x-account-activity');
mkdirSync(target, { recursive: true });

const [packed] = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
);
execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', target, '--strip-components=1']);

const entries = {
  'x-account-activity': [
    'createCrcResponse',
    'verifySignature',
    'signPayload',
    'createWebhookHandler',
    'parseActivity',
    'AccountActivityClient',
    'createDeduplicator',
    'XApiError',
    'isXApiError',
  ],
  'x-account-activity/webhooks': [
    'createCrcResponse',
    'verifySignature',
    'signPayload',
    'createWebhookHandler',
    'parseActivity',
  ],
  'x-account-activity/node': ['toNodeListener'],
  'x-account-activity/redis': ['createRedisStore'],
  'x-account-activity/testing': ['signPayload', 'startEmulator', 'tweetCreatePayload', 'createSignedDelivery'],
  'x-account-activity/schemas': ['tweetSchema', 'favoriteElementSchema', 'directMessageElementSchema'],
};

// The receiving side loads no zod, ky or oauth-1.0a at run time: walk the module graph of each
// receiving entry in the packed files (ESM and CJS) and list every package it reaches.
const HEAVY = ['zod', 'ky', 'oauth-1.0a'];
function packagesReached(file, seen = new Set(), found = new Set()) {
  if (seen.has(file)) return found;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const specifiers = text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g);
  for (const [, specifier] of specifiers) {
    if (specifier.startsWith('.')) packagesReached(resolve(dirname(file), specifier), seen, found);
    else found.add(specifier);
  }
  return found;
}
for (const entry of ['webhooks.js', 'webhooks.cjs', 'node.js', 'node.cjs', 'redis.js', 'redis.cjs']) {
  const heavy = [...packagesReached(join(target, 'dist', entry))].filter((p) =>
    HEAVY.some((h) => p === h || p.startsWith(`${h}/`)),
  );
  if (heavy.length > 0) throw new Error(`dist/${entry} loads ${heavy.join(', ')} at run time`);
}
console.log('ok ./webhooks, ./node and ./redis load none of zod, ky, oauth-1.0a');

// Each file costs the ESM loader a resolution and a module record (most of a cold import's time):
// the receiving entries load their own file and the shared error classes, nothing else.
function filesLoaded(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, specifier] of text.matchAll(/(?:\bfrom\s*|\bimport\s*)["'](\.[^"']+)["']/g)) {
    filesLoaded(resolve(dirname(file), specifier), seen);
  }
  return seen;
}
for (const entry of ['webhooks.js', 'node.js', 'redis.js']) {
  const files = [...filesLoaded(join(target, 'dist', entry))].map((f) => f.slice(join(target, 'dist/').length));
  if (files.join(' ') !== `${entry} errors.js`) {
    throw new Error(`import of dist/${entry} loads ${files.join(', ')}: expected ${entry} and errors.js only`);
  }
}
console.log('ok ./webhooks, ./node and ./redis (ESM) each load two files: their own and errors.js');

const checks = `
  const entries = ${JSON.stringify(entries)};
  for (const [name, exportsWanted] of Object.entries(entries)) {
    const mod = LOAD(name);
    for (const key of exportsWanted) {
      if (mod[key] === undefined) throw new Error(name + ' does not export ' + key);
    }
  }
  // One copy of each error class across the entries, in CommonJS as in ESM.
  const rootErrors = LOAD('x-account-activity');
  const webErrors = LOAD('x-account-activity/webhooks');
  if (rootErrors.InvalidArgumentError !== webErrors.InvalidArgumentError) throw new Error('two copies of InvalidArgumentError');
  let thrown;
  try { webErrors.createWebhookHandler({ consumerSecret: '' }); } catch (error) { thrown = error; }
  if (!(thrown instanceof rootErrors.InvalidArgumentError) || !(thrown instanceof rootErrors.XAccountActivityError)) {
    throw new Error('an error thrown by ./webhooks is not an instance of the root classes');
  }
  const { tweetSchema } = LOAD('x-account-activity/schemas');
  if (tweetSchema.safeParse({ id_str: '1' }).success) throw new Error('./schemas: tweetSchema accepted a post without created_at');
  const web = LOAD('x-account-activity/webhooks');
  const crc = await web.createCrcResponse('foo', 'test');
  if (crc.response_token !== 'sha256=HlU5y5rWhNi1SHftUCyOxuT6JRuDqeVBKWp1yvldR04=') throw new Error('CRC vector T3 failed');
  const body = '{"test_number":1,"test_string":"two"}';
  if (!(await web.verifySignature(body, 'sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=', 'test'))) throw new Error('signature vector S2 failed');
  const handler = web.createWebhookHandler({ consumerSecret: 'test' });
  const res = await handler.handleRaw({ method: 'GET', url: '/webhook?crc_token=foo', headers: {} });
  if (res.status !== 200) throw new Error('handler CRC answered ' + res.status);

  // The whole flow through the packed package: the emulator (./testing), the client (root, with ky
  // bundled into the CommonJS build), the Node adapter and a typed event.
  const http = LOAD('node:http');
  const { AccountActivityClient, createWebhookHandler } = LOAD('x-account-activity');
  const { toNodeListener } = LOAD('x-account-activity/node');
  const { startEmulator } = LOAD('x-account-activity/testing');
  const x = await startEmulator({ retryScale: 0.001 });
  const app = createWebhookHandler({ consumerSecret: x.consumerSecret });
  const seen = [];
  app.onAny((event) => { seen.push(event.type + ':' + (event.kinds ?? []).join('+')); });
  const server = http.createServer(toNodeListener(app));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = new AccountActivityClient(x.clientOptions());
    const webhook = await client.webhooks.register('http://127.0.0.1:' + server.address().port + '/webhook');
    await client.subscriptions.add(webhook.id, x.account('alice'));
    await x.activity.mention('bob', 'alice', 'hello from the packed package');
    await x.settled();
    if (seen.join() !== 'tweet_create:mention') throw new Error('unexpected events: ' + seen.join());
    if ((await client.subscriptions.count()).subscriptionsCountAll !== 1) throw new Error('count is not 1');
  } finally {
    server.close();
    await x.close();
  }
  console.log('ok ' + FORMAT);
`;

writeFileSync(
  join(work, 'smoke.cjs'),
  `const LOAD = require; const FORMAT = 'require()';\n(async () => {${checks}})().catch((e) => { console.error(e); process.exit(1); });\n`,
);
writeFileSync(
  join(work, 'smoke.mjs'),
  `const LOAD = (n) => MODS[n]; const FORMAT = 'import()';\nconst MODS = {};\nfor (const n of ${JSON.stringify([...Object.keys(entries), 'node:http'])}) MODS[n] = await import(n);\n${checks}\n`,
);

for (const file of ['smoke.cjs', 'smoke.mjs']) {
  process.stdout.write(execFileSync(process.execPath, [join(work, file)], { cwd: work, encoding: 'utf8' }));
}
// The bin from the unpacked tarball, as npx runs it: node_modules/.bin/x-account-activity -> dist/cli.js.
const binDir = join(work, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const pkgJson = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
for (const [name, file] of Object.entries(pkgJson.bin ?? {}))
  symlinkSync(join('..', 'x-account-activity', file), join(binDir, name));
const help = execFileSync(join(binDir, 'x-account-activity'), ['--help'], { cwd: work, encoding: 'utf8' });
if (!help.includes('Usage: x-account-activity <command>')) throw new Error(`the bin's --help printed:\n${help}`);
console.log(`ok bin: ${Object.keys(pkgJson.bin).join(', ')} --help from the packed package`);
rmSync(join(work, packed.filename));
