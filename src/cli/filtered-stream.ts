/**
 * `stream-rules` and `stream-links`: the Filtered Stream's rules, and the webhooks linked to it, on
 * the client's `streamRules` and `streamLinks`.
 *
 * @internal
 * @packageDocumentation
 */
import type { StreamLinkFields, StreamRule, StreamRulesResult } from '../client/index.js';
import { UsageError, bool, need, noMore, parse, str } from './args.js';
import { OPTIONS, client, list, waiting } from './api-shared.js';
import type { Context } from './context.js';
import { HELP } from './help.js';
import { colorEnabled, line, painter, printJson, table } from './output.js';

/** Prints the rules X refused (`errors`), on stderr; returns whether there were any. */
function reportRuleErrors(ctx: Context, result: StreamRulesResult): boolean {
  const paint = painter(colorEnabled(ctx, 'stderr'));
  for (const e of result.errors) {
    const what = e.value !== undefined ? JSON.stringify(e.value) : e.id !== undefined ? `rule ${e.id}` : 'a rule';
    const why = [e.title, e.detail].filter(Boolean).join(': ');
    const existing = e.id !== undefined && e.value !== undefined ? ` (rule ${e.id})` : '';
    line(ctx.stderr, `${paint('red', 'refused')} ${what}${existing}: ${why || 'X gave no reason'}`);
  }
  return result.errors.length > 0;
}

function ruleJson(result: StreamRulesResult): Record<string, unknown> {
  return { rules: result.rules, summary: result.summary, errors: result.errors };
}

export async function streamRules(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...OPTIONS,
    tag: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const [action] = positionals;
  if (bool(values, 'help') || action === undefined) {
    line(bool(values, 'help') ? ctx.stdout : ctx.stderr, HELP['stream-rules']);
    return bool(values, 'help') ? 0 : 2;
  }
  const json = bool(values, 'json');
  const dryRun = bool(values, 'dry-run');
  const prefix = dryRun ? 'dry run: ' : '';
  switch (action) {
    case 'list': {
      noMore(positionals, 1);
      const api = client(values, ctx);
      const rules = await waiting(ctx, 'listing stream rules', async () => {
        const found: StreamRule[] = [];
        for await (const rule of api.streamRules.list()) found.push(rule);
        return found;
      });
      if (json) printJson(ctx, rules);
      else if (rules.length === 0) line(ctx.stdout, 'no stream rules');
      else
        line(
          ctx.stdout,
          table(
            ['ID', 'VALUE', 'TAG'],
            rules.map((r) => [r.id, r.value, r.tag ?? '']),
          ),
        );
      return 0;
    }
    case 'add': {
      need(positionals, 1, 'the rule: stream-rules add "<value>" [--tag T] [--dry-run]');
      const tag = str(values, 'tag');
      const rules = positionals.slice(1).map((value) => (tag === undefined ? { value } : { value, tag }));
      const api = client(values, ctx);
      const result = await waiting(ctx, dryRun ? 'checking rules (dry run)' : 'adding rules', () =>
        api.streamRules.add(rules, { dryRun }),
      );
      if (json) printJson(ctx, { dryRun, ...ruleJson(result) });
      else {
        for (const rule of result.rules) {
          line(
            ctx.stdout,
            `${dryRun ? 'would add' : 'added'} rule ${rule.id} ${JSON.stringify(rule.value)}${rule.tag ? ` (tag ${rule.tag})` : ''}`,
          );
        }
        if (dryRun) {
          const { valid, invalid } = result.summary;
          line(ctx.stdout, `dry run: ${valid ?? 0} valid, ${invalid ?? 0} invalid; nothing was changed`);
        }
      }
      return reportRuleErrors(ctx, result) ? 1 : 0;
    }
    case 'delete': {
      need(positionals, 1, 'the rule id: stream-rules delete <id> [<id> ...]');
      const ids = positionals.slice(1);
      const api = client(values, ctx);
      const result = await waiting(ctx, `deleting ${ids.length} rules`, () => api.streamRules.delete(ids, { dryRun }));
      if (json) printJson(ctx, { dryRun, ...ruleJson(result) });
      else {
        const { deleted, notDeleted } = result.summary;
        line(ctx.stdout, `${prefix}${deleted ?? 0} deleted, ${notDeleted ?? 0} not deleted`);
      }
      return reportRuleErrors(ctx, result) || (result.summary.notDeleted ?? 0) > 0 ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown action '${action}': stream-rules list|add|delete`);
  }
}

const FIELD_FLAGS = {
  'tweet-fields': 'tweet',
  expansions: 'expansions',
  'user-fields': 'user',
  'media-fields': 'media',
  'poll-fields': 'poll',
  'place-fields': 'place',
} as const satisfies Record<string, keyof StreamLinkFields>;

export async function streamLinks(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...OPTIONS,
    'tweet-fields': { type: 'string' },
    expansions: { type: 'string' },
    'user-fields': { type: 'string' },
    'media-fields': { type: 'string' },
    'poll-fields': { type: 'string' },
    'place-fields': { type: 'string' },
  });
  const [action] = positionals;
  if (bool(values, 'help') || action === undefined) {
    line(bool(values, 'help') ? ctx.stdout : ctx.stderr, HELP['stream-links']);
    return bool(values, 'help') ? 0 : 2;
  }
  const json = bool(values, 'json');
  switch (action) {
    case 'list': {
      noMore(positionals, 1);
      const links = await waiting(ctx, 'listing stream links', () => client(values, ctx).streamLinks.list());
      if (json) printJson(ctx, links);
      else if (links.length === 0) line(ctx.stdout, 'no webhooks linked to the Filtered Stream');
      else {
        const rows = links.map((l) => [l.webhookId, l.fields.join(' '), l.createdAt?.toISOString() ?? '']);
        line(ctx.stdout, table(['WEBHOOK', 'FIELDS', 'CREATED'], rows));
      }
      return 0;
    }
    case 'create': {
      const id = need(positionals, 1, 'the webhook id: stream-links create <webhook-id>');
      noMore(positionals, 2);
      const fields: Record<string, string[]> = {};
      for (const [flag, key] of Object.entries(FIELD_FLAGS)) {
        const names = list(values, flag);
        if (names !== undefined) fields[key] = names;
      }
      const api = client(values, ctx);
      const result = await waiting(ctx, `linking webhook ${id} to the Filtered Stream`, () =>
        api.streamLinks.create(id, Object.keys(fields).length === 0 ? undefined : { fields }),
      );
      if (json) printJson(ctx, { webhookId: id, ...result });
      else
        line(
          ctx.stdout,
          `linked webhook ${id} to the Filtered Stream (provisioned: ${result.provisioned ? 'yes' : 'no'})`,
        );
      return 0;
    }
    case 'delete': {
      const id = need(positionals, 1, 'the webhook id: stream-links delete <webhook-id>');
      noMore(positionals, 2);
      const result = await waiting(ctx, `unlinking webhook ${id}`, () => client(values, ctx).streamLinks.delete(id));
      if (json) printJson(ctx, { webhookId: id, ...result });
      else line(ctx.stdout, `unlinked webhook ${id} from the Filtered Stream`);
      return 0;
    }
    default:
      throw new UsageError(`unknown action '${action}': stream-links list|create|delete`);
  }
}
