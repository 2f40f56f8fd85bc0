// Cold import and memory, added to `node -e 0`, from the packed package (DESIGN.md budgets):
//   import('x-account-activity/webhooks')  <= +10 ms
//   import('x-account-activity')           <= +35 ms
//   RSS after importing the root           <= +8 MB
// Peers for information: @octokit/webhooks; an empty .mjs imported by path (what the ESM loader
// itself costs); and an empty ES module package imported by name (the loader's cost plus finding a
// package and resolving its exports map: the least any ES module package adds).
//
// Method. Each sample is a fresh `node -e` process started in the consumer project (cwd), so nothing
// is cached in the process; the OS file cache is warm after the warm-up rounds. Every round runs
// all the variants once, in an order rotated from round to round, so that a slow second of the
// shared machine hits every variant of that round alike; a figure is the median over rounds of
// (variant − baseline) within the round, with its IQR over rounds. The baseline is `node -e` with
// only the reporting code below, so that the difference is the import alone.
//
// Which clock. Each child reports, once its import has settled (written with fs.writeSync, so no
// stream is set up):
//   - performance.now(): wall time since the process's time origin, early in Node's start-up;
//   - its main thread's run-queue wait (/proc/self/schedstat, 2nd field): time it was ready to run
//     but another process had the CPU;
//   - its main thread's CPU time (1st field), and process.memoryUsage().rss.
// The figure is wall time minus run-queue wait: on an idle machine the two are equal (the wait is
// ~0), and on this shared 2-core machine the wait is what other work adds, not what the import
// costs. It measured within a few ms from run to run where plain wall time moved by 10+ ms. Wall
// time around spawnSync (spawn to exit, what hyperfine reports) is printed beside it, as is the
// main thread's CPU time. Where /proc is missing (not Linux) the wait counts as 0.
import { spawnSync } from 'node:child_process';
import { EMPTY_PACKAGE, prepareConsumer } from './consumer.mjs';
import { fmt, summary } from './harness.mjs';

const ROUNDS = 80;
const WARMUP_ROUNDS = 3;

const report =
  "const fs = require('fs'); let s = ['0', '0']; try { s = fs.readFileSync('/proc/self/schedstat', 'utf8').split(' '); } catch {} " +
  "fs.writeSync(1, [performance.now(), s[1] / 1e6, s[0] / 1e6, process.memoryUsage().rss].join(' '))";
const variants = {
  baseline: report,
  webhooks: `import('x-account-activity/webhooks').then(() => { ${report} })`,
  root: `import('x-account-activity').then(() => { ${report} })`,
  octokit: `import('@octokit/webhooks').then(() => { ${report} })`,
  empty: `import('./empty.mjs').then(() => { ${report} })`,
  emptyPackage: `import('${EMPTY_PACKAGE}').then(() => { ${report} })`,
};
const KEYS = ['ms', 'wallMs', 'cpuMs', 'rss'];

function sample(dir, code) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['-e', code], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`node -e "${code}" failed: ${child.stderr || child.error}`);
  const [now, waitMs, cpuMs, rss] = child.stdout.trim().split(' ').map(Number);
  return { ms: now - waitMs, wallMs, cpuMs, rss };
}

export async function run() {
  const { dir } = prepareConsumer();
  const names = Object.keys(variants);
  const added = Object.fromEntries(names.map((n) => [n, Object.fromEntries(KEYS.map((k) => [k, []]))]));
  const base = Object.fromEntries(KEYS.map((k) => [k, []]));
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    const got = {};
    for (const name of order) got[name] = sample(dir, variants[name]);
    if (round < WARMUP_ROUNDS) continue;
    for (const key of KEYS) {
      base[key].push(got.baseline[key]);
      for (const name of names) added[name][key].push(got[name][key] - got.baseline[key]);
    }
  }
  const s = (name, key = 'ms') => summary(added[name][key]);
  const ms = (name, key = 'ms') => {
    const x = s(name, key);
    return `+${fmt(x.median, 1)} ms (IQR ${fmt(x.q1, 1)}–${fmt(x.q3, 1)}, n=${x.n})`;
  };
  const mb = (name) => {
    const x = s(name, 'rss');
    return `+${fmt(x.median / 2 ** 20, 1)} MB (range ${fmt(x.min / 2 ** 20, 1)}–${fmt(x.max / 2 ** 20, 1)}, n=${x.n})`;
  };
  const info = (name) =>
    `spawn-to-exit +${fmt(s(name, 'wallMs').median, 1)} ms, main-thread CPU +${fmt(s(name, 'cpuMs').median, 1)} ms`;
  return [
    {
      figure: "cold import('x-account-activity/webhooks'), added to node -e 0",
      measured: ms('webhooks'),
      budget: '<= +10 ms',
      ok: s('webhooks').median <= 10,
      peer:
        `@octokit/webhooks ${ms('octokit')}; empty .mjs +${fmt(s('empty').median, 1)} ms; ` +
        `empty package by name +${fmt(s('emptyPackage').median, 1)} ms; ` +
        `node -e 0 itself ${fmt(summary(base.ms).median, 1)} ms; ours ${info('webhooks')}`,
    },
    {
      figure: "cold import('x-account-activity') (root), added to node -e 0",
      measured: ms('root'),
      budget: '<= +35 ms',
      ok: s('root').median <= 35,
      peer: info('root'),
    },
    {
      figure: 'RSS after importing the root, added to node -e 0',
      measured: mb('root'),
      budget: '<= +8 MB',
      ok: s('root', 'rss').median <= 8 * 2 ** 20,
      peer:
        `@octokit/webhooks ${mb('octokit')}; ./webhooks +${fmt(s('webhooks', 'rss').median / 2 ** 20, 1)} MB; ` +
        `node -e 0 itself ${fmt(summary(base.rss).median / 2 ** 20, 1)} MB`,
    },
  ];
}
