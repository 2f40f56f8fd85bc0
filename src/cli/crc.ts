/**
 * `crc <url>`: acts as X and runs a Challenge-Response Check against a URL, then explains the result.
 *
 * @internal
 * @packageDocumentation
 */
import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { COMMON_OPTIONS, ReportedFailure, UsageError, bool, int, need, noMore, parse } from './args.js';
import { consumerSecret, loadEnv } from './config.js';
import type { Context } from './context.js';
import { HELP } from './help.js';
import { colorEnabled, line, painter, spinner } from './output.js';

interface Answer {
  readonly kind: 'answer';
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly ms: number;
}
type Failure = Timeout | NetworkFailure;
interface Timeout extends FailureFields {
  readonly kind: 'timeout';
}
interface NetworkFailure extends FailureFields {
  readonly kind: 'network';
}
interface FailureFields {
  readonly code: string | undefined;
  readonly message: string;
  readonly ms: number;
}

/** One GET as X sends it: no redirects followed, no body limit beyond 64 kB, a hard timeout. */
function get(url: URL, timeoutMs: number, signal: AbortSignal): Promise<Answer | Failure> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'GET',
      headers: { 'user-agent': 'x-account-activity-crc', accept: '*/*' },
      signal,
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ kind: 'timeout', code: undefined, message: `no answer within ${timeoutMs} ms`, ms: elapsed() });
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 65_536) chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          kind: 'answer',
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: elapsed(),
        });
      });
      res.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ kind: 'network', code: error.code, message: error.message, ms: elapsed() });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: 'network', code: error.code, message: error.message, ms: elapsed() });
    });
    req.end();
  });
}

const TLS_CODES: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain contains a self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the chain is incomplete (serve the intermediate certificates too)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the chain is incomplete or its issuer is unknown',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is for another host name',
  EPROTO: 'the TLS handshake failed (X needs TLS 1.2 or later)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the port does not speak TLS (an http:// server behind an https:// URL?)',
};

function explainNetwork(failure: Failure, url: URL): string {
  const code = failure.code ?? '';
  const tls = TLS_CODES[code] ?? (/CERT|SSL|TLS/.test(code) ? `TLS error ${code}` : undefined);
  if (tls) return `TLS error: ${tls} (${code}). X drops a webhook with a bad certificate at once and does not retry.`;
  if (code === 'ECONNREFUSED')
    return `connection refused: nothing listens on ${url.host}. Is the server running, on this port?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name ${url.hostname} does not resolve (${code}).`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `the server closed the connection without answering (${code}).`;
  return `the request failed: ${failure.message}${code ? ` (${code})` : ''}.`;
}

interface Check {
  readonly ok: boolean;
  readonly problem?: string;
  readonly fix?: string;
}

/** Checks a 200 answer's body against the expected token and says precisely what is wrong. */
function checkBody(body: string, token: string, secret: string): Check {
  const digest = createHmac('sha256', secret).update(token).digest();
  const expected = `sha256=${digest.toString('base64')}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const text = body.trim();
    if (text === expected || text === expected.slice(7)) {
      return {
        ok: false,
        problem: 'the body is the bare token, not JSON',
        fix: 'answer {"response_token":"sha256=..."} as JSON',
      };
    }
    return {
      ok: false,
      problem: `the body is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
      fix: 'answer {"response_token":"sha256=<base64 HMAC-SHA256 of crc_token with the consumer secret>"}',
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'the JSON body is not an object', fix: 'answer {"response_token":"sha256=..."}' };
  }
  const record = parsed as Record<string, unknown>;
  if (!('response_token' in record)) {
    const near = Object.keys(record).find((k) => /response.?token|token/i.test(k));
    return {
      ok: false,
      problem: `the JSON has no "response_token"${near ? ` (it has "${near}")` : ` (keys: ${Object.keys(record).join(', ') || 'none'})`}`,
      fix: 'the key is exactly "response_token"',
    };
  }
  const given = record.response_token;
  if (typeof given !== 'string')
    return { ok: false, problem: '"response_token" is not a string', fix: 'send "sha256=<base64>"' };
  if (given === expected) return { ok: true };
  if (given === expected.slice(7))
    return {
      ok: false,
      problem: 'the token lacks its "sha256=" prefix',
      fix: 'prefix the base64 digest with "sha256="',
    };
  if (given === `sha256=${digest.toString('hex')}` || given === digest.toString('hex')) {
    return { ok: false, problem: 'the digest is hex, not base64', fix: "use digest('base64'), not digest('hex')" };
  }
  if (given === `sha256=${digest.toString('base64url')}`) {
    return {
      ok: false,
      problem: 'the digest is base64url, not base64',
      fix: 'use standard base64 (with + / and = padding)',
    };
  }
  if (given === `sha256=${createHmac('sha256', secret).update(encodeURIComponent(token)).digest('base64')}`) {
    return {
      ok: false,
      problem: 'the token was signed still URL-encoded',
      fix: 'sign the decoded crc_token query value',
    };
  }
  return {
    ok: false,
    problem:
      'the response_token does not match: the endpoint signs with another consumer secret (or signs something else than the crc_token)',
    fix: 'sign with the consumer secret (API secret) of the app that owns the webhook: not the bearer token, not an access token secret',
  };
}

/** A fresh token like X's: 48 random bytes in base64, so it contains `+`, `/` or `=` most of the time. */
function freshToken(): string {
  for (;;) {
    const token = randomBytes(36).toString('base64');
    if (/[+/]/.test(token)) return token;
  }
}

function withToken(url: URL, token: string): URL {
  const target = new URL(url);
  target.searchParams.set('crc_token', token);
  return target;
}

