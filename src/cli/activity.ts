/**
 * `activity subscriptions` and `activity stream`: the X Activity API (XAA) from a terminal, on the
 * client's `activity.subscriptions` and `activity.stream(...)`.
 *
 * @internal
 * @packageDocumentation
 */
import type {
  ActivityStreamOptions,
  ActivityStreamStateChange,
  ActivityStreamStats,
  ActivitySubscription,
  ActivitySubscriptionsDeletion,
} from '../client/index.js';
import { UsageError, type Values, bool, int, need, noMore, parse, str } from './args.js';
import { OPTIONS, USER_OPTIONS, client, parseWhen, subscriber, waiting } from './api-shared.js';
import { loadEnv } from './config.js';
import type { Context } from './context.js';
import { colorOf, eventJson, summarize } from './format-event.js';
import { HELP } from './help.js';
import { type Spinner, colorEnabled, line, painter, printJson, spinner, table } from './output.js';

/** `activity <subscriptions|stream> ...` */
export async function activity(argv: string[], ctx: Context): Promise<number> {
  const [area, ...rest] = argv;
  if (area === 'subscriptions') return subscriptions(rest, ctx);
  if (area === 'stream') return stream(rest, ctx);
  const help = area === '--help' || area === '-h' || area === 'help';
  if (area !== undefined && !help) throw new UsageError(`unknown area '${area}': activity subscriptions|stream`);
  line(help ? ctx.stdout : ctx.stderr, HELP.activity);
  return help ? 0 : 2;
}

/** `user_id=1,direction=inbound` or `keyword=space`. */
function filterText(subscription: ActivitySubscription): string {
  const { userId, keyword, direction } = subscription.filter;
  return [
    userId === undefined ? undefined : `user_id=${userId}`,
    keyword === undefined ? undefined : `keyword=${keyword}`,
    direction === undefined ? undefined : `direction=${direction}`,
  ]
    .filter(Boolean)
    .join(',');
}

function describe(subscription: ActivitySubscription): string {
  const tag = subscription.tag === undefined ? '' : `, tag ${JSON.stringify(subscription.tag)}`;
  const webhook = subscription.webhookId === undefined ? ', stream only' : `, webhook ${subscription.webhookId}`;
  return `${subscription.id} (${subscription.eventType}, ${filterText(subscription) || 'no filter'}${tag}${webhook})`;
}

function left(total: number | undefined): string {
  return total === undefined ? '' : ` (${total} left)`;
}

async function subscriptions(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...OPTIONS,
    ...USER_OPTIONS,
    'event-type': { type: 'string' },
    'user-id': { type: 'string' },
    keyword: { type: 'string' },
    direction: { type: 'string' },
    tag: { type: 'string' },
    'webhook-id': { type: 'string' },
  });
  const [action] = positionals;
  if (bool(values, 'help') || action === undefined) {
    line(bool(values, 'help') ? ctx.stdout : ctx.stderr, HELP.activity);
    return bool(values, 'help') ? 0 : 2;
  }
  const json = bool(values, 'json');
  switch (action) {
    case 'create':
      noMore(positionals, 1);
      return create(values, ctx, json);
    case 'list': {
      noMore(positionals, 1);
      const api = client(values, ctx);
      const all = await waiting(ctx, 'listing X Activity API subscriptions', async () => {
        const found: ActivitySubscription[] = [];
        for await (const subscription of api.activity.subscriptions.list()) found.push(subscription);
        return found;
      });
      if (json) printJson(ctx, all);
      else if (all.length === 0) line(ctx.stdout, 'no X Activity API subscriptions');
      else {
        const rows = all.map((s) => [
          s.id,
          s.eventType,
          filterText(s),
          s.tag ?? '',
          s.webhookId ?? '',
          s.createdAt?.toISOString() ?? '',
        ]);
        line(ctx.stdout, table(['ID', 'EVENT TYPE', 'FILTER', 'TAG', 'WEBHOOK', 'CREATED'], rows));
      }
      return 0;
    }
    case 'update': {
      const id = need(
        positionals,
        1,
        'the subscription id: activity subscriptions update <id> --tag T | --webhook-id ID',
      );
      noMore(positionals, 2);
      const tag = str(values, 'tag');
      const webhookId = str(values, 'webhook-id');
      if (tag === undefined && webhookId === undefined) {
        throw new UsageError(
          'give --tag or --webhook-id (to change the event type or filter, delete the subscription and create another)',
        );
      }
      const api = client(values, ctx);
      const result = await waiting(ctx, `updating subscription ${id}`, () =>
        api.activity.subscriptions.update(id, {
          ...(tag === undefined ? {} : { tag }),
          ...(webhookId === undefined ? {} : { webhookId }),
        }),
      );
      if (json) printJson(ctx, result);
      else line(ctx.stdout, `updated subscription ${describe(result.subscription)}`);
      return 0;
    }
    case 'delete': {
      need(positionals, 1, 'the subscription id: activity subscriptions delete <id> [<id> ...]');
      const ids = positionals.slice(1);
      const api = client(values, ctx);
      if (ids.length === 1) {
        const [id] = ids as [string];
        const result = await waiting(ctx, `deleting subscription ${id}`, () => api.activity.subscriptions.delete(id));
        if (json) printJson(ctx, { deleted: [id], failed: [], totalSubscriptions: result.totalSubscriptions });
        else line(ctx.stdout, `deleted subscription ${id}${left(result.totalSubscriptions)}`);
        return 0;
      }
      const outcome = await waiting(ctx, `deleting ${ids.length} subscriptions`, () =>
        api.activity.subscriptions.deleteMany(ids),
      );
      return reportDeletion(ctx, outcome, json);
    }
    default:
      throw new UsageError(`unknown action '${action}': activity subscriptions list|create|update|delete`);
  }
}

