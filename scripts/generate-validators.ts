/**
 * Writes `src/events/validators.ts` from the zod schemas of `src/events/schemas.ts`.
 *
 *   npm run generate            writes the file
 *   npm run generate -- --check  exits 1 when the committed file is not what the schemas give
 *
 * The receiving side (the webhook handler, `parseActivity`, `./node`) must not load zod at run time:
 * zod costs tens of milliseconds of cold start and most of a Worker bundle. So the schemas stay the
 * single source of truth (and of the `Raw*` types), and this script turns each one into
 *   - a predicate in straight-line code (one function per object, union and array schema, its
 *     commonest leaves as calls of tiny named helpers such as `isOptString`, which engines inline),
 *     which answers "would `safeParse` succeed?" and is what the hot path runs, and
 *   - a `SchemaNode`, the same schema as plain data, which `src/events/explain.ts` walks to say what is
 *     wrong with a refused value (a path and what was expected, in zod's words).
 * No `new Function` at run time, so one back end serves every runtime, strict CSP and Workers included.
 *
 * The schema definitions are read through zod's exported core types (`zod/v4/core`): a zod release
 * that changes them fails this script's type check or its run, in the build, never at a user's site.
 * A schema kind or check this generator does not know fails the run with its name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as core from 'zod/v4/core';
import * as scalars from '../src/events/scalars.js';
import * as schemas from '../src/events/schemas.js';

const OUT = fileURLToPath(new URL('../src/events/validators.ts', import.meta.url));

type Schema = core.$ZodType;

const defOf = (schema: Schema): core.$ZodTypes['_zod']['def'] => (schema as core.$ZodTypes)._zod.def;

class GeneratorError extends Error {}

function fail(where: string, what: string): never {
  throw new GeneratorError(`${where}: ${what} is not supported by scripts/generate-validators.ts.`);
}

/** The message zod would give for a check with a custom `message`, or `undefined`. */
function customMessage(def: { error?: unknown }): string | undefined {
  if (typeof def.error !== 'function') return undefined;
  const message: unknown = (def.error as (issue: object) => unknown)({});
  return typeof message === 'string' ? message : undefined;
}

/** The name under which `scalars.ts` exports `fn`, for refinements. */
function scalarName(fn: unknown, where: string): string {
  for (const [name, value] of Object.entries(scalars)) if (value === fn) return name;
  return fail(where, 'a refinement that is not a named export of src/events/scalars.ts');
}

const isLoose = (def: core.$ZodObjectDef): boolean =>
  def.catchall !== undefined && defOf(def.catchall).type === 'unknown';

class Generator {
  /** Module-level declarations, in dependency order. */
  readonly lines: string[] = [];
  readonly imports = new Set<string>();
  /** The names of LEAF_HELPERS that the predicates call. */
  readonly helpers = new Set<string>();
  readonly #functions = new Map<Schema, string>();
  readonly #nodes = new Map<Schema, string>();
  readonly #regexes = new Map<string, string>();
  /** Declarations by their text, so that schemas alike (two `z.string()`) share one. */
  readonly #byText = new Map<string, string>();

