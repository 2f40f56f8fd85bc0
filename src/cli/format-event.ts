/**
 * One readable line per typed event (AAA, X Activity API, Filtered Stream), for `listen`,
 * `replay --wait` and `activity stream`, and its NDJSON form.
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

/** Past tense of the XAA relationship types. */
const DID: Readonly<Record<string, string>> = {
  'follow.follow': 'followed',
  'follow.unfollow': 'unfollowed',
  'mute.mute': 'muted',
  'mute.unmute': 'unmuted',
  'block.block': 'blocked',
  'block.unblock': 'unblocked',
};

/** What the author of an XAA post event did. */
const POSTED: Readonly<Record<string, string>> = {
  'post.create': 'posted',
  'post.mention.create': 'mentioned the user in',
  'post.reply.create': 'replied',
  'post.quote.create': 'quoted in',
  'post.repost.create': 'reposted as',
};

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
    case 'post.create':
    case 'post.mention.create':
    case 'post.reply.create':
    case 'post.quote.create':
    case 'post.repost.create':
      return `${who(event.author, event.authorId)} ${POSTED[event.type]} ${event.id} ${quote(event.text)}`;
    case 'post.delete':
      return `${who(event.author, event.authorId)} deleted ${event.postId}`;
    case 'like.create':
      return `like of ${event.likedPostId ?? '?'} by ${who(event.likedPostAuthor, event.likedPostAuthorId)}${event.direction ? ` (${event.direction})` : ''}`;
    case 'follow.follow':
    case 'follow.unfollow':
    case 'mute.mute':
    case 'mute.unmute':
    case 'block.block':
    case 'block.unblock':
      return `${who(event.source)} ${DID[event.type]} ${who(event.target)}`;
    case 'profile.update.bio':
    case 'profile.update.profile_picture':
    case 'profile.update.banner_picture':
    case 'profile.update.screenname':
    case 'profile.update.handle':
    case 'profile.update.geo':
    case 'profile.update.url':
    case 'profile.update.verified_badge':
    case 'profile.update.affiliate_badge':
      return `user ${event.forUserId ?? '?'} ${event.field}: ${quote(event.before ?? '', 38)} -> ${quote(event.after ?? '', 38)}`;
    case 'chat.received':
    case 'chat.sent':
    case 'chat.conversation_join':
    case 'chat.conversation.join':
    case 'chat.conversation.member_added':
    case 'chat.conversation.member_removed':
    case 'chat.conversation.admin_added':
    case 'chat.conversation.admin_removed':
    case 'chat.update.group_name':
    case 'chat.update.restrictions':
      return `conversation ${event.conversationId ?? '?'} from user ${event.senderId ?? '?'} (encrypted)`;
    case 'dm.received':
    case 'dm.sent':
      return `${who(event.sender, event.senderId)} -> ${who(event.recipient, event.recipientId)} (${event.direction}) ${quote(event.text)}`;
    case 'dm.read':
      return `user ${event.senderId ?? '?'} read up to ${event.lastReadEventId ?? '?'}`;
    case 'dm.indicate_typing':
      return `user ${event.senderId ?? '?'} is typing to user ${event.recipientId ?? '?'}`;
    case 'news.new':
      return `${quote(event.headline ?? '')} (${event.postIds.length} posts)`;
    case 'spaces.start':
    case 'spaces.end':
      return `${who(event.user)} ${event.type === 'spaces.start' ? 'started' : 'ended'} Space ${event.broadcastId ?? '?'}`;
    case 'broadcast.start':
    case 'broadcast.end':
      return `${who(event.user)} ${event.type === 'broadcast.start' ? 'started' : 'ended'} broadcast ${event.broadcastId ?? '?'}${event.title ? ` ${quote(event.title)}` : ''}`;
    case 'broadcast.chat':
      return `${who(event.author)} in broadcast ${event.broadcastId ?? '?'}: ${quote(event.message ?? '')}`;
    case 'oauth.revoke':
      return `user ${event.userId} revoked app ${event.appId}`;
    case 'filtered_stream.post': {
      const rules = event.matchingRules.map((rule) => rule.tag ?? rule.id).join(', ');
      return `${who(event.author, event.authorId)} posted ${event.id} ${quote(event.text)} matching ${rules}`;
    }
    case 'unknown':
      return `${event.eventType ?? event.key ?? 'unrecognised body'}: ${event.reason}`;
    default: {
      const unreachable: never = event;
      return String((unreachable as { type?: unknown }).type);
    }
  }
}

export function colorOf(event: AccountActivityEvent): Color {
  switch (event.type) {
    case 'tweet_create':
    case 'tweet_delete':
    case 'post.create':
    case 'post.mention.create':
    case 'post.reply.create':
    case 'post.quote.create':
    case 'post.repost.create':
    case 'post.delete':
    case 'filtered_stream.post':
      return 'blue';
    case 'favorite':
    case 'like.create':
      return 'magenta';
    case 'direct_message':
    case 'direct_message_typing':
    case 'direct_message_read':
    case 'dm.received':
    case 'dm.sent':
    case 'dm.read':
    case 'dm.indicate_typing':
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
