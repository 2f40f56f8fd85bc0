/**
 * `webhooks`, `subscriptions` and `replay`: AccountActivityClient from a terminal.
 *
 * @internal
 * @packageDocumentation
 */
import { formatReplayDate } from '../client/index.js';
import type { ReplayJobStatusEvent } from '../webhooks/index.js';
import { ReportedFailure, UsageError, bool, int, need, noMore, parse, str } from './args.js';
import { OPTIONS, USER_OPTIONS, client, parseWhen, subscriber, waiting } from './api-shared.js';
import { consumerSecret, loadEnv } from './config.js';
import type { Context } from './context.js';
import { summarize } from './format-event.js';
import { HELP } from './help.js';
import { colorEnabled, line, painter, printJson, spinner, table } from './output.js';
import { startReceiver } from './receiver.js';

export { parseWhen };

export async function webhooks(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action] = positionals;
  if (bool(values, 'help') || action === undefined) {
    line(action === undefined && !bool(values, 'help') ? ctx.stderr : ctx.stdout, HELP.webhooks);
    return bool(values, 'help') ? 0 : 2;
  }
  const json = bool(values, 'json');
  const paint = painter(colorEnabled(ctx));
  switch (action) {
    case 'list': {
      noMore(positionals, 1);
      const list = await waiting(ctx, 'listing webhooks', () => client(values, ctx).webhooks.list());
      if (json) printJson(ctx, list);
      else if (list.length === 0) line(ctx.stdout, 'no webhooks');
      else {
        const rows = list.map((w) => [
          w.id,
          w.url,
          w.valid ? paint('green', 'yes') : paint('red', 'no'),
          w.createdAt.toISOString(),
        ]);
        line(ctx.stdout, table(['ID', 'URL', 'VALID', 'CREATED'], rows));
      }
      return 0;
    }
    case 'register': {
      const url = need(positionals, 1, 'the webhook URL: webhooks register <url>');
      noMore(positionals, 2);
      const webhook = await waiting(ctx, `registering ${url} (X runs a CRC against it)`, () =>
        client(values, ctx).webhooks.register(url),
      );
      if (json) printJson(ctx, webhook);
      else
        line(
          ctx.stdout,
          `registered webhook ${webhook.id} for ${webhook.url} (valid: ${webhook.valid ? 'yes' : 'no'})`,
        );
      return 0;
    }
    case 'validate': {
      const id = need(positionals, 1, 'the webhook id: webhooks validate <id>');
      noMore(positionals, 2);
      const result = await waiting(ctx, `asking X to run a CRC against webhook ${id}`, () =>
        client(values, ctx).webhooks.validate(id),
      );
      if (json) printJson(ctx, result);
      else if (result.valid === true) line(ctx.stdout, `webhook ${id}: CRC passed, the webhook is valid`);
      else if (result.valid === false)
        line(ctx.stdout, `webhook ${id}: ${paint('red', 'CRC failed')}, the webhook is invalid`);
      else line(ctx.stdout, `webhook ${id}: CRC attempted (X does not say the outcome here: run \`webhooks list\`)`);
      return result.valid === false ? 1 : 0;
    }
    case 'delete': {
      const id = need(positionals, 1, 'the webhook id: webhooks delete <id>');
      noMore(positionals, 2);
      await waiting(ctx, `deleting webhook ${id}`, () => client(values, ctx).webhooks.delete(id));
      if (json) printJson(ctx, { deleted: id });
      else line(ctx.stdout, `deleted webhook ${id}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown action '${action}': webhooks list|register|validate|delete`);
  }
}

export async function subscriptions(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...OPTIONS,
    ...USER_OPTIONS,
  });
  const [action] = positionals;
  if (bool(values, 'help') || action === undefined) {
    line(bool(values, 'help') ? ctx.stdout : ctx.stderr, HELP.subscriptions);
    return bool(values, 'help') ? 0 : 2;
  }
  const json = bool(values, 'json');
  switch (action) {
    case 'add': {
      const id = need(positionals, 1, 'the webhook id: subscriptions add <webhook-id>');
      noMore(positionals, 2);
      loadEnv(values, ctx.env, ctx.cwd);
      const user = subscriber(values, ctx);
      const api = client(values, ctx);
      await waiting(ctx, `subscribing to webhook ${id}`, () => api.subscriptions.add(id, user));
      if (json) printJson(ctx, { subscribed: true, webhookId: id });
      else line(ctx.stdout, `subscribed ${user ? 'the user' : 'the app owner'} to webhook ${id}`);
      return 0;
    }
    case 'check': {
      const id = need(positionals, 1, 'the webhook id: subscriptions check <webhook-id>');
      noMore(positionals, 2);
      loadEnv(values, ctx.env, ctx.cwd);
      const user = subscriber(values, ctx);
      const api = client(values, ctx);
      const subscribed = await waiting(ctx, `checking the subscription to webhook ${id}`, () =>
        api.subscriptions.check(id, user),
      );
      if (json) printJson(ctx, { subscribed, webhookId: id });
      else line(ctx.stdout, subscribed ? `subscribed to webhook ${id}` : `not subscribed to webhook ${id}`);
      return subscribed ? 0 : 1;
    }
    case 'list': {
      const id = need(positionals, 1, 'the webhook id: subscriptions list <webhook-id>');
      noMore(positionals, 2);
      const list = await waiting(ctx, `listing subscriptions of webhook ${id}`, () =>
        client(values, ctx).subscriptions.list(id),
      );
      if (json) printJson(ctx, list);
      else if (list.subscriptions.length === 0) line(ctx.stdout, `no subscriptions on webhook ${id}`);
      else
        line(
          ctx.stdout,
          table(
            ['USER ID'],
            list.subscriptions.map((s) => [s.userId]),
          ),
        );
      return 0;
    }
    case 'count': {
      noMore(positionals, 1);
      const count = await waiting(ctx, 'counting subscriptions', () => client(values, ctx).subscriptions.count());
      if (json) printJson(ctx, count);
      else {
        const rows = Object.entries(count).map(([key, value]) => [key, String(value)]);
        line(ctx.stdout, table(['FIELD', 'VALUE'], rows));
      }
      return 0;
    }
    case 'remove': {
      const id = need(positionals, 1, 'the webhook id: subscriptions remove <webhook-id> <user-id>');
      const userId = need(positionals, 2, 'the user id: subscriptions remove <webhook-id> <user-id>');
      noMore(positionals, 3);
      await waiting(ctx, `removing user ${userId} from webhook ${id}`, () =>
        client(values, ctx).subscriptions.remove(id, userId),
      );
      if (json) printJson(ctx, { removed: userId, webhookId: id });
      else line(ctx.stdout, `removed user ${userId} from webhook ${id}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown action '${action}': subscriptions add|check|list|count|remove`);
  }
}

