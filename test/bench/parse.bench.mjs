// Verify + parse of a typical 3 kB delivery against the floor: node:crypto HMAC-SHA256 with a
// constant-time compare, plus JSON.parse of the same bytes. Budget (DESIGN.md): 1.2x. Measured
// in-process on the packed package (`x-account-activity/webhooks`) with compare() of harness.mjs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { load } from './consumer.mjs';
import { compare, fmt, spreadText } from './harness.mjs';
import { delivery } from './lib/delivery.mjs';

const BUDGET = 1.2;
const secret = 'bench-consumer-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export async function run() {
  const { parseActivity, verifySignature } = await load('x-account-activity/webhooks');
  const text = delivery(3000);
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
    const result = await compare(candidate, floor);
    rows.push({
      figure: `verify + parseActivity, ${bytes.length} B delivery (${label} body) ÷ HMAC + JSON.parse`,
      measured: spreadText(result.ratio),
      budget: `<= ${BUDGET}x`,
      ok: result.ratio.median <= BUDGET,
      peer:
        `${fmt(result.subjectNs.median / 1000, 2)} µs vs floor ${fmt(result.floorNs.median / 1000, 2)} µs per delivery` +
        (sink < 0 ? '' : ''),
    });
  }
  return rows;
}
