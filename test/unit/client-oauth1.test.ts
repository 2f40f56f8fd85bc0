// OAuth 1.0a HMAC-SHA1: X's documented signing example, node:crypto and Web Crypto agree, nonces.
import { beforeAll, describe, expect, it } from 'vitest';
import { createNonce, loadOAuth, OAuth1Signer, percentEncode } from '../../src/client/oauth1.js';
import { nodeHmacSha1, webHmacSha1 } from '../../src/crypto.js';
import { expectedSignature } from '../helpers/recording-server.js';

// X's "Creating a signature" example (developer docs, authentication/oauth-1-0a): the same parameters
// in the query give the same signature base, since the base sorts all parameters together.
const EXAMPLE = {
  consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
  consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  token: {
    key: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
    secret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  },
  nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
  timestamp: 1318622958,
  url:
    'https://api.twitter.com/1.1/statuses/update.json?include_entities=true&status=' +
    percentEncode('Hello Ladies + Gentlemen, a signed OAuth request!'),
  signature: 'hCtSmYh+iHYCEqBWrE7C7hYmtUk=',
};

function signatureOf(header: string): string {
  const match = /oauth_signature="([^"]+)"/.exec(header);
  return decodeURIComponent(match?.[1] ?? '');
}

describe('OAuth1Signer before oauth-1.0a is loaded', () => {
  it('loads it with the first signature and gives the same header', async () => {
    const signer = new OAuth1Signer(EXAMPLE.consumerKey, EXAMPLE.consumerSecret, {
      nonce: () => EXAMPLE.nonce,
      timestamp: () => EXAMPLE.timestamp,
    });
    const header = signer.authorize('POST', EXAMPLE.url, EXAMPLE.token);
    expect(header).toBeInstanceOf(Promise);
    expect(signatureOf(await header)).toBe(EXAMPLE.signature);
    // Loaded now: the next signature of the same signer is synchronous with node:crypto.
    expect(typeof signer.authorize('POST', EXAMPLE.url, EXAMPLE.token)).toBe('string');
  });
});

describe('OAuth1Signer', () => {
  const fixed = { nonce: () => EXAMPLE.nonce, timestamp: () => EXAMPLE.timestamp };
  beforeAll(async () => {
    await loadOAuth();
  });

  it('reproduces the documented example signature with node:crypto', () => {
    const signer = new OAuth1Signer(EXAMPLE.consumerKey, EXAMPLE.consumerSecret, fixed);
    const header = signer.authorize('POST', EXAMPLE.url, EXAMPLE.token);
    expect(typeof header).toBe('string');
    expect(signatureOf(header as string)).toBe(EXAMPLE.signature);
    expect(header).toMatch(/^OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjz/);
    expect(header).toContain('oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"');
    expect(header).not.toContain('include_entities');
  });

  it('reproduces it with Web Crypto (asynchronously)', async () => {
    const signer = new OAuth1Signer(EXAMPLE.consumerKey, EXAMPLE.consumerSecret, {
      ...fixed,
      hmac: webHmacSha1(crypto.subtle),
    });
    const header = signer.authorize('POST', EXAMPLE.url, EXAMPLE.token);
    expect(header).toBeInstanceOf(Promise);
    expect(signatureOf(await header)).toBe(EXAMPLE.signature);
  });

  it("agrees with the recording server's independent implementation", () => {
    const signer = new OAuth1Signer('ck', 'c s&ecret', { nonce: () => 'n0nce', timestamp: () => 1700000000 });
    const url = `http://127.0.0.1:1/1.1/x.json?url=${percentEncode("https://e.com/a b!*'()")}`;
    const header = signer.authorize('GET', url, { key: 'tk', secret: 't/secret' }) as string;
    const params = Object.fromEntries(
      [...header.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], decodeURIComponent(m[2] as string)]),
    );
    expect(signatureOf(header)).toBe(
      expectedSignature(
        'GET',
        'http://127.0.0.1:1/1.1/x.json',
        url.split('?')[1] as string,
        params,
        'c s&ecret',
        't/secret',
      ),
    );
  });

  it('node and web HMAC-SHA1 agree', async () => {
    const node = nodeHmacSha1();
    expect(node).toBeDefined();
    const web = webHmacSha1(crypto.subtle);
    for (const [key, data] of [
      ['k', 'd'],
      ['a&b', 'GET&x&y'],
      ['&', 'ü€'],
    ]) {
      expect(await web(key as string, data as string)).toBe(node?.(key as string, data as string));
    }
  });
});

describe('nonces and encoding', () => {
  it('nonces are 32 alphanumerics and differ', () => {
    const nonces = new Set(Array.from({ length: 200 }, () => createNonce()));
    expect(nonces.size).toBe(200);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('percentEncode follows RFC 3986', () => {
    expect(percentEncode("a b!*'()~-._/?&=+")).toBe('a%20b%21%2A%27%28%29~-._%2F%3F%26%3D%2B');
  });
});
