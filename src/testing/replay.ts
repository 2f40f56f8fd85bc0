/**
 * Replay window rules (see docs/x-api-notes.md#replay-window) and the replay job runner: re-deliver
 * the logged events of the window to the webhook in order, once each, then send `replay_job_status`.
 */
import type { DeliveryEngine, DeliveryRecord } from './delivery.js';
import { replayJobStatusPayload, serializePayload } from './payloads.js';

const MINUTE = 60_000;
/** E11 and V11 accept windows within the last 5 days. */
export const REPLAY_MAX_AGE_5D = 5 * 24 * 60 * MINUTE;
/** V5 accepts windows within the last 24 hours. */
export const REPLAY_MAX_AGE_24H = 24 * 60 * MINUTE;

/** The v1.1 code of a refused window (X's enterprise docs). */
export type ReplayWindowCode = 356 | 357 | 358 | 368;

/** A checked window: `[fromMs, endMs)`. */
export type ReplayWindowResult =
  | { readonly ok: true; readonly fromMs: number; readonly endMs: number }
  | { readonly ok: false; readonly code: ReplayWindowCode; readonly message: string };

/** Parses `yyyymmddhhmm` (UTC) to epoch ms; `undefined` when malformed. */
export function parseReplayDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) return undefined;
  return ms;
}

/**
 * Checks a replay window against the documented rules: both dates present (357) and well formed
 * (358); `from_date` at least 31 minutes and `to_date` at least 10 minutes before now (368, "date
 * not in the past"); `from_date` before `to_date` and neither older than `maxAgeMs` (356).
 * `to_date` is exclusive, unless `toInclusive` (V5, per X's OpenAPI spec v2.167), which extends the
 * window to the end of that minute.
 */
export function checkReplayWindow(
  from: string | undefined,
  to: string | undefined,
  options: { readonly nowMs: number; readonly maxAgeMs: number; readonly toInclusive: boolean },
): ReplayWindowResult {
  if (from === undefined || from === '') return { ok: false, code: 357, message: 'Query parameter missing: from_date' };
  if (to === undefined || to === '') return { ok: false, code: 357, message: 'Query parameter missing: to_date' };
  const fromMs = parseReplayDate(from);
  if (fromMs === undefined)
    return { ok: false, code: 358, message: 'Parameter malformed: from_date must be yyyymmddhhmm' };
  const toMs = parseReplayDate(to);
  if (toMs === undefined) return { ok: false, code: 358, message: 'Parameter malformed: to_date must be yyyymmddhhmm' };
  const { nowMs, maxAgeMs } = options;
  if (fromMs > nowMs - 31 * MINUTE) {
    return { ok: false, code: 368, message: 'Date not in the past: from_date must be at least 31 minutes ago' };
  }
  if (toMs > nowMs - 10 * MINUTE) {
    return { ok: false, code: 368, message: 'Date not in the past: to_date must be at least 10 minutes ago' };
  }
  if (fromMs >= toMs) return { ok: false, code: 356, message: 'from_date must be before to_date' };
  if (fromMs < nowMs - maxAgeMs) {
    return {
      ok: false,
      code: 356,
      message: `from_date is older than the ${maxAgeMs === REPLAY_MAX_AGE_24H ? '24 hours' : '5 days'} replay window`,
    };
  }
  return { ok: true, fromMs, endMs: options.toInclusive ? toMs + MINUTE : toMs };
}

/** Selects what a replay re-delivers: live deliveries attempted to the webhook in `[fromMs, endMs)`, oldest first. */
export function selectReplayEvents(
  records: readonly DeliveryRecord[],
  webhookId: string,
  fromMs: number,
  endMs: number,
): DeliveryRecord[] {
  return records
    .filter((r) => r.kind === 'activity' && r.webhookId === webhookId && r.attempts.length > 0)
    .filter((r) => r.eventAt.getTime() >= fromMs && r.eventAt.getTime() < endMs)
    .sort((a, b) => a.eventAt.getTime() - b.eventAt.getTime() || a.seq - b.seq);
}

/** Runs one job: each selected event once, in order, then the status message. Resolves with the job state. */
export async function runReplayJob(
  engine: DeliveryEngine,
  job: {
    readonly webhookId: string;
    readonly url: string;
    readonly jobId: string;
    readonly events: readonly DeliveryRecord[];
    readonly isCancelled: () => boolean;
  },
): Promise<'Complete' | 'Incomplete' | 'Cancelled'> {
  let complete = true;
  for (const event of job.events) {
    if (job.isCancelled()) return 'Cancelled';
    const record = await engine.deliver({
      webhookId: job.webhookId,
      url: job.url,
      forUserId: event.forUserId,
      kind: 'replay',
      family: event.family,
      eventType: event.eventType,
      eventAt: event.eventAt,
      body: event.body,
    });
    if (record.state !== 'delivered') complete = false;
  }
  if (job.isCancelled()) return 'Cancelled';
  await engine.deliver({
    webhookId: job.webhookId,
    url: job.url,
    forUserId: undefined,
    kind: 'replay_job_status',
    eventType: 'replay_job_status',
    eventAt: new Date(),
    body: serializePayload(replayJobStatusPayload({ webhookId: job.webhookId, jobId: job.jobId, complete })),
  });
  return complete ? 'Complete' : 'Incomplete';
}
