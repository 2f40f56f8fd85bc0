import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

const ERRORS = fileURLToPath(new URL('./src/errors.ts', import.meta.url));

/**
 * The CommonJS build has no code splitting, so each entry would carry its own copy of the error
 * classes and `instanceof` would fail between the root and `./webhooks`. This makes `src/errors.ts`
 * an entry of its own (dist/errors.cjs) that every other entry requires.
 */
const sharedErrors: Plugin = {
  name: 'shared-errors',
  setup(build) {
    build.onResolve({ filter: /errors\.js$/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const target = resolve(dirname(args.importer), args.path.replace(/\.js$/, '.ts'));
      return target === ERRORS ? { path: './errors.cjs', external: true } : undefined;
    });
  },
};

const entry = {
  index: 'src/index.ts',
  webhooks: 'src/webhooks/index.ts',
  node: 'src/adapters/node.ts',
  redis: 'src/adapters/redis.ts',
  testing: 'src/testing/index.ts',
  schemas: 'src/events/schemas.ts',
};

export default defineConfig([
  {
    // The client and the sign-in flows are entries of their own in the ESM build (dist/client.js,
    // dist/auth.js, not in `exports`): the root then only re-exports them, so a bundler that keeps
    // only the webhook handler drops their chunks, with their `import` of oauth-1.0a (a CommonJS
    // module, which bundlers must otherwise keep).
    // The command line (dist/cli.js, the package's bin) is an ESM entry too; its `#!/usr/bin/env node`
    // line comes from src/cli/main.ts. No library entry imports it.
    entry: { ...entry, client: 'src/client/index.ts', auth: 'src/auth/index.ts', cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'neutral',
    dts: true,
    splitting: true,
    treeshake: true,
    sourcemap: false,
    clean: true,
    external: ['zod', 'ky', 'oauth-1.0a', /^node:/],
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
    esbuildPlugins: [sharedErrors],
  },
]);
