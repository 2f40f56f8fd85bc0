// `npm run fuzz`: the webhook handler under generated requests (see harness.ts for what is generated
// and checked). Prints cases, violations, duration and the heap delta; exits non-zero on any
// violation or when the heap grew past the bound.
//
//   npm run fuzz                                   # 100,000 cases, a random seed (printed)
//   FUZZ_CASES=300000 FUZZ_SEED=42 npm run fuzz    # more cases, a given seed
import { runFuzz } from './harness.js';

const CASES = Number(process.env['FUZZ_CASES'] ?? 100_000);
const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
/** Heap growth allowed from start to end, after GC (the run keeps nothing by design). */
const HEAP_BOUND_MB = Number(process.env['FUZZ_HEAP_BOUND_MB'] ?? 64);
const MB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;
if (typeof gc !== 'function') {
  console.error('npm run fuzz needs node --expose-gc (the script passes it).');
  process.exit(2);
}

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

console.log(`fuzz: ${CASES} cases, seed ${SEED} (FUZZ_SEED=${SEED} repeats this run)`);
// A short warm-up run (its own seed) so that the heap baseline includes loaded modules and JIT code.
await runFuzz({ cases: 500, seed: SEED ^ 0x5eed });
const heapStart = heapAfterGc();
const started = performance.now();
const report = await runFuzz({
  cases: CASES,
  seed: SEED,
  progress: (done, partial) => {
    if (done % 10_000 === 0) {
      console.log(
        `  ${done} cases, ${partial.violations.length} violations, ${((performance.now() - started) / 1000).toFixed(1)} s, heap ${Math.round(process.memoryUsage().heapUsed / MB)} MB`,
      );
    }
  },
});
const seconds = (performance.now() - started) / 1000;
const heapEnd = heapAfterGc();
const deltaMb = (heapEnd - heapStart) / MB;
const heapOk = deltaMb <= HEAP_BOUND_MB;

console.log('');
console.log(`cases:       ${report.cases} (${report.requests} requests, copies included)`);
console.log(
  `violations:  ${report.violations.length}${report.violations.length ? ` ${JSON.stringify(report.byInvariant)}` : ''}`,
);
console.log(`duration:    ${seconds.toFixed(1)} s (${Math.round(report.cases / seconds)} cases/s)`);
console.log(
  `heap:        ${(heapStart / MB).toFixed(1)} MB -> ${(heapEnd / MB).toFixed(1)} MB after GC, delta ${deltaMb >= 0 ? '+' : ''}${deltaMb.toFixed(1)} MB (bound ${HEAP_BOUND_MB} MB)${heapOk ? '' : ' EXCEEDED'}`,
);
console.log(`statuses:    ${JSON.stringify(report.statuses)}`);
console.log(`dispatched:  ${report.dispatched} events; requests not answered: ${report.held}`);
for (const violation of report.violations.slice(0, 20)) {
  console.log(`\n#${violation.index} ${violation.invariant}: ${violation.detail}\n  ${violation.case}`);
}
process.exit(report.violations.length === 0 && heapOk ? 0 : 1);
