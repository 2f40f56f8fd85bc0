/**
 * The sign-in flows without a server: PKCE, URLs, argument checks, scopes, secrets kept out of
 * JSON.stringify and util.inspect, and the error guards.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AAA_SUBSCRIPTION_SCOPES,
  codeChallengeS256,
  createOAuth1Flow,
  createOAuth2Flow,
  OAUTH2_SCOPES,
  xaaScopeFor,
  xaaScopes,
} from '../../src/index.js';
import {
  InvalidArgumentError,
  isOAuthCallbackError,
  isOAuthError,
  isXApiError,
  isXAccountActivityError,
  OAuthError,
} from '../../src/errors.js';

describe('PKCE and the authorize URL', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it("builds X's authorize URL with a fresh verifier and state each time", async () => {
    const flow = createOAuth2Flow({ clientId: 'client-1', redirectUri: 'https://example.com/cb' });
    const a = await flow.authorizeUrl({ scopes: ['tweet.read', 'users.read', 'tweet.read'] });
    const b = await flow.authorizeUrl({ scopes: ['tweet.read'] });
    const url = new URL(a.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://x.com/i/oauth2/authorize');
    expect(url.searchParams.get('scope')).toBe('tweet.read users.read');
    expect(url.searchParams.get('code_challenge')).toBe(await codeChallengeS256(a.codeVerifier));
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
    expect(a.state).not.toBe(b.state);
    expect(flow.baseUrl).toBe('https://api.x.com');
  });

  it('takes the authorize host from baseUrl unless authorizationBaseUrl is given', () => {
    expect(
      createOAuth2Flow({ clientId: 'c', redirectUri: 'https://e.com/cb', baseUrl: 'http://127.0.0.1:9/' })
        .authorizationBaseUrl,
    ).toBe('http://127.0.0.1:9/i');
    expect(createOAuth1Flow({ consumerKey: 'k', consumerSecret: 's' }).baseUrl).toBe('https://api.x.com');
  });
});

describe('argument checks', () => {
  it('refuses bad options with InvalidArgumentError, naming the option, never its value', async () => {
    expect(() => createOAuth1Flow({ consumerKey: 'k', consumerSecret: '' })).toThrow(InvalidArgumentError);
    expect(() => createOAuth1Flow({ consumerKey: 'k', consumerSecret: 'line\nbreak-secret' })).toThrow(
      /consumerSecret/,
    );
    expect(() => createOAuth1Flow({ consumerKey: 'k', consumerSecret: 's', baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => createOAuth2Flow({ clientId: 'c', redirectUri: '/relative' })).toThrow(/redirectUri/);
    expect(() => createOAuth2Flow({ clientId: 'c', redirectUri: 'https://e.com', timeoutMs: 0 })).toThrow(/timeoutMs/);
    const flow = createOAuth2Flow({ clientId: 'c', redirectUri: 'https://e.com/cb' });
    await expect(flow.authorizeUrl({ scopes: [] })).rejects.toThrow(InvalidArgumentError);
    await expect(flow.authorizeUrl({ scopes: ['has space'] })).rejects.toThrow(/scopes/);
    await expect(flow.authorizeUrl({ scopes: ['tweet.read'], state: 'x'.repeat(501) })).rejects.toThrow(/500/);
    const oauth1 = createOAuth1Flow({ consumerKey: 'k', consumerSecret: 's' });
    await expect(oauth1.requestToken({ callback: 'not a url' })).rejects.toThrow(/callback/);
    await expect(oauth1.accessToken({ token: 't', tokenSecret: 's', verifier: '  ' })).rejects.toThrow(/verifier/);
  });
});

describe('secrets', () => {
  it('never shows the consumer or client secret in JSON.stringify or util.inspect', () => {
    const oauth1 = createOAuth1Flow({ consumerKey: 'key-1', consumerSecret: 'consumer-secret-value' });
    const oauth2 = createOAuth2Flow({
      clientId: 'client-1',
      clientSecret: 'client-secret-value',
      redirectUri: 'https://e.com/cb',
    });
    for (const [flow, secret] of [
      [oauth1, 'consumer-secret-value'],
      [oauth2, 'client-secret-value'],
    ] as const) {
      expect(JSON.stringify(flow)).not.toContain(secret);
      expect(inspect(flow, { depth: 10, showHidden: true })).not.toContain(secret);
    }
    expect(JSON.parse(JSON.stringify(oauth1))).toEqual({ consumerKey: 'key-1', baseUrl: 'https://api.x.com' });
    expect(JSON.parse(JSON.stringify(oauth2))).toMatchObject({ clientId: 'client-1' });
  });
});

describe('scopes', () => {
  it("lists X's scopes from the guide and the OpenAPI spec, and the AAA subscription scopes", () => {
    expect(OAUTH2_SCOPES).toContain('users.email');
    expect(OAUTH2_SCOPES).toContain('timeline.read');
    expect(OAUTH2_SCOPES).toContain('offline.access');
    expect([...AAA_SUBSCRIPTION_SCOPES].sort()).toEqual(['dm.read', 'dm.write', 'tweet.read', 'users.read']);
    for (const scope of AAA_SUBSCRIPTION_SCOPES) expect(OAUTH2_SCOPES).toContain(scope);
  });

  it('maps XAA event types to the scope the OpenAPI spec names', () => {
    expect(xaaScopeFor('dm.received')).toBe('dm.read');
    expect(xaaScopeFor('chat.received')).toBe('dm.read');
    expect(xaaScopeFor('like.create')).toBe('like.read');
    expect(xaaScopeFor('mute.create')).toBe('mute.read');
    expect(xaaScopeFor('block.create')).toBe('block.read');
    expect(xaaScopeFor('post.mention.create')).toBe('tweet.read');
    expect(xaaScopes(['post.mention.create', 'dm.received', 'like.create', 'post.reply.create'])).toEqual([
      'tweet.read',
      'dm.read',
      'like.read',
    ]);
  });
});

describe('error guards', () => {
  it('recognise OAuthError and OAuthCallbackError across copies of the package', async () => {
    const error = new OAuthError('refused', {
      step: 'revoke',
      status: 400,
      request: { method: 'POST', url: 'https://api.x.com/2/oauth2/revoke' },
    });
    expect(isOAuthError(error)).toBe(true);
    expect(isXApiError(error)).toBe(true);
    expect(isXAccountActivityError(error)).toBe(true);
    // An error of another copy of the package (another bundle) is recognised; a look-alike is not.
    // @ts-expect-error the query makes vite load a second copy of the module; TypeScript has no path for it
    const other = (await import('../../src/errors.js?copy')) as typeof import('../../src/errors.js');
    const copy = new other.OAuthError('from another copy', {
      step: 'revoke',
      status: 400,
      request: { method: 'POST', url: 'https://api.x.com/2/oauth2/revoke' },
    });
    expect(isOAuthError(copy)).toBe(true);
    expect(isXApiError(copy)).toBe(true);
    expect(isOAuthCallbackError(new other.OAuthCallbackError('x', 'denied'))).toBe(true);
    expect(isOAuthError({ name: 'OAuthError', message: 'a look-alike' })).toBe(false);
    expect(isOAuthCallbackError(error)).toBe(false);
  });
});
