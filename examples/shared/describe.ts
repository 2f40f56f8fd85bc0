/**
 * One readable line per event, shared by the demo, the dashboard and the bot. It tells the 19
 * activity kinds of X's documentation apart with the typed fields of the SDK only.
 */
import type { AccountActivityEvent, TweetKind } from 'x-account-activity';

/** The 19 activity kinds X documents, plus the replay status and anything unrecognised. */
export const ACTIVITY_KINDS = {
  post: { label: 'Post', glyph: '📝' },
  post_delete: { label: 'Post deleted', glyph: '🗑️' },
  mention: { label: 'Mention', glyph: '＠' },
  reply: { label: 'Reply', glyph: '↩️' },
  retweet: { label: 'Retweet', glyph: '🔁' },
  quote: { label: 'Quote post', glyph: '💬' },
  retweet_of_quote: { label: 'Retweet of a quote', glyph: '🔂' },
  like: { label: 'Like', glyph: '❤️' },
  follow: { label: 'Follow', glyph: '➕' },
  unfollow: { label: 'Unfollow', glyph: '➖' },
  block: { label: 'Block', glyph: '⛔' },
  unblock: { label: 'Unblock', glyph: '✅' },
  mute: { label: 'Mute', glyph: '🔇' },
  unmute: { label: 'Unmute', glyph: '🔊' },
  dm_sent: { label: 'DM sent', glyph: '📤' },
  dm_received: { label: 'DM received', glyph: '📥' },
  typing: { label: 'Typing', glyph: '⌨️' },
  read: { label: 'Read receipt', glyph: '👀' },
  revoke: { label: 'Subscription revoked', glyph: '🚫' },
  replay_status: { label: 'Replay job status', glyph: '⏪' },
  unknown: { label: 'Unknown', glyph: '❓' },
} as const;

/** One of the kinds above. */
export type ActivityKind = keyof typeof ACTIVITY_KINDS;

const TWEET_PRECEDENCE: readonly TweetKind[] = ['retweet_of_quote', 'retweet', 'quote', 'reply', 'mention', 'post'];

/** The kind of an event, from its discriminant and typed fields. */
export function activityKind(event: AccountActivityEvent): ActivityKind {
  // X Activity API and Filtered-Stream events are outside the 19 AAA kinds.
  if (event.family === 'xaa' || event.family === 'filtered_stream') return 'unknown';
  switch (event.type) {
    case 'tweet_create': {
      const kind = TWEET_PRECEDENCE.find((k) => event.kinds.includes(k));
      return kind ?? 'unknown';
    }
    case 'tweet_delete':
      return 'post_delete';
    case 'favorite':
      return 'like';
    case 'follow':
    case 'unfollow':
    case 'block':
    case 'unblock':
    case 'mute':
    case 'unmute':
      return event.type;
    case 'direct_message':
      return event.direction === 'sent' ? 'dm_sent' : 'dm_received';
    case 'direct_message_typing':
      return 'typing';
    case 'direct_message_read':
      return 'read';
    case 'user_revoke':
      return 'revoke';
    case 'replay_job_status':
      return 'replay_status';
    case 'unknown':
      return 'unknown';
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

const at = (name: string | undefined, id: string): string => (name ? `@${name}` : `user ${id}`);

/** What the line shows: kind, actor, direction and text. */
export interface EventSummary {
  readonly kind: ActivityKind;
  readonly label: string;
  readonly glyph: string;
  readonly forUserId: string | undefined;
  readonly actor: string;
  readonly direction: string;
  readonly text: string;
  readonly time: string;
}

/** Summarises an event for display. */
export function summarize(event: AccountActivityEvent): EventSummary {
  const kind = activityKind(event);
  const { label, glyph } = ACTIVITY_KINDS[kind];
  let actor = '';
  let direction = '';
  let text = '';
  let time: Date | undefined;
  switch (event.type) {
    case 'tweet_create':
      actor = at(event.author.screenName, event.author.id);
      direction = event.bySubscribedUser ? 'by the subscribed user' : 'to the subscribed user';
      text = event.fullText;
      time = event.createdAt;
      break;
    case 'favorite':
      actor = at(event.user.screenName, event.user.id);
      direction = event.bySubscribedUser ? 'by the subscribed user' : 'of their post';
      text = event.tweet.fullText;
      time = event.createdAt;
      break;
    case 'follow':
    case 'unfollow':
    case 'block':
    case 'unblock':
    case 'mute':
    case 'unmute':
      actor = at(event.source.screenName, event.source.id);
      direction = `-> ${at(event.target.screenName, event.target.id)}`;
      time = event.createdAt;
      break;
    case 'direct_message':
      actor = at(event.sender?.screenName, event.senderId);
      direction = `-> ${at(event.recipient?.screenName, event.recipientId)}`; // the label says sent or received
      text = event.text;
      time = event.createdAt;
      break;
    case 'direct_message_typing':
    case 'direct_message_read':
      actor = at(event.sender?.screenName, event.senderId);
      direction = `-> ${at(event.recipient?.screenName, event.recipientId)}`;
      time = event.createdAt;
      break;
    case 'tweet_delete':
      actor = `user ${event.userId}`;
      text = `post ${event.tweetId}`;
      time = event.createdAt;
      break;
    case 'user_revoke':
      actor = `user ${event.userId}`;
      direction = `revoked app ${event.appId}`;
      time = event.createdAt;
      break;
    case 'replay_job_status':
      actor = `job ${event.jobId}`;
      text = `${event.jobState}${event.description ? `: ${event.description}` : ''}`;
      break;
    case 'unknown':
      text = event.reason;
      break;
  }
  return {
    kind,
    label,
    glyph,
    forUserId: event.forUserId,
    actor,
    direction,
    text,
    time: (time ?? new Date()).toISOString(),
  };
}

/** One line: `for 123  ❤️ Like  @alice of their post  "hello"`. */
export function describeEvent(event: AccountActivityEvent): string {
  const s = summarize(event);
  const parts = [`for ${s.forUserId ?? '-'}`.padEnd(23), `${s.glyph} ${s.label}`.padEnd(24), s.actor, s.direction];
  if (s.text) parts.push(JSON.stringify(s.text.length > 60 ? `${s.text.slice(0, 57)}...` : s.text));
  return parts.filter(Boolean).join('  ');
}
