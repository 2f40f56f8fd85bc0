/**
 * `x-account-activity/testing`: test your webhook app offline. A local X API emulator
 * ({@link startEmulator}) that registers webhooks with real CRCs, checks OAuth, and delivers signed
 * events when its accounts act; payload factories of the real delivery shapes; and the signing
 * helpers X uses.
 *
 * @packageDocumentation
 */
export { signPayload } from '../webhooks/signature.js';
export { createCrcResponse } from '../webhooks/crc.js';
export { startEmulator } from './emulator.js';
export type {
  DeliveryFilter,
  Emulator,
  EmulatorAuth,
  EmulatorOAuth1FlowOptions,
  EmulatorOAuth2FlowOptions,
  EmulatorClientOptions,
  EmulatorFault,
  EmulatorOptions,
  EmulatorStream,
  EmulatorWebhook,
  EmulatorXaa,
  FaultMatch,
} from './emulator.js';
export type { EmulatorVariants, XaaEnvelopeVariant } from './api.js';
export { OPERATIONAL_DISCONNECT, TOO_MANY_CONNECTIONS } from './activity-stream.js';
export type {
  StreamCloseReason,
  StreamConnectionInfo,
  StreamEventRecord,
  StreamFault,
  StreamStats,
} from './activity-stream.js';
export type { ProfileChanges, XaaEventInput } from './xaa-hub.js';
export { createV2Post, createV2User, filteredStreamPayload, xaaEnvelope } from './xaa-payloads.js';
export type {
  FilteredStreamPayload,
  MatchingRulePayload,
  V2PostPayload,
  V2UserExtras,
  V2UserPayload,
  XaaEnvelopePayload,
  XaaFilterPayload,
} from './xaa-payloads.js';
export type { EmulatorApproval } from './routes-auth.js';
export type {
  AccountRef,
  ActivityOptions,
  ActivityResult,
  DirectMessageActivityResult,
  EmulatorActivity,
  TweetActivityResult,
  TweetRef,
} from './activity.js';
export { X_RETRY_DELAYS_MS } from './delivery.js';
export type { DeliveryAttempt, DeliveryFamily, DeliveryKind, DeliveryRecord, DeliveryState } from './delivery.js';
export { DEFAULT_RATE_LIMITS, RATE_LIMIT_WINDOW_MS } from './rate-limit.js';
export type { EmulatorOperation, EndpointId } from './rate-limit.js';
export { EmulatedAccount } from './store.js';
export type { AccountInit } from './store.js';
export {
  blockPayload,
  createDmUser,
  createRelationshipUser,
  createSignedDelivery,
  createTweet,
  createV1User,
  directMessagePayload,
  favoritePayload,
  followPayload,
  mutePayload,
  readPayload,
  replayJobStatusPayload,
  serializePayload,
  snowflakeId,
  tweetCreatePayload,
  tweetDeletePayload,
  twitterDate,
  typingPayload,
  userRevokePayload,
} from './payloads.js';
export type {
  ActivityPayload,
  BlockPayload,
  CreateTweetOptions,
  DirectMessageElementPayload,
  DirectMessagePayload,
  DmAppPayload,
  DmUserPayload,
  FavoriteElementPayload,
  FavoritePayload,
  FollowPayload,
  MutePayload,
  PayloadUser,
  ReadPayload,
  RelationshipElementPayload,
  RelationshipUserPayload,
  ReplayJobStatusPayload,
  SignedDelivery,
  TweetCreatePayload,
  TweetDeletePayload,
  TweetPayload,
  TypingPayload,
  UserMentionPayload,
  UserRevokePayload,
  UserPayload,
} from './payloads.js';
