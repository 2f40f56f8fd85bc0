/**
 * Turns an X error answer into the matching `XApiError` subclass, for both generations:
 * v1.1 `{"errors":[{"code","message"}]}`, v2 reason-prefixed messages (`"CrcValidationFailed: ..."`)
 * with RFC 7807 problem fields at the top level or inside `errors[]`, and bodies that are not JSON.
 *
 * Internal module.
 */
import {
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  ServerError,
  X_API_ERROR_REASONS,
  XApiError,
} from '../errors.js';
import { pathOf } from './http.js';
import type { RateLimitInfo, XApiErrorEntry, XApiErrorInit, XApiErrorReason, XApiRequestInfo } from '../errors.js';

/** Rate-limit information from `x-rate-limit-*` headers, when all three are present and numeric. */
export function readRateLimit(headers: Headers): RateLimitInfo | undefined {
  const limit = headers.get('x-rate-limit-limit');
  const remaining = headers.get('x-rate-limit-remaining');
  const reset = headers.get('x-rate-limit-reset');
  if (limit === null || remaining === null || reset === null) return undefined;
  const values = [Number(limit), Number(remaining), Number(reset)] as const;
  if (!values.every((value) => Number.isFinite(value))) return undefined;
  return { limit: values[0], remaining: values[1], reset: new Date(values[2] * 1000) };
}

const REASONS: ReadonlySet<string> = new Set(X_API_ERROR_REASONS);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The documented reason a v2 message starts with (`"Reason: details"`), if any. */
export function reasonOf(message: string): XApiErrorReason | undefined {
  const colon = message.indexOf(':');
  const prefix = (colon === -1 ? message : message.slice(0, colon)).trim();
  return REASONS.has(prefix) ? (prefix as XApiErrorReason) : undefined;
}

interface ParsedErrorBody {
  readonly errors: XApiErrorEntry[];
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly type: string | undefined;
}

/** Reads every documented error shape out of a parsed body. */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  const errors: XApiErrorEntry[] = [];
  let title: string | undefined;
  let detail: string | undefined;
  let type: string | undefined;
  if (isRecord(body)) {
    title = text(body['title']);
    detail = text(body['detail']);
    type = text(body['type']);
    const list = body['errors'];
    if (typeof list === 'string') errors.push({ message: list });
    else if (Array.isArray(list)) {
      for (const item of list) {
        if (!isRecord(item)) continue;
        const message = text(item['message']) ?? text(item['detail']) ?? text(item['title']) ?? '';
        const code = typeof item['code'] === 'number' ? item['code'] : undefined;
        errors.push(code === undefined ? { message } : { code, message });
        title ??= text(item['title']);
        detail ??= text(item['detail']);
        type ??= text(item['type']);
      }
    }
    const single = text(body['error']) ?? text(body['message']);
    if (errors.length === 0 && single !== undefined) errors.push({ message: single });
  }
  return { errors, title, detail, type };
}

/** Advice appended to the message for failures whose fix is known. */
function advice(code: number | undefined, reason: XApiErrorReason | undefined): string | undefined {
  if (reason === 'CrcValidationFailed' || code === 214) {
    return 'X could not complete the CRC against the webhook URL: it must be public https without a port, answer GET ?crc_token=... within 3 s with 200 and {"response_token":"sha256=..."} (see createCrcResponse).';
  }
  if (reason === 'UrlValidationFailed') return 'The webhook URL must be https, public, at most 200 characters and without a port.';
  if (reason === 'DuplicateUrlFailed') return 'This app already has a webhook for this URL: list webhooks and reuse its id.';
  if (reason === 'WebhookLimitExceeded') return 'The account has all the webhooks its contract allows: delete one first.';
  if (reason === 'WebhookIdInvalid' || code === 34) return 'Check the webhook id: list webhooks to see the ids this app owns.';
  if (reason === 'DuplicateSubscriptionFailed') return 'The user is already subscribed.';
  if (reason === 'SubscriptionLimitExceeded') return 'The app has all the subscriptions provisioned for it (see subscriptions.count()).';
  if (reason === 'SubscriptionNotFound') return 'The user is not subscribed to this webhook.';
  if (reason === 'ReplayConflictError' || code === 355) return 'A replay job is already running for this webhook: wait for its replay_job_status event.';
  if (reason === 'QueryParamInvalid') return 'Check the replay window: from and to within the allowed period, from before to, both in the past.';
  if (code === 32) return 'X could not authenticate the request: check the consumer key and secret and the tokens (app-only endpoints need a bearer token, not user tokens).';
  if (code === 89) return 'The access token is invalid or expired: regenerate it.';
  if (code === 261) return 'The app cannot write: give it "Read, Write and Direct Messages" permission and regenerate the tokens.';
  if (code === 200) return 'Account Activity (or Replay) is not enabled for this app.';
  if (code === 348) return 'The app is not permitted to manage this user\'s subscriptions: use the subscribing user\'s own tokens.';
  if (code === 88) return 'Rate limited: see error.rateLimit.reset.';
  return undefined;
}

type ErrorClass = new (message: string, init: XApiErrorInit) => XApiError;

function classFor(status: number, code: number | undefined): ErrorClass {
  if (status === 400) return InvalidRequestError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return ForbiddenError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 429) return RateLimitError;
  if (status >= 500) return ServerError;
  // An unusual status: fall back on the v1.1 code.
  if (code === 88) return RateLimitError;
  if (code === 32 || code === 89 || code === 61 || code === 348) return AuthenticationError;
  if (code === 34) return NotFoundError;
  if (code === 355) return ConflictError;
  return XApiError;
}

/** The error for an X answer `status` whose body was `body` (parsed JSON, raw text, or undefined). */
export function toApiError(
  status: number,
  body: unknown,
  headers: Headers,
  request: XApiRequestInfo,
): XApiError {
  const parsed = parseErrorBody(body);
  const code = parsed.errors.find((entry) => entry.code !== undefined)?.code;
  let reason: XApiErrorReason | undefined;
  for (const entry of parsed.errors) {
    reason = reasonOf(entry.message);
    if (reason) break;
  }
  const first = parsed.errors[0]?.message ?? parsed.detail ?? parsed.title;
  const path = pathOf(request.url);
  let message = `X API ${request.method} ${path} failed with HTTP ${status}`;
  if (code !== undefined) message += ` (code ${code})`;
  if (first) message += `: ${first}`;
  else if (typeof body === 'string' && body.trim() !== '') message += `: ${body.trim().slice(0, 200)}`;
  const hint = advice(code, reason);
  if (hint) message += ` ${hint}`;
  const rateLimit = readRateLimit(headers);
  const init: XApiErrorInit = {
    status,
    request,
    errors: parsed.errors,
    ...(code === undefined ? {} : { code }),
    ...(reason === undefined ? {} : { reason }),
    ...(parsed.title === undefined ? {} : { title: parsed.title }),
    ...(parsed.detail === undefined ? {} : { detail: parsed.detail }),
    ...(parsed.type === undefined ? {} : { type: parsed.type }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
  };
  const ErrorType = classFor(status, code);
  return new ErrorType(message, init);
}
