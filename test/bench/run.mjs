// `npm run bench`: runs every test/bench/*.bench.mjs against the built dist/ and prints, for each
// budget, the measured ratio against its floor. Each bench module exports
// `async function run(): Promise<Array<{ name: string, ratio: number, budget: string, ok: boolean, detail?: string }>>`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const rows = [];
for (const file of files) {
  const mod = await import(pathToFileURL(join(dir, file)).href);
  for (const row of await mod.run()) {
    rows.push(row);
    console.log(`${row.ok ? 'PASS' : 'OVER'}  ${row.name}: ${row.ratio.toFixed(3)}x (budget ${row.budget})${row.detail ? `  ${row.detail}` : ''}`);
  }
}
const over = rows.filter((r) => !r.ok).length;
console.log(`\n${rows.length - over} of ${rows.length} budgets met`);
process.exitCode = over === 0 ? 0 : 1;
