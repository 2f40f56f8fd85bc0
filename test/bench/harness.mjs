// Shared timing helper for the benchmarks: interleaved rounds of a candidate and its floor, the
// median of per-round ratios, so that machine noise hits both sides alike.
import { Bench } from 'tinybench';

/**
 * Times `candidate` against `floor` (both sync or async functions) in `rounds` interleaved rounds of
 * `time` ms each and returns { ratio, candidateHz, floorHz } where ratio = floor ops/s ÷ candidate
 * ops/s (so 1.10 means the candidate is 10 % slower).
 */
export async function compare(candidate, floor, { rounds = 7, time = 300 } = {}) {
  const ratios = [];
  let candidateHz = 0;
  let floorHz = 0;
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time, warmupTime: 50 });
    // Alternate the order so that neither side always runs first.
    if (round % 2 === 0) bench.add('floor', floor).add('candidate', candidate);
    else bench.add('candidate', candidate).add('floor', floor);
    await bench.run();
    const hz = (name) => bench.tasks.find((t) => t.name === name).result.throughput.mean;
    const c = hz('candidate');
    const f = hz('floor');
    candidateHz += c / rounds;
    floorHz += f / rounds;
    ratios.push(f / c);
  }
  ratios.sort((a, b) => a - b);
  return { ratio: ratios[Math.floor(ratios.length / 2)], candidateHz, floorHz };
}
