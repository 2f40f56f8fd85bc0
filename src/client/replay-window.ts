/**
 * Replay window rules, checked before any request (spec §5.2, §5.3):
 *
 * - dates are sent as UTC `yyyymmddhhmm` (minute granularity; seconds are dropped);
 * - `from` must be before `to`;
 * - `from` must be at least 31 minutes before now, `to` at least 10 minutes before now;
 * - both must fall within the replayable period: the last 24 hours on API v2 (`POST
 *   /2/webhooks/replay`), the last 5 days on v1.1 enterprise.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ApiVersion } from './endpoints.js';

const MINUTE = 60_000;

/** How far back each generation replays, in milliseconds. */
export const REPLAY_MAX_AGE: Readonly<Record<ApiVersion, number>> = {
  '2': 24 * 60 * MINUTE,
  '1.1': 5 * 24 * 60 * MINUTE,
};

/** `from` must be at least this long before now. */
export const REPLAY_FROM_MIN_AGE = 31 * MINUTE;
/** `to` must be at least this long before now. */
export const REPLAY_TO_MIN_AGE = 10 * MINUTE;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * Formats a date as X's replay parameter: UTC `yyyymmddhhmm`.
 *
 * @example
 * ```ts
 * formatReplayDate(new Date('2026-03-01T12:34:56Z')); // '202603011234'
 * ```
 */
export function formatReplayDate(date: Date): string {
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes())
  );
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z');

/** The replay window, checked and formatted. */
export interface ReplayDates {
  readonly fromDate: string;
  readonly toDate: string;
}

/**
 * Checks `from` and `to` against the rules of `version` at time `now` and returns them formatted.
 * Throws an `InvalidArgumentError` that says what to change.
 */
export function checkReplayWindow(
  window: { readonly from: unknown; readonly to: unknown } | undefined,
  version: ApiVersion,
  now: number = Date.now(),
): ReplayDates {
  if (typeof window !== 'object' || window === null) {
    throw new InvalidArgumentError('replay.start needs a window: { from: Date, to: Date }.');
  }
  const { from, to } = window;
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new InvalidArgumentError(`replay.start: \`${name}\` must be a valid Date.`);
    }
  }
  // X reads minutes: compare what will be sent.
  const fromMs = Math.floor((from as Date).getTime() / MINUTE) * MINUTE;
  const toMs = Math.floor((to as Date).getTime() / MINUTE) * MINUTE;
  const fromDate = formatReplayDate(new Date(fromMs));
  const toDate = formatReplayDate(new Date(toMs));
  const where = `(from ${iso(fromMs)}, to ${iso(toMs)}, sent as ${fromDate}..${toDate} UTC)`;
  if (fromMs >= toMs) {
    throw new InvalidArgumentError(
      `replay.start: \`from\` must be at least one minute before \`to\` ${where}. Move \`from\` earlier or \`to\` later.`,
    );
  }
  const maxAge = REPLAY_MAX_AGE[version];
  const oldest = Math.ceil((now - maxAge) / MINUTE) * MINUTE;
  const period = version === '2' ? 'the last 24 hours (API v2)' : 'the last 5 days (API v1.1)';
  if (fromMs < oldest) {
    throw new InvalidArgumentError(
      `replay.start: \`from\` is older than ${period} that X replays ${where}. Set \`from\` to ${iso(oldest)} or later.`,
    );
  }
  const latestFrom = Math.floor((now - REPLAY_FROM_MIN_AGE) / MINUTE) * MINUTE;
  if (fromMs > latestFrom) {
    throw new InvalidArgumentError(
      `replay.start: \`from\` must be at least 31 minutes before now ${where}. Set \`from\` to ${iso(latestFrom)} or earlier.`,
    );
  }
  const latestTo = Math.floor((now - REPLAY_TO_MIN_AGE) / MINUTE) * MINUTE;
  if (toMs > latestTo) {
    throw new InvalidArgumentError(
      `replay.start: \`to\` must be at least 10 minutes before now ${where}. Set \`to\` to ${iso(latestTo)} or earlier.`,
    );
  }
  return { fromDate, toDate };
}
