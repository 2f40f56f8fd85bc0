// Verify + parse of a typical 3 kB delivery against the floor: node:crypto HMAC-SHA256 with a
// constant-time compare, plus JSON.parse of the same bytes. Budget: 1.3x. Runs against the built dist/.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseActivity, verifySignature } from '../../dist/index.js';
import { compare } from './harness.mjs';

const BUDGET = 1.3;
const secret = 'bench-consumer-secret-0123456789abcdefghijklmnopqrstuvwxyz';

function delivery() {
  const path = join(import.meta.dirname, '../fixtures/events/typical-3kb.json');
  // X sends compact JSON; the fixture is pretty-printed for reading.
  let text = JSON.stringify(JSON.parse(readFileSync(path, 'utf8')));
  // Pad the post's text to a typical 3 kB body.
  while (Buffer.byteLength(text) < 3000) {
    const value = JSON.parse(text);
    value.tweet_create_events[0].user.description += ' More about this account.';
    text = JSON.stringify(value);
  }
  return text;
}

export async function run() {
  const text = delivery();
  const bytes = Buffer.from(text);
  const rows = [];
  for (const [label, body] of [
    ['string', text],
    ['Buffer', bytes],
  ]) {
    const header = `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
    const expected = Buffer.from(header.slice(7), 'base64');
    if (!(await verifySignature(body, header, secret))) throw new Error('bench setup: signature does not verify');
    const events = parseActivity(body);
    if (events.length !== 1 || events[0].type !== 'tweet_create') throw new Error('bench setup: unexpected parse');
    let sink = 0;
    const candidate = async () => {
      if (!(await verifySignature(body, header, secret))) throw new Error('bad signature');
      sink += parseActivity(body).length;
    };
    const floor = () => {
      const mac = createHmac('sha256', secret).update(body).digest();
      if (!timingSafeEqual(mac, expected)) throw new Error('bad signature');
      sink += Object.keys(JSON.parse(body)).length;
    };
    const { ratio, candidateHz, floorHz } = await compare(candidate, floor);
    rows.push({
      name: `verify + parse, ${bytes.length} B delivery (${label} body)`,
      ratio,
      budget: `${BUDGET}x`,
      ok: ratio <= BUDGET,
      detail: `candidate ${Math.round(candidateHz)} ops/s, floor ${Math.round(floorHz)} ops/s${sink < 0 ? '' : ''}`,
    });
  }
  return rows;
}
