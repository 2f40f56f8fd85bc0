// Verify + parse of a typical 3 kB delivery against the floor: node:crypto HMAC-SHA256 with a
// constant-time compare, plus JSON.parse of the same bytes. Budget (DESIGN.md): 1.2x. Measured
// in-process on the packed package (`x-account-activity/webhooks`) with compare() of harness.mjs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { load } from './consumer.mjs';
import { compare, fmt, spreadText } from './harness.mjs';
import { delivery } from './lib/delivery.mjs';

const BUDGET = 1.2;
/** An X Activity API `post.create` (X's published sample, 3.4 kB as stored), within 1.3x of the same floor. */
const XAA_BUDGET = 1.3;

function xaaPostCreate() {
  return readFileSync(new URL('../fixtures/xaa/post-create.json', import.meta.url), 'utf8');
}
const secret = 'bench-consumer-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export async function run() {
  const { parseActivity, verifySignature } = await load('x-account-activity/webhooks');
  const text = delivery(3000);
  const bytes = Buffer.from(text);
  const rows = [];
  const xaa = xaaPostCreate();
  for (const [label, body, budget, type, what] of [
    ['string', text, BUDGET, 'tweet_create', 'delivery'],
    ['Buffer', bytes, BUDGET, 'tweet_create', 'delivery'],
    ['string', xaa, XAA_BUDGET, 'post.create', 'XAA post.create'],
  ]) {
    const header = `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
    const expected = Buffer.from(header.slice(7), 'base64');
    if (!(await verifySignature(body, header, secret))) throw new Error('bench setup: signature does not verify');
    const events = parseActivity(body);
    if (events.length !== 1 || events[0].type !== type) throw new Error('bench setup: unexpected parse');
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
    const result = await compare(candidate, floor);
    rows.push({
      figure: `verify + parseActivity, ${Buffer.byteLength(body)} B ${what} (${label} body) ÷ HMAC + JSON.parse`,
      measured: spreadText(result.ratio),
      budget: `<= ${budget}x`,
      ok: result.ratio.median <= budget,
      peer:
        `${fmt(result.subjectNs.median / 1000, 2)} µs vs floor ${fmt(result.floorNs.median / 1000, 2)} µs per delivery` +
        (sink < 0 ? '' : ''),
    });
  }
  return rows;
}
