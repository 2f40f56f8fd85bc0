/**
 * The Account Activity API client: re-exports only.
 *
 * @packageDocumentation
 */
export {
  AccountActivityClient,
  DirectMessagesResource,
  ReplayResource,
  SubscriptionsResource,
  WebhooksResource,
} from './client.js';
export type { AccountActivityClientOptions, ReplayWindow, RequestOptions, SubscriberCredentials } from './client.js';
export type { ApiVersion, OperationName } from './endpoints.js';
export { ActivityResource, ActivitySubscriptionsResource, isPrivateActivityType } from './activity.js';
export type {
  ActivityEventType,
  ActivityFilterInput,
  ActivitySubscriptionChanges,
  ActivitySubscriptionDeleteFailure,
  ActivitySubscriptionInput,
  ActivitySubscriptionListOptions,
  ActivitySubscriptionPageOptions,
  ActivitySubscriptionsDeletion,
  CreateActivitySubscriptionOptions,
} from './activity.js';
export { ActivityStream } from './activity-stream.js';
export type {
  ActivityStreamBackoff,
  ActivityStreamDisconnectReason,
  ActivityStreamEvent,
  ActivityStreamGap,
  ActivityStreamOptions,
  ActivityStreamState,
  ActivityStreamStateChange,
  ActivityStreamStats,
} from './activity-stream.js';
export { StreamLinksResource, StreamRulesResource } from './stream-rules.js';
export type {
  CreateStreamLinkOptions,
  StreamLinkFields,
  StreamRuleInput,
  StreamRuleListOptions,
  StreamRulePageOptions,
  StreamRulesChangeOptions,
} from './stream-rules.js';
export type { RetryOptions } from './http.js';
export { formatReplayDate } from './replay-window.js';
export type {
  ActivitySubscription,
  ActivitySubscriptionDeletion,
  ActivitySubscriptionFilter,
  ActivitySubscriptionPage,
  ActivitySubscriptionResult,
  StreamLink,
  StreamLinkCreation,
  StreamLinkDeletion,
  StreamRule,
  StreamRuleError,
  StreamRulePage,
  StreamRulesResult,
  StreamRulesSummary,
  ReplayJob,
  SentDirectMessage,
  Subscription,
  SubscriptionCount,
  SubscriptionList,
  Webhook,
  WebhookValidation,
} from './schemas.js';
