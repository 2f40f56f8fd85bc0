// A typical Account Activity delivery (a tweet_create event, test/fixtures/events/typical-3kb.json),
// compact as X sends it, padded to a given size by lengthening the author's description.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function delivery(minBytes = 3000) {
  const path = join(import.meta.dirname, '../../fixtures/events/typical-3kb.json');
  const value = JSON.parse(readFileSync(path, 'utf8'));
  let text = JSON.stringify(value);
  while (Buffer.byteLength(text) < minBytes) {
    value.tweet_create_events[0].user.description += ' More about this account.';
    text = JSON.stringify(value);
  }
  return text;
}
