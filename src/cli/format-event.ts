/**
 * One readable line per typed event, for `listen` and `replay --wait`, and its NDJSON form.
 *
 * @internal
 * @packageDocumentation
 */
import type { AccountActivityEvent, UserRef } from '../webhooks/index.js';
import type { Color } from './output.js';

function who(user: UserRef | undefined, id?: string): string {
  if (user?.screenName) return `@${user.screenName}`;
  return user ? `user ${user.id}` : `user ${id ?? '?'}`;
}

function quote(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat);
}

/** A short summary of an event; every type falls back to something readable. */
export function summarize(event: AccountActivityEvent): string {
  switch (event.type) {
    case 'tweet_create':
      return `${who(event.author)} posted ${event.id} [${event.kinds.join('+')}] ${quote(event.text)}`;
    case 'favorite':
      return `${who(event.user)} liked ${event.tweet.id} by ${who(event.tweet.author)}`;
    case 'follow':
    case 'unfollow':
    case 'block':
    case 'unblock':
    case 'mute':
    case 'unmute':
      return `${who(event.source)} ${event.type}ed ${who(event.target)}`
        .replace('muteed', 'muted')
        .replace('unmuteed', 'unmuted');
    case 'user_revoke':
      return `user ${event.userId} revoked app ${event.appId}`;
    case 'direct_message':
      return `${who(event.sender, event.senderId)} -> ${who(event.recipient, event.recipientId)} (${event.direction}) ${quote(event.text)}`;
    case 'direct_message_typing':
      return `${who(event.sender, event.senderId)} is typing to ${who(event.recipient, event.recipientId)}`;
    case 'direct_message_read':
      return `${who(event.sender, event.senderId)} read up to ${event.lastReadEventId}`;
    case 'tweet_delete':
      return `user ${event.userId} deleted ${event.tweetId}`;
    case 'replay_job_status':
      return `job ${event.jobId} ${event.jobState}${event.description ? `: ${event.description}` : ''}`;
    case 'unknown':
      return `${event.key ?? 'unrecognised body'}: ${event.reason}`;
    default: {
      // Types added later (X Activity API, Filtered Stream) print their type and raw keys.
      const raw = (event as { raw?: unknown }).raw;
      return raw && typeof raw === 'object' ? `keys ${Object.keys(raw).join(', ')}` : '';
    }
  }
}

export function colorOf(event: AccountActivityEvent): Color {
  switch (event.type) {
    case 'tweet_create':
    case 'tweet_delete':
      return 'blue';
    case 'favorite':
      return 'magenta';
    case 'direct_message':
    case 'direct_message_typing':
    case 'direct_message_read':
      return 'cyan';
    case 'replay_job_status':
      return 'green';
    case 'unknown':
      return 'yellow';
    default:
      return 'bold';
  }
}

/** The JSON form of an event: every field but `raw` (kept under `raw` only with `withRaw`). */
export function eventJson(event: AccountActivityEvent, withRaw = false): Record<string, unknown> {
  const { raw, ...rest } = event as AccountActivityEvent & { raw?: unknown };
  return withRaw ? { ...rest, raw } : rest;
}
