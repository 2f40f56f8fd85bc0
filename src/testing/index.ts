/**
 * `x-account-activity/testing`: helpers for testing webhook apps. The local X API emulator arrives
 * with its own issue; today this entry offers `signPayload` and `createCrcResponse`.
 *
 * @packageDocumentation
 */
export { signPayload, createCrcResponse } from '../webhooks/index.js';
