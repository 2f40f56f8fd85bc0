// Bundle sizes, min+gzip with dependencies included, from the packed package (DESIGN.md budgets):
//   Worker entry { createWebhookHandler, parseActivity } from ./webhooks   <= 12 kB
//   { createCrcResponse, verifySignature } from ./webhooks                  <= 1.5 kB
//   { AccountActivityClient } from the root                                  <= 40 kB
//   and the Worker bundle holds no zod, oauth-1.0a or ky code.
// Peer for information: @octokit/webhooks' `Webhooks`, bundled the same way.
//
// Method: esbuild (bundle, minify, ESM, platform 'browser' with the conditions a Worker bundler
// uses: workerd, worker, browser), an entry file in the consumer project so that names resolve as
// a user's would, then gzip level 9. kB = 1000 bytes, as size-limit counts. Sizes are exact: one
// build each, no rounds. The metafile tells which packages the output holds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { prepareConsumer } from './consumer.mjs';
import { fmt } from './harness.mjs';

const FORBIDDEN_IN_HANDLER = ['zod', 'oauth-1.0a', 'ky'];

/** Bundles `source` (an entry module's text); returns { gzip, min, packages: { name: bytes } }. */
async function bundle(dir, name, source) {
  const entry = join(dir, 'bundles', `${name}.mjs`);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: dir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    // A Worker with nodejs_compat provides these; a static node: import should show as an error in
    // review, not silently inflate or break the bundle. Ours does not import any statically.
    external: ['node:*'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const [output] = Object.values(result.metafile.outputs);
  const packages = {};
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    const pkg = match ? match[1] : '(entry)';
    packages[pkg] = (packages[pkg] ?? 0) + bytesInOutput;
  }
  return { gzip: gzipSync(code, { level: 9 }).length, min: code.length, packages, imports: output.imports ?? [] };
}

const kB = (bytes) => `${fmt(bytes / 1000, 2)} kB`;

/** 'zod 30.1 kB, ky 8.0 kB' (minified bytes, before gzip) of the dependencies in a bundle. */
const depsText = (b) =>
  Object.entries(b.packages)
    .filter(([pkg]) => pkg !== 'x-account-activity' && pkg !== '(entry)')
    .sort((x, y) => y[1] - x[1])
    .map(([pkg, bytes]) => `${pkg} ${kB(bytes)}`)
    .join(', ') || 'none';

export async function run() {
  const { dir } = prepareConsumer();
  mkdirSync(join(dir, 'bundles'), { recursive: true });
  const handler = await bundle(
    dir,
    'worker-handler',
    "export { createWebhookHandler, parseActivity } from 'x-account-activity/webhooks';\n",
  );
  const crc = await bundle(
    dir,
    'crc-verify',
    "export { createCrcResponse, verifySignature } from 'x-account-activity/webhooks';\n",
  );
  const client = await bundle(dir, 'client', "export { AccountActivityClient } from 'x-account-activity';\n");
  const octokit = await bundle(dir, 'octokit', "export { Webhooks } from '@octokit/webhooks';\n");
  const forbidden = FORBIDDEN_IN_HANDLER.filter((pkg) => handler.packages[pkg] !== undefined);
  const size = (b) => `${kB(b.gzip)} min+gzip (${kB(b.min)} min)`;
  return [
    {
      figure: 'Worker bundle { createWebhookHandler, parseActivity } from ./webhooks, deps included',
      measured: size(handler),
      budget: '<= 12 kB',
      ok: handler.gzip <= 12_000,
      peer: `@octokit/webhooks Webhooks ${size(octokit)}; deps inside ours (min): ${depsText(handler)}`,
    },
    {
      figure: 'Worker bundle of the handler: no zod, oauth-1.0a or ky inside',
      measured:
        forbidden.length === 0 ? 'none' : forbidden.map((pkg) => `${pkg} ${kB(handler.packages[pkg])} min`).join(', '),
      budget: 'must be none',
      ok: forbidden.length === 0,
      peer: handler.imports.length
        ? `external imports: ${handler.imports.map((i) => i.path).join(', ')}`
        : 'no external imports',
    },
    {
      figure: '{ createCrcResponse, verifySignature } from ./webhooks, deps included',
      measured: size(crc),
      budget: '<= 1.5 kB',
      ok: crc.gzip <= 1_500,
      peer: `deps inside (min): ${depsText(crc)}`,
    },
    {
      figure: '{ AccountActivityClient } from the root, deps included',
      measured: size(client),
      budget: '<= 40 kB',
      ok: client.gzip <= 40_000,
      peer: `deps inside (min): ${depsText(client)}`,
    },
  ];
}
