// `npm run demo` for real: the scripted story against the emulator, through the SDK's client and
// webhook handler, in-process and as the command a newcomer runs.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DOCUMENTED_KINDS, runDemo } from './demo.js';

describe('the demo story', () => {
  it('covers all 19 kinds, loses 3 deliveries in the outage and recovers them by replay', async () => {
    const lines: string[] = [];
    const summary = await runDemo({ log: (line) => lines.push(line) });
    expect(DOCUMENTED_KINDS).toHaveLength(19);
    expect(summary.missingKinds).toEqual([]);
    expect(summary.lostInOutage).toBe(3);
    expect(summary.recoveredByReplay).toBe(3);
    expect(summary.replayState).toBe('Complete');
    // Every replayed copy of an event handled live was dropped, and nothing was dispatched twice.
    expect(summary.duplicatesDropped).toBeGreaterThan(0);
    // Each delivery of the story carries one event: every verified POST was dispatched or dropped.
    expect(summary.dispatched + summary.duplicatesDropped).toBe(summary.verified);
    expect(lines.some((line) => line.includes('Registered webhook'))).toBe(true);
    expect(lines.filter((line) => line.includes('[replay]')).length).toBe(4);
  });

  it('runs as `tsx examples/demo.ts` and exits 0', async () => {
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const { stdout } = await promisify(execFile)(tsx, [fileURLToPath(new URL('./demo.ts', import.meta.url))], {
      timeout: 15_000,
    });
    expect(stdout).toMatch(/activity kinds seen\s+19 of 19/);
    expect(stdout).toMatch(/replay job\s+Complete/);
  });
});
