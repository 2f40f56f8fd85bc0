// The little that differs between Bun and Deno for the runtime scripts: which runtime this is, a
// web-standard HTTP server on 127.0.0.1 (Bun.serve / Deno.serve), waiting for the end of stdin, and
// exiting. Reports go to stdout as one JSON object a line.

const { Bun, Deno } = globalThis;

/** `{ name, version }` of the runtime running this script. */
export const runtime = Bun
  ? { name: 'bun', version: Bun.version }
  : Deno
    ? { name: 'deno', version: Deno.version.deno }
    : { name: 'unknown', version: '' };

/** Writes one JSON line to stdout. */
export function report(line) {
  console.log(JSON.stringify(line));
}

/**
 * Serves `fetch(request) -> Response` on 127.0.0.1, port 0, with the runtime's own server.
 * Resolves `{ url, stop() }`.
 */
export async function serve(fetch) {
  if (Bun) {
    const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch });
    return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
  }
  if (Deno) {
    let listening;
    const ready = new Promise((resolve) => {
      listening = resolve;
    });
    // onListen replaces Deno's own "Listening on" line, which would not be JSON.
    const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: (addr) => listening(addr) }, fetch);
    const addr = await ready;
    return { url: `http://127.0.0.1:${addr.port}`, stop: () => server.shutdown() };
  }
  throw new Error('runtime.mjs runs on Bun or Deno only');
}

/** Resolves when stdin ends: the test closes it to say "finish now". */
export async function stdinClosed() {
  const stream = Bun ? Bun.stdin.stream() : Deno.stdin.readable;
  for await (const _chunk of stream) {
    // Nothing is sent on stdin; only its end matters.
  }
}

/** Reports an error as a JSON line and exits 1. */
export function fail(error) {
  report({
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  });
  exit(1);
}

/** Exits the runtime with `code`. */
export function exit(code) {
  if (Bun) process.exit(code);
  else Deno.exit(code);
}
