// Distinct signed deliveries for load and coordination tests: the favorite fixture with its event id
// replaced (a plain text replacement, so the ids above 2^53 in the fixture keep every digit).
import { readFileSync } from 'node:fs';
import { xSignature } from './sign.js';

const FAVORITE = readFileSync(new URL('../fixtures/events/favorite-of-user.json', import.meta.url), 'utf8');
const FIXTURE_ID = 'a7ba59eab0bfcba386f7acedac279542';

/** The 32-hex-digit favorite id of event number `n`. */
export function eventId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

/** The body of a delivery carrying one favorite event, number `n`. */
export function favoriteBody(n: number): string {
  return FAVORITE.replace(FIXTURE_ID, eventId(n));
}

/** Body and headers of a signed delivery of event number `n`. */
export function signedFavorite(n: number, secret: string): { body: string; headers: Record<string, string> } {
  const body = favoriteBody(n);
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': xSignature(body, secret) },
  };
}
