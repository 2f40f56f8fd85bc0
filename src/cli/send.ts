/**
 * `send <url> <kind>`: builds a realistic delivery of one activity kind, signs it as X does and POSTs it.
 *
 * @internal
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import {
  type PayloadUser,
  blockPayload,
  createSignedDelivery,
  createTweet,
  directMessagePayload,
  favoritePayload,
  followPayload,
  mutePayload,
  readPayload,
  replayJobStatusPayload,
  snowflakeId,
  tweetCreatePayload,
  tweetDeletePayload,
  typingPayload,
  userRevokePayload,
} from '../testing/payloads.js';
import { AAA_TYPES } from '../events/types.js';
import { COMMON_OPTIONS, ReportedFailure, UsageError, type Values, bool, int, need, parse, str } from './args.js';
import { consumerSecret, loadEnv } from './config.js';
import type { Context } from './context.js';
import { HELP } from './help.js';
import { colorEnabled, line, painter, spinner } from './output.js';

/** A user from a name (a stable id is derived from it) or a numeric id. */
function user(ref: string): PayloadUser {
  if (/^\d{1,19}$/.test(ref)) return { id: ref, screenName: `user${ref}` };
  const name = ref.replace(/^@/, '');
  const id =
    (BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 12)}`) % 9_000_000_000n) + 1_000_000_000n;
  return { id: id.toString(), screenName: name, name: name.charAt(0).toUpperCase() + name.slice(1) };
}

const ALIASES: Readonly<Record<string, string>> = {
  post: 'tweet_create',
  tweet: 'tweet_create',
  like: 'favorite',
  dm: 'direct_message',
  typing: 'direct_message_typing',
  read: 'direct_message_read',
  delete: 'tweet_delete',
  revoke: 'user_revoke',
};

/** What `send` can deliver: every AAA event type, and the kinds of post beside `tweet_create`. */
export const SEND_KINDS: readonly string[] = [
  'tweet_create',
  'mention',
  'reply',
  'retweet',
  'quote',
  ...AAA_TYPES.filter((type) => type !== 'tweet_create'),
];

interface PayloadInput {
  readonly kind: string;
  readonly from: PayloadUser;
  readonly to: PayloadUser;
  readonly forUser: PayloadUser;
  readonly text: string | undefined;
  readonly jobId: string;
  readonly webhookId: string;
  readonly complete: boolean;
}

function payloadFor(input: PayloadInput): object {
  const { from, to, forUser } = input;
  const forUserId = forUser.id;
  const original = (): ReturnType<typeof createTweet> => createTweet({ user: to, text: 'An earlier post' });
  switch (input.kind) {
    case 'tweet_create':
      return tweetCreatePayload({
        forUserId,
        tweets: [createTweet({ user: from, text: input.text ?? 'Hello from x-account-activity' })],
      });
    case 'mention':
      return tweetCreatePayload({
        forUserId,
        tweets: [createTweet({ user: from, text: input.text ?? `@${to.screenName} hello`, mentions: [to] })],
        userHasBlocked: false,
      });
    case 'reply':
      return tweetCreatePayload({
        forUserId,
        tweets: [
          createTweet({
            user: from,
            text: input.text ?? `@${to.screenName} agreed`,
            inReplyTo: original(),
            mentions: [to],
          }),
        ],
      });
    case 'retweet':
      return tweetCreatePayload({ forUserId, tweets: [createTweet({ user: from, text: '', retweeted: original() })] });
    case 'quote':
      return tweetCreatePayload({
        forUserId,
        tweets: [createTweet({ user: from, text: input.text ?? 'Worth reading', quoted: original() })],
      });
    case 'favorite':
      return favoritePayload({ forUserId, liker: from, tweet: original() });
    case 'follow':
    case 'unfollow':
      return followPayload({ forUserId, type: input.kind, source: from, target: to });
    case 'block':
    case 'unblock':
      return blockPayload({ forUserId, type: input.kind, source: from, target: to });
    case 'mute':
    case 'unmute':
      return mutePayload({ forUserId, type: input.kind, source: from, target: to });
    case 'user_revoke':
      return userRevokePayload({ userId: from.id, appId: '28000000' });
    case 'direct_message':
      return directMessagePayload({ forUserId, sender: from, recipient: to, text: input.text ?? 'Hi there' });
    case 'direct_message_typing':
      return typingPayload({ forUserId, sender: from, recipient: to });
    case 'direct_message_read':
      return readPayload({ forUserId, reader: from, author: to, lastReadEventId: snowflakeId() });
    case 'tweet_delete':
      return tweetDeletePayload({ forUserId, tweetId: snowflakeId(), userId: from.id });
    case 'replay_job_status':
      return replayJobStatusPayload({ webhookId: input.webhookId, jobId: input.jobId, complete: input.complete });
    default:
      throw new UsageError(
        `unknown kind '${input.kind}'. Kinds: ${SEND_KINDS.join(', ')} (aliases: ${Object.keys(ALIASES).join(', ')})`,
      );
  }
}

export async function send(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...COMMON_OPTIONS,
    'consumer-secret': { type: 'string' },
    emulator: { type: 'boolean' },
    from: { type: 'string' },
    to: { type: 'string' },
    for: { type: 'string' },
    text: { type: 'string' },
    'job-id': { type: 'string' },
    'webhook-id': { type: 'string' },
    incomplete: { type: 'boolean' },
    'bad-signature': { type: 'boolean' },
    print: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  if (bool(values, 'help')) {
    line(ctx.stdout, HELP.send);
    return 0;
  }
  const raw = need(positionals, 0, 'the URL: send <url> <kind> [kind...]');
  need(positionals, 1, `the kind: send <url> <kind>. Kinds: ${SEND_KINDS.join(', ')}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`'${raw}' is not a URL (include the scheme: http://127.0.0.1:3000/webhook)`);
  }
  const kinds = positionals.slice(1).map((k) => ALIASES[k] ?? k);
  const unknown = kinds.find((k) => !SEND_KINDS.includes(k));
  if (unknown !== undefined) {
    throw new UsageError(
      `unknown kind '${unknown}'. Kinds: ${SEND_KINDS.join(', ')} (aliases: ${Object.keys(ALIASES).join(', ')})`,
    );
  }
  loadEnv(values, ctx.env, ctx.cwd);
  const secret = consumerSecret(values, ctx.env, 'send');
  let failures = 0;
  for (const kind of kinds) {
    if (!(await sendOne(kind, url, secret, values, ctx))) failures += 1;
  }
  if (failures > 0) throw new ReportedFailure(`${failures} of ${kinds.length} deliveries failed`);
  return 0;
}

