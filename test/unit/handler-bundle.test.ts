// What a bundler keeps of the receiving side: a handler made without a deduplicator carries no
// deduplication code (the key function, the in-flight claims, the in-memory store), since the handler
// reaches them only through the deduplicator it is given. Built with esbuild from the sources, the way
// a Worker bundle is made; the sizes themselves are guarded by size-limit and measured by the bench.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

const WEBHOOKS = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/webhooks/index.ts');

/** The source files (relative to src/) that contribute code to a bundle of `names` from ./webhooks. */
function bundled(names: readonly string[]): { files: string[]; code: string } {
  const result = buildSync({
    stdin: {
      contents: `export { ${names.join(', ')} } from ${JSON.stringify(WEBHOOKS)};`,
      resolveDir: '/',
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  const files = Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path.replace(/^.*?src\//, ''));
  return { files, code: result.outputFiles[0]?.text ?? '' };
}

describe('a bundle of the webhook handler', () => {
  it('without a deduplicator holds no deduplication code', () => {
    const { files, code } = bundled(['createWebhookHandler', 'parseActivity']);
    expect(files).toContain('webhooks/handler.ts');
    expect(files).toContain('events/parse.ts');
    expect(files).not.toContain('events/dedup.ts');
    // Of webhooks/in-flight.ts, only the symbol under which a deduplicator carries its coordinator.
    expect(code).toContain('Symbol.for("x-account-activity.coordinator")');
    expect(code).not.toContain('InFlightClaims');
    expect(code).not.toContain('function activityKey');
  });

  it('with createDeduplicator holds the key function and the in-flight claims', () => {
    const { files, code } = bundled(['createWebhookHandler', 'createDeduplicator']);
    expect(files).toContain('events/dedup.ts');
    expect(code).toContain('InFlightClaims = class');
    expect(code).toContain('function activityKey');
  });
});
