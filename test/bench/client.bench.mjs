// Client call overhead: AccountActivityClient against a loopback server, compared with bare fetch
// carrying the same kind of Authorization header (an OAuth 1.0a header signed per call, or the
// bearer token) and parsing the JSON answer. Budget: at least 0.85x the floor's throughput.
//
// Imports the built client from dist/index.js (run `npx tsup` first). CLIENT_ENTRY overrides the
// module path, for measuring a bundle built elsewhere.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import OAuth from 'oauth-1.0a';
import { compare } from './harness.mjs';

const BUDGET = 0.85;
const entry = process.env.CLIENT_ENTRY
  ? pathToFileURL(process.env.CLIENT_ENTRY).href
  : new URL('../../dist/index.js', import.meta.url).href;

export async function run() {
  const { AccountActivityClient } = await import(entry);
  if (typeof AccountActivityClient !== 'function') {
    throw new Error(`${entry} does not export AccountActivityClient`);
  }
  const headers = {
    'content-type': 'application/json',
    'x-rate-limit-limit': '500',
    'x-rate-limit-remaining': '499',
    'x-rate-limit-reset': '1700000000',
  };
  const checkBody = JSON.stringify({ data: { subscribed: true } });
  const countBody = JSON.stringify({
    data: { account_name: 'bench', subscriptions_count_all: '12', subscriptions_count_direct_messages: '0', provisioned_count: '500' },
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(req.url.includes('/count') ? countBody : checkBody);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  const creds = { consumerKey: 'ck-bench', consumerSecret: 'cs-bench', accessToken: '1-at-bench', accessTokenSecret: 'ats-bench' };
  const client = new AccountActivityClient({ ...creds, bearerToken: 'bearer-bench', baseUrl });

  // The floor: what a hand-written call does. Sign with oauth-1.0a + node:crypto, fetch, parse JSON.
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
    const response = await fetch(countUrl, { headers: { authorization: 'Bearer bearer-bench', accept: 'application/json' } });
    const body = await response.json();
    if (body.data.subscriptions_count_all !== '12') throw new Error('bad answer');
  };
  const clientBearer = async () => {
    if ((await client.subscriptions.count()).subscriptionsCountAll !== 12) throw new Error('bad answer');
  };

  const rows = [];
  try {
    // The budget row: the OAuth 1.0a user-context call, as the budget is defined.
    const oauthResult = await compare(clientOAuth, bareOAuth, { rounds: 7, time: 400 });
    // Shown for information in the same row: the bearer call, whose floor does no signing, so the
    // client's fixed cost (on Node 20 mostly the per-attempt AbortController for the timeout) weighs more.
    const bearerResult = await compare(clientBearer, bareBearer, { rounds: 7, time: 400 });
    const throughput = 1 / oauthResult.ratio;
    rows.push({
      name: 'client: subscriptions.check (OAuth 1.0a) vs bare fetch + same OAuth header',
      ratio: throughput,
      budget: `>= ${BUDGET}x throughput`,
      ok: throughput >= BUDGET,
      detail:
        `client ${Math.round(oauthResult.candidateHz)} ops/s, bare fetch ${Math.round(oauthResult.floorHz)} ops/s; ` +
        `bearer call (info): ${(1 / bearerResult.ratio).toFixed(3)}x`,
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return rows;
}
