// Shared by the scripts that use the packed package as a consumer would (consumer-types.mjs,
// check-snippets.mjs): `npm run smoke` unpacks the tarball into .tmp/smoke; each script gets a fresh
// folder under .tmp whose node_modules holds that package.
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's root folder. */
export const root = resolve(import.meta.dirname, '..');

/** The unpacked tarball; throws when `npm run smoke` has not run. */
export function packedPackage() {
  const packed = join(root, '.tmp', 'smoke', 'node_modules', 'x-account-activity');
  if (!existsSync(join(packed, 'package.json'))) {
    throw new Error('Run `npm run smoke` first: it unpacks the packed package into .tmp/smoke.');
  }
  return packed;
}

/** Makes `dir` (emptied first) a consumer folder that resolves `x-account-activity` to the tarball. */
export function consumerFolder(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(packedPackage(), join(dir, 'node_modules', 'x-account-activity'), 'dir');
  return dir;
}
