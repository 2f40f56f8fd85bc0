import { InvalidPayloadError } from '../errors.js';
import type { AccountActivityEvent } from './types.js';

const decoder = /* @__PURE__ */ new TextDecoder();

/** PLACEHOLDER until the events issue: returns the raw envelope as one `unknown` event. */
export function parseActivity(body: string | Uint8Array | object): AccountActivityEvent[] {
  let value: unknown = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof body === 'string' ? body : decoder.decode(body));
    } catch (error) {
      throw new InvalidPayloadError('The delivery body is not valid JSON.', { cause: error });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidPayloadError('The delivery body is not a JSON object.');
  }
  const forUserId = (value as { for_user_id?: unknown }).for_user_id;
  return [{ type: 'unknown', forUserId: typeof forUserId === 'string' ? forUserId : undefined, raw: value, reason: 'not parsed yet' }];
}
