import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { type Options, defineConfig } from 'tsup';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));
const ERRORS = src('errors.ts');

/**
 * Source modules that every other output reaches through one shared file instead of bundling a copy.
 *
 * - `src/errors.ts` is dist/errors.js (dist/errors.cjs): one copy of the error classes, so that
 *   `instanceof` holds between the root and `./webhooks`, in both module formats.
 * - The receiving side (the ESM build only) is dist/webhooks.js, one file: the root, `./testing`, the
 *   client (its activity stream parses events) and the command line import its public names from it.
 *   Each file costs the ESM loader a resolution and a module record, which is most of a cold
 *   import's time here (issue 9, `npm run bench`, import rows): `import('x-account-activity/webhooks')`
 *   loads webhooks.js and errors.js, nothing else.
 */
function sharedModules(targets: ReadonlyMap<string, string>): Plugin {
  return {
    name: 'shared-modules',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const target = targets.get(resolve(dirname(args.importer), args.path.replace(/\.js$/, '.ts')));
        return target === undefined ? undefined : { path: target, external: true };
      });
    },
  };
}

/** Modules of the receiving side whose every run-time export is also an export of dist/webhooks.js. */
const RECEIVING_SIDE = [
  'webhooks/index.ts',
  'webhooks/signature.ts',
  'webhooks/crc.ts',
  'events/index.ts',
  'events/parse.ts',
  'events/dedup.ts',
];

const entry = {
  index: 'src/index.ts',
  webhooks: 'src/webhooks/index.ts',
  node: 'src/adapters/node.ts',
  redis: 'src/adapters/redis.ts',
  testing: 'src/testing/index.ts',
  schemas: 'src/events/schemas.ts',
};
/** Entries that import nothing of the package but the errors: each one file, no shared chunks. */
const standalone = { webhooks: entry.webhooks, node: entry.node, redis: entry.redis, schemas: entry.schemas };
/**
 * The rest of the ESM build. The client and the sign-in flows are entries of their own (dist/client.js,
 * dist/auth.js, not in `exports`): the root then only re-exports them, so a bundler that keeps only the
 * webhook handler drops their chunks, with their `import` of oauth-1.0a (a CommonJS module, which
 * bundlers must otherwise keep). The command line (dist/cli.js, the package's bin) is an ESM entry
 * too; its `#!/usr/bin/env node` line comes from src/cli/main.ts. No library entry imports it.
 * Code splitting stays on here: the client's lazy `import()`s (ky, the zod/mini response schemas)
 * and the command line's per-command modules stay separate files, loaded when first used.
 */
const split = {
  index: entry.index,
  testing: entry.testing,
  client: 'src/client/index.ts',
  auth: 'src/auth/index.ts',
  cli: 'src/cli/main.ts',
};

const esm: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'neutral',
  sourcemap: false,
  external: ['zod', 'ky', 'oauth-1.0a', /^node:/],
};
const errorsOnly = new Map([[ERRORS, './errors.js']]);

export default defineConfig([
  {
    // The declaration files of every ESM entry, in one pass so that shared types are declared once.
    ...esm,
    entry: { ...entry, client: split.client, auth: split.auth, cli: split.cli },
    dts: { only: true },
    clean: false,
  },
  {
    ...esm,
    entry: { ...standalone, errors: 'src/errors.ts' },
    dts: false,
    splitting: false,
    treeshake: true,
    // tsup skips `clean` in a declarations-only config: the first JavaScript config empties dist/.
    clean: true,
    esbuildPlugins: [sharedModules(errorsOnly)],
  },
  {
    ...esm,
    entry: split,
    dts: false,
    splitting: true,
    treeshake: true,
    clean: false,
    esbuildPlugins: [
      sharedModules(new Map([...errorsOnly, ...RECEIVING_SIDE.map((path) => [src(path), './webhooks.js'] as const)])),
    ],
  },
  {
    entry: { ...entry, errors: 'src/errors.ts' },
    format: ['cjs'],
    target: 'node20',
    platform: 'neutral',
    dts: true,
    splitting: false,
    // tsup's extra tree-shaking pass (rollup) would hoist the client's lazy require('zod/mini') to the
    // top of index.cjs; esbuild alone keeps it inside the module loaded on the first request.
    treeshake: false,
    sourcemap: false,
    clean: false,
    // ky is ESM-only: require() of the CJS build would fail at run time unless it is bundled.
    noExternal: ['ky'],
    external: ['zod', 'oauth-1.0a', /^node:/],
    esbuildPlugins: [sharedModules(new Map([[ERRORS, './errors.cjs']]))],
  },
]);