async function create(values: Values, ctx: Context, json: boolean): Promise<number> {
  const eventType = str(values, 'event-type');
  if (eventType === undefined) throw new UsageError('--event-type is required (post.create, like.create, ...)');
  const userId = str(values, 'user-id');
  const keyword = str(values, 'keyword');
  if ((userId === undefined) === (keyword === undefined)) {
    throw new UsageError('give one filter: --user-id ID, or --keyword K (news.new)');
  }
  const direction = str(values, 'direction');
  const tag = str(values, 'tag');
  const webhookId = str(values, 'webhook-id');
  loadEnv(values, ctx.env, ctx.cwd);
  const user = subscriber(values, ctx);
  const api = client(values, ctx);
  const extra = { ...(direction === undefined ? {} : { direction }) };
  const filter = userId !== undefined ? { userId, ...extra } : { keyword: keyword as string, ...extra };
  const result = await waiting(ctx, `creating a ${eventType} subscription`, () =>
    api.activity.subscriptions.create(
      {
        eventType,
        filter,
        ...(tag === undefined ? {} : { tag }),
        ...(webhookId === undefined ? {} : { webhookId }),
      },
      user === undefined ? undefined : { user },
    ),
  );
  if (json) printJson(ctx, result);
  else {
    const total = result.totalSubscriptions === undefined ? '' : ` (${result.totalSubscriptions} in all)`;
    line(ctx.stdout, `created subscription ${describe(result.subscription)}${total}`);
  }
  return 0;
}

/** Prints what `deleteMany` did: every id deleted or failed; exit 1 when any failed. */
function reportDeletion(ctx: Context, outcome: ActivitySubscriptionsDeletion, json: boolean): number {
  if (json) {
    printJson(ctx, {
      deleted: outcome.deleted,
      failed: outcome.failed.map((f) => ({
        subscriptionId: f.subscriptionId,
        reason: f.reason,
        message: f.message,
        error: f.error?.name,
      })),
      totalSubscriptions: outcome.totalSubscriptions,
    });
  } else {
    const paint = painter(colorEnabled(ctx, 'stderr'));
    for (const id of outcome.deleted) line(ctx.stdout, `deleted subscription ${id}`);
    for (const f of outcome.failed) {
      const why = [f.error?.name, f.reason].filter(Boolean).join(' ');
      line(
        ctx.stderr,
        `${paint('red', 'failed')} subscription ${f.subscriptionId}: ${why ? `${why}: ` : ''}${f.message}`,
      );
    }
    line(
      ctx.stdout,
      `${outcome.deleted.length} deleted, ${outcome.failed.length} failed${left(outcome.totalSubscriptions)}`,
    );
  }
  return outcome.failed.length > 0 ? 1 : 0;
}

