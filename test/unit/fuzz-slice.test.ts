// The fast slice of `npm run fuzz` in `npm test`: 2,000 generated cases against the webhook handler
// (handleRaw and handle(Request)), with the generators, hostile parts and oracle of
// test/fuzz/harness.ts. A fixed seed, so that a failure here repeats; `npm run fuzz` draws a new
// seed for each run and goes to 100,000 cases.
import { describe, expect, it } from 'vitest';
import { FIXTURES, runFuzz } from '../fuzz/harness.js';

describe('fuzz slice: the webhook handler under 2,000 generated requests', () => {
  it('covers every fixture family', () => {
    const families = new Set(FIXTURES.map((fixture) => fixture.name.split('/')[0]));
    expect([...families].sort()).toEqual(['events', 'filtered-stream', 'xaa']);
    expect(FIXTURES.length).toBeGreaterThan(80);
  });

  it('never rejects, dispatches nothing unverified, answers documented statuses, pollutes no prototype', async () => {
    const report = await runFuzz({ cases: 2_000, seed: 20261202 });
    const shown = report.violations
      .slice(0, 5)
      .map((v) => `#${v.index} ${v.invariant}: ${v.detail}\n${v.case}`)
      .join('\n\n');
    expect(report.violations, shown).toEqual([]);
    expect(report.cases).toBe(2_000);
    // The generators reach every outcome: accepted, refused in each documented way, failed listeners.
    for (const status of ['200', '400', '401', '405', '413', '500']) {
      expect(report.statuses[status] ?? 0, `status ${status}`).toBeGreaterThan(0);
    }
    expect(report.dispatched).toBeGreaterThan(100);
  }, 120_000);
});
