/**
 * Argument parsing for the command line: Node's own `util.parseArgs` (no dependency), with the
 * options every command shares, and the usage error that exits with 2.
 *
 * @internal
 * @packageDocumentation
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A usage mistake: printed with the command's help hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A check or API failure already explained to the user: exit code 1, nothing more printed. */
export class ReportedFailure extends Error {
  override readonly name = 'ReportedFailure';
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options of every command. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  'env-file': { type: 'string' },
} as const satisfies OptionSpec;

/** Options of the commands that call X's API (or the emulator). */
export const API_OPTIONS = {
  'base-url': { type: 'string' },
  emulator: { type: 'boolean' },
  'api-version': { type: 'string' },
  'consumer-key': { type: 'string' },
  'consumer-secret': { type: 'string' },
  'access-token': { type: 'string' },
  'access-token-secret': { type: 'string' },
  'bearer-token': { type: 'string' },
  timeout: { type: 'string' },
} as const satisfies OptionSpec;

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Parsed {
  readonly values: Values;
  readonly positionals: string[];
}

/** Parses `argv` strictly against `options`: an unknown option or a missing value is a UsageError. */
export function parse(argv: readonly string[], options: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { values: values as Values, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export function str(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function bool(values: Values, name: string): boolean {
  return values[name] === true;
}

/** A whole number option within bounds, or `fallback` when absent. */
export function int(values: Values, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = str(values, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, not '${raw}'`);
  }
  return Number(raw);
}

/** The positional at `index`, or a UsageError naming it. */
export function need(positionals: readonly string[], index: number, what: string): string {
  const value = positionals[index];
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

export function noMore(positionals: readonly string[], count: number): void {
  if (positionals.length > count) throw new UsageError(`unexpected argument '${positionals[count]}'`);
}
