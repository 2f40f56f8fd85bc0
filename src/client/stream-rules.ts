/**
 * Filtered-Stream webhooks (x-activity-api.md §8): `client.streamLinks` links a V2 webhook to the
 * app's Filtered Stream, and `client.streamRules` manages the rules that decide which posts it
 * delivers (`/2/tweets/search/stream/rules`). Every call uses the app-only bearer token (OAS).
 *
 * Internal module: the names are re-exported from `src/client/index.ts`.
 */
import { InvalidArgumentError } from '../errors.js';
import { checkNumericId, pageQuery, paginate, requestOptions } from './activity.js';
import type { ClientCore, RequestOptions } from './client.js';
import type {
  StreamLink,
  StreamLinkCreation,
  StreamLinkDeletion,
  StreamRule,
  StreamRulePage,
  StreamRulesResult,
} from './schemas.js';

/**
 * The fields of the posts a linked webhook receives: the query parameters of
 * `/2/tweets/search/stream`, each a list of X's field names.
 *
 * @example
 * ```ts
 * const fields: StreamLinkFields = { tweet: ['created_at', 'author_id'], expansions: ['author_id'], user: ['username'] };
 * ```
 */
export interface StreamLinkFields {
  /** `expansions`. */
  readonly expansions?: readonly string[];
  /** `tweet.fields`. */
  readonly tweet?: readonly string[];
  /** `user.fields`. */
  readonly user?: readonly string[];
  /** `media.fields`. */
  readonly media?: readonly string[];
  /** `poll.fields`. */
  readonly poll?: readonly string[];
  /** `place.fields`. */
  readonly place?: readonly string[];
}

/**
 * Options of `streamLinks.create`.
 *
 * @example
 * ```ts
 * await client.streamLinks.create('1146654567674912769', { fields: { tweet: ['created_at'] }, timeout: 10_000 });
 * ```
 */
export interface CreateStreamLinkOptions extends RequestOptions {
  /** The fields the deliveries carry; X's defaults when left out. */
  readonly fields?: StreamLinkFields;
}

const FIELD_PARAMS: Readonly<Record<keyof StreamLinkFields, string>> = {
  expansions: 'expansions',
  tweet: 'tweet.fields',
  user: 'user.fields',
  media: 'media.fields',
  poll: 'poll.fields',
  place: 'place.fields',
};

const FIELD_NAME = /^[A-Za-z0-9_.]+$/;

function fieldQuery(fields: unknown, operation: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (fields === undefined) return query;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new InvalidArgumentError(
      `${operation}: \`fields\` must be an object such as { tweet: ['created_at'], expansions: ['author_id'] }.`,
    );
  }
  for (const [key, value] of Object.entries(fields)) {
    const param = Object.hasOwn(FIELD_PARAMS, key) ? FIELD_PARAMS[key as keyof StreamLinkFields] : undefined;
    if (param === undefined) {
      throw new InvalidArgumentError(
        `${operation}: unknown \`fields.${key}\`; use ${Object.keys(FIELD_PARAMS).join(', ')}.`,
      );
    }
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((name) => typeof name !== 'string' || !FIELD_NAME.test(name))) {
      throw new InvalidArgumentError(
        `${operation}: \`fields.${key}\` must be an array of X field names (letters, digits, '_' and '.').`,
      );
    }
    if (value.length > 0) query[param] = value.join(',');
  }
  return query;
}

function options<T extends object>(value: T | undefined, operation: string): T | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new InvalidArgumentError(`${operation}: options must be an object.`);
  }
  return value;
}

/**
 * `client.streamLinks`: link webhooks to the Filtered Stream (enterprise). Linked webhooks receive
 * `filtered_stream.post` events, signed like every other delivery.
 *
 * @example
 * ```ts
 * await client.streamLinks.create('1146654567674912769', { fields: { tweet: ['created_at'], expansions: ['author_id'] } });
 * console.log(await client.streamLinks.list());
 * await client.streamLinks.delete('1146654567674912769');
 * ```
 */
export class StreamLinksResource {
  readonly #core: ClientCore;

  /** @internal */
  constructor(core: ClientCore) {
    this.#core = core;
  }

