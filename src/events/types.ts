/**
 * PLACEHOLDER until the events issue: the discriminants and a minimal union. The events work
 * replaces this file with the full typed model.
 */

/** Every value of `event.type`, in one `const` list that drives the runtime checks and the types. */
export const ACTIVITY_TYPES = [
  'tweet_create',
  'favorite',
  'follow',
  'unfollow',
  'block',
  'unblock',
  'mute',
  'unmute',
  'user_revoke',
  'direct_message',
  'direct_message_typing',
  'direct_message_read',
  'tweet_delete',
  'replay_job_status',
  'unknown',
] as const;

/** One value of `event.type`. */
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** A delivery element this version does not recognise, kept whole. */
export interface UnknownEvent {
  readonly type: 'unknown';
  readonly forUserId: string | undefined;
  readonly raw: unknown;
  readonly reason: string;
}

/** Every event `parseActivity` produces. */
export type AccountActivityEvent = UnknownEvent;

/** The event type for one discriminant. */
export type ActivityEventOf<T extends ActivityType> = Extract<AccountActivityEvent, { readonly type: T }>;
