// `npm run demo` for real: the scripted story against the emulator, through the SDK's client and
// webhook handler, in-process and as the command a newcomer runs. One webhook receives the three
// families (AAA, XAA, Filtered Stream), and the activity stream, broken on purpose four ways, yields
// every event the emulator sent exactly once.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DOCUMENTED_KINDS, demoSucceeded, runDemo, STREAM_FAULTS, XAA_SUBSCRIPTIONS } from './demo.js';

describe('the demo story', () => {
  it('covers all 19 kinds, the three families on one webhook, the replay, and the stream exactly once', async () => {
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

    // One endpoint, three families: 23 AAA events (the 19 kinds, copies for both users, the replay
    // status), 8 XAA events of alice's 7 subscriptions, 2 posts matching the stream rule.
    expect(summary.xaaSubscriptions).toBe(XAA_SUBSCRIPTIONS.length);
    expect(summary.families).toEqual({ aaa: 23, xaa: 8, filteredStream: 2, stream: 8 });
    expect(summary.families.aaa + summary.families.xaa + summary.families.filteredStream).toBe(summary.dispatched);
    const prefixed = (family: string): number => lines.filter((line) => line.startsWith(`  ${family} `)).length;
    // (the 4 AAA events of the replay are prefixed `[replay]`)
    expect([prefixed('AAA'), prefixed('XAA'), prefixed('FS')]).toEqual([19, 8, 2]);
    expect(lines.filter((line) => /^ {2}stream +for /.test(line))).toHaveLength(8);

    // The stream: each fault forced once, every event the emulator sent yielded once, the backfilled
    // copies dropped, and the same XAA events as the webhook got.
    const stream = summary.stream;
    expect(stream).toMatchObject({ sent: 8, received: 8, lost: 0, doubled: 0, unexpected: 0, exactlyOnce: true });
    // (at least once each: a machine slow enough to miss keep-alives for 250 ms adds a stall of its own)
    for (const fault of STREAM_FAULTS) expect(stream.disconnects[fault]).toBeGreaterThanOrEqual(1);
    expect(stream.reconnects).toBeGreaterThanOrEqual(3);
    expect(stream.copiesDropped).toBeGreaterThan(0);
    expect(stream.linesWritten).toBeGreaterThan(stream.sent);
    expect(stream.sameAsWebhook).toBe(true);
    expect(demoSucceeded(summary)).toBe(true);
    expect(demoSucceeded({ ...summary, stream: { ...stream, doubled: 1, exactlyOnce: false } })).toBe(false);
  });

  it('runs as `tsx examples/demo.ts` and exits 0', async () => {
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const { stdout } = await promisify(execFile)(tsx, [fileURLToPath(new URL('./demo.ts', import.meta.url))], {
      timeout: 30_000,
    });
    expect(stdout).toMatch(/activity kinds seen\s+19 of 19/);
    expect(stdout).toMatch(/replay job\s+Complete/);
    expect(stdout).toMatch(/events by family\s+AAA 23, XAA 8, Filtered Stream 2, stream 8/);
    expect(stdout).toMatch(
      /activity stream\s+8 events sent by the emulator \(\d+ lines with the backfills\), 8 received: 0 lost, 0 doubled: exactly once/,
    );
    expect(stdout).toMatch(
      /forced disconnects\s+drop [1-9]\d*, stall [1-9]\d*, operational-disconnect [1-9]\d*, 429 [1-9]\d*;/,
    );
  }, 40_000);
});