  /**
   * Links the webhook to the Filtered Stream (`POST /2/tweets/search/webhooks/:webhook_id`), with the
   * fields its deliveries carry as query parameters.
   *
   * @example
   * ```ts
   * const { provisioned } = await client.streamLinks.create('1146654567674912769', { fields: { tweet: ['created_at'] } });
   * ```
   */
  async create(webhookId: string, linkOptions?: CreateStreamLinkOptions): Promise<StreamLinkCreation> {
    const op = 'streamLinks.create';
    const id = checkNumericId(webhookId, 'webhookId', op);
    const query = fieldQuery(options(linkOptions, op)?.fields, op);
    return this.#core.call(
      op,
      { webhookId: id, query },
      undefined,
      requestOptions(linkOptions),
    ) as Promise<StreamLinkCreation>;
  }

  /**
   * Unlinks the webhook (`DELETE /2/tweets/search/webhooks/:webhook_id`).
   *
   * @example
   * ```ts
   * await client.streamLinks.delete('1146654567674912769');
   * ```
   */
  async delete(webhookId: string, requestOpts?: RequestOptions): Promise<StreamLinkDeletion> {
    const op = 'streamLinks.delete';
    const id = checkNumericId(webhookId, 'webhookId', op);
    return this.#core.call(op, { webhookId: id }, undefined, requestOpts) as Promise<StreamLinkDeletion>;
  }

  /**
   * The app's links (`GET /2/tweets/search/webhooks`; both documented answer shapes are read).
   *
   * @example
   * ```ts
   * for (const link of await client.streamLinks.list()) console.log(link.webhookId, link.fields);
   * ```
   */
  async list(requestOpts?: RequestOptions): Promise<StreamLink[]> {
    return this.#core.call('streamLinks.list', {}, undefined, requestOpts) as Promise<StreamLink[]>;
  }
}

/**
 * A rule to add.
 *
 * @example
 * ```ts
 * const rule: StreamRuleInput = { value: 'from:XDevelopers -is:retweet', tag: 'xdevs' };
 * ```
 */
export interface StreamRuleInput {
  /** The filter expression, 1 to 2,048 characters (`from:XDevelopers -is:retweet`). */
  readonly value: string;
  /** A label echoed in `matching_rules`. */
  readonly tag?: string;
}

/**
 * Options of `streamRules.add` and `streamRules.delete`.
 *
 * @example
 * ```ts
 * await client.streamRules.add([{ value: 'cats has:images' }], { dryRun: true });
 * ```
 */
export interface StreamRulesChangeOptions extends RequestOptions {
  /**
   * Only check the rules (`dry_run=true`): X answers as it would, and changes nothing.
   * @default false
   */
  readonly dryRun?: boolean;
}

/**
 * Options of `streamRules.listPage`.
 *
 * @example
 * ```ts
 * const page = await client.streamRules.listPage({ ids: ['1273026480692322304'], maxResults: 10 });
 * ```
 */
export interface StreamRulePageOptions extends RequestOptions {
  /** Only these rule ids. */
  readonly ids?: readonly string[];
  /**
   * Rules per page, 1 to 1000.
   * @default X's default (1000)
   */
  readonly maxResults?: number;
  /** `nextToken` of the previous page. */
  readonly paginationToken?: string;
}

/**
 * Options of `streamRules.list` (every page).
 *
 * @example
 * ```ts
 * for await (const rule of client.streamRules.list({ maxResults: 500 })) console.log(rule.id);
 * ```
 */
export interface StreamRuleListOptions extends RequestOptions {
  /** Only these rule ids. */
  readonly ids?: readonly string[];
  /** Rules per page, 1 to 1000. */
  readonly maxResults?: number;
}

const MAX_RULE = 2048;

function dryRunQuery(value: StreamRulesChangeOptions | undefined, operation: string): Record<string, string> {
  const dryRun = options(value, operation)?.dryRun;
  if (dryRun === undefined) return {};
  if (typeof dryRun !== 'boolean') throw new InvalidArgumentError(`${operation}: \`dryRun\` must be a boolean.`);
  return dryRun ? { dry_run: 'true' } : {};
}

function ruleIds(ids: unknown, operation: string, name: string): string[] {
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new InvalidArgumentError(`${operation}: \`${name}\` must be a non-empty array of rule id strings.`);
  }
  return [...new Set(ids.map((id, index) => checkNumericId(id, `${name}[${index}]`, operation)))];
}

