/**
 * `x-account-activity/webhooks`: everything a webhook endpoint needs, for any runtime.
 *
 * @packageDocumentation
 */
export { createCrcResponse, isValidCrcToken, MAX_CRC_TOKEN_LENGTH } from './crc.js';
export type { CrcResponse } from './crc.js';
export { signPayload, verifySignature } from './signature.js';
export type { ConsumerSecret, RawBody } from './signature.js';
export {
  createWebhookHandler,
  DEFAULT_IN_FLIGHT_WAIT_MS,
  DEFAULT_MAX_BODY_BYTES,
  SIGNATURE_HEADER,
} from './handler.js';
export type {
  ActivityListener,
  ErrorListener,
  Logger,
  RawWebhookRequest,
  RawWebhookResponse,
  WebhookHandler,
  WebhookHandlerOptions,
  WebhookHandlerStats,
} from './handler.js';
export type { HeadersInput } from './http.js';
export type { CrcSignatureMode } from './crc-answer.js';
// The errors this side throws or reports, the same classes as the root's (one copy in every build).
export {
  CrcTokenError,
  InvalidArgumentError,
  InvalidPayloadError,
  isCrcTokenError,
  isInvalidArgumentError,
  isInvalidPayloadError,
  isListenerError,
  isPayloadTooLargeError,
  isRawBodyError,
  isSignatureVerificationError,
  isUnsupportedRuntimeError,
  isXAccountActivityError,
  ListenerError,
  PayloadTooLargeError,
  RawBodyError,
  SignatureVerificationError,
  UnsupportedRuntimeError,
  XAccountActivityError,
} from '../errors.js';
export {
  ACTIVITY_KEYS,
  ACTIVITY_TYPES,
  activityKey,
  createDeduplicator,
  createMemoryDedupStore,
  DEFAULT_DEDUP_MAX_ENTRIES,
  parseActivity,
  parseActivityDetailed,
  TWEET_KINDS,
} from '../events/index.js';
export type {
  AccountActivityEvent,
  ActivityEventOf,
  ActivityIssue,
  ActivityType,
  BlockEvent,
  DedupStore,
  Deduplicator,
  DeduplicatorOptions,
  DirectMessageEvent,
  DirectMessageReadEvent,
  DirectMessageTypingEvent,
  DmApp,
  DmUser,
  FavoriteEvent,
  FollowEvent,
  MemoryDedupStoreOptions,
  MuteEvent,
  ParseActivityOptions,
  ParsedActivity,
  RawDirectMessage,
  RawDmApp,
  RawDmUser,
  RawEditControls,
  RawFavorite,
  RawRead,
  RawRelationship,
  RawRelationshipUser,
  RawReplayJobStatus,
  RawTweet,
  RawTweetDelete,
  RawTweetUser,
  RawTyping,
  RawUserEvent,
  RelationshipEvent,
  RelationshipType,
  ReplayJobStatusEvent,
  TweetCreateEvent,
  TweetDeleteEvent,
  TweetEdit,
  TweetInfo,
  TweetKind,
  UnblockEvent,
  UnfollowEvent,
  UnknownEvent,
  UnmuteEvent,
  UserRef,
  UserRevokeEvent,
} from '../events/index.js';
