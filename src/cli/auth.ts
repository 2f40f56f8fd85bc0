/**
 * `auth oauth1|oauth2`: signs a user in and prints their tokens as environment lines.
 *
 * @internal
 * @packageDocumentation
 */
import { COMMON_OPTIONS, UsageError, bool, parse } from './args.js';
import type { Context } from './context.js';
import { HELP } from './help.js';
import { line } from './output.js';

export async function auth(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS);
  if (bool(values, 'help') || positionals[0] === undefined) {
    line(ctx.stdout, HELP.auth);
    return bool(values, 'help') ? 0 : 2;
  }
  throw new UsageError('auth is not available yet');
}
