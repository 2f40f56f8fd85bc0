/**
 * Compiles a zod schema into a plain predicate for the hot path.
 *
 * The schemas in `schemas.ts` stay the single source of truth; this turns their tree (loose objects,
 * arrays, unions, literals, optionals, scalars and their checks) into a predicate that answers
 * "would `safeParse` succeed?" without building an output object or an issue list. When a predicate
 * says no, the parser asks zod itself, for the issues.
 *
 * Two back ends give the same answers: straight-line code built with `new Function` (what zod does
 * itself for objects; property reads with constant names are several times faster), and nested
 * closures for runtimes that forbid code generation (Cloudflare Workers, strict CSP). A node of a
 * kind this compiler does not know is answered by that node's own `safeParse`.
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
}

interface CheckDef {
  readonly check: string;
  readonly format?: string;
  readonly pattern?: RegExp;
  readonly value?: unknown;
  readonly inclusive?: boolean;
  readonly fn?: (value: unknown) => unknown;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const checkDefOf = (check: unknown): CheckDef => (check as { _zod: { def: CheckDef } })._zod.def;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isLooseObject = (def: Def): boolean =>
  def.type === 'object' && def.catchall !== undefined && defOf(def.catchall).type === 'unknown';

const fallback =
  (schema: z.ZodType): Guard =>
  (value) =>
    schema.safeParse(value).success;

// ---------------------------------------------------------------------------------------------
// Closures
// ---------------------------------------------------------------------------------------------

/** One zod check as a closure, or `undefined` for a kind this compiler does not know. */
function checkClosure(check: unknown): Guard | undefined {
  const def = checkDefOf(check);
  const limit = typeof def.value === 'number' ? def.value : Number.NaN;
  switch (def.check) {
    case 'string_format': {
      const pattern = def.pattern;
      if (def.format !== 'regex' || pattern === undefined) return undefined;
      return (value) => {
        pattern.lastIndex = 0;
        return pattern.test(value as string);
      };
    }
    case 'number_format':
      return def.format === 'safeint' ? (value) => Number.isSafeInteger(value) : undefined;
    case 'greater_than':
      if (Number.isNaN(limit)) return undefined;
      return def.inclusive ? (value) => (value as number) >= limit : (value) => (value as number) > limit;
    case 'less_than':
      if (Number.isNaN(limit)) return undefined;
      return def.inclusive ? (value) => (value as number) <= limit : (value) => (value as number) < limit;
    case 'custom': {
      const fn = def.fn;
      return fn === undefined ? undefined : (value) => Boolean(fn(value));
    }
    default:
      return undefined;
  }
}

/** @internal The closure back end (used where code generation is not allowed). */
export function compileClosures(schema: z.ZodType): Guard {
  const def = defOf(schema);
  const base = typeClosure(schema, def);
  if (def.checks === undefined || def.checks.length === 0) return base;
  const checks = def.checks.map(checkClosure);
  if (checks.some((check) => check === undefined)) return fallback(schema);
  const all = checks as Guard[];
  return (value) => {
    if (!base(value)) return false;
    for (let i = 0; i < all.length; i++) if (!(all[i] as Guard)(value)) return false;
    return true;
  };
}

function typeClosure(schema: z.ZodType, def: Def): Guard {
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
      const inner = compileClosures(def.innerType as z.ZodType);
      return (value) => value === undefined || inner(value);
    }
    case 'nullable': {
      const inner = compileClosures(def.innerType as z.ZodType);
      return (value) => value === null || inner(value);
    }
    case 'array': {
      const element = compileClosures(def.element as z.ZodType);
      return (value) => {
        if (!Array.isArray(value)) return false;
        for (let i = 0; i < value.length; i++) if (!element(value[i])) return false;
        return true;
      };
    }
    case 'union': {
      const options = (def.options ?? []).map(compileClosures);
      return (value) => {
        for (const option of options) if (option(value)) return true;
        return false;
      };
    }
    case 'object': {
      if (!isLooseObject(def)) return fallback(schema);
      const entries = Object.entries(def.shape ?? {}).map(([key, field]) => [key, compileClosures(field)] as const);
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
      return fallback(schema);
  }
}

// ---------------------------------------------------------------------------------------------
// Generated code
// ---------------------------------------------------------------------------------------------

class Emitter {
  readonly refs: unknown[] = [];
  temps = 0;

  ref(value: unknown): string {
    this.refs.push(value);
    return `r[${this.refs.length - 1}]`;
  }

  temp(): string {
    return `t${this.temps++}`;
  }

