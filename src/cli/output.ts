/**
 * Terminal output: colour only on a TTY (NO_COLOR and FORCE_COLOR honoured), aligned tables, a
 * spinner on stderr that only runs on a TTY, and error reports with X's reason and a hint.
 *
 * @internal
 * @packageDocumentation
 */
import { isConnectionError, isXAccountActivityError, isXApiError } from '../errors.js';

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

export function colorEnabled(io: Io, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io[stream].isTTY === true;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Color = keyof typeof CODES;

export function painter(enabled: boolean): (color: Color, text: string) => string {
  return (color, text) => (enabled ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text);
}

export function line(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** An aligned table with a header row. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(headers), ...rows.map(format)].join('\n');
}

export function printJson(io: Io, value: unknown): void {
  line(io.stdout, JSON.stringify(value, null, 2));
}

/** A spinner with a message on stderr; does nothing unless stderr is a TTY. */
export interface Spinner {
  update(text: string): void;
  stop(): void;
}

export function spinner(io: Io, text: string): Spinner {
  if (io.stderr.isTTY !== true) return { update() {}, stop() {} };
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let current = text;
  let i = 0;
  const draw = (): void => {
    io.stderr.write(`\r\u001b[2K${frames[i++ % frames.length]} ${current}`);
  };
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  return {
    update(next) {
      current = next;
      draw();
    },
    stop() {
      clearInterval(timer);
      io.stderr.write('\r\u001b[2K');
    },
  };
}

/** Hints the command line adds to the library's message, by X's reason or code. */
function hintFor(error: unknown): string | undefined {
  if (isConnectionError(error)) {
    return 'check --base-url (X_API_BASE_URL); with --emulator, is `x-account-activity emulate` running?';
  }
  if (!isXApiError(error)) return undefined;
  if (error.reason === 'CrcValidationFailed' || error.code === 214) {
    return 'X could not complete the CRC against your URL: run `x-account-activity crc <url>` to see why.';
  }
  if (error.status === 401)
    return 'check the consumer key and secret and the access tokens (flags, environment or .env).';
  if (error.status === 403 && error.code === 200)
    return 'the app has no Account Activity API access (or no Replay) on this environment.';
  if (error.status === 429 && error.rateLimit) return `rate limited until ${error.rateLimit.reset.toISOString()}.`;
  if (error.reason === 'DuplicateUrlFailed')
    return 'this URL is already registered: `x-account-activity webhooks list`.';
  if (error.reason === 'ReplayConflictError' || error.code === 355)
    return 'one replay job runs per webhook: wait for its replay_job_status.';
  return undefined;
}

/** Prints an error: its class and message (the library's explanation), X's reason, code and detail, and a hint. */
export function printError(io: Io, error: unknown, json: boolean): void {
  const paint = painter(colorEnabled(io, 'stderr'));
  if (json) {
    const out: Record<string, unknown> = {
      error: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : String(error),
    };
    if (isXApiError(error)) {
      Object.assign(out, {
        status: error.status,
        reason: error.reason,
        code: error.code,
        detail: error.detail,
        request: error.request,
      });
    }
    const hint = hintFor(error);
    if (hint) out.hint = hint;
    line(io.stderr, JSON.stringify(out));
    return;
  }
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  line(io.stderr, `${paint('red', 'error')} ${name}: ${message}`);
  if (isXApiError(error)) {
    const facts = [
      `status ${error.status}`,
      error.reason ? `reason ${error.reason}` : undefined,
      error.code !== undefined ? `code ${error.code}` : undefined,
      `${error.request.method} ${error.request.url}`,
    ].filter(Boolean);
    line(io.stderr, `  ${facts.join(', ')}`);
    if (error.detail && !message.includes(error.detail)) line(io.stderr, `  detail: ${error.detail}`);
    for (const entry of error.errors) {
      if (!message.includes(entry.message)) line(io.stderr, `  X says: ${entry.message}`);
    }
  } else if (isXAccountActivityError(error) && error.cause instanceof Error && !message.includes(error.cause.message)) {
    line(io.stderr, `  cause: ${error.cause.message}`);
  }
  const hint = hintFor(error);
  if (hint) line(io.stderr, `  ${paint('yellow', 'hint')} ${hint}`);
}
