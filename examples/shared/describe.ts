/**
 * One readable line per event, shared by the demo, the dashboard and the bot. It tells the 19
 * activity kinds of X's documentation apart with the typed fields of the SDK only, and describes X
 * Activity API (XAA) and Filtered-Stream events by their own `event_type`.
 */
import type {
  AccountActivityEvent,
  ActivityFamily,
  FilteredStreamPostEvent,
  TweetKind,
  UnknownEvent,
  UserRef,
  XaaEvent,
} from 'x-account-activity';

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

/** The family of an event as the examples show it: AAA, XAA, Filtered Stream, or `unknown`. */
export type EventFamily = ActivityFamily | 'unknown';

/** Short names of the families, for prefixes and badges. */
export const FAMILY_LABELS: Readonly<Record<EventFamily, string>> = {
  aaa: 'AAA',
  xaa: 'XAA',
  filtered_stream: 'Filtered Stream',
  unknown: 'unknown',
};

/** The family of an event (`unknown` when an unrecognised delivery has none). */
export function familyOf(event: AccountActivityEvent): EventFamily {
  return event.family ?? 'unknown';
}

/** What the line shows: kind, actor, direction and text. */
export interface EventSummary {
  /** The delivering family. */
  readonly family: EventFamily;
  /** One of the 19 AAA kinds (plus replay status); `unknown` for XAA and Filtered-Stream events, whose `label` is their `event_type`. */
  readonly kind: ActivityKind;
  readonly label: string;
  readonly glyph: string;
  readonly forUserId: string | undefined;
  readonly actor: string;
  readonly direction: string;
  readonly text: string;
  readonly time: string;
}

/** A glyph per XAA `event_type` group (the part before the first dot). */
const XAA_GLYPHS: Readonly<Record<string, string>> = {
  post: '📝',
  like: '❤️',
  follow: '➕',
  block: '⛔',
  mute: '🔇',
  profile: '🪪',
  dm: '✉️',
  chat: '💬',
  news: '📰',
  spaces: '🎙️',
  broadcast: '📺',
  oauth: '🚫',
};

const clip = (text: string | undefined): string => text ?? '';

/** Actor, direction and text of an XAA event, from its typed fields. */
function xaaParts(event: XaaEvent): { actor: string; direction: string; text: string; time: Date | undefined } {
  switch (event.type) {
    case 'post.create':
    case 'post.mention.create':
    case 'post.reply.create':
    case 'post.quote.create':
    case 'post.repost.create':
      return {
        actor: event.author ? at(event.author.screenName, event.author.id) : at(undefined, event.authorId ?? '?'),
        direction: '',
        text: event.text,
        time: event.createdAt,
      };
    case 'post.delete':
      return {
        actor: event.author ? refOf(event.author) : '',
        direction: '',
        text: `post ${event.postId}`,
        time: undefined,
      };
    case 'like.create':
      return {
        actor: '',
        direction: event.direction === 'outbound' ? 'a like by the user' : 'a like of their post',
        text: clip(event.likedPost?.text),
        time: event.createdAt,
      };
    case 'follow.follow':
    case 'follow.unfollow':
    case 'block.block':
    case 'block.unblock':
    case 'mute.mute':
    case 'mute.unmute':
      return { actor: refOf(event.source), direction: `-> ${refOf(event.target)}`, text: '', time: undefined };
    case 'dm.received':
    case 'dm.sent':
      return {
        actor: at(event.sender?.screenName, event.senderId),
        direction: `-> ${at(event.recipient?.screenName, event.recipientId)}`,
        text: event.text,
        time: event.createdAt,
      };
    case 'dm.read':
    case 'dm.indicate_typing':
      return {
        actor: event.senderId ? `user ${event.senderId}` : '',
        direction: event.recipientId ? `-> user ${event.recipientId}` : '',
        text: '',
        time: event.createdAt,
      };
    case 'news.new':
      return { actor: '', direction: '', text: clip(event.headline), time: event.updatedAt };
    case 'spaces.start':
    case 'spaces.end':
      return {
        actor: event.user ? refOf(event.user) : '',
        direction: '',
        text: clip(event.broadcastId),
        time: undefined,
      };
    case 'broadcast.start':
    case 'broadcast.end':
      return {
        actor: event.user ? refOf(event.user) : '',
        direction: '',
        text: clip(event.title),
        time: event.createdAt,
      };
    case 'broadcast.chat':
      return {
        actor: event.author ? refOf(event.author) : '',
        direction: '',
        text: clip(event.message),
        time: undefined,
      };
    case 'oauth.revoke':
      return {
        actor: `user ${event.userId}`,
        direction: `revoked app ${event.appId}`,
        text: '',
        time: event.createdAt,
      };
    default:
      if (event.type.startsWith('profile.update.') && 'field' in event) {
        return {
          actor: '',
          direction: `${event.field} changed`,
          text: event.before ? `${event.before} -> ${clip(event.after)}` : clip(event.after),
          time: undefined,
        };
      }
      // chat.* (XChat): the content is encrypted; show who sent what kind of event.
      return {
        actor: 'senderId' in event && event.senderId ? `user ${event.senderId}` : '',
        direction: '',
        text: '',
        time: 'createdAt' in event ? event.createdAt : undefined,
      };
  }
}

const refOf = (user: UserRef): string => at(user.screenName, user.id);

/** A Filtered-Stream post: its author, the tags (or ids) of the rules that matched, its text. */
function filteredParts(event: FilteredStreamPostEvent): { actor: string; direction: string; text: string } {
  const rules = event.matchingRules.map((rule) => rule.tag ?? rule.id).join(', ');
  return {
    actor: event.author ? refOf(event.author) : at(undefined, event.authorId ?? '?'),
    direction: `rule ${rules}`,
    text: event.text,
  };
}

function unknownText(event: UnknownEvent): string {
  return event.eventType === undefined ? event.reason : `${event.eventType}: ${event.reason}`;
}

/** Summarises an event for display. */
export function summarize(event: AccountActivityEvent): EventSummary {
  const family = familyOf(event);
  if (event.family === 'xaa' && event.type !== 'unknown') {
    const parts = xaaParts(event);
    return {
      family,
      kind: 'unknown',
      label: event.type,
      glyph: XAA_GLYPHS[event.type.slice(0, event.type.indexOf('.'))] ?? '📡',
      forUserId: event.forUserId,
      actor: parts.actor,
      direction: parts.direction,
      text: parts.text,
      time: (parts.time ?? new Date()).toISOString(),
    };
  }
  if (event.type === 'filtered_stream.post') {
    const parts = filteredParts(event);
    return {
      family,
      kind: 'unknown',
      label: 'filtered_stream.post',
      glyph: '🔎',
      forUserId: undefined,
      ...parts,
      time: (event.createdAt ?? new Date()).toISOString(),
    };
  }
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
      text = unknownText(event);
      break;
  }
  return {
    family,
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
