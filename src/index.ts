/**
 * `x-account-activity`: the whole SDK. The webhook toolkit, the typed events, the errors and, with the
 * client issue, `AccountActivityClient`.
 *
 * @packageDocumentation
 */
export * from './webhooks/index.js';
export * from './errors.js';
