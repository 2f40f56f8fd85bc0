/**
 * The handler's logger: the user's, with every method present and none able to throw.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * Where the handler reports what it does. Every method is optional; the library never writes to the
 * console by itself. Messages and metadata never contain secrets or signatures.
 *
 * Both kinds of logger fit as they are: console-style loggers (`console`, winston), called as
 * `(message, meta)`, and pino or bunyan loggers, recognised by their `child()` and `bindings()` (pino)
 * or `fields` (bunyan), called as `(meta, message)` so that every field is kept.
 *
 * @example
 * ```ts
 * createWebhookHandler({ consumerSecret, logger: console });
 * createWebhookHandler({ consumerSecret, logger: pino() });
 * ```
 */
export interface Logger {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info?(message: string, meta?: Record<string, unknown>): void;
  warn?(message: string, meta?: Record<string, unknown>): void;
  error?(message: string, meta?: Record<string, unknown>): void;
}

/** @internal A logger with every method, none of which can throw. */
export type SafeLogger = Required<Logger>;

/** @internal The user's logger with every method present and none able to throw into the handler. */
export function safeLogger(logger: Logger | undefined): SafeLogger {
  const fieldsFirst = isFieldsFirst(logger);
  const call =
    (level: keyof Logger) =>
    (message: string, meta?: Record<string, unknown>): void => {
      try {
        const method = logger?.[level];
        if (typeof method !== 'function') return;
        const result = !fieldsFirst
          ? method.call(logger, message, meta)
          : (method as unknown as (fields: object, message: string) => unknown).call(logger, meta ?? {}, message);
        // An async logger whose promise rejects would otherwise leave an unhandled rejection, which
        // ends a Node process by default.
        (result as PromiseLike<unknown> | undefined)?.then?.(undefined, () => undefined);
      } catch {
        // A broken logger must not change an answer to X.
      }
    };
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') };
}

/**
 * @internal Text for a thrown value in log metadata. Never throws, even for a value whose `String()`
 * throws (a hostile or broken store, listener or logger must not change an answer to X).
 */
export function describeThrown(value: unknown): string {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
  } catch {
    return 'an unprintable value';
  }
}

/** pino and bunyan take `(fields, message)`; they are told apart from console-style loggers here. */
function isFieldsFirst(logger: Logger | undefined): boolean {
  if (typeof logger !== 'object' || logger === null) return false;
  const shape = logger as { child?: unknown; bindings?: unknown; fields?: unknown };
  return (
    typeof shape.child === 'function' && (typeof shape.bindings === 'function' || typeof shape.fields === 'object')
  );
}
