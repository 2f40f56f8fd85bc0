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
    entry,
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
