/**
 * What leak checks search: every way an error reaches a person or a log.
 */
import { inspect } from 'node:util';

/** An error's message, `String()`, stack, `util.inspect` with hidden fields, and JSON. */
export function errorRenderings(error: unknown): string[] {
  const e = error as Error;
  return [
    e.message,
    String(error),
    e.stack ?? '',
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error) ?? '',
  ];
}
