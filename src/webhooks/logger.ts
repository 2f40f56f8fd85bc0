/**
 * The handler's logger: the user's, with every method present and none able to throw.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * Where the handler reports what it does. Every method is optional; the library never writes to the
 * console by itself. Messages and metadata never contain secrets or signatures.
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
  const call =
    (level: keyof Logger) =>
    (message: string, meta?: Record<string, unknown>): void => {
      try {
        logger?.[level]?.(message, meta);
      } catch {
        // A broken logger must not change an answer to X.
      }
    };
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') };
}