  /** Declares `text` under a fresh name made by `name`, or answers the name of the same text. */
  #declare(text: string, name: (text: string) => string): string {
    const known = this.#byText.get(text);
    if (known !== undefined) return known;
    const declared = name(text);
    this.#byText.set(text, declared);
    return declared;
  }

  #regex(pattern: RegExp): string {
    const text = String(pattern);
    let name = this.#regexes.get(text);
    if (name === undefined) {
      name = `re${this.#regexes.size}`;
      this.#regexes.set(text, name);
      this.lines.push(`const ${name} = ${text};`);
    }
    return name;
  }

  // -------------------------------------------------------------------------------------------
  // Predicates
  // -------------------------------------------------------------------------------------------

  /** A boolean expression saying whether `expr` passes `schema`; `temp()` gives scratch variables. */
  expression(schema: Schema, expr: string, temp: () => string, where: string): string {
    const def = defOf(schema);
    const checks = 'checks' in def && def.checks !== undefined ? def.checks : [];
    const leaf = leafHelper(schema);
    if (leaf !== undefined) {
      this.helpers.add(leaf);
      return `${leaf}(${expr})`;
    }
    if (checks.length === 0) return this.#type(schema, expr, temp, where);
    const t = temp();
    const parts = [this.#type(schema, `(${t} = ${expr})`, temp, where)];
    for (const check of checks) parts.push(this.#check(check, t, where));
    return `(${parts.join(' && ')})`;
  }

  #check(check: core.$ZodCheck, t: string, where: string): string {
    const def = (check as core.$ZodChecks)._zod.def;
    switch (def.check) {
      case 'string_format': {
        if (def.format !== 'regex' || def.pattern === undefined)
          return fail(where, `the string format "${def.format}"`);
        const re = this.#regex(def.pattern);
        return /[gy]/.test(def.pattern.flags) ? `(${re}.lastIndex = 0, ${re}.test(${t}))` : `${re}.test(${t})`;
      }
      case 'number_format':
        return def.format === 'safeint'
          ? `Number.isSafeInteger(${t})`
          : fail(where, `the number format "${def.format}"`);
      case 'greater_than':
        return `${t} ${def.inclusive ? '>=' : '>'} ${Number(def.value)}`;
      case 'less_than':
        return `${t} ${def.inclusive ? '<=' : '<'} ${Number(def.value)}`;
      default: {
        const custom = (check as unknown as core.$ZodCustom)._zod.def;
        if (custom.check === 'custom') {
          const name = scalarName(custom.fn, where);
          this.imports.add(name);
          return `${name}(${t})`;
        }
        return fail(where, `the check "${def.check}"`);
      }
    }
  }

  #type(schema: Schema, expr: string, temp: () => string, where: string): string {
    const def = defOf(schema);
    switch (def.type) {
      case 'string':
        return `typeof ${expr} === 'string'`;
      case 'number': {
        const t = temp();
        return `(typeof (${t} = ${expr}) === 'number' && Number.isFinite(${t}))`;
      }
      case 'boolean':
        return `typeof ${expr} === 'boolean'`;
      case 'unknown':
        return 'true';
      case 'null':
        return `${expr} === null`;
      case 'literal': {
        const values = def.values.map((v) => literal(v, where));
        const t = temp();
        return `((${t} = ${expr}), ${values.map((v) => `${t} === ${v}`).join(' || ') || 'false'})`;
      }
      case 'optional':
      case 'nullable': {
        const t = temp();
        const empty = def.type === 'optional' ? 'undefined' : 'null';
        return `((${t} = ${expr}) === ${empty} || ${this.expression(def.innerType, t, temp, where)})`;
      }
      case 'array':
      case 'union':
      case 'object':
        return `${this.predicate(schema, where)}(${expr})`;
      default:
        return fail(where, `the schema kind "${def.type}"`);
    }
  }

  /** The name of a module-level predicate function for an array, union or object schema. */
  predicate(schema: Schema, where: string): string {
    const known = this.#functions.get(schema);
    if (known !== undefined) return known;
    const def = defOf(schema);
    let count = 0;
    const temp = (): string => `t${count++}`;
    let body: string;
    if (def.type === 'array') {
      const element = this.expression(def.element, 'value[i]', temp, `${where}[]`);
      body = `if (!Array.isArray(value)) return false;\n  for (let i = 0; i < value.length; i++) if (!${wrap(element)}) return false;\n  return true;`;
    } else if (def.type === 'union') {
      const t = temp();
      const options = def.options.map((option) => this.expression(option, t, temp, `${where}|`));
      body = `const ${t} = value;\n  return ${options.join(' || ') || 'false'};`;
    } else if (def.type === 'object') {
      if (!isLoose(def)) return fail(where, 'an object schema that is not loose (z.looseObject)');
      const fields = Object.entries(def.shape)
        .map(([key, field]) => [key, this.expression(field, property('value', key), temp, `${where}.${key}`)] as const)
        .filter(([, check]) => check !== 'true' && !/^\(\(t\d+ = [^)]+\) === undefined \|\| true\)$/.test(check))
        .map(
          ([key, check]) => [key, /^\(.*\)$/s.test(check) || /^\w+\(.*\)$/s.test(check) ? check : wrap(check)] as const,
        );
      this.helpers.add('isObject');
      body = `return ${['isObject(value)', ...fields.map(([, check]) => check)].join(' &&\n    ')};`;
    } else {
      return fail(where, `a function for the schema kind "${def.type}"`);
    }
    const temps = Array.from({ length: count }, (_, i) => `t${i}`).filter((t) => !body.startsWith(`const ${t} =`));
    const declare = temps.length > 0 ? `  let ${temps.map((t) => `${t}: any`).join(', ')};\n` : '';
    const code = `(value: any): boolean {\n${declare}  ${body}\n}`;
    const name = this.#declare(code, () => {
      const fresh = `is${this.#functions.size}`;
      this.lines.push(`function ${fresh}${code}`);
      return fresh;
    });
    this.#functions.set(schema, name);
    return name;
  }

  // -------------------------------------------------------------------------------------------
  // Nodes (the plain-data form that explain.ts walks)
  // -------------------------------------------------------------------------------------------

  node(schema: Schema, where: string): string {
    const known = this.#nodes.get(schema);
    if (known !== undefined) return known;
    const def = defOf(schema);
    let text: string;
    switch (def.type) {
      case 'string':
      case 'number': {
        const checks = (def.checks ?? []).map((check) => this.#nodeCheck(check, where));
        text = checks.length === 0 ? `{ t: '${def.type}' }` : `{ t: '${def.type}', c: [${checks.join(', ')}] }`;
        break;
      }
      case 'boolean':
      case 'null':
      case 'unknown':
        text = `{ t: '${def.type}' }`;
        break;
      case 'literal':
        text = `{ t: 'literal', v: [${def.values.map((v) => literal(v, where)).join(', ')}] }`;
        break;
      case 'optional':
      case 'nullable':
        text = `{ t: '${def.type}', i: ${this.node(def.innerType, where)} }`;
        break;
      case 'array':
        text = `{ t: 'array', e: ${this.node(def.element, `${where}[]`)} }`;
        break;
      case 'union':
        text = `{ t: 'union', o: [${def.options.map((o) => this.node(o, `${where}|`)).join(', ')}] }`;
        break;
      case 'object': {
        if (!isLoose(def)) return fail(where, 'an object schema that is not loose (z.looseObject)');
        const fields = Object.entries(def.shape).map(
          ([key, field]) => `${JSON.stringify(key)}: ${this.node(field, `${where}.${key}`)}`,
        );
        text = `{ t: 'object', s: { ${fields.join(', ')} } }`;
        break;
      }
      default:
        return fail(where, `the schema kind "${def.type}"`);
    }
    if (
      'checks' in def &&
      def.checks !== undefined &&
      def.checks.length > 0 &&
      def.type !== 'string' &&
      def.type !== 'number'
    ) {
      fail(where, `checks on a ${def.type} schema`);
    }
    const name = this.#declare(text, () => {
      const fresh = `n${this.#nodes.size}`;
      this.lines.push(`const ${fresh}: SchemaNode = ${text};`);
      return fresh;
    });
    this.#nodes.set(schema, name);
    return name;
  }

  #nodeCheck(check: core.$ZodCheck, where: string): string {
    const def = (check as core.$ZodChecks)._zod.def;
    switch (def.check) {
      case 'string_format': {
        if (def.format !== 'regex' || def.pattern === undefined)
          return fail(where, `the string format "${def.format}"`);
        const msg = customMessage(def) ?? `Invalid string: must match pattern ${String(def.pattern)}`;
        return `{ k: 'regex', re: ${this.#regex(def.pattern)}, msg: ${JSON.stringify(msg)} }`;
      }
      case 'number_format':
        return def.format === 'safeint' ? `{ k: 'safeint' }` : fail(where, `the number format "${def.format}"`);
      case 'greater_than':
        return `{ k: 'min', v: ${Number(def.value)}, incl: ${def.inclusive} }`;
      case 'less_than':
        return `{ k: 'max', v: ${Number(def.value)}, incl: ${def.inclusive} }`;
      default: {
        const custom = (check as unknown as core.$ZodCustom)._zod.def;
        if (custom.check === 'custom') {
          const msg = customMessage(custom) ?? 'Invalid input';
          return `{ k: 'fn', fn: ${scalarName(custom.fn, where)}, msg: ${JSON.stringify(msg)} }`;
        }
        return fail(where, `the check "${def.check}"`);
      }
    }
  }
}