/**
 * `client.streamRules`: the Filtered Stream's rules (`/2/tweets/search/stream/rules`).
 *
 * @example
 * ```ts
 * const { rules, errors } = await client.streamRules.add([{ value: 'from:XDevelopers -is:retweet', tag: 'xdevs' }]);
 * for await (const rule of client.streamRules.list()) console.log(rule.id, rule.value, rule.tag);
 * await client.streamRules.delete(rules.map((rule) => rule.id));
 * ```
 */
export class StreamRulesResource {
  readonly #core: ClientCore;

  /** @internal */
  constructor(core: ClientCore) {
    this.#core = core;
  }

  /**
   * Adds rules. A duplicate or invalid rule does not fail the call: it is in `errors`, with the
   * counts in `summary`.
   *
   * @example
   * ```ts
   * const check = await client.streamRules.add([{ value: 'cats has:images' }], { dryRun: true });
   * console.log(check.summary.valid, check.errors);
   * ```
   */
  async add(rules: readonly StreamRuleInput[], changeOptions?: StreamRulesChangeOptions): Promise<StreamRulesResult> {
    const op = 'streamRules.add';
    if (!Array.isArray(rules) || rules.length === 0) {
      throw new InvalidArgumentError(`${op}: \`rules\` must be a non-empty array of { value, tag? }.`);
    }
    const add = rules.map((rule: unknown, index) => {
      const record = (typeof rule === 'object' && rule !== null ? rule : {}) as Record<string, unknown>;
      const { value, tag } = record;
      if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_RULE) {
        throw new InvalidArgumentError(
          `${op}: \`rules[${index}].value\` must be a non-blank string of at most ${MAX_RULE} characters.`,
        );
      }
      if (tag !== undefined && (typeof tag !== 'string' || tag === '')) {
        throw new InvalidArgumentError(`${op}: \`rules[${index}].tag\` must be a non-empty string when given.`);
      }
      return tag === undefined ? { value } : { value, tag };
    });
    const query = dryRunQuery(changeOptions, op);
    return this.#core.call(
      op,
      { query, body: { add } },
      undefined,
      requestOptions(changeOptions),
    ) as Promise<StreamRulesResult>;
  }

  /**
   * Deletes rules by id (`{"delete": {"ids": [...]}}`). An id X did not delete is in `errors`.
   *
   * @example
   * ```ts
   * const { summary } = await client.streamRules.delete(['1165037377523306498']);
   * ```
   */
  async delete(ids: readonly string[], changeOptions?: StreamRulesChangeOptions): Promise<StreamRulesResult> {
    const op = 'streamRules.delete';
    const list = ruleIds(ids, op, 'ids');
    const query = dryRunQuery(changeOptions, op);
    return this.#core.call(
      op,
      { query, body: { delete: { ids: list } } },
      undefined,
      requestOptions(changeOptions),
    ) as Promise<StreamRulesResult>;
  }

  /**
   * Every rule, page after page.
   *
   * @example
   * ```ts
   * for await (const rule of client.streamRules.list()) console.log(rule.value);
   * ```
   */
  list(listOptions?: StreamRuleListOptions): AsyncIterable<StreamRule> {
    const checked = options(listOptions, 'streamRules.list');
    if (checked !== undefined && 'paginationToken' in checked) {
      throw new InvalidArgumentError(
        'streamRules.list: iterates every page itself; use listPage({ paginationToken }) for one page.',
      );
    }
    this.#query(checked, 'streamRules.list');
    return paginate(async (token) => {
      const page = await this.listPage({ ...checked, ...(token === undefined ? {} : { paginationToken: token }) });
      return { items: page.rules, next: page.nextToken };
    }, 'streamRules.list');
  }

  /**
   * One page of rules.
   *
   * @example
   * ```ts
   * const page = await client.streamRules.listPage({ maxResults: 100 });
   * ```
   */
  async listPage(pageOptions?: StreamRulePageOptions): Promise<StreamRulePage> {
    const query = this.#query(options(pageOptions, 'streamRules.listPage'), 'streamRules.listPage');
    return this.#core.call(
      'streamRules.list',
      { query },
      undefined,
      requestOptions(pageOptions),
    ) as Promise<StreamRulePage>;
  }

  #query(value: StreamRulePageOptions | undefined, operation: string): Record<string, string> {
    const query: Record<string, string> = {};
    if (value?.ids !== undefined) query['ids'] = ruleIds(value.ids, operation, 'ids').join(',');
    return { ...query, ...pageQuery(value, operation) };
  }
}
