// Client call overhead (DESIGN.md budget): at most 0.5 ms p50 added per call over a bare `fetch`
// carrying the same header, on loopback. AccountActivityClient from the packed package
// (`x-account-activity`), against a node:http server on 127.0.0.1 in this process.
//
// The budget row is the OAuth 1.0a user-context call (subscriptions.check); its floor signs the same
// kind of Authorization header per call (oauth-1.0a + node:crypto HMAC-SHA1, as a hand-written
// call would), fetches and parses the JSON answer. The bearer call (subscriptions.count against a
// fetch with the same bearer header) is shown beside it for information.
//
// Method: calls are made one at a time (latency, not throughput), client and bare alternating call
// by call, so both see the same machine. Each round is 150 pairs; its figure is p50(client) −
// p50(bare) over the round; the result is the median of 15 rounds with the IQR over rounds. The
// server runs in this process: it adds the same work to both sides and avoids cross-process wake-ups,
// which on 2 busy cores add more noise than the figure being measured.
//
// CLIENT_ENTRY=/path/to/module.js measures another build of the client (a bundle, say).
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import OAuth from 'oauth-1.0a';
import { load } from './consumer.mjs';
import { fmt, median, summary } from './harness.mjs';

const BUDGET_MS = 0.5;
const ROUNDS = 15;
const PAIRS = 150;
const WARMUP_PAIRS = 400;

const now = () => process.hrtime.bigint();

/** Times `calls` alternately (pair by pair, order flipping); returns per-round p50 deltas in ms. */
async function latency(subject, floor) {
  const time = async (fn) => {
    const start = now();
    await fn();
    return Number(now() - start) / 1e6;
  };
  for (let i = 0; i < WARMUP_PAIRS; i++) {
    await subject();
    await floor();
  }
  const added = [];
  const subjectP50 = [];
  const floorP50 = [];
  for (let round = 0; round < ROUNDS; round++) {
    globalThis.gc?.();
    const s = [];
    const f = [];
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        s.push(await time(subject));
        f.push(await time(floor));
      } else {
        f.push(await time(floor));
        s.push(await time(subject));
      }
    }
    subjectP50.push(median(s));
    floorP50.push(median(f));
    added.push(median(s) - median(f));
  }
  return { added: summary(added), subject: summary(subjectP50), floor: summary(floorP50) };
}

export async function run() {
  const { AccountActivityClient } = process.env.CLIENT_ENTRY
    ? await import(pathToFileURL(process.env.CLIENT_ENTRY).href)
    : await load('x-account-activity');
  if (typeof AccountActivityClient !== 'function') throw new Error('AccountActivityClient is not exported');
  const headers = {
    'content-type': 'application/json',
    'x-rate-limit-limit': '500',
    'x-rate-limit-remaining': '499',
    'x-rate-limit-reset': '1700000000',
  };
  const checkBody = JSON.stringify({ data: { subscribed: true } });
  const countBody = JSON.stringify({
    data: {
      account_name: 'bench',
      subscriptions_count_all: '12',
      subscriptions_count_direct_messages: '0',
      provisioned_count: '500',
    },
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(req.url.includes('/count') ? countBody : checkBody);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  const creds = {
    consumerKey: 'ck-bench',
    consumerSecret: 'cs-bench',
    accessToken: '1-at-bench',
    accessTokenSecret: 'ats-bench',
  };
  const client = new AccountActivityClient({ ...creds, bearerToken: 'bearer-bench', baseUrl });

  const oauth = new OAuth({
    consumer: { key: creds.consumerKey, secret: creds.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  const token = { key: creds.accessToken, secret: creds.accessTokenSecret };
  const checkUrl = `${baseUrl}/2/account_activity/webhooks/1234567890/subscriptions/all`;
  const countUrl = `${baseUrl}/2/account_activity/subscriptions/count`;
  const bareOAuth = async () => {
    const { Authorization } = oauth.toHeader(oauth.authorize({ url: checkUrl, method: 'GET' }, token));
    const response = await fetch(checkUrl, { headers: { authorization: Authorization, accept: 'application/json' } });
    const body = await response.json();
    if (body.data.subscribed !== true) throw new Error('bad answer');
  };
  const clientOAuth = async () => {
    if ((await client.subscriptions.check('1234567890')) !== true) throw new Error('bad answer');
  };
  const bareBearer = async () => {
    const response = await fetch(countUrl, {
      headers: { authorization: 'Bearer bearer-bench', accept: 'application/json' },
    });
    const body = await response.json();
    if (body.data.subscriptions_count_all !== '12') throw new Error('bad answer');
  };
  const clientBearer = async () => {
    if ((await client.subscriptions.count()).subscriptionsCountAll !== 12) throw new Error('bad answer');
  };

  try {
    const signed = await latency(clientOAuth, bareOAuth);
    const bearer = await latency(clientBearer, bareBearer);
    const ms = (x) => `${x.median >= 0 ? '+' : ''}${fmt(x.median, 3)} ms`;
    return [
      {
        figure: 'client: subscriptions.check (OAuth 1.0a), p50 added per call over bare fetch + same header',
        measured: `${ms(signed.added)} (IQR ${fmt(signed.added.q1, 3)}–${fmt(signed.added.q3, 3)}, n=${signed.added.n})`,
        budget: `<= +${BUDGET_MS} ms`,
        ok: signed.added.median <= BUDGET_MS,
        peer:
          `p50 client ${fmt(signed.subject.median, 3)} ms, bare fetch ${fmt(signed.floor.median, 3)} ms; ` +
          `bearer call (info): ${ms(bearer.added)} (client ${fmt(bearer.subject.median, 3)}, bare ${fmt(bearer.floor.median, 3)} ms)`,
      },
    ];
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
