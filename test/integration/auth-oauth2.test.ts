/**
 * OAuth 2.0 sign-in (authorization code with PKCE) against the emulator's endpoints, with real fetch
 * on 127.0.0.1: authorize page, token exchange, subscribe with the user token, refresh and revoke, and
 * every refusal as a typed error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AAA_SUBSCRIPTION_SCOPES, codeChallengeS256, createOAuth2Flow } from '../../src/auth/index.js';
import { AuthenticationError, OAuthCallbackError, OAuthError } from '../../src/errors.js';
import { createE2eScope } from '../helpers/e2e.js';

const scope = createE2eScope();
afterEach(() => scope.closeAll());

const REDIRECT = 'https://app.example/x/callback';
const SCOPES = [...AAA_SUBSCRIPTION_SCOPES, 'offline.access'];

async function expectRejection<T>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('OAuth 2.0 sign-in with PKCE against the emulator', { timeout: 15_000 }, () => {
  it('authorize page, callback, exchange, subscribe, refresh, revoke', async () => {
    const e2e = await scope.start({ apiVersion: '2' });
    await e2e.register();
    const flow = createOAuth2Flow({
      ...e2e.emulator.auth.oauth2FlowOptions({ redirectUri: REDIRECT }),
      timeoutMs: 5_000,
    });

    const request = await flow.authorizeUrl({ scopes: SCOPES });
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${e2e.emulator.url}/i/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: e2e.emulator.oauth2ClientId,
      redirect_uri: REDIRECT,
      scope: 'tweet.read users.read dm.read dm.write offline.access',
      state: request.state,
      code_challenge: await codeChallengeS256(request.codeVerifier),
      code_challenge_method: 'S256',
    });
    expect(request.url).toContain('scope=tweet.read%20users.read');
    expect(request.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.state).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const page = await fetch(request.url);
    expect(page.status).toBe(200);
    const markup = await page.text();
    expect(markup).toContain('<code>dm.write</code>');
    const form = new URLSearchParams([...url.searchParams, ['account', 'bob'], ['decision', 'approve']]);
    const approved = await fetch(`${e2e.emulator.url}/i/oauth2/authorize`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(approved.status).toBe(302);
    const location = approved.headers.get('location') ?? '';
    expect(new URL(location).searchParams.get('state')).toBe(request.state);

    const before = Date.now();
    const tokens = await flow.handleCallback(location, request);
    expect(tokens.tokenType).toBe('bearer');
    expect(tokens.scopes).toEqual(SCOPES);
    expect(tokens.refreshToken).toEqual(expect.any(String));
    expect(tokens.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 7_200_000 - 1000);
    expect(tokens.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 7_200_000);
    expect(e2e.emulator.auth.scopesOf(tokens.accessToken)).toEqual(SCOPES);

    const bob = e2e.emulator.account('bob');
    await e2e.client.subscriptions.add(e2e.webhookId, { oauth2AccessToken: tokens.accessToken });
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([bob.id]);
    await e2e.emulator.activity.post('bob', 'hello from OAuth 2.0');
    await e2e.emulator.settled();
    expect(e2e.events.map((event) => event.type)).toEqual(['tweet_create']);

    // Refresh: a new pair; the old refresh token is used up.
    const fresh = await flow.refresh(tokens.refreshToken ?? '');
    expect(fresh.accessToken).not.toBe(tokens.accessToken);
    expect(fresh.refreshToken).not.toBe(tokens.refreshToken);
    expect(fresh.scopes).toEqual(SCOPES);
    const reused = await expectRejection(flow.refresh(tokens.refreshToken ?? ''), OAuthError);
    expect(reused).toMatchObject({ step: 'refresh_token', status: 400, oauthError: 'invalid_request' });
    expect(reused.message).not.toContain(tokens.refreshToken ?? '');
    expect(await e2e.client.subscriptions.check(e2e.webhookId, { oauth2AccessToken: fresh.accessToken })).toBe(true);

    // Revoke: the token stops working against the API.
    await expect(flow.revoke(fresh.accessToken, 'access_token')).resolves.toBe(true);
    await expectRejection(
      e2e.client.subscriptions.check(e2e.webhookId, { oauth2AccessToken: fresh.accessToken }),
      AuthenticationError,
    );
    // Revoking the refresh token ends the grant.
    await expect(flow.revoke(fresh.refreshToken ?? '')).resolves.toBe(true);
    await expectRejection(flow.refresh(fresh.refreshToken ?? ''), OAuthError);
  });

  it('a public client (no secret) signs in through the test hook; without offline.access there is no refresh token', async () => {
    const e2e = await scope.start();
    await e2e.register();
    const { clientSecret: _unused, ...publicClient } = e2e.emulator.auth.oauth2FlowOptions({ redirectUri: REDIRECT });
    const flow = createOAuth2Flow({ ...publicClient, timeoutMs: 5_000 });
    const request = await flow.authorizeUrl({ scopes: AAA_SUBSCRIPTION_SCOPES, state: 'my-own-state' });
    const approval = e2e.emulator.auth.approve(request.url, { account: 'carol' });
    expect(approval).toMatchObject({ flow: 'oauth2', state: 'my-own-state' });
    const tokens = await flow.handleCallback(approval.callbackUrl ?? '', request);
    expect(tokens.refreshToken).toBeUndefined();
    expect('refreshToken' in tokens).toBe(false);
    await e2e.client.subscriptions.add(e2e.webhookId, { oauth2AccessToken: tokens.accessToken });
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([e2e.emulator.account('carol').id]);
  });

  it('a wrong code_verifier is refused, and the code is used up; a reused code is refused', async () => {
    const e2e = await scope.start();
    const flow = createOAuth2Flow({
      ...e2e.emulator.auth.oauth2FlowOptions({ redirectUri: REDIRECT }),
      timeoutMs: 5_000,
    });

    const first = await flow.authorizeUrl({ scopes: SCOPES });
    const other = await flow.authorizeUrl({ scopes: SCOPES });
    const approval = e2e.emulator.auth.approve(first.url);
    const code = approval.flow === 'oauth2' ? approval.code : '';
    const wrong = await expectRejection(flow.exchange({ code, codeVerifier: other.codeVerifier }), OAuthError);
    expect(wrong).toMatchObject({ step: 'authorization_code', status: 400, oauthError: 'invalid_request' });
    expect(wrong.message).toContain('did not match the code challenge');
    for (const secret of [code, other.codeVerifier, e2e.emulator.oauth2ClientSecret])
      expect(wrong.message).not.toContain(secret);
    await expectRejection(flow.exchange({ code, codeVerifier: first.codeVerifier }), OAuthError);

    const second = await flow.authorizeUrl({ scopes: SCOPES });
    const ok = e2e.emulator.auth.approve(second.url);
    const secondCode = ok.flow === 'oauth2' ? ok.code : '';
    await flow.exchange({ code: secondCode, codeVerifier: second.codeVerifier });
    const reused = await expectRejection(
      flow.exchange({ code: secondCode, codeVerifier: second.codeVerifier }),
      OAuthError,
    );
    expect(reused.message).toContain('authorization code was invalid');
  });

  it('a bad state is refused before anything is sent; a declined sign-in is reported as denied', async () => {
    const e2e = await scope.start();
    const flow = createOAuth2Flow({
      ...e2e.emulator.auth.oauth2FlowOptions({ redirectUri: REDIRECT }),
      timeoutMs: 5_000,
    });
    const request = await flow.authorizeUrl({ scopes: SCOPES });
    const approval = e2e.emulator.auth.approve(request.url);
    const forged = new URL(approval.callbackUrl ?? '');
    forged.searchParams.set('state', 'attacker-state');

    const bad = await expectRejection(flow.handleCallback(forged, request), OAuthCallbackError);
    expect(bad.reason).toBe('state_mismatch');
    expect(bad.message).not.toContain(request.state);
    const missing = new URL(approval.callbackUrl ?? '');
    missing.searchParams.delete('state');
    await expectRejection(flow.handleCallback(missing, request), OAuthCallbackError);
    // The code was not spent: the genuine callback still completes.
    await expect(flow.handleCallback(approval.callbackUrl ?? '', request)).resolves.toMatchObject({
      tokenType: 'bearer',
    });

    const declined = await flow.authorizeUrl({ scopes: SCOPES });
    const back = e2e.emulator.auth.deny(declined.url) ?? '';
    expect(new URL(back).searchParams.get('error')).toBe('access_denied');
    const denied = await expectRejection(flow.handleCallback(back, declined), OAuthCallbackError);
    expect(denied.reason).toBe('denied');
  });

  it('wrong client credentials are refused; the authorize page refuses a wrong client or redirect URI', async () => {
    const e2e = await scope.start({ emulator: { callbackUrls: [REDIRECT] } });
    const options = e2e.emulator.auth.oauth2FlowOptions({ redirectUri: REDIRECT });
    const flow = createOAuth2Flow({ ...options, timeoutMs: 5_000 });
    const request = await flow.authorizeUrl({ scopes: SCOPES });
    const approval = e2e.emulator.auth.approve(request.url);
    const code = approval.flow === 'oauth2' ? approval.code : '';

    const badSecret = createOAuth2Flow({ ...options, clientSecret: 'wrong-secret', timeoutMs: 5_000 });
    const refused = await expectRejection(badSecret.exchange({ code, codeVerifier: request.codeVerifier }), OAuthError);
    expect(refused).toMatchObject({ status: 401, oauthError: 'unauthorized_client' });
    expect(refused.message).not.toContain('wrong-secret');

    const wrongClient = createOAuth2Flow({ ...options, clientId: 'someone-else', timeoutMs: 5_000 });
    const page = await fetch((await wrongClient.authorizeUrl({ scopes: SCOPES })).url);
    expect(page.status).toBe(400);
    const elsewhere = createOAuth2Flow({ ...options, redirectUri: 'https://elsewhere.example/cb', timeoutMs: 5_000 });
    const elsewhereUrl = (await elsewhere.authorizeUrl({ scopes: SCOPES })).url;
    expect((await fetch(elsewhereUrl)).status).toBe(400);
    expect(() => e2e.emulator.auth.approve(elsewhereUrl)).toThrow(TypeError);
  });

  it("the OpenAPI spec's authorize path works too (authorizationBaseUrl)", async () => {
    const e2e = await scope.start();
    const flow = createOAuth2Flow({
      ...e2e.emulator.auth.oauth2FlowOptions({ redirectUri: REDIRECT }),
      authorizationBaseUrl: `${e2e.emulator.url}/2`,
      timeoutMs: 5_000,
    });
    const request = await flow.authorizeUrl({ scopes: ['tweet.read', 'users.read'] });
    expect(new URL(request.url).pathname).toBe('/2/oauth2/authorize');
    expect((await fetch(request.url)).status).toBe(200);
    const approval = e2e.emulator.auth.approve(request.url);
    await expect(flow.handleCallback(approval.callbackUrl ?? '', request)).resolves.toMatchObject({
      scopes: ['tweet.read', 'users.read'],
    });
  });
});
