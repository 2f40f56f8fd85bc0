import { describe, expect, it } from 'vitest';
import {
  createRelationshipUser,
  createSignedDelivery,
  createTweet,
  favoritePayload,
  replayJobStatusPayload,
  serializePayload,
  signPayload,
  tweetCreatePayload,
  twitterDate,
  userRevokePayload,
} from '../../src/testing/index.js';
import { OAuth1Verifier, hmacSha1Signature, signatureBaseString } from '../../src/testing/oauth-verify.js';
import { RateLimiter } from '../../src/testing/rate-limit.js';
import { checkReplayWindow, parseReplayDate, REPLAY_MAX_AGE_5D } from '../../src/testing/replay.js';
import { webhookUrlProblem } from '../../src/testing/store.js';
import { verifySignature } from '../../src/webhooks/signature.js';

// X's documented OAuth 1.0a example (docs "Creating a signature").
const X_EXAMPLE = {
  consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
  consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
  tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  signature: 'hCtSmYh+iHYCEqBWrE7C7hYmtUk=',
  header:
    'OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", ' +
    'oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", ' +
    'oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"',
  form: 'status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21',
};

describe('OAuth 1.0a verification', () => {
  const verifier = () =>
    new OAuth1Verifier({
      consumerKey: X_EXAMPLE.consumerKey,
      consumerSecret: X_EXAMPLE.consumerSecret,
      tokenSecret: (t) => (t === X_EXAMPLE.token ? X_EXAMPLE.tokenSecret : undefined),
      windowSeconds: 300,
    });
  const request = {
    method: 'POST',
    baseUrl: 'https://api.twitter.com/1.1/statuses/update.json',
    query: 'include_entities=true',
    authorization: X_EXAMPLE.header,
    formBody: X_EXAMPLE.form,
  };
  const at = 1318622958 * 1000;

  it("reproduces X's documented signature", () => {
    const base = signatureBaseString('POST', request.baseUrl, [
      ['include_entities', 'true'],
      ['status', 'Hello Ladies + Gentlemen, a signed OAuth request!'],
      ['oauth_consumer_key', X_EXAMPLE.consumerKey],
      ['oauth_nonce', 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '1318622958'],
      ['oauth_token', X_EXAMPLE.token],
      ['oauth_version', '1.0'],
    ]);
    expect(hmacSha1Signature(base, X_EXAMPLE.consumerSecret, X_EXAMPLE.tokenSecret)).toBe(X_EXAMPLE.signature);
  });

  it('accepts the example once, then refuses the nonce, a changed body and a stale clock', () => {
    const v = verifier();
    expect(v.verify(request, at)).toEqual({ ok: true, token: X_EXAMPLE.token });
    expect(v.verify(request, at)).toEqual({ ok: false, reason: 'nonce' });
    expect(verifier().verify({ ...request, formBody: 'status=changed' }, at)).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(verifier().verify(request, at + 301_000)).toEqual({ ok: false, reason: 'timestamp' });
    expect(verifier().verify({ ...request, authorization: 'OAuth nonsense' }, at)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifier().verify({ ...request, authorization: request.authorization.replace('xvz1', 'abcd') }, at)).toEqual(
      { ok: false, reason: 'consumer' },
    );
  });
});