  /** A boolean JavaScript expression saying whether `expr` passes `schema`. */
  emit(schema: z.ZodType, expr: string): string {
    const def = defOf(schema);
    if (def.checks === undefined || def.checks.length === 0) return this.#type(schema, def, expr);
    const t = this.temp();
    const parts = [this.#type(schema, def, `(${t} = ${expr})`)];
    for (const check of def.checks) {
      const part = this.#check(check, t);
      if (part === undefined) return `${this.ref(schema)}.safeParse(${expr}).success`;
      parts.push(part);
    }
    return `(${parts.join(' && ')})`;
  }

  #check(check: unknown, t: string): string | undefined {
    const def = checkDefOf(check);
    const limit = typeof def.value === 'number' && Number.isFinite(def.value) ? String(def.value) : undefined;
    switch (def.check) {
      case 'string_format':
        if (def.format !== 'regex' || def.pattern === undefined) return undefined;
        return `(${this.ref(def.pattern)}.lastIndex = 0, ${this.ref(def.pattern)}.test(${t}))`;
      case 'number_format':
        return def.format === 'safeint' ? `Number.isSafeInteger(${t})` : undefined;
      case 'greater_than':
        return limit === undefined ? undefined : `${t} ${def.inclusive ? '>=' : '>'} ${limit}`;
      case 'less_than':
        return limit === undefined ? undefined : `${t} ${def.inclusive ? '<=' : '<'} ${limit}`;
      case 'custom':
        return def.fn === undefined ? undefined : `!!${this.ref(def.fn)}(${t})`;
      default:
        return undefined;
    }
  }

  #type(schema: z.ZodType, def: Def, expr: string): string {
    switch (def.type) {
      case 'string':
        return `typeof ${expr} === "string"`;
      case 'number': {
        const t = this.temp();
        return `(typeof (${t} = ${expr}) === "number" && Number.isFinite(${t}))`;
      }
      case 'boolean':
        return `typeof ${expr} === "boolean"`;
      case 'unknown':
      case 'any':
        return 'true';
      case 'null':
        return `${expr} === null`;
      case 'literal': {
        const values = def.values ?? [];
        if (values.every((v) => typeof v === 'string' || typeof v === 'boolean' || v === null)) {
          const t = this.temp();
          return `((${t} = ${expr}), ${values.map((v) => `${t} === ${JSON.stringify(v)}`).join(' || ') || 'false'})`;
        }
        return `${this.ref(values)}.includes(${expr})`;
      }
      case 'optional':
      case 'nullable': {
        const t = this.temp();
        const empty = def.type === 'optional' ? 'undefined' : 'null';
        return `((${t} = ${expr}) === ${empty} || ${this.emit(def.innerType as z.ZodType, t)})`;
      }
      case 'array':
        return `${this.ref(arrayGuard(compileGenerated(def.element as z.ZodType)))}(${expr})`;
      case 'union': {
        const t = this.temp();
        const options = (def.options ?? []).map((option) => this.emit(option, t));
        return `((${t} = ${expr}), (${options.join(' || ') || 'false'}))`;
      }
      case 'object': {
        if (!isLooseObject(def)) return `${this.ref(schema)}.safeParse(${expr}).success`;
        const t = this.temp();
        const fields = Object.entries(def.shape ?? {})
          .filter(([, field]) => {
            const type = defOf(field).type;
            const inner = field as z.ZodType;
            // `unknown().optional()` always passes: no need to read the field.
            return !(type === 'optional' && defOf(defOf(inner).innerType as z.ZodType).type === 'unknown');
          })
          .map(([key, field]) => this.emit(field, `${t}[${JSON.stringify(key)}]`));
        return `(typeof (${t} = ${expr}) === "object" && ${t} !== null && !Array.isArray(${t})${fields.map((f) => ` && ${f}`).join('')})`;
      }
      default:
        return `${this.ref(schema)}.safeParse(${expr}).success`;
    }
  }
}

const arrayGuard =
  (element: Guard): Guard =>
  (value) => {
    if (!Array.isArray(value)) return false;
    for (let i = 0; i < value.length; i++) if (!element(value[i])) return false;
    return true;
  };

/** @internal The generated-code back end; throws where the runtime forbids code generation. */
export function compileGenerated(schema: z.ZodType): Guard {
  const emitter = new Emitter();
  const expression = emitter.emit(schema, 'value');
  const temps = Array.from({ length: emitter.temps }, (_, i) => `t${i}`);
  const declare = temps.length > 0 ? `let ${temps.join(', ')};` : '';
  const source = `"use strict"; return function guard(value) { ${declare} return ${expression}; };`;
  const factory = new Function('r', source) as (refs: unknown[]) => Guard;
  return factory(emitter.refs);
}

let generationAllowed: boolean | undefined;

/** @internal Compiles `schema` into a predicate equivalent to `schema.safeParse(v).success`. */
export function compileGuard(schema: z.ZodType): Guard {
  if (generationAllowed !== false) {
    try {
      const guard = compileGenerated(schema);
      generationAllowed = true;
      return guard;
    } catch {
      generationAllowed = false;
    }
  }
  return compileClosures(schema);
}
