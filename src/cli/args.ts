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

/**
 * Joins a string option and a value that starts with '-' (`--user-token-secret -Ab3...`: generated
 * tokens can) into `--name=value`, which `util.parseArgs` would otherwise refuse as ambiguous. A
 * value that is itself one of the options (`--tag --json`) stays a missing value.
 */
function joinDashValues(argv: readonly string[], options: OptionSpec): string[] {
  const isOption = (arg: string): boolean => {
    if (arg.startsWith('--')) return Object.hasOwn(options, arg.slice(2).split('=')[0] ?? '');
    return Object.values(options).some((spec) => spec.short !== undefined && arg === `-${spec.short}`);
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (
      name !== undefined &&
      Object.hasOwn(options, name) &&
      options[name]?.type === 'string' &&
      typeof next === 'string' &&
      next.startsWith('-') &&
      next !== '--' &&
      !isOption(next)
    ) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

/** Parses `argv` strictly against `options`: an unknown option or a missing value is a UsageError. */
export function parse(argv: readonly string[], options: OptionSpec): Parsed {
  try {
    const args = joinDashValues(argv, options);
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
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
