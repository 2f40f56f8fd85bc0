// The benches measure the package as users get it: `npm pack` of the repo (after the build that
// `npm run bench` runs first), unpacked into a scratch consumer project under .tmp/ (gitignored):
//
//   .tmp/bench-consumer/
//     package.json                       { "type": "module" }
//     load.mjs                           `import()` resolved from here, by package name
//     node_modules/x-account-activity/   the unpacked tarball (real files, not a link to the repo)
//     node_modules/{zod,ky,oauth-1.0a}   links to the repo's copies of the runtime dependencies
//     node_modules/@octokit              link to the repo's @octokit (the peer, and its dependencies)
//     node_modules/empty-esm-package/    an empty ES module package (a floor of the import bench)
//
// Bench code in test/bench cannot `import 'x-account-activity'` itself: inside the repo that name is
// a self-reference to the repo's own package.json, i.e. dist/, not the tarball. So every bench
// imports through `load()` below (a module living in the consumer), and child processes run with the
// consumer as their working directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = resolve(import.meta.dirname, '../..');
export const consumerDir = join(root, '.tmp', 'bench-consumer');
const packDir = join(root, '.tmp', 'bench-pack');
/** The name of the empty package that the import bench compares with (made in the consumer). */
export const EMPTY_PACKAGE = 'empty-esm-package';
/** Peers that the benches compare with, linked into the consumer from the repo's node_modules. */
const PEERS = ['@octokit'];

let prepared;

/**
 * Packs and unpacks once per process; returns { dir, version, files, deps }. With
 * BENCH_REUSE_PACK=1 an existing consumer is reused as it is (for working on a bench while dist/ is
 * being rebuilt by something else).
 */
export function prepareConsumer() {
  if (prepared) return prepared;
  const unpacked = join(consumerDir, 'node_modules', 'x-account-activity', 'package.json');
  if (process.env.BENCH_REUSE_PACK === '1' && existsSync(unpacked)) {
    const manifest = JSON.parse(readFileSync(unpacked, 'utf8'));
    prepared = {
      dir: consumerDir,
      version: `${manifest.version} (reused)`,
      deps: Object.keys(manifest.dependencies ?? {}),
    };
    return prepared;
  }
  rmSync(consumerDir, { recursive: true, force: true });
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  const target = join(consumerDir, 'node_modules', 'x-account-activity');
  mkdirSync(target, { recursive: true });

  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  execFileSync('tar', ['-xzf', join(packDir, packed.filename), '-C', target, '--strip-components=1']);

  const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
  // Every file the exports map points at must be in the tarball (a build running at the same time
  // as `npm pack` can leave dist/ half written).
  const missing = exportTargets(manifest.exports).filter((file) => !existsSync(join(target, file)));
  if (missing.length > 0) {
    throw new Error(`the packed package lacks ${missing.join(', ')}: was dist/ being rebuilt during npm pack?`);
  }

  // Runtime dependencies, as the packed package.json declares them, resolved to the repo's copies.
  const deps = Object.keys(manifest.dependencies ?? {});
  for (const name of [...deps, ...PEERS]) {
    const link = join(consumerDir, 'node_modules', name);
    mkdirSync(resolve(link, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), link, 'dir');
  }
  writeFileSync(
    join(consumerDir, 'package.json'),
    JSON.stringify({ name: 'bench-consumer', private: true, type: 'module' }, null, 2),
  );
  // Bun applies the nearest tsconfig.json's `paths` even to .mjs files: without one here it would use
  // the repository's, which map `x-account-activity` to src/, and the Bun bench would run the sources.
  writeFileSync(join(consumerDir, 'tsconfig.json'), '{ "compilerOptions": {} }\n');
  writeFileSync(
    join(consumerDir, 'load.mjs'),
    'export const load = (specifier) => import(specifier);\n' +
      'export const where = (specifier) => import.meta.resolve(specifier);\n',
  );
  writeFileSync(join(consumerDir, 'empty.mjs'), '// an empty ES module: the fixed cost of the ESM loader\n');
  // An empty ES module package, imported by name: what the loader costs any package on top of that
  // (finding it in node_modules, reading its package.json, resolving its exports map).
  const emptyPackage = join(consumerDir, 'node_modules', EMPTY_PACKAGE);
  mkdirSync(emptyPackage, { recursive: true });
  writeFileSync(
    join(emptyPackage, 'package.json'),
    JSON.stringify({ name: EMPTY_PACKAGE, version: '1.0.0', type: 'module', exports: { '.': './index.js' } }),
  );
  writeFileSync(join(emptyPackage, 'index.js'), '// an empty ES module package\n');
  prepared = { dir: consumerDir, version: manifest.version, files: packed.files.length, deps };
  return prepared;
}

/** The JavaScript files an exports map points at (types and package.json left out). */
function exportTargets(exports) {
  if (typeof exports === 'string') return exports.endsWith('.json') ? [] : [exports];
  if (!exports || typeof exports !== 'object') return [];
  return Object.entries(exports).flatMap(([key, value]) => (key === 'types' ? [] : exportTargets(value)));
}

/** URL of the consumer's loader, for child processes (node or bun) that import by package name. */
export const loaderUrl = () => pathToFileURL(join(prepareConsumer().dir, 'load.mjs')).href;

/** `import(specifier)` as the consumer project would resolve it. */
export async function load(specifier) {
  const { load: consumerImport } = await import(loaderUrl());
  return consumerImport(specifier);
}
