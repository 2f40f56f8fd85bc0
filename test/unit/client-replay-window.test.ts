// Replay window rules and the UTC yyyymmddhhmm format, checked before any request.
import { describe, expect, it } from 'vitest';
import { checkReplayWindow, formatReplayDate } from '../../src/client/replay-window.js';
import { AccountActivityClient } from '../../src/client/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

const NOW = Date.parse('2026-03-10T12:00:30Z');
const at = (iso: string): Date => new Date(iso);

describe('formatReplayDate', () => {
  it('formats in UTC, minutes, zero-padded', () => {
    expect(formatReplayDate(at('2026-03-01T02:04:59.999Z'))).toBe('202603010204');
    expect(formatReplayDate(at('2026-12-31T23:59:00+05:00'))).toBe('202612311859');
  });
});

describe('checkReplayWindow', () => {
  it('accepts a window within the rules and returns what is sent', () => {
    expect(checkReplayWindow({ from: at('2026-03-10T09:00:10Z'), to: at('2026-03-10T11:00:00Z') }, '2', NOW)).toEqual({
      fromDate: '202603100900',
      toDate: '202603101100',
    });
  });

  const reject: [string, string, '2' | '1.1', string, string, RegExp][] = [
    ['from after to', '2', '2', '2026-03-10T11:00:00Z', '2026-03-10T10:00:00Z', /before `to`.*Move `from` earlier/],
    [
      'from equal to to (same minute)',
      '2',
      '2',
      '2026-03-10T10:00:10Z',
      '2026-03-10T10:00:50Z',
      /at least one minute before `to`/,
    ],
    [
      'v2: from older than 24 h',
      '2',
      '2',
      '2026-03-09T11:59:00Z',
      '2026-03-10T10:00:00Z',
      /last 24 hours.*Set `from` to 2026-03-09T12:01Z or later/,
    ],
    [
      'v1.1: from older than 5 days',
      '1.1',
      '1.1',
      '2026-03-05T11:00:00Z',
      '2026-03-10T10:00:00Z',
      /last 5 days.*or later/,
    ],
    [
      'from less than 31 min before now',
      '2',
      '2',
      '2026-03-10T11:30:00Z',
      '2026-03-10T11:45:00Z',
      /31 minutes before now.*Set `from` to 2026-03-10T11:29Z or earlier/,
    ],
    [
      'to less than 10 min before now',
      '2',
      '2',
      '2026-03-10T11:00:00Z',
      '2026-03-10T11:51:00Z',
      /10 minutes before now.*Set `to` to 2026-03-10T11:50Z or earlier/,
    ],
    ['to in the future', '1.1', '1.1', '2026-03-10T11:00:00Z', '2026-03-11T11:00:00Z', /10 minutes before now/],
  ];
  it.each(reject)('%s', (_name, _v, version, from, to, message) => {
    expect(() => checkReplayWindow({ from: at(from), to: at(to) }, version, NOW)).toThrow(message);
  });

  it('accepts 4 days back on v1.1 but not on v2', () => {
    const window = { from: at('2026-03-06T12:00:00Z'), to: at('2026-03-06T14:00:00Z') };
    expect(checkReplayWindow(window, '1.1', NOW).fromDate).toBe('202603061200');
    expect(() => checkReplayWindow(window, '2', NOW)).toThrow(InvalidArgumentError);
  });

  it.each([
    ['strings', { from: '2026-03-10T09:00:00Z', to: '2026-03-10T11:00:00Z' }, /`from` must be a valid Date/],
    ['invalid dates', { from: at('2026-03-10T09:00:00Z'), to: new Date(Number.NaN) }, /`to` must be a valid Date/],
    ['no window', undefined, /needs a window/],
  ])('refuses %s', (_name, window, message) => {
    expect(() => checkReplayWindow(window as never, '2', NOW)).toThrow(message);
  });

  it('replay.start checks before any request (no server at all)', async () => {
    let calls = 0;
    const client = new AccountActivityClient({
      bearerToken: 'b',
      fetch: async () => {
        calls++;
        return new Response('{}');
      },
    });
    const now = Date.now();
    await expect(
      client.replay.start('1', { from: new Date(now - 5 * 60_000), to: new Date(now - 60_000) }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(calls).toBe(0);
  });
});
