/**
 * What a command runs with: its streams, the environment, the working directory, and a signal
 * that aborts on Ctrl-C or SIGTERM.
 *
 * @internal
 * @packageDocumentation
 */
import type { Io } from './output.js';

export interface Context extends Io {
  readonly cwd: string;
  /** Aborted on SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
}

/** Resolves when the context's signal aborts (Ctrl-C, SIGTERM). */
export function untilStopped(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
