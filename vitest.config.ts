import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by its public name; in tests that name means the source.
    alias: [
      { find: /^x-account-activity$/, replacement: src('index.ts') },
      { find: /^x-account-activity\/webhooks$/, replacement: src('webhooks/index.ts') },
      { find: /^x-account-activity\/node$/, replacement: src('adapters/node.ts') },
      { find: /^x-account-activity\/redis$/, replacement: src('adapters/redis.ts') },
      { find: /^x-account-activity\/testing$/, replacement: src('testing/index.ts') },
      { find: /^x-account-activity\/schemas$/, replacement: src('events/schemas.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    typecheck: {
      enabled: true,
      include: ['test/types/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
      // TypeScript 5.9, the project's compiler (the `tsc` on PATH may be TypeScript 7's, which the
      // consumer matrix installs beside it).
      checker: 'node_modules/typescript/bin/tsc',
    },
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