/** One stderr line per state change worth telling; `undefined` for the quiet ones. */
function stateText(change: ActivityStreamStateChange, connectedBefore: boolean): string | undefined {
  const error = change.error === undefined ? '' : `: ${change.error.name}: ${change.error.message}`;
  switch (change.state) {
    case 'connecting': {
      const backfill = change.backfillMinutes === undefined ? '' : ` (backfill ${change.backfillMinutes} min)`;
      const gap =
        change.gap === undefined
          ? ''
          : `; events from ${change.gap.from.toISOString()} to ${change.gap.to.toISOString()} are past X's 5-minute backfill and lost here`;
      return `connecting, attempt ${change.attempt}${backfill}${gap}`;
    }
    case 'connected':
      return connectedBefore ? `reconnected (attempt ${change.attempt})` : 'connected (Ctrl-C stops)';
    case 'disconnected':
      return `disconnected: ${change.reason ?? 'unknown'}${error}`;
    case 'waiting':
      return `reconnecting in ${change.delayMs ?? 0} ms (${change.reason ?? 'retry'})`;
    default:
      return undefined;
  }
}

function statsText(stats: ActivityStreamStats): string {
  const parts = [
    `${stats.events} events`,
    `${stats.reconnects} reconnects`,
    `${stats.duplicates} duplicates dropped`,
    `${stats.keepAlives} keep-alives`,
  ];
  if (stats.gaps > 0) parts.push(`${stats.gaps} gaps`);
  return parts.join(', ');
}

async function stream(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...OPTIONS,
    backfill: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    max: { type: 'string' },
    raw: { type: 'boolean' },
  });
  if (bool(values, 'help')) {
    line(ctx.stdout, HELP.activity);
    return 0;
  }
  noMore(positionals, 0);
  const json = bool(values, 'json');
  const max = int(values, 'max', 0, 1);
  const startText = str(values, 'start');
  const endText = str(values, 'end');
  const start = startText === undefined ? undefined : parseWhen(startText, 'start');
  const end = endText === undefined ? undefined : parseWhen(endText, 'end');
  if (start !== undefined && end !== undefined && end.getTime() <= start.getTime()) {
    throw new UsageError('--end must come after --start');
  }
  const paint = painter(colorEnabled(ctx));
  const paintErr = painter(colorEnabled(ctx, 'stderr'));
  const time = (): string => new Date().toISOString().slice(11, 19);
  const api = client(values, ctx);
  let spin: Spinner | undefined;
  let connectedBefore = false;
  const stopSpin = (): void => {
    spin?.stop();
    spin = undefined;
  };
  const options: ActivityStreamOptions = {
    ...(values.backfill === undefined ? {} : { backfillMinutes: int(values, 'backfill', 0, 0, 5) }),
    ...(start === undefined ? {} : { startTime: start }),
    ...(end === undefined ? {} : { endTime: end }),
    onState: (change) => {
      stopSpin();
      const text = stateText(change, connectedBefore);
      if (change.state === 'connected') connectedBefore = true;
      if (text === undefined) return;
      const color = change.state === 'disconnected' || change.gap !== undefined ? 'yellow' : 'gray';
      line(ctx.stderr, paintErr(color, text));
      if (change.state === 'connecting' || change.state === 'waiting') spin = spinner(ctx, text);
    },
  };
  const events = api.activity.stream(options);
  const stop = (): void => events.close();
  ctx.signal.addEventListener('abort', stop, { once: true });
  if (ctx.signal.aborted) events.close();
  let count = 0;
  let failure: unknown;
  try {
    for await (const event of events) {
      stopSpin();
      count += 1;
      if (json) line(ctx.stdout, JSON.stringify(eventJson(event, bool(values, 'raw'))));
      else {
        const tag = event.tag === undefined ? '' : paint('gray', ` [${event.tag}]`);
        const forUser = event.forUserId ? paint('gray', ` for ${event.forUserId}`) : '';
        line(
          ctx.stdout,
          `${paint('gray', time())} ${paint(colorOf(event), event.type)}${forUser}${tag} ${summarize(event)}`,
        );
      }
      if (max > 0 && count >= max) break;
    }
  } catch (error) {
    failure = error;
  } finally {
    stopSpin();
    ctx.signal.removeEventListener('abort', stop);
    events.close();
  }
  const why = ctx.signal.aborted
    ? 'stopped'
    : max > 0 && count >= max
      ? `stopped after --max ${max}`
      : failure === undefined
        ? 'ended'
        : 'failed';
  line(ctx.stderr, `${why}: ${statsText(events.stats())}`);
  if (failure !== undefined) throw failure;
  return 0;
}
