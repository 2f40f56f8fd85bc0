// Shared helpers of the benches: statistics, formatting, and `compare()`, the in-process timer of a
// subject against its floor.
//
// Why not tinybench (used before): it times each task for one long stretch (300 ms) and then the
// other, so a burst of load from another process or a change of the machine's speed lands on one
// side only; with 7 rounds, verify + parse came out anywhere in 1.09–1.28x from run to run (issue 9).
// See compare(). The whole bench also runs at a raised priority (lib/priority.mjs).

/** Median of numbers (the input is not modified). */
export function median(values) {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile, q in [0, 1]. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** { median, q1, q3, min, max, n } of numbers. */
export function summary(values) {
  return {
    median: median(values),
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

/** Number formatting: `fmt(1.23456, 3)` → '1.235'. */
export const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

/** '1.08x (IQR 1.07–1.09, 40 rounds)' */
export function spreadText(s, { digits = 3, unit = 'x', kind = 'IQR' } = {}) {
  const [lo, hi] = kind === 'IQR' ? [s.q1, s.q3] : [s.min, s.max];
  return `${fmt(s.median, digits)}${unit} (${kind} ${fmt(lo, digits)}–${fmt(hi, digits)}, n=${s.n})`;
}

/** Operations per second from nanoseconds per operation. */
export const opsPerSec = (ns) => 1e9 / ns;

const now = () => process.hrtime.bigint();

/** Runs `fn` n times; returns ns per call. Awaits each call when `async`. */
async function block(fn, n, async) {
  const start = now();
  if (async) for (let i = 0; i < n; i++) await fn();
  else for (let i = 0; i < n; i++) fn();
  return Number(now() - start) / n;
}

/** How many calls of `fn` take about `ms` milliseconds (the median of 9 trial blocks). */
async function calibrate(fn, ms, async) {
  let n = 16;
  while ((await block(fn, n, async)) * n < ms * 1e6 && n < 1 << 24) n *= 2;
  const trials = [];
  for (let i = 0; i < 9; i++) trials.push(await block(fn, n, async));
  return Math.max(1, Math.round((ms * 1e6) / median(trials)));
}

/**
 * Times `subject` against `floor` (sync or async functions; a function whose first call returns a
 * promise is awaited on every call).
 *
 * Method. After `warmupMs` of alternating warm-up (the JIT settles both sides), each side's calls
 * are counted so that one block of them lasts about `blockMs` (1 ms). Then `rounds` rounds of
 * `pairs` pairs: a block of the subject next to a block of the floor, the order flipping at every
 * pair. A pair's ratio is (subject ns/call) ÷ (floor ns/call); a round's figure is the median of its
 * pairs' ratios; the result is the median of the rounds' figures, with the IQR and min–max of the
 * round figures as the spread (how much the figure itself moves).
 *
 * Why so: this 2-core machine is shared (builds and test runs of other work come and go, and the
 * same loop runs at 1.7 µs or 3.5 µs per call from one second to the next). Blocks of 1 ms are short
 * enough that both halves of a pair almost always see the same machine, and a block hit by a
 * preemption or a GC is one outlier among 40 that the median ignores. A full GC runs between rounds
 * (with --expose-gc) so that garbage does not pile up from one round to the next.
 *
 * Returns { ratio, subjectNs, floorNs }: summary() of the round figures, and of each side's median
 * ns per call in each round.
 */
export async function compare(subject, floor, { rounds = 30, pairs = 40, blockMs = 1, warmupMs = 500 } = {}) {
  const isAsync = (fn) => typeof fn()?.then === 'function';
  const sides = [
    { fn: subject, async: isAsync(subject) },
    { fn: floor, async: isAsync(floor) },
  ];
  const warmEnd = Date.now() + warmupMs;
  while (Date.now() < warmEnd) for (const side of sides) await block(side.fn, 100, side.async);
  for (const side of sides) side.n = await calibrate(side.fn, blockMs, side.async);

  const roundRatios = [];
  const subjectNs = [];
  const floorNs = [];
  for (let round = 0; round < rounds; round++) {
    globalThis.gc?.();
    const ratios = [];
    const times = [[], []];
    for (let pair = 0; pair < pairs; pair++) {
      const first = (round + pair) % 2;
      const a = await block(sides[first].fn, sides[first].n, sides[first].async);
      const b = await block(sides[1 - first].fn, sides[1 - first].n, sides[1 - first].async);
      const [s, f] = first === 0 ? [a, b] : [b, a];
      times[0].push(s);
      times[1].push(f);
      ratios.push(s / f);
    }
    roundRatios.push(median(ratios));
    subjectNs.push(median(times[0]));
    floorNs.push(median(times[1]));
  }
  return { ratio: summary(roundRatios), subjectNs: summary(subjectNs), floorNs: summary(floorNs) };
}
