/**
 * Compiles a zod schema into a plain predicate for the hot path.
 *
 * The schemas in `schemas.ts` stay the single source of truth; this turns their tree (objects,
 * arrays, unions, literals, optionals, scalars) into nested closures that answer "would `safeParse`
 * succeed?" without building an output object or an issue list. A node that carries checks (a regex,
 * a refinement, `.int()`) is answered by that node's own `safeParse`, so the answer always matches
 * zod. When a predicate says no, the parser asks zod itself, for the issues.
 *
 * @internal
 * @packageDocumentation
 */
import type * as z from 'zod';

/** @internal A compiled predicate. */
export type Guard = (value: unknown) => boolean;

interface Def {
  readonly type: string;
  readonly checks?: readonly unknown[];
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly values?: readonly unknown[];
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** @internal Compiles `schema` into a predicate equivalent to `schema.safeParse(v).success`. */
export function compileGuard(schema: z.ZodType): Guard {
  const def = defOf(schema);
  if (def.checks !== undefined && def.checks.length > 0) {
    return (value) => schema.safeParse(value).success;
  }
  switch (def.type) {
    case 'string':
      return (value) => typeof value === 'string';
    case 'number':
      return (value) => typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return (value) => typeof value === 'boolean';
    case 'unknown':
    case 'any':
      return () => true;
    case 'null':
      return (value) => value === null;
    case 'literal': {
      const values = def.values ?? [];
      return (value) => values.includes(value);
    }
    case 'optional': {
      const inner = compileGuard(def.innerType as z.ZodType);
      return (value) => value === undefined || inner(value);
    }
    case 'nullable': {
      const inner = compileGuard(def.innerType as z.ZodType);
      return (value) => value === null || inner(value);
    }
    case 'array': {
      const element = compileGuard(def.element as z.ZodType);
      return (value) => {
        if (!Array.isArray(value)) return false;
        for (let i = 0; i < value.length; i++) if (!element(value[i])) return false;
        return true;
      };
    }
    case 'union': {
      const options = (def.options ?? []).map(compileGuard);
      return (value) => {
        for (const option of options) if (option(value)) return true;
        return false;
      };
    }
    case 'object': {
      const catchall = def.catchall === undefined ? undefined : defOf(def.catchall).type;
      if (catchall !== 'unknown') {
        throw new TypeError(`compileGuard: only loose objects are supported (catchall: ${String(catchall)})`);
      }
      const entries = Object.entries(def.shape ?? {}).map(([key, field]) => [key, compileGuard(field)] as const);
      return (value) => {
        if (!isObject(value)) return false;
        for (let i = 0; i < entries.length; i++) {
          const [key, check] = entries[i] as (typeof entries)[number];
          if (!check(value[key])) return false;
        }
        return true;
      };
    }
    default:
      throw new TypeError(`compileGuard: unsupported schema type "${def.type}"`);
  }
}
