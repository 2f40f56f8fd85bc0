// `npm run bench` (= `npm run build && node --expose-gc test/bench/run.mjs`): packs the built
// package into a scratch consumer (consumer.mjs), runs every test/bench/*.bench.mjs against it and
// prints ONE table: figure, measured (median with its spread), budget, verdict, and the peer or
// floor figures measured side by side. Exits 1 when a budget is over or a bench failed.
//
// `node --expose-gc test/bench/run.mjs import http` runs only the bench files whose name contains
// one of the arguments (import.bench.mjs, http-node.bench.mjs, http-bun.bench.mjs).
//
// Each bench module exports `async function run(): Promise<Row[]>` with
//   Row = { figure: string, measured: string, budget: string, ok: boolean | null, peer?: string }
// (`ok: null` is a row shown for information, without a verdict). A bench that throws becomes an
// ERROR row, and the others still run.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { prepareConsumer } from './consumer.mjs';
import { machineLoad, withPriority } from './lib/priority.mjs';

// Re-runs this script in a session of its own, scheduled ahead of other work (see lib/priority.mjs).
await withPriority(import.meta.filename);

/** Table order: the cheap in-process figures first, then child processes, then HTTP. */
const ORDER = ['webhooks', 'parse', 'client', 'import', 'bundle', 'http-node', 'http-bun'];
const rank = (file) => {
  const i = ORDER.indexOf(file.replace('.bench.mjs', ''));
  return i === -1 ? ORDER.length : i;
};

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error(`no bench file matches ${only.join(', ')}`);
  process.exit(2);
}
if (typeof globalThis.gc !== 'function') {
  console.error('note: run with node --expose-gc (as `npm run bench` does) for steadier in-process figures');
}

const started = Date.now();
const load = machineLoad();
const consumer = prepareConsumer();
console.error(`packed x-account-activity@${consumer.version} into ${consumer.dir} (node ${process.version})`);

const rows = [];
for (const file of files) {
  const t0 = Date.now();
  try {
    const mod = await import(pathToFileURL(join(dir, file)).href);
    const got = await mod.run();
    rows.push(...got);
    console.error(`  ${file}: ${got.length} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (error) {
    rows.push({
      figure: file,
      measured: 'failed',
      budget: '',
      ok: false,
      error: true,
      peer: String(error?.stack ?? error)
        .split('\n')
        .slice(0, 3)
        .join(' | '),
    });
    console.error(`  ${file}: FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    console.error(error);
  }
}

const verdict = (row) =>
  row.error ? 'ERROR' : row.ok === null || row.ok === undefined ? 'info' : row.ok ? 'PASS' : 'OVER';
const header = ['figure', 'measured (median, spread)', 'budget', 'verdict', 'peer / floor, same run'];
const cells = rows.map((r) => [r.figure, r.measured, r.budget, verdict(r), r.peer ?? '']);
const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) =>
  c
    .map((text, i) => (i < widths.length ? text.padEnd(widths[i]) : text))
    .join(' | ')
    .trimEnd();
console.log();
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w)).concat('-'.repeat(22))));
for (const c of cells) console.log(line(c));
console.log(`\nmachine: ${load.describe()}`);
const judged = rows.filter((r) => r.ok === true || r.ok === false);
const over = judged.filter((r) => r.ok === false).length;
console.log(
  `${judged.length - over} of ${judged.length} budgets met` +
    ` (x-account-activity@${consumer.version} packed, node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
process.exitCode = over === 0 ? 0 : 1;
