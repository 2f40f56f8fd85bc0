/**
 * Says what is wrong with a value that a generated validator refused, without zod.
 *
 * `scripts/generate-validators.ts` writes two things for every schema of `schemas.ts` into
 * `validators.ts`: a straight-line predicate for the hot path, and a {@link SchemaNode} (a small
 * plain-data description of the same schema) that {@link explain} walks to list the issues: a path and
 * what was expected, in the words zod itself uses. Only refused values are explained, so this walk is
 * off the hot path.
 *
 * @internal
 * @packageDocumentation
 */

/** @internal One check after the type check passed, in schema order. */
export type SchemaCheck =
  | { readonly k: 'regex'; readonly re: RegExp; readonly msg: string }
  | { readonly k: 'safeint' }
  | { readonly k: 'min' | 'max'; readonly v: number; readonly incl: boolean }
  | { readonly k: 'fn'; readonly fn: (value: never) => unknown; readonly msg: string };

/** @internal A schema, as plain data. */
export type SchemaNode =
  | { readonly t: 'string' | 'number'; readonly c?: readonly SchemaCheck[] }
  | { readonly t: 'boolean' | 'null' | 'unknown' }
  | { readonly t: 'literal'; readonly v: readonly (string | number | boolean | null)[] }
  | { readonly t: 'optional' | 'nullable'; readonly i: SchemaNode }
  | { readonly t: 'array'; readonly e: SchemaNode }
  | { readonly t: 'union'; readonly o: readonly SchemaNode[] }
  | { readonly t: 'object'; readonly s: Readonly<Record<string, SchemaNode>> };

/** @internal One problem: where, and what was expected. */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

interface Found extends SchemaIssue {
  /** Whether the issue stops further checks (a wrong type does; a failed pattern or range does not). */
  readonly abort: boolean;
}

/** The received-type name of zod's messages (`null`, `array`, `NaN`, `Infinity`, a class name...). */
function received(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : String(value);
  if (typeof value !== 'object') return typeof value;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const proto: unknown = Object.getPrototypeOf(value);
  const ctor: unknown = 'constructor' in value ? value.constructor : undefined;
  return proto !== Object.prototype && typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'object';
}

const show = (value: string | number | boolean | null): string =>
  typeof value === 'string' ? `"${value}"` : String(value);

const typeIssue = (path: readonly PropertyKey[], expected: string, value: unknown): Found => ({
  path,
  message: `Invalid input: expected ${expected}, received ${received(value)}`,
  abort: true,
});

function checks(
  node: { readonly c?: readonly SchemaCheck[] },
  value: string | number,
  path: readonly PropertyKey[],
  out: Found[],
): void {
  for (const check of node.c ?? []) {
    switch (check.k) {
      case 'regex':
        check.re.lastIndex = 0;
        if (!check.re.test(value as string)) out.push({ path, message: check.msg, abort: false });
        break;
      case 'safeint':
        if (!Number.isInteger(value)) {
          out.push(typeIssue(path, 'int', value));
          return;
        }
        if (!Number.isSafeInteger(value)) {
          const big = (value as number) > 0;
          const limit = big ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
          out.push({
            path,
            message: `Too ${big ? 'big' : 'small'}: expected int to be ${big ? '<=' : '>='}${limit}`,
            abort: false,
          });
        }
        break;
      case 'min':
        if (check.incl ? (value as number) < check.v : (value as number) <= check.v) {
          out.push({
            path,
            message: `Too small: expected number to be ${check.incl ? '>=' : '>'}${check.v}`,
            abort: false,
          });
        }
        break;
      case 'max':
        if (check.incl ? (value as number) > check.v : (value as number) >= check.v) {
          out.push({
            path,
            message: `Too big: expected number to be ${check.incl ? '<=' : '<'}${check.v}`,
            abort: false,
          });
        }
        break;
      case 'fn':
        if (!check.fn(value as never)) out.push({ path, message: check.msg, abort: false });
        break;
    }
  }
}

function walk(node: SchemaNode, value: unknown, path: readonly PropertyKey[], out: Found[]): void {
  switch (node.t) {
    case 'unknown':
      return;
    case 'string':
      if (typeof value !== 'string') out.push(typeIssue(path, 'string', value));
      else checks(node, value, path, out);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) out.push(typeIssue(path, 'number', value));
      else checks(node, value, path, out);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(typeIssue(path, 'boolean', value));
      return;
    case 'null':
      if (value !== null) out.push(typeIssue(path, 'null', value));
      return;
    case 'literal':
      if (!node.v.includes(value as string)) {
        const message =
          node.v.length === 1
            ? `Invalid input: expected ${show(node.v[0] as string)}`
            : `Invalid option: expected one of ${node.v.map(show).join('|')}`;
        out.push({ path, message, abort: true });
      }
      return;
    case 'optional':
    case 'nullable':
      if (value !== (node.t === 'optional' ? undefined : null)) walk(node.i, value, path, out);
      return;
    case 'array':
      if (!Array.isArray(value)) out.push(typeIssue(path, 'array', value));
      else for (let i = 0; i < value.length; i++) walk(node.e, value[i], [...path, i], out);
      return;
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        out.push(typeIssue(path, 'object', value));
        return;
      }
      for (const key of Object.keys(node.s)) {
        walk(node.s[key] as SchemaNode, (value as Record<string, unknown>)[key], [...path, key], out);
      }
      return;
    case 'union': {
      // As zod: the first option that passes wins; when exactly one option failed only in checks that
      // do not stop (a pattern, a range), its issues are the answer; otherwise one "Invalid input".
      const results = node.o.map((option) => {
        const found: Found[] = [];
        walk(option, value, path, found);
        return found;
      });
      if (results.some((found) => found.length === 0)) return;
      const soft = results.filter((found) => !found.some((issue) => issue.abort));
      if (soft.length === 1) out.push(...(soft[0] as Found[]));
      else out.push({ path, message: 'Invalid input', abort: true });
      return;
    }
  }
}

/**
 * @internal Every issue of `value` against `node`, in zod's order and words; empty when it passes.
 */
export function explain(node: SchemaNode, value: unknown): SchemaIssue[] {
  const found: Found[] = [];
  walk(node, value, [], found);
  return found.map(({ path, message }) => ({ path, message }));
}

/** @internal A generated validator: the hot-path predicate and the schema as data, for {@link explain}. */
export interface Validator<T> {
  readonly is: (value: unknown) => value is T;
  readonly node: SchemaNode;
}
