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
import { MAX_BODY_TEXT, MAX_ERROR_ENTRIES, MAX_FIELD_TEXT, MAX_MESSAGE_TEXT, safeText } from './error-text.js';
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

const REASONS: ReadonlySet<string> = /* @__PURE__ */ new Set(X_API_ERROR_REASONS);

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

/**
 * Advice appended to the message for failures whose fix is known, keyed by v2 reason or v1.1 code
 * (a v2 reason wins over a code).
 */
const CRC_ADVICE =
  "The CRC failed. Most often the webhook app signs its answer with another consumer secret than this app's: " +
  'give createWebhookHandler the same consumer secret as this client. Otherwise the URL must be public https ' +
  'without a port and answer GET ?crc_token=... within 3 s with 200 and {"response_token":"sha256=..."} ' +
  '(see createCrcResponse).';
const WEBHOOK_ID_ADVICE = 'Check the webhook id: webhooks.list() shows the ids this app owns.';
const REPLAY_RUNNING_ADVICE = 'A replay job is already running: wait for its replay_job_status event.';
const ADVICE: Readonly<Record<string, string>> = {
  CrcValidationFailed: CRC_ADVICE,
  214: CRC_ADVICE,
  UrlValidationFailed: 'The URL must be public https without a port, at most 200 characters.',
  DuplicateUrlFailed: 'This app already has a webhook for this URL: reuse its id (webhooks.list()).',
  WebhookLimitExceeded: 'Webhook limit reached: delete one first.',
  WebhookIdInvalid: WEBHOOK_ID_ADVICE,
  34: WEBHOOK_ID_ADVICE,
  DuplicateSubscriptionFailed: 'The user is already subscribed.',
  SubscriptionLimitExceeded: 'Subscription limit reached (see subscriptions.count()).',
  SubscriptionNotFound: 'The user is not subscribed to this webhook.',
  ReplayConflictError: REPLAY_RUNNING_ADVICE,
  355: REPLAY_RUNNING_ADVICE,
  QueryParamInvalid: 'Check the replay window: both in the past, within the allowed period, from before to.',
  32: 'Check the consumer key and secret and the tokens (app-only endpoints need a bearer token, not user tokens).',
  89: 'The access token is invalid or expired: regenerate it.',
  261: 'Give the app "Read, Write and Direct Messages" permission, then regenerate the tokens.',
  200: 'Account Activity (or Replay) is not enabled for this app.',
  348: "Manage a user's subscription with that user's own tokens.",
  88: 'Rate limited: see error.rateLimit.reset.',
};

const advice = (code: number | undefined, reason: XApiErrorReason | undefined): string | undefined =>
  (reason === undefined ? undefined : ADVICE[reason]) ?? (code === undefined ? undefined : ADVICE[code]);

type ErrorClass = new (message: string, init: XApiErrorInit) => XApiError;

const BY_STATUS: Readonly<Record<number, ErrorClass>> = {
  400: InvalidRequestError,
  401: AuthenticationError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  429: RateLimitError,
};

/** For an unusual status, the class its v1.1 code implies. */
const BY_CODE: Readonly<Record<number, ErrorClass>> = {
  88: RateLimitError,
  32: AuthenticationError,
  89: AuthenticationError,
  61: AuthenticationError,
  348: AuthenticationError,
  34: NotFoundError,
  355: ConflictError,
};

function classFor(status: number, code: number | undefined): ErrorClass {
  return (
    BY_STATUS[status] ?? (status >= 500 ? ServerError : ((code === undefined ? undefined : BY_CODE[code]) ?? XApiError))
  );
}

/** What {@link toApiError} may know besides the answer. */
export interface ApiErrorContext {
  /** The answer's text as received (kept, redacted and bounded, on `error.body`). */
  readonly text?: string;
  /** Credentials the client knows (keys, secrets, tokens): hidden wherever the server quotes them. */
  readonly sensitive?: readonly string[];
}

/**
 * The error for an X answer `status` whose body was `body` (parsed JSON, raw text, or undefined).
 * Server-supplied text is redacted (see `error-text.ts`) and bounded: at most 500 characters of it in
 * the message, 2,000 per field, 50 `errors` entries, 64 KiB of body on `error.body`.
 */
export function toApiError(
  status: number,
  body: unknown,
  headers: Headers,
  request: XApiRequestInfo,
  context: ApiErrorContext = {},
): XApiError {
  const sensitive = context.sensitive ?? [];
  const parsed = parseErrorBody(body);
  const code = parsed.errors.find((entry) => entry.code !== undefined)?.code;
  let reason: XApiErrorReason | undefined;
  for (const entry of parsed.errors) {
    reason = reasonOf(entry.message);
    if (reason) break;
  }
  const field = (value: string | undefined): string | undefined =>
    value === undefined ? undefined : safeText(value, MAX_FIELD_TEXT, sensitive);
  const first = parsed.errors[0]?.message ?? parsed.detail ?? parsed.title;
  const path = pathOf(request.url);
  let message = `X API ${request.method} ${path} failed with HTTP ${status}`;
  if (code !== undefined) message += ` (code ${code})`;
  if (first) message += `: ${safeText(first, MAX_MESSAGE_TEXT, sensitive)}`;
  else if (typeof body === 'string' && body.trim() !== '')
    message += `: ${safeText(body.trim(), MAX_MESSAGE_TEXT, sensitive)}`;
  const hint = advice(code, reason);
  if (hint) message += ` ${hint}`;
  const rateLimit = readRateLimit(headers);
  const text = context.text ?? (typeof body === 'string' ? body : body === undefined ? undefined : safeJson(body));
  const title = field(parsed.title);
  const detail = field(parsed.detail);
  const type = field(parsed.type);
  const init: XApiErrorInit = {
    status,
    request,
    errors: parsed.errors.slice(0, MAX_ERROR_ENTRIES).map((entry) => ({
      ...entry,
      message: safeText(entry.message, MAX_FIELD_TEXT, sensitive),
    })),
    ...(code === undefined ? {} : { code }),
    ...(reason === undefined ? {} : { reason }),
    ...(title === undefined ? {} : { title }),
    ...(detail === undefined ? {} : { detail }),
    ...(type === undefined ? {} : { type }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(text === undefined || text === '' ? {} : { body: safeText(text, MAX_BODY_TEXT, sensitive) }),
  };
  const ErrorType = classFor(status, code);
  return new ErrorType(message, init);
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * True for a success answer that carries only failures: an `errors` array (or string) with entries
 * and no `data`. X answers some failures with 200 and such a body; a tolerant schema would read it as
 * an empty list (`webhooks.list()` returning `[]`). A partial success (`data` beside `errors`) is not
 * one.
 */
export function isErrorOnly(body: unknown): boolean {
  if (!isRecord(body) || 'data' in body) return false;
  const errors = body['errors'];
  return (Array.isArray(errors) && errors.length > 0) || (typeof errors === 'string' && errors !== '');
}
