import { defineConfig } from 'tsup';

const entry = {
  index: 'src/index.ts',
  webhooks: 'src/webhooks/index.ts',
  node: 'src/adapters/node.ts',
  testing: 'src/testing/index.ts',
  schemas: 'src/events/schemas.ts',
};

export default defineConfig([
  {
    // The client is an entry of its own in the ESM build (dist/client.js, not in `exports`): the root
    // then only re-exports it, so a bundler that keeps only the webhook handler drops the whole client
    // chunk, its `import` of oauth-1.0a (a CommonJS module, which bundlers must otherwise keep) included.
    entry: { ...entry, client: 'src/client/index.ts' },
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
    entry,
    format: ['cjs'],
    target: 'node20',
    platform: 'neutral',
    dts: true,
    splitting: false,
    treeshake: true,
    sourcemap: false,
    clean: false,
    // ky is ESM-only: require() of the CJS build would fail at run time unless it is bundled.
    noExternal: ['ky'],
    external: ['zod', 'oauth-1.0a', /^node:/],
  },
]);