async function sendOne(kind: string, url: URL, secret: string, values: Values, ctx: Context): Promise<boolean> {
  const from = user(str(values, 'from') ?? 'alice');
  const to = user(str(values, 'to') ?? 'bob');
  const forUser =
    str(values, 'for') !== undefined ? user(str(values, 'for') ?? '') : kind === 'tweet_create' ? from : to;
  const payload = payloadFor({
    kind,
    from,
    to,
    forUser,
    text: str(values, 'text'),
    jobId: str(values, 'job-id') ?? snowflakeId(),
    webhookId: str(values, 'webhook-id') ?? '1',
    complete: !bool(values, 'incomplete'),
  });
  const delivery = await createSignedDelivery(payload, bool(values, 'bad-signature') ? `${secret}-not` : secret);
  const timeoutMs = int(values, 'timeout', 10_000, 1, 600_000);
  const json = bool(values, 'json');
  const paint = painter(colorEnabled(ctx));
  const spin = spinner(ctx, `POST ${kind} to ${url.href}`);
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...delivery.headers, 'user-agent': 'x-account-activity-send' },
      body: delivery.body,
      redirect: 'manual',
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (error) {
    spin.stop();
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const message = timedOut
      ? `no answer within ${timeoutMs} ms`
      : `${cause instanceof Error ? cause.message : String(cause)}${(cause as NodeJS.ErrnoException).code ? ` (${(cause as NodeJS.ErrnoException).code})` : ''}`;
    if (json) line(ctx.stdout, JSON.stringify({ ok: false, kind, url: url.href, error: message }));
    else line(ctx.stdout, `${paint('red', 'fail')} POST ${kind} to ${url.href}: ${message}`);
    return false;
  }
  const body = (await response.text()).slice(0, 2000);
  spin.stop();
  const ms = Math.round(performance.now() - started);
  const ok = response.status >= 200 && response.status < 300;
  if (json) {
    line(
      ctx.stdout,
      JSON.stringify({
        ok,
        kind,
        url: url.href,
        status: response.status,
        ms,
        body,
        ...(bool(values, 'print') ? { sent: JSON.parse(delivery.body) as unknown } : {}),
      }),
    );
  } else {
    if (bool(values, 'print')) line(ctx.stdout, delivery.body);
    const verdict = ok ? paint('green', 'ok') : paint('red', 'fail');
    line(
      ctx.stdout,
      `${verdict} POST ${kind} (${delivery.body.length} bytes, signed) -> ${response.status} in ${ms} ms${body ? `: ${body.trim().slice(0, 200)}` : ''}`,
    );
    if (!ok && response.status === 401)
      line(
        ctx.stdout,
        `  ${paint('yellow', 'hint')} the endpoint refused the signature: does it use the same consumer secret, on the raw body?`,
      );
    if (response.status >= 300 && response.status < 400)
      line(ctx.stdout, `  ${paint('yellow', 'hint')} a redirect: X does not follow them; use the final URL`);
  }
  return ok;
}
