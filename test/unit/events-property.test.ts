// Property tests: random and mutated envelopes never throw for objects and always yield events or
// `unknown`; the validators generated from the zod schemas agree with zod on every schema.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import {
  ACTIVITY_KEYS,
  ACTIVITY_TYPES,
  activityKey,
  parseActivity,
  parseActivityDetailed,
} from '../../src/events/index.js';
import { explain } from '../../src/events/explain.js';
import * as schemas from '../../src/events/schemas.js';
import { VALIDATORS } from '../../src/events/validators.js';

const load = (folder: string): Record<string, unknown>[] => {
  const dir = join(import.meta.dirname, '../fixtures', folder);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as Record<string, unknown>);
};
const envelopes = load('events');
/** X Activity API and Filtered-Stream deliveries (published samples and synthetic ones). */
const newFamilies = [...load('xaa'), ...load('filtered-stream')];

type Path = (string | number)[];

/** Every path to a value inside `value`. */
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...prefix, i]));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

/** A deep copy of `value` with the node at `path` replaced (or deleted when `replacement` is the marker). */
const DELETE = Symbol('delete');
function mutate(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && replacement === DELETE) copy.splice(head as number, 1);
    else copy[head as number] = mutate(value[head as number], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && replacement === DELETE) delete copy[head];
  else copy[head] = mutate(copy[head], rest, replacement);
  return copy;
}

const replacement = fc.oneof(
  fc.constant(DELETE),
  fc.constantFrom(
    null,
    undefined,
    true,
    false,
    0,
    -1,
    1e300,
    '',
    'true',
    '1522082006140',
    'follow',
    'unfollow',
    [],
    {},
  ),
  // The edges of the schemas' checks: digit counts, the Date range, safe integers, date formats.
  fc.constantFrom(
    '123456789012345',
    '1234567890123456',
    8_640_000_000_000_000,
    8_640_000_000_000_001,
    2 ** 53,
    -(2 ** 53),
    1.5,
    -0,
    Number.NaN,
    'Mon Mar 26 16:33:26 +0000 2018',
    'Mar 26 16:33:26 -0130 2018',
    'Mon Mar 26 16:33:26 +0000 18',
    '2018-03-26T16:33:26.000Z',
    'not a date',
    '12345',
    'message_create',
    'false',
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string(),
  fc.integer(),
);

function expectWellFormed(body: object): void {
  const { events, issues } = parseActivityDetailed(body);
  expect(Array.isArray(events)).toBe(true);
  for (const event of events) {
    expect(ACTIVITY_TYPES).toContain(event.type);
    expect([undefined, 'aaa', 'xaa', 'filtered_stream']).toContain(event.family);
    expect('raw' in event).toBe(true);
    expect(typeof activityKey(event)).toBe('string');
    if (event.type === 'unknown') expect(event.reason.length).toBeGreaterThan(0);
    if ('createdAt' in event && event.createdAt !== undefined)
      expect(Number.isNaN(event.createdAt.getTime())).toBe(false);
  }
  for (const issue of issues) expect(typeof issue.message).toBe('string');
}

describe('parseActivity never throws for an object', () => {
  it('random objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), (body) => expectWellFormed(body)),
      { numRuns: 300 },
    );
  });

  it('random objects under real event keys, with context maps', () => {
    const key = fc.constantFrom(
      'tweet_create_events',
      'favorite_events',
      'follow_events',
      'block_events',
      'mute_events',
      'user_event',
      'direct_message_events',
      'direct_message_indicate_typing_events',
      'direct_message_mark_read_events',
      'tweet_delete_events',
      'replay_job_status',
    );
    fc.assert(
      fc.property(
        key,
        fc.jsonValue({ maxDepth: 4 }),
        fc.option(fc.jsonValue({ maxDepth: 2 })),
        fc.option(fc.jsonValue({ maxDepth: 3 })),
        (k, value, forUserId, users) => {
          expectWellFormed({
            [k]: value,
            ...(forUserId === null ? {} : { for_user_id: forUserId }),
            users,
            apps: users,
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('fixtures with one node replaced or deleted, over and over', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), replacement, fc.integer({ min: 1, max: 3 }), (which, where, value, times) => {
        let body = envelopes[which % envelopes.length] as unknown;
        for (let i = 0; i < times; i++) {
          const all = paths(body).filter((p) => p.length > 0);
          if (all.length === 0) break;
          body = mutate(body, all[(where + i * 7919) % all.length] as Path, value);
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
        expectWellFormed(body);
        // Every element is accounted for: nothing is dropped.
        const events = parseActivity(body);
        const CONTEXT = ['for_user_id', 'users', 'apps', 'user_has_blocked', 'is_blocked_by'];
        const eventKeys = Object.entries(body).filter(([k]) => !CONTEXT.includes(k));
        const arrays = ['user_event', 'replay_job_status'];
        const expected =
          eventKeys.length === 0
            ? 1
            : eventKeys.reduce(
                (n, [k, v]) =>
                  n + (Array.isArray(v) && ACTIVITY_KEYS.includes(k) && !arrays.includes(k) ? v.length : 1),
                0,
              );
        expect(events.length).toBe(expected);
      }),
      { numRuns: 600 },
    );
  });
});

describe('XAA and Filtered-Stream deliveries: any mutation parses without throwing and keeps raw', () => {
  it('fixtures with one node replaced or deleted, over and over', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), replacement, fc.integer({ min: 1, max: 3 }), (which, where, value, times) => {
        let body = newFamilies[which % newFamilies.length] as unknown;
        for (let i = 0; i < times; i++) {
          const all = paths(body).filter((p) => p.length > 0);
          if (all.length === 0) break;
          body = mutate(body, all[(where + i * 7919) % all.length] as Path, value);
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
        expectWellFormed(body);
        const events = parseActivity(body);
        expect(events.length).toBeGreaterThan(0);
        const b = body as Record<string, unknown>;
        const data = b['data'];
        for (const event of events) {
          if (Array.isArray(b['matching_rules'])) expect(event.raw).toBe(body);
          else if (event.family === 'xaa' && !Array.isArray(data) && !('element' in event)) {
            // The envelope object itself, or (for a refused DM element) the element.
            if (event.type !== 'unknown' || event.index === undefined) expect(event.raw).toBe(data);
          }
        }
      }),
      { numRuns: 800 },
    );
  });

  it('random values under data, with and without an event_type', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }),
        fc.option(fc.string()),
        fc.jsonValue({ maxDepth: 3 }),
        (payload, type, filter) => {
          expectWellFormed({ data: { event_type: type ?? 'post.create', payload, filter, includes: payload } });
          expectWellFormed({ data: [{ event_type: type ?? 'dm.sent', payload }, payload] });
          expectWellFormed({ data: payload, includes: payload, matching_rules: [payload] });
        },
      ),
      { numRuns: 400 },
    );
  });
});

