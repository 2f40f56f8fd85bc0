/**
 * The one HTTP path of the sign-in flows: a form POST with the global `fetch`, a timeout, and X's
 * refusals turned into {@link OAuthError}s whose messages never carry a token, verifier, code or
 * secret. Internal module.
 */
import {
  ConnectionError,
  InvalidArgumentError,
  OAuthError,
  ResponseValidationError,
  TimeoutError,
  type OAuthStep,
  type XApiErrorEntry,
} from '../errors.js';

/** The `fetch` the flows call (the global one unless a test or runtime passes another). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Transport options shared by both flows. */
export interface FlowTransportOptions {
  /**
   * Time allowed for each request to X, in milliseconds.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * The `fetch` to use.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike;
}

/** One request of a flow. */
export interface FlowRequest {
  readonly step: OAuthStep;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** An `application/x-www-form-urlencoded` body, if any. */
  readonly form?: URLSearchParams;
  /** Values that must never appear in an error message (tokens, verifiers, codes). */
  readonly sensitive: readonly string[];
  /** A hint appended to the message when X refuses this step. */
  readonly hint: string;
}

/** An answer with a success status. */
export interface FlowAnswer {
  readonly status: number;
  readonly text: string;
}

/** Checks a base URL option: http(s), no query or fragment; returns it without a trailing slash. */
export function checkBaseUrl(owner: string, name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  let parsed: URL | undefined;
  try {
    parsed = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
    parsed.search !== '' ||
    parsed.hash !== ''
  ) {
    throw new InvalidArgumentError(`${owner}: \`${name}\` must be an http(s) URL without a query, like '${fallback}'.`);
  }
  return String(value).replace(/\/+$/, '');
}

/** Whether `value` has a control character (a pasted line break, a NUL...). */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Checks a required non-empty string option (its value never goes into the message). */
export function checkString(owner: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || hasControlCharacter(value)) {
    throw new InvalidArgumentError(`${owner}: \`${name}\` must be a non-empty string without line breaks.`);
  }
  return value;
}

/** Checks the transport options. */
export function checkTransport(owner: string, options: FlowTransportOptions): { timeoutMs: number; fetch: FetchLike } {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new InvalidArgumentError(`${owner}: \`timeoutMs\` must be a number > 0.`);
  }
  const fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (typeof fetchImpl !== 'function') {
    throw new InvalidArgumentError(`${owner}: this runtime has no global fetch; pass \`fetch\`.`);
  }
  return { timeoutMs, fetch: fetchImpl };
}

/** `text` with every sensitive value replaced by `[redacted]`. */
export function redact(text: string, sensitive: readonly string[]): string {
  let out = text;
  for (const value of sensitive) if (value.length >= 4) out = out.split(value).join('[redacted]');
  return out;
}

/** The URL without its query (which may carry a token or verifier). */
function safeUrl(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

interface ParsedRefusal {
  oauthError?: string;
  description?: string;
  code?: number;
  errors: XApiErrorEntry[];
}

/**
 * Reads a refusal body in any of the shapes X uses on its OAuth endpoints: RFC 6749 JSON (`{ error,
 * error_description }`, on `/2/oauth2/*`, sometimes with an `errors` array), v1.1 JSON (`{ errors: [{
 * code, message }] }`), the old XML `<error>` body, or plain text ("Error processing your OAuth
 * request: Invalid oauth_verifier parameter").
 */
function parseRefusal(text: string): ParsedRefusal {
  const out: ParsedRefusal = { errors: [] };
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null) {
      const record = body as Record<string, unknown>;
      if (typeof record['error'] === 'string') out.oauthError = record['error'];
      if (typeof record['error_description'] === 'string') out.description = record['error_description'];
      if (Array.isArray(record['errors'])) {
        for (const entry of record['errors'] as unknown[]) {
          if (typeof entry !== 'object' || entry === null) continue;
          const { code, message } = entry as { code?: unknown; message?: unknown };
          if (typeof message !== 'string') continue;
          out.errors.push(typeof code === 'number' ? { code, message } : { message });
        }
      }
      const first = out.errors[0];
      if (first?.code !== undefined) out.code = first.code;
      const fallback = first?.message ?? (typeof record['detail'] === 'string' ? record['detail'] : undefined);
      if (out.description === undefined && fallback !== undefined) out.description = fallback;
      return out;
    }
  } catch {
    // Not JSON: XML or plain text.
  }
  const xml = /<error>([^<]*)<\/error>/.exec(text);
  const plain = (xml?.[1] ?? text).trim().slice(0, 300);
  if (plain !== '' && !plain.startsWith('<')) out.description = plain;
  return out;
}

/** Sends one request; a non-2xx answer becomes an {@link OAuthError}. */
export async function send(
  transport: { timeoutMs: number; fetch: FetchLike },
  request: FlowRequest,
): Promise<FlowAnswer> {
  const headers: Record<string, string> = { accept: 'application/json, */*', ...request.headers };
  if (request.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const method = 'POST';
  let response: Response;
  try {
    response = await transport.fetch(request.url, {
      method,
      headers,
      ...(request.form ? { body: request.form.toString() } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(transport.timeoutMs),
    });
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new TimeoutError(`X did not answer POST ${safeUrl(request.url)} within ${transport.timeoutMs} ms.`, {
        cause: error,
      });
    }
    throw new ConnectionError(`Could not reach X for POST ${safeUrl(request.url)}. Check the network and baseUrl.`, {
      cause: error,
    });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new ConnectionError(`The answer of X to POST ${safeUrl(request.url)} was cut off.`, { cause: error });
  }
  if (response.status >= 200 && response.status < 300) return { status: response.status, text };

  const refusal = parseRefusal(text);
  const description = refusal.description === undefined ? undefined : redact(refusal.description, request.sensitive);
  const label = [
    String(response.status),
    refusal.oauthError,
    refusal.code === undefined ? undefined : `code ${refusal.code}`,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
  const message = `X refused the ${STEP_NAMES[request.step]} (${label})${description ? `: ${description}` : '.'} ${request.hint}`;
  throw new OAuthError(message.trim(), {
    step: request.step,
    status: response.status,
    request: { method, url: safeUrl(request.url) },
    ...(refusal.oauthError === undefined ? {} : { oauthError: refusal.oauthError }),
    ...(refusal.code === undefined ? {} : { code: refusal.code }),
    ...(description === undefined ? {} : { detail: description }),
    errors: refusal.errors.map((e) => ({ ...e, message: redact(e.message, request.sensitive) })),
  });
}

const STEP_NAMES: Readonly<Record<OAuthStep, string>> = {
  request_token: 'OAuth 1.0a request token (POST /oauth/request_token)',
  access_token: 'OAuth 1.0a access token (POST /oauth/access_token)',
  authorization_code: 'OAuth 2.0 token exchange (POST /2/oauth2/token, authorization_code)',
  refresh_token: 'OAuth 2.0 refresh (POST /2/oauth2/token, refresh_token)',
  revoke: 'OAuth 2.0 revocation (POST /2/oauth2/revoke)',
};

/** A 2xx answer whose body is not what X documents. */
export function unexpectedAnswer(step: OAuthStep, what: string): ResponseValidationError {
  return new ResponseValidationError(`X answered the ${STEP_NAMES[step]} with success but ${what}.`);
}
