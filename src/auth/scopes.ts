/**
 * OAuth 2.0 scopes of X and the ones the webhook products need.
 *
 * X's sources list slightly different scopes, and every listed one is accepted here: the scope table
 * of X's OAuth 2.0 guide (https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code)
 * has `users.email`, which X's OpenAPI spec (v2.167, `OAuth2UserToken`) lacks; the spec has
 * `broadcast.read`, `broadcast.write` and `timeline.read`, which the guide lacks. A scope X adds later
 * is still accepted as a plain string.
 */

/** Every OAuth 2.0 scope listed by X's guide or X's OpenAPI spec. */
export const OAUTH2_SCOPES = [
  'block.read',
  'block.write',
  'bookmark.read',
  'bookmark.write',
  'broadcast.read',
  'broadcast.write',
  'dm.read',
  'dm.write',
  'follows.read',
  'follows.write',
  'like.read',
  'like.write',
  'list.read',
  'list.write',
  'media.write',
  'mute.read',
  'mute.write',
  'offline.access',
  'space.read',
  'timeline.read',
  'tweet.moderate.write',
  'tweet.read',
  'tweet.write',
  'users.email',
  'users.read',
] as const;

/** One of X's documented OAuth 2.0 scopes, or any other string (a scope X adds later). */
export type OAuth2Scope = (typeof OAUTH2_SCOPES)[number] | (string & {});

/**
 * The scopes an OAuth 2.0 user token needs to subscribe its user to Account Activity (AAA) and to
 * check the subscription: `POST` and `GET /2/account_activity/webhooks/:webhook_id/subscriptions/all`
 * list `dm.read dm.write tweet.read users.read` in X's OpenAPI spec (OAuth 2.0 is accepted there since
 * 2026-01-15; OAuth 1.0a user tokens need no scopes). Add `offline.access` to get a refresh token.
 *
 * @example
 * ```ts
 * const { url } = await flow.authorizeUrl({ scopes: [...AAA_SUBSCRIPTION_SCOPES, 'offline.access'] });
 * ```
 */
export const AAA_SUBSCRIPTION_SCOPES = ['tweet.read', 'users.read', 'dm.read', 'dm.write'] as const;

/**
 * The scope an X Activity API (XAA) subscription of a private event type needs, by event-type prefix,
 * from the description of `POST /2/activity/subscriptions` in X's OpenAPI spec: `dm.read` for `chat.*`
 * and `dm.*` events, `like.read` for `like.*`, `mute.read` for `mute.*`, `block.read` for `block.*`,
 * and `tweet.read` for every other event type. Public event types (`post.create`, `profile.update.*`)
 * also work with the app's bearer token.
 *
 * @example
 * ```ts
 * xaaScopeFor('like.create'); // 'like.read'
 * xaaScopeFor('post.mention.create'); // 'tweet.read'
 * ```
 */
export function xaaScopeFor(eventType: string): 'dm.read' | 'like.read' | 'mute.read' | 'block.read' | 'tweet.read' {
  const prefix = eventType.split('.', 1)[0];
  if (prefix === 'chat' || prefix === 'dm') return 'dm.read';
  if (prefix === 'like') return 'like.read';
  if (prefix === 'mute') return 'mute.read';
  if (prefix === 'block') return 'block.read';
  return 'tweet.read';
}

/**
 * The scopes to request for a set of XAA event types: each type's scope (see {@link xaaScopeFor}),
 * without duplicates, in first-seen order. Add `offline.access` for a refresh token.
 *
 * @example
 * ```ts
 * xaaScopes(['post.mention.create', 'dm.received', 'like.create']); // ['tweet.read', 'dm.read', 'like.read']
 * ```
 */
export function xaaScopes(eventTypes: readonly string[]): OAuth2Scope[] {
  const scopes = new Set<OAuth2Scope>();
  for (const type of eventTypes) scopes.add(xaaScopeFor(type));
  return [...scopes];
}
