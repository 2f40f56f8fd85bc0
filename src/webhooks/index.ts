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
export { ACTIVITY_TYPES, parseActivity } from '../events/index.js';
export type { AccountActivityEvent, ActivityEventOf, ActivityType, UnknownEvent } from '../events/index.js';
