// The client loads ky and zod with its first request, not at import: the static module graph of
// src/client (what `import 'x-account-activity'` evaluates) reaches neither, and the two modules that
// do import them are reached through dynamic `import()` only.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLIENT = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/client');

interface Graph {
  readonly files: Set<string>;
  readonly packages: Set<string>;
  readonly dynamic: Set<string>;
}

/** Follows the value imports (not `import type`) of `file`; records dynamic `import()` targets apart. */
function walk(file: string, graph: Graph = { files: new Set(), packages: new Set(), dynamic: new Set() }): Graph {
  if (graph.files.has(file)) return graph;
  graph.files.add(file);
  const source = readFileSync(file, 'utf8');
  const resolveLocal = (specifier: string): string => resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
  for (const [, specifier] of source.matchAll(/^(?:import|export)(?!\s+type\b)[^'";]*?from\s+'([^']+)'/gm)) {
    if (specifier!.startsWith('.')) walk(resolveLocal(specifier!), graph);
    else graph.packages.add(specifier!);
  }
  for (const [, specifier] of source.matchAll(/^import\s+'([^']+)'/gm)) {
    if (specifier!.startsWith('.')) walk(resolveLocal(specifier!), graph);
    else graph.packages.add(specifier!);
  }
  for (const [, specifier] of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g))
    graph.dynamic.add(specifier!.startsWith('.') ? resolveLocal(specifier!) : specifier!);
  return graph;
}

describe('client module graph', () => {
  const graph = walk(resolve(CLIENT, 'index.ts'));

  it('imports no package statically: ky, zod and oauth-1.0a load with the first request that needs them', () => {
    expect([...graph.packages]).toEqual([]);
    expect(graph.dynamic).toContain('oauth-1.0a');
  });

  it('reaches the ky transport and the response schemas through dynamic import() only', () => {
    const lazy = [resolve(CLIENT, 'ky-transport.ts'), resolve(CLIENT, 'schemas.ts')];
    for (const file of lazy) {
      expect(graph.dynamic).toContain(file);
      expect(graph.files).not.toContain(file);
    }
    expect(walk(lazy[0]!).packages).toContain('ky');
    expect(walk(lazy[1]!).packages).toContain('zod/mini');
  });

  it('the lazy modules import nothing of the package at run time (else bundlers would wrap the errors module)', () => {
    for (const file of ['ky-transport.ts', 'schemas.ts']) {
      const reached = [...walk(resolve(CLIENT, file)).files].map((path) => path.slice(CLIENT.length + 1));
      expect(reached).toEqual([file]);
    }
  });
});