export async function replay(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...OPTIONS,
    from: { type: 'string' },
    to: { type: 'string' },
    wait: { type: 'boolean' },
    port: { type: 'string' },
    host: { type: 'string' },
    path: { type: 'string' },
    'wait-timeout': { type: 'string' },
  });
  if (bool(values, 'help')) {
    line(ctx.stdout, HELP.replay);
    return 0;
  }
  const id = need(positionals, 0, 'the webhook id: replay <webhook-id> --from WHEN --to WHEN');
  noMore(positionals, 1);
  const fromText = str(values, 'from');
  const toText = str(values, 'to');
  if (fromText === undefined || toText === undefined) throw new UsageError('--from and --to are required');
  const from = parseWhen(fromText, 'from');
  const to = parseWhen(toText, 'to');
  const json = bool(values, 'json');
  const api = client(values, ctx);
  if (!bool(values, 'wait')) {
    const job = await waiting(ctx, `starting a replay of webhook ${id}`, () => api.replay.start(id, { from, to }));
    if (json) printJson(ctx, { ...job, webhookId: id, from: formatReplayDate(from), to: formatReplayDate(to) });
    else
      line(
        ctx.stdout,
        `replay job ${job.jobId} started for webhook ${id} (${formatReplayDate(from)} to ${formatReplayDate(to)} UTC)`,
      );
    return 0;
  }

  // --wait: listen first (X runs a CRC before replaying, and the job may end at once), then start.
  const secret = consumerSecret(values, ctx.env, 'replay --wait');
  const path = str(values, 'path') ?? '/webhook';
  let replayed = 0;
  let jobId: string | undefined;
  const statuses: ReplayJobStatusEvent[] = [];
  let done: (event: ReplayJobStatusEvent) => void = () => {};
  const finished = new Promise<ReplayJobStatusEvent>((resolve) => {
    done = resolve;
  });
  const spin = spinner(ctx, 'starting the local receiver');
  const receiver = await startReceiver({
    consumerSecret: secret,
    host: str(values, 'host') ?? '127.0.0.1',
    port: int(values, 'port', 3000, 0, 65535),
    path,
    onEvent: (event) => {
      if (event.type === 'replay_job_status') {
        if (jobId === undefined || event.jobId === jobId) done(event);
        else statuses.push(event);
        return;
      }
      replayed += 1;
      spin.update(`replay job ${jobId ?? '?'}: ${replayed} events received`);
      if (json) return;
      line(ctx.stderr, `  ${event.type} ${summarize(event)}`);
    },
    onRefusal: (refusal) =>
      line(ctx.stderr, `  refused ${refusal.status} ${refusal.method} ${refusal.path}: ${refusal.reason}`),
  });
  try {
    spin.update(`starting a replay of webhook ${id} (listening on ${receiver.url})`);
    const job = await api.replay.start(id, { from, to });
    jobId = job.jobId;
    const early = statuses.find((s) => s.jobId === jobId);
    if (early) done(early);
    if (!json)
      line(ctx.stderr, `replay job ${job.jobId} started; waiting for its replay_job_status on ${receiver.url}`);
    spin.update(`replay job ${job.jobId}: ${replayed} events received`);
    const limit = int(values, 'wait-timeout', 600_000, 1, 86_400_000);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      finished,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), limit);
      }),
      new Promise<'stopped'>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve('stopped'), { once: true }),
      ),
    ]);
    clearTimeout(timer);
    spin.stop();
    if (outcome === 'timeout' || outcome === 'stopped') {
      const why =
        outcome === 'timeout'
          ? `no replay_job_status for job ${job.jobId} within ${limit} ms on ${receiver.url}: does the webhook's URL reach this port?`
          : 'stopped before the job ended';
      if (json) printJson(ctx, { jobId: job.jobId, webhookId: id, replayed, state: outcome });
      else line(ctx.stderr, `${painter(colorEnabled(ctx, 'stderr'))('red', 'error')} ${why}`);
      throw new ReportedFailure(why);
    }
    const status = outcome;
    if (json) {
      printJson(ctx, {
        jobId: job.jobId,
        webhookId: id,
        replayed,
        state: status.jobState,
        complete: status.complete,
        description: status.description,
      });
    } else {
      line(
        ctx.stdout,
        `replay job ${job.jobId}: ${status.jobState} (${replayed} events received)${status.description ? `: ${status.description}` : ''}`,
      );
    }
    return status.complete ? 0 : 1;
  } finally {
    spin.stop();
    await receiver.close();
  }
}
