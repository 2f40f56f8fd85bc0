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
export type { RetryOptions } from './http.js';
export { formatReplayDate } from './replay-window.js';
export type {
  ReplayJob,
  SentDirectMessage,
  Subscription,
  SubscriptionCount,
  SubscriptionList,
  Webhook,
  WebhookValidation,
} from './schemas.js';