const isSchema = (value: unknown): value is z.ZodType =>
  typeof value === 'object' && value !== null && 'safeParse' in value;
const SCHEMAS: [string, z.ZodType][] = Object.entries(schemas as Record<string, unknown>).flatMap(
  ([name, value]): [string, z.ZodType][] => (isSchema(value) ? [[name, value]] : []),
);

describe('generated validators agree with zod', () => {
  it('covers every exported schema, and only those', () => {
    expect(SCHEMAS.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(VALIDATORS).sort()).toEqual(SCHEMAS.map(([name]) => name).sort());
  });

  // Sub-values of the fixtures are realistic inputs for every schema; mutations make them fail.
  const samples: unknown[] = [...envelopes, ...newFamilies].flatMap((e) =>
    paths(e).map((p) => p.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], e)),
  );

  it.each(SCHEMAS)(
    "%s: the predicate accepts what safeParse accepts, and explain lists zod's issues",
    (name, schema) => {
      const validator = VALIDATORS[name as keyof typeof VALIDATORS];
      const agree = (value: unknown): void => {
        const result = schema.safeParse(value);
        expect(validator.is(value)).toBe(result.success);
        const expected = (result.error?.issues ?? []).map((i) => ({ path: i.path, message: i.message }));
        expect(explain(validator.node, value)).toEqual(expected);
      };
      for (const sample of samples) agree(sample);
      fc.assert(
        fc.property(fc.nat(), fc.nat(), replacement, (which, where, value) => {
          const sample = samples[which % samples.length];
          const all = paths(sample);
          agree(mutate(sample, all[where % all.length] as Path, value === DELETE ? undefined : value));
        }),
        { numRuns: 200 },
      );
      fc.assert(
        fc.property(fc.anything(), (value) => agree(value)),
        { numRuns: 100 },
      );
    },
  );

  it('at least one sample passes and one fails for each element schema', () => {
    for (const schema of [
      schemas.tweetSchema,
      schemas.favoriteElementSchema,
      schemas.directMessageElementSchema,
      schemas.xaaEventSchema,
      schemas.v2PostSchema,
      schemas.xaaLikeSchema,
      schemas.filteredStreamSchema,
    ]) {
      const results = samples.map((s) => schema.safeParse(s).success);
      expect(results).toContain(true);
      expect(results).toContain(false);
    }
  });
});
