/**
 * Which X Activity API event types are private (x-activity-api.md §2: the user must have authorized
 * the app, so a subscription to one is created in that user's context). The one rule of the client
 * (which auth `client.activity.subscriptions.create` uses) and of the emulator (which caller it
 * accepts).
 *
 * Internal module: `isPrivateActivityType` is public through the client's exports.
 */

/** Prefixes of the private families: DMs, XChat, mutes and blocks, whatever the rest of the type. */
const PRIVATE_PREFIXES = ['chat.', 'dm.', 'mute.', 'block.'] as const;

/** The private types outside those families. */
const PRIVATE_TYPES: ReadonlySet<string> = new Set([
  'post.mention.create',
  'post.reply.create',
  'post.quote.create',
  'post.repost.create',
  'like.create',
  'broadcast.chat',
]);

/**
 * True when subscribing to `eventType` needs the user's context (an OAuth 1.0a or OAuth 2.0 user
 * token; private events): post mentions, replies, quotes and reposts of the user, likes, DMs, XChat,
 * mutes, blocks and broadcast chat, with the scopes OAS names (`tweet.read`, `like.read`, `dm.read`,
 * `mute.read`, `block.read`, `broadcast.read`). Every other type (public, or "not stated" in X's docs:
 * follows, spaces) is created with the app's bearer token unless user credentials are passed.
 *
 * @example
 * ```ts
 * isPrivateActivityType('like.create'); // true
 * isPrivateActivityType('profile.update.bio'); // false
 * ```
 */
export function isPrivateActivityType(eventType: string): boolean {
  return PRIVATE_TYPES.has(eventType) || PRIVATE_PREFIXES.some((prefix) => eventType.startsWith(prefix));
}