function literal(value: unknown, where: string): string {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return fail(where, `the literal ${String(value)}`);
}

const wrap = (expression: string): string => `(${expression})`;

/** `value.key`, or `value["key"]` for a key that is not an identifier. */
const property = (object: string, key: string): string =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${object}.${key}` : `${object}[${JSON.stringify(key)}]`;

/**
 * Small named predicates for the commonest leaves (a string, an optional string, a boolean...): a
 * call `isOptString(value.name)` is a fraction of the size of its expression written out, and each is
 * small enough for the JavaScript engines to inline where it runs hot.
 */
const LEAF_HELPERS = {
  isObject:
    "(value: unknown): value is Record<string, unknown> =>\n  typeof value === 'object' && value !== null && !Array.isArray(value)",
  isString: "(value: unknown): boolean => typeof value === 'string'",
  isOptString: "(value: unknown): boolean => value === undefined || typeof value === 'string'",
  isBoolean: "(value: unknown): boolean => typeof value === 'boolean'",
  isOptBoolean: "(value: unknown): boolean => value === undefined || typeof value === 'boolean'",
} as const;

/** The helper that checks `schema` whole, when it is one of LEAF_HELPERS' leaves. */
function leafHelper(schema: Schema): keyof typeof LEAF_HELPERS | undefined {
  const def = defOf(schema);
  if ('checks' in def && def.checks !== undefined && def.checks.length > 0) return undefined;
  if (def.type === 'string') return 'isString';
  if (def.type === 'boolean') return 'isBoolean';
  if (def.type !== 'optional') return undefined;
  const inner = defOf(def.innerType);
  if ('checks' in inner && inner.checks !== undefined && inner.checks.length > 0) return undefined;
  if (inner.type === 'string') return 'isOptString';
  if (inner.type === 'boolean') return 'isOptBoolean';
  return undefined;
}

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && '_zod' in value && 'safeParse' in value;

/** `tweetSchema` -> `tweetValidator`. */
const validatorName = (schemaName: string): string => schemaName.replace(/Schema$/, 'Validator');

export function generate(): string {
  const generator = new Generator();
  const exported: string[] = [];
  for (const [name, value] of Object.entries(schemas)) {
    if (!isSchema(value)) continue;
    if (!name.endsWith('Schema')) fail(name, 'an exported schema whose name does not end in "Schema"');
    let count = 0;
    const temp = (): string => `t${count++}`;
    const kind = defOf(value).type;
    let is: string;
    if (kind === 'array' || kind === 'union' || kind === 'object') {
      is = generator.predicate(value, name);
    } else {
      const expression = generator.expression(value, 'value', temp, name);
      const temps = Array.from({ length: count }, (_, i) => `t${i}: any`);
      is = `isScalar${exported.length}`;
      const declare = temps.length > 0 ? `  let ${temps.join(', ')};\n` : '';
      generator.lines.push(`function ${is}(value: unknown): boolean {\n${declare}  return ${expression};\n}`);
    }
    const node = generator.node(value, name);
    exported.push(
      `/** The generated validator of \`${name}\`. */\nexport const ${validatorName(name)}: Validator<z.output<typeof S.${name}>> = {\n  is: ${is} as (value: unknown) => value is z.output<typeof S.${name}>,\n  node: ${node},\n};`,
    );
  }
  const names = Object.keys(schemas).filter((name) => isSchema((schemas as Record<string, unknown>)[name]));
  const imports = [...generator.imports].sort();
  return [
    '// Generated by scripts/generate-validators.ts from src/events/schemas.ts: do not edit.',
    '// `npm run generate` writes it again; `npm run generate -- --check` (run by `npm test`) fails when it is stale.',
    '// The predicates read untyped JSON through scratch variables (`t0 = value["key"]`) and test them in one',
    '// expression; TypeScript cannot narrow an assignment inside `typeof (t0 = ...)`, so they are `any`.',
    '// Nothing typed `any` leaves this module: each validator is exported as a type guard on `unknown`.',
    '/**',
    ' * The validators of the event schemas, generated at build time so that nothing on the receiving',
    ' * side loads zod at run time. See `scripts/generate-validators.ts`.',
    ' *',
    ' * @internal',
    ' * @packageDocumentation',
    ' */',
    "import type * as z from 'zod';",
    "import type { SchemaNode, Validator } from './explain.js';",
    ...(imports.length > 0 ? [`import { ${imports.join(', ')} } from './scalars.js';`] : []),
    "import type * as S from './schemas.js';",
    '',
    ...Object.entries(LEAF_HELPERS)
      .filter(([name]) => generator.helpers.has(name))
      .flatMap(([name, code]) => [`const ${name} = ${code};`, '']),
    ...generator.lines.flatMap((line) => [line, '']),
    ...exported.flatMap((line) => [line, '']),
    '/** Every generated validator, by the name of its schema. */',
    `export const VALIDATORS = {\n${names.map((name) => `  ${name}: ${validatorName(name)},`).join('\n')}\n} as const;`,
    '',
  ].join('\n');
}

function main(): void {
  const check = process.argv.includes('--check');
  const text = generate();
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {
    current = '';
  }
  if (check) {
    if (current !== text) {
      process.stderr.write(
        'src/events/validators.ts is stale: the schemas changed. Run `npm run generate` and commit it.\n',
      );
      process.exitCode = 1;
    } else {
      process.stdout.write('src/events/validators.ts is up to date.\n');
    }
    return;
  }
  if (current !== text) writeFileSync(OUT, text);
  process.stdout.write(`src/events/validators.ts ${current === text ? 'unchanged' : 'written'}.\n`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof GeneratorError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
