// Budgets of DESIGN.md for the webhook toolkit on Node, measured in-process on the packed package
// (`x-account-activity/webhooks`, see consumer.mjs) with compare() of harness.mjs:
// - createCrcResponse within 1.2x of a bare createHmac;
// - verifySignature within 1.3x of a bare HMAC + constant-time compare, for a typical 3 kB body.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { load } from './consumer.mjs';
import { compare, fmt, spreadText } from './harness.mjs';

const SECRET = 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw';
const TOKEN = 'OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi';

export function typicalBody() {
  const text = 'Just setting up my webhook, and it answers in time. '.repeat(5);
  const user = {
    id: 2244994945,
    id_str: '2244994945',
    name: 'X Dev',
    screen_name: 'XDevelopers',
    location: 'Internet',
    description: 'The voice of the X Dev team',
    followers_count: 512,
    friends_count: 1024,
    statuses_count: 3000,
    created_at: 'Sat Dec 14 04:35:55 +0000 2013',
    verified: false,
    profile_image_url_https: 'https://pbs.twimg.com/profile_images/1/x_normal.jpg',
  };
  const tweet = {
    created_at: 'Mon Mar 26 16:30:00 +0000 2018',
    // biome-ignore lint/correctness/noPrecisionLoss: X sends the lossy number beside id_str, as here
    id: 978294781337665537,
    id_str: '978294781337665537',
    text: text.slice(0, 140),
    source: '<a href="https://x.com" rel="nofollow">X Web App</a>',
    truncated: true,
    in_reply_to_status_id: null,
    in_reply_to_status_id_str: null,
    in_reply_to_user_id: null,
    in_reply_to_user_id_str: null,
    in_reply_to_screen_name: null,
    user,
    geo: null,
    coordinates: null,
    place: null,
    contributors: null,
    is_quote_status: false,
    extended_tweet: {
      full_text: text,
      display_text_range: [0, text.length],
      entities: {
        hashtags: [],
        urls: [],
        user_mentions: [
          {
            screen_name: 'furiouscamper',
            name: 'Jordan Brinks',
            id: 3001969357,
            id_str: '3001969357',
            indices: [0, 14],
          },
        ],
        symbols: [],
      },
    },
    quote_count: 0,
    reply_count: 0,
    retweet_count: 0,
    favorite_count: 0,
    entities: {
      hashtags: [{ text: 'webhooks', indices: [20, 29] }],
      urls: [],
      user_mentions: [
        { screen_name: 'furiouscamper', name: 'Jordan Brinks', id: 3001969357, id_str: '3001969357', indices: [0, 14] },
      ],
      symbols: [],
    },
    favorited: false,
    retweeted: false,
    filter_level: 'low',
    lang: 'en',
    timestamp_ms: '1522081800000',
    edit_history: { initial_tweet_id: '978294781337665537', edit_tweet_ids: ['978294781337665537'] },
    edit_controls: { editable_until_ms: 1522083600000, edits_remaining: 5 },
    editable: true,
  };
  const quoted = {
    created_at: 'Mon Mar 26 15:00:00 +0000 2018',
    // biome-ignore lint/correctness/noPrecisionLoss: X sends the lossy number beside id_str, as here
    id: 978272115880153088,
    id_str: '978272115880153088',
    text: text.slice(0, 120),
    truncated: false,
    user: { ...user, id: 3001969357, id_str: '3001969357', screen_name: 'furiouscamper' },
    entities: { hashtags: [], urls: [], user_mentions: [], symbols: [] },
    lang: 'en',
    is_quote_status: false,
  };
  return JSON.stringify({
    for_user_id: '3001969357',
    user_has_blocked: false,
    tweet_create_events: [
      { ...tweet, is_quote_status: true, quoted_status_id_str: quoted.id_str, quoted_status: quoted },
    ],
  });
}

export async function run() {
  const { createCrcResponse, verifySignature } = await load('x-account-activity/webhooks');
  const body = typicalBody();
  const header = `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}`;
  if (!(await verifySignature(body, header, SECRET))) throw new Error('bench setup: signature does not verify');
  const expectedCrc = `sha256=${createHmac('sha256', SECRET).update(TOKEN).digest('base64')}`;
  if ((await createCrcResponse(TOKEN, SECRET)).response_token !== expectedCrc)
    throw new Error('bench setup: CRC mismatch');

  const crc = await compare(
    () => createCrcResponse(TOKEN, SECRET),
    () => ({ response_token: `sha256=${createHmac('sha256', SECRET).update(TOKEN).digest('base64')}` }),
  );
  const headerBytes = Buffer.from(header);
  const verify = await compare(
    () => verifySignature(body, header, SECRET),
    () => {
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}`);
      return expected.length === headerBytes.length && timingSafeEqual(expected, headerBytes);
    },
  );
  const floorText = (r) =>
    `${fmt(r.subjectNs.median / 1000, 2)} µs vs floor ${fmt(r.floorNs.median / 1000, 2)} µs per call`;
  return [
    {
      figure: 'createCrcResponse ÷ bare createHmac (time per call)',
      measured: spreadText(crc.ratio),
      budget: '<= 1.2x',
      ok: crc.ratio.median <= 1.2,
      peer: floorText(crc),
    },
    {
      figure: `verifySignature (${body.length} B) ÷ bare HMAC + timingSafeEqual`,
      measured: spreadText(verify.ratio),
      budget: '<= 1.3x',
      ok: verify.ratio.median <= 1.3,
      peer: floorText(verify),
    },
  ];
}
