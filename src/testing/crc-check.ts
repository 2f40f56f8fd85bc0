/**
 * The emulator's side of the Challenge-Response Check (https://docs.x.com/x-api/webhooks/quickstart):
 * a real GET against the webhook URL with a fresh `crc_token`, and for v1.1 a `nonce` and an
 * `x-twitter-webhooks-signature` over the raw query string (X documents the header for v1.1 only, so
 * v2 CRCs carry none; see docs/x-api-notes.md#signed-crc-requests); the answer is checked for
 * status, latency and `response_token`.
 */
import { randomBytes } from 'node:crypto';
import { createCrcResponse } from '../webhooks/crc.js';
import { signPayload } from '../webhooks/signature.js';
import type { Outbound } from './outbound.js';

/** Why a CRC failed. */
export type CrcFailure =
  /** 200 but no JSON, no `response_token`, or the wrong one (invalidates at once). */
  | 'token'
  /** No answer within the CRC timeout. */
  | 'latency'
  /** An answer other than 200 (3xx invalidates at once; 4xx and 5xx are transient). */
  | 'status'
  /** Connection refused, reset or similar (transient). */
  | 'network';

/** The outcome of one CRC. */
export type CrcOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly failure: CrcFailure; readonly status?: number; readonly detail: string };

/** The v1.1 error message of each failure (code 214 in X's enterprise docs). */
export const CRC_FAILURE_MESSAGES: Readonly<Record<CrcFailure, string>> = {
  token: 'Webhook URL does not meet the requirements. Invalid CRC token or json response format.',
  latency: 'High latency on CRC GET request. Your webhook should respond in less than 3 seconds.',
  status: 'Non-200 response code during CRC GET request (i.e. 404, 500, etc).',
  network: 'Non-200 response code during CRC GET request (i.e. 404, 500, etc).',
};

/** Whether a failure marks a webhook invalid at once (X's v2 rules), or only after the grace period. */
export function invalidatesImmediately(outcome: CrcOutcome): boolean {
  if (outcome.ok) return false;
  return outcome.failure === 'token' || (outcome.status !== undefined && outcome.status >= 300 && outcome.status < 400);
}

/** Runs one CRC against `url`. */
export async function runCrc(
  outbound: Outbound,
  url: string,
  consumerSecret: string,
  options: { readonly timeoutMs: number; readonly withNonce: boolean },
): Promise<CrcOutcome> {
  const token = randomBytes(36).toString('base64');
  let query = `crc_token=${encodeURIComponent(token)}`;
  if (options.withNonce) query += `&nonce=${encodeURIComponent(randomBytes(10).toString('base64url'))}`;
  const target = new URL(url);
  target.search = target.search ? `${target.search.slice(1)}&${query}` : query;
  const result = await outbound.send({
    url: target,
    method: 'GET',
    headers: {
      ...(options.withNonce ? { 'x-twitter-webhooks-signature': await signPayload(query, consumerSecret) } : {}),
      'user-agent': 'x-account-activity-emulator',
    },
    timeoutMs: options.timeoutMs,
  });
  if (result.kind === 'timeout') {
    return { ok: false, failure: 'latency', detail: `no answer to the CRC GET within ${options.timeoutMs} ms` };
  }
  if (result.kind === 'network') return { ok: false, failure: 'network', detail: result.message };
  if (result.status !== 200) {
    return {
      ok: false,
      failure: 'status',
      status: result.status,
      detail: `the CRC GET was answered with ${result.status}`,
    };
  }
  const expected = (await createCrcResponse(token, consumerSecret)).response_token;
  let given: unknown;
  try {
    given = (JSON.parse(result.body) as { response_token?: unknown }).response_token;
  } catch {
    return { ok: false, failure: 'token', status: 200, detail: 'the CRC answer is not JSON' };
  }
  if (given !== expected) {
    return {
      ok: false,
      failure: 'token',
      status: 200,
      detail:
        'the response_token does not match: the webhook app signs its CRC answer with another consumer secret than this app ' +
        '(give the handler emulator.webhookOptions(), or the same X_CONSUMER_SECRET as the client)',
    };
  }
  return { ok: true };
}