export async function crc(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...COMMON_OPTIONS,
    'consumer-secret': { type: 'string' },
    emulator: { type: 'boolean' },
    limit: { type: 'string' },
    timeout: { type: 'string' },
  });
  if (bool(values, 'help')) {
    line(ctx.stdout, HELP.crc);
    return 0;
  }
  const raw = need(positionals, 0, 'the URL: crc <url>');
  noMore(positionals, 1);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`'${raw}' is not a URL (include the scheme: https://example.com/webhook)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`'${raw}' is not an http(s) URL`);
  loadEnv(values, ctx.env, ctx.cwd);
  const secret = consumerSecret(values, ctx.env, 'crc');
  const limit = int(values, 'limit', 3000, 1, 600_000);
  const timeoutMs = int(values, 'timeout', Math.max(10_000, limit * 2), 1, 600_000);
  const json = bool(values, 'json');
  const paint = painter(colorEnabled(ctx));

  const notes: string[] = [];
  const token = freshToken();
  const spin = spinner(ctx, `CRC GET ${url.origin}${url.pathname}`);
  const result = await get(withToken(url, token), timeoutMs, ctx.signal).finally(() => spin.stop());
  let check: Check;
  let status: number | undefined;
  if (result.kind === 'timeout') {
    check = {
      ok: false,
      problem: `no answer within ${timeoutMs} ms (X allows ${limit} ms)`,
      fix: 'answer the CRC at once, before any slow work',
    };
  } else if (result.kind === 'network') {
    check = { ok: false, problem: explainNetwork(result, url) };
  } else {
    status = result.status;
    const type = String(result.headers['content-type'] ?? '');
    if (result.status >= 300 && result.status < 400) {
      check = {
        ok: false,
        problem: `redirect ${result.status} to ${String(result.headers.location ?? '(no Location)')}: X does not follow redirects, and a 3xx invalidates the webhook at once`,
        fix: 'register the final URL (mind http -> https and trailing-slash redirects)',
      };
    } else if (result.status !== 200) {
      check = await explainStatus(result, url, timeoutMs, ctx.signal, secret);
    } else {
      check = checkBody(result.body, token, secret);
      if (check.ok && result.ms > limit) {
        check = {
          ok: false,
          problem: `answered in ${result.ms} ms: over X's ${limit} ms limit`,
          fix: 'answer the CRC at once, before any slow work',
        };
      }
      if (!/^application\/json\b/i.test(type)) {
        notes.push(`content-type is ${type ? `'${type}'` : 'missing'}: send application/json, as X's own samples do`);
      }
    }
  }
  if (check.ok) {
    // A token of a shape X never sends: a well-made endpoint refuses it (else it signs any bytes: a signature oracle).
    const probe = await get(withToken(url, '<script>not-a-crc-token</script>'), timeoutMs, ctx.signal);
    if (probe.kind === 'answer' && probe.status === 200 && probe.body.includes('sha256=')) {
      notes.push(
        'the endpoint signed a token of a shape X never sends: it signs any bytes for anyone (a signature oracle); answer only tokens of the documented shape (isValidCrcToken)',
      );
    }
  }
  const ms = result.ms;
  if (json) {
    line(
      ctx.stdout,
      JSON.stringify({
        ok: check.ok,
        url: `${url.origin}${url.pathname}`,
        status,
        ms,
        limitMs: limit,
        problem: check.problem,
        fix: check.fix,
        warnings: notes,
      }),
    );
  } else {
    if (check.ok)
      line(ctx.stdout, `${paint('green', 'ok')} CRC passed: 200, valid response_token, ${ms} ms (limit ${limit} ms)`);
    else {
      line(
        ctx.stdout,
        `${paint('red', 'fail')} CRC failed${status !== undefined ? ` (status ${status}, ${ms} ms)` : ` (${ms} ms)`}: ${check.problem}`,
      );
      if (check.fix) line(ctx.stdout, `  ${paint('yellow', 'fix')} ${check.fix}`);
    }
    for (const note of notes) line(ctx.stdout, `  ${paint('yellow', 'warning')} ${note}`);
  }
  if (!check.ok) throw new ReportedFailure(check.problem ?? 'CRC failed');
  return 0;
}

/** A non-200 answer: if a plain alphanumeric token passes, the endpoint refused the shape of X's token. */
async function explainStatus(
  answer: Answer,
  url: URL,
  timeoutMs: number,
  signal: AbortSignal,
  secret: string,
): Promise<Check> {
  const plain = randomBytes(24).toString('hex');
  const retry = await get(withToken(url, plain), timeoutMs, signal);
  if (retry.kind === 'answer' && retry.status === 200 && checkBody(retry.body, plain, secret).ok) {
    return {
      ok: false,
      problem: `answered ${answer.status} to a token with + / or = (X's tokens are base64), but 200 to a plain one: the endpoint refuses the token's shape`,
      fix: 'URL-decode the query and accept the base64 and base64url alphabets with = padding (isValidCrcToken)',
    };
  }
  const hint =
    answer.status === 404
      ? 'nothing at this path: check the path, and that GET is routed (not only POST)'
      : answer.status === 405
        ? 'GET is not allowed on this route: X sends the CRC as a GET'
        : answer.status === 401 || answer.status === 403
          ? 'the endpoint refuses the CRC GET: CRC requests carry no auth of yours, let them through'
          : answer.status >= 500
            ? 'the server failed: see its logs'
            : undefined;
  return {
    ok: false,
    problem: `answered ${answer.status}, not 200${answer.body ? `: ${JSON.stringify(answer.body.slice(0, 120))}` : ''}`,
    ...(hint ? { fix: hint } : {}),
  };
}