describe('payload factories', () => {
  const alice = { id: '2244994945', screenName: 'alice' };

  it('format X dates and keep ids above 2^53 exact in the serialised body', () => {
    expect(twitterDate(new Date('2018-03-26T16:33:26Z'))).toBe('Mon Mar 26 16:33:26 +0000 2018');
    const tweet = createTweet({ user: alice, text: 'hi', id: '1924465506158878979' });
    const body = serializePayload(tweetCreatePayload({ forUserId: alice.id, tweets: [tweet] }));
    expect(body).toContain('"id":1924465506158878979,"id_str":"1924465506158878979"');
    expect(body).toContain('"user":{"id":2244994945,"id_str":"2244994945"');
    expect((JSON.parse(body) as { tweet_create_events: { id_str: string }[] }).tweet_create_events[0]?.id_str).toBe(
      '1924465506158878979',
    );
  });

  it('build the documented quirks', () => {
    const rel = createRelationshipUser(alice);
    expect(rel).toMatchObject({ id: alice.id, url: '', profile_background_color: -1, utc_offset: 0 });
    expect(rel).not.toHaveProperty('id_str');
    const tweet = createTweet({ user: alice, text: 'x'.repeat(300) });
    expect(tweet.truncated).toBe(true);
    expect(typeof tweet.timestamp_ms).toBe('string');
    const like = favoritePayload({ forUserId: alice.id, liker: alice, tweet });
    expect(typeof like.favorite_events[0]?.timestamp_ms).toBe('number');
    expect(tweetCreatePayload({ forUserId: '1', tweets: [], userHasBlocked: 'false' }).user_has_blocked).toBe('false');
    expect(userRevokePayload({ userId: '1', appId: '2', at: new Date('2018-05-24T09:48:12Z') })).toEqual({
      user_event: {
        revoke: { date_time: '2018-05-24T09:48:12+00:00', target: { app_id: '2' }, source: { user_id: '1' } },
      },
    });
    expect(replayJobStatusPayload({ webhookId: '1', jobId: '2', complete: false }).replay_job_status.job_state).toBe(
      'Incomplete',
    );
  });

  it('sign deliveries the way X does', async () => {
    const { body, headers } = await createSignedDelivery(
      favoritePayload({ forUserId: alice.id, liker: alice, tweet: createTweet({ user: alice, text: 'a' }) }),
      'secret',
    );
    expect(headers['x-twitter-webhooks-signature']).toBe(await signPayload(body, 'secret'));
    expect(await verifySignature(body, headers['x-twitter-webhooks-signature'], 'secret')).toBe(true);
    expect(await verifySignature(`${body}\n`, headers['x-twitter-webhooks-signature'], 'secret')).toBe(false);
  });
});

describe('replay windows, rate limits and URL rules', () => {
  const now = Date.UTC(2026, 0, 10, 12, 0);
  const opts = { nowMs: now, maxAgeMs: REPLAY_MAX_AGE_5D, toInclusive: false };

  it('parses yyyymmddhhmm strictly and applies the window rules', () => {
    expect(parseReplayDate('202601101100')).toBe(Date.UTC(2026, 0, 10, 11, 0));
    expect(parseReplayDate('202602301100')).toBeUndefined();
    expect(parseReplayDate('2026011011')).toBeUndefined();
    expect(checkReplayWindow('202601100900', '202601101100', opts)).toEqual({
      ok: true,
      fromMs: Date.UTC(2026, 0, 10, 9),
      endMs: Date.UTC(2026, 0, 10, 11),
    });
    expect(checkReplayWindow('202601100900', '202601101100', { ...opts, toInclusive: true })).toMatchObject({
      endMs: Date.UTC(2026, 0, 10, 11, 1),
    });
    expect(checkReplayWindow('202601101130', '202601101145', opts)).toMatchObject({ code: 368 });
    expect(checkReplayWindow('202601101000', '202601101155', opts)).toMatchObject({ code: 368 });
    expect(checkReplayWindow('202601050000', '202601101100', opts)).toMatchObject({ code: 356 });
    expect(checkReplayWindow(undefined, '202601101100', opts)).toMatchObject({ code: 357 });
  });

  it('counts requests per endpoint and caller in 15-minute windows', () => {
    let t = 0;
    const limiter = new RateLimiter({ V1: 1 }, () => t);
    expect(limiter.hit('V1', 'app')).toMatchObject({ limit: 1, remaining: 0, limited: false, reset: 900 });
    expect(limiter.hit('V1', 'app')?.limited).toBe(true);
    expect(limiter.hit('V1', 'user-1')?.limited).toBe(false);
    expect(limiter.hit('V2', 'app')).toBeUndefined();
    t = 900_000;
    expect(limiter.hit('V1', 'app')?.limited).toBe(false);
  });

  it('requires https without a port except on loopback hosts', () => {
    expect(webhookUrlProblem('https://example.com/hook')).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook')).toBeUndefined();
    expect(webhookUrlProblem('http://localhost:3000/x')).toBeUndefined();
    expect(webhookUrlProblem('http://example.com/hook')).toMatch(/https/);
    expect(webhookUrlProblem('https://example.com:5000/hook')).toMatch(/port/);
    expect(webhookUrlProblem('not a url')).toMatch(/malformed/);
  });
});
