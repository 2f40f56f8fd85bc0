/**
 * OAuth 1.0a sign-in (3-legged web flow and PIN flow) against the emulator's endpoints, with real
 * fetch on 127.0.0.1: the user is signed in, then subscribed with the credentials that came out, then
 * an event of theirs is delivered to a real webhook app.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOAuth1Flow, type FetchLike } from '../../src/auth/index.js';
import { isOAuthCallbackError, isOAuthError, OAuthCallbackError, OAuthError } from '../../src/errors.js';
import { createE2eScope } from '../helpers/e2e.js';

const scope = createE2eScope();
afterEach(() => scope.closeAll());

const CALLBACK = 'https://app.example/x/callback';

/** The real fetch, recording each request's URL and Authorization header (svix-style: assert on what was sent). */
function recordingFetch(): { fetch: FetchLike; seen: { url: string; authorization: string; body: string }[] } {
  const seen: { url: string; authorization: string; body: string }[] = [];
  return {
    seen,
    fetch: (input, init) => {
      const headers = new Headers(init.headers);
      seen.push({
        url: input,
        authorization: headers.get('authorization') ?? '',
        body: typeof init.body === 'string' ? init.body : '',
      });
      return fetch(input, init);
    },
  };
}

async function expectRejection<T>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('OAuth 1.0a sign-in against the emulator', { timeout: 15_000 }, () => {
  it('web flow: request token, the HTML authorize page, the callback, access token, then subscribe and receive', async () => {
    const e2e = await scope.start({ apiVersion: '2' });
    await e2e.register();
    const recorder = recordingFetch();
    const flow = createOAuth1Flow({
      ...e2e.emulator.auth.oauth1FlowOptions(),
      fetch: recorder.fetch,
      timeoutMs: 5_000,
    });

    const pending = await flow.requestToken({ callback: CALLBACK, screenName: 'bob' });
    expect(pending.callbackConfirmed).toBe(true);
    const authorize = new URL(pending.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${e2e.emulator.url}/oauth/authorize`);
    expect(authorize.searchParams.get('oauth_token')).toBe(pending.token);
    expect(authorize.searchParams.get('screen_name')).toBe('bob');
    // oauth_callback travels in the signed Authorization header, as X's API reference shows.
    expect(recorder.seen[0]?.url).toBe(`${e2e.emulator.url}/oauth/request_token`);
    expect(recorder.seen[0]?.authorization).toMatch(/^OAuth /);
    expect(recorder.seen[0]?.authorization).toContain(`oauth_callback="${encodeURIComponent(CALLBACK)}"`);
    expect(recorder.seen[0]?.authorization).not.toContain('oauth_token=');

    // The page a browser would show: bob preselected, a form that posts back.
    const page = await fetch(pending.authorizeUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const markup = await page.text();
    expect(markup).toContain('@bob');
    expect(markup).toMatch(/value="[0-9]+" checked> @bob/);

    const bob = e2e.emulator.account('bob');
    const approved = await fetch(`${e2e.emulator.url}/oauth/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ oauth_token: pending.token, account: bob.id, decision: 'approve' }),
      redirect: 'manual',
    });
    expect(approved.status).toBe(302);
    const location = approved.headers.get('location') ?? '';
    expect(location.startsWith(`${CALLBACK}?`)).toBe(true);
    expect(new URL(location).searchParams.get('oauth_token')).toBe(pending.token);

    const user = await flow.handleCallback(location, pending);
    expect(user).toEqual({
      accessToken: bob.accessToken,
      accessTokenSecret: bob.accessTokenSecret,
      userId: bob.id,
      screenName: 'bob',
    });
    // oauth_verifier travels in the header, never in the URL.
    const exchange = recorder.seen[1];
    expect(exchange?.url).toBe(`${e2e.emulator.url}/oauth/access_token`);
    expect(exchange?.authorization).toContain(
      `oauth_verifier="${new URL(location).searchParams.get('oauth_verifier')}"`,
    );
    expect(exchange?.authorization).toContain(`oauth_token="${pending.token}"`);

    await e2e.client.subscriptions.add(e2e.webhookId, user);
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([bob.id]);
    expect(await e2e.client.subscriptions.check(e2e.webhookId, user)).toBe(true);

    await e2e.emulator.activity.post('bob', 'signed in and subscribed');
    await e2e.emulator.settled();
    expect(e2e.events.map((event) => event.type)).toEqual(['tweet_create']);
  });

  it('PIN flow (oauth_callback=oob): the page shows a PIN, the PIN is the verifier; subscribe through v1.1', async () => {
    const e2e = await scope.start({ apiVersion: '1.1' });
    await e2e.register();
    const flow = createOAuth1Flow({ ...e2e.emulator.auth.oauth1FlowOptions(), timeoutMs: 5_000 });

    // Through the HTML page.
    const viaPage = await flow.requestToken({ callback: 'oob' });
    const carol = e2e.emulator.account('carol');
    const shown = await fetch(`${e2e.emulator.url}/oauth/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ oauth_token: viaPage.token, account: 'carol', decision: 'approve' }),
      redirect: 'manual',
    });
    expect(shown.status).toBe(200);
    const pin = /<code id="oauth_pin">([0-9]+)<\/code>/.exec(await shown.text())?.[1] ?? '';
    expect(pin).toMatch(/^[0-9]{7}$/);
    const carolUser = await flow.accessToken({ ...viaPage, verifier: pin });
    expect(carolUser.userId).toBe(carol.id);

    // Through the test hook.
    const viaHook = await flow.requestToken({ callback: 'oob' });
    const approval = e2e.emulator.auth.approve(viaHook.authorizeUrl, { account: 'alice' });
    expect(approval.flow).toBe('oauth1');
    if (approval.flow !== 'oauth1') return;
    expect(approval.callbackUrl).toBeUndefined();
    expect(approval.verifier).toMatch(/^[0-9]{7}$/);
    const aliceUser = await flow.accessToken({
      token: viaHook.token,
      tokenSecret: viaHook.tokenSecret,
      verifier: ` ${approval.verifier}\n`,
    });
    expect(aliceUser.screenName).toBe('alice');

    await e2e.client.subscriptions.add(e2e.webhookId, aliceUser);
    await e2e.client.subscriptions.add(e2e.webhookId, carolUser);
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([e2e.emulator.account('alice').id, carol.id]);
  });

  it('a wrong verifier is refused with an OAuthError that names no secret; the right one then works once', async () => {
    const e2e = await scope.start();
    const flow = createOAuth1Flow({ ...e2e.emulator.auth.oauth1FlowOptions(), timeoutMs: 5_000 });
    const pending = await flow.requestToken({ callback: 'oob' });
    const approval = e2e.emulator.auth.approve(pending.authorizeUrl);
    const verifier = approval.flow === 'oauth1' ? approval.verifier : '';

    const wrong = await expectRejection(flow.accessToken({ ...pending, verifier: '0000000' }), OAuthError);
    expect(isOAuthError(wrong)).toBe(true);
    expect(wrong.step).toBe('access_token');
    expect(wrong.status).toBe(401);
    expect(wrong.message).toContain('Invalid oauth_verifier parameter');
    expect(wrong.request).toEqual({ method: 'POST', url: `${e2e.emulator.url}/oauth/access_token` });
    for (const secret of [pending.token, pending.tokenSecret, verifier, e2e.emulator.consumerSecret]) {
      expect(wrong.message).not.toContain(secret);
      expect(JSON.stringify(wrong)).not.toContain(secret);
    }

    const user = await flow.accessToken({ ...pending, verifier });
    expect(user.screenName).toBe('alice');
    // A request token works once.
    const reused = await expectRejection(flow.accessToken({ ...pending, verifier }), OAuthError);
    expect(reused.status).toBe(401);
    expect(reused.code).toBe(89);
  });

  it('a verifier before approval, and an unknown request token, are refused', async () => {
    const e2e = await scope.start();
    const flow = createOAuth1Flow({ ...e2e.emulator.auth.oauth1FlowOptions(), timeoutMs: 5_000 });
    const pending = await flow.requestToken({ callback: CALLBACK });
    await expectRejection(flow.accessToken({ ...pending, verifier: 'guess' }), OAuthError);
    const unknown = await expectRejection(
      flow.accessToken({ token: 'nope', tokenSecret: 'nope', verifier: 'x' }),
      OAuthError,
    );
    expect(unknown.code).toBe(89);
  });

  it('handleCallback refuses a denied sign-in and a callback of another sign-in before calling X', async () => {
    const e2e = await scope.start();
    const flow = createOAuth1Flow({ ...e2e.emulator.auth.oauth1FlowOptions(), timeoutMs: 5_000 });
    const first = await flow.requestToken({ callback: CALLBACK });
    const second = await flow.requestToken({ callback: CALLBACK });

    const denied = e2e.emulator.auth.deny(first.authorizeUrl) ?? '';
    expect(new URL(denied).searchParams.get('denied')).toBe(first.token);
    const deniedError = await expectRejection(flow.handleCallback(denied, first), OAuthCallbackError);
    expect(deniedError.reason).toBe('denied');
    expect(isOAuthCallbackError(deniedError)).toBe(true);

    const approval = e2e.emulator.auth.approve(second.authorizeUrl);
    const callback = approval.flow === 'oauth1' ? (approval.callbackUrl ?? '') : '';
    const mismatch = await expectRejection(
      flow.handleCallback(callback, { token: first.token, tokenSecret: first.tokenSecret }),
      OAuthCallbackError,
    );
    expect(mismatch.reason).toBe('token_mismatch');
    expect(mismatch.message).not.toContain(second.token);
    await expectRejection(flow.handleCallback('/x/callback', second), OAuthCallbackError);
    // Nothing was sent: the right sign-in still completes.
    await expect(flow.handleCallback(new URL(callback), second)).resolves.toMatchObject({ screenName: 'alice' });
  });

  it('a wrong consumer secret and an unapproved callback URL are refused at the request-token step', async () => {
    const e2e = await scope.start({ emulator: { callbackUrls: [CALLBACK] } });
    const bad = createOAuth1Flow({
      ...e2e.emulator.auth.oauth1FlowOptions(),
      consumerSecret: 'not-the-secret',
      timeoutMs: 5_000,
    });
    const refused = await expectRejection(bad.requestToken({ callback: CALLBACK }), OAuthError);
    expect(refused).toMatchObject({ step: 'request_token', status: 401, code: 32 });
    expect(refused.message).not.toContain('not-the-secret');

    const flow = createOAuth1Flow({ ...e2e.emulator.auth.oauth1FlowOptions(), timeoutMs: 5_000 });
    const unapproved = await expectRejection(
      flow.requestToken({ callback: 'https://elsewhere.example/cb' }),
      OAuthError,
    );
    expect(unapproved).toMatchObject({ step: 'request_token', status: 403, code: 415 });
    await expect(flow.requestToken({ callback: CALLBACK })).resolves.toMatchObject({ callbackConfirmed: true });
    await expect(flow.requestToken({ callback: 'oob' })).resolves.toMatchObject({ callbackConfirmed: true });
  });

  it('re-authorizing after a revoke restores access; authenticate and force_login pick the page', async () => {
    const e2e = await scope.start();
    await e2e.register();
    const flow = createOAuth1Flow({ ...e2e.emulator.auth.oauth1FlowOptions(), timeoutMs: 5_000 });
    const pending = await flow.requestToken({
      callback: CALLBACK,
      authenticate: true,
      forceLogin: true,
      accessType: 'read',
    });
    expect(new URL(pending.authorizeUrl).pathname).toBe('/oauth/authenticate');
    expect(new URL(pending.authorizeUrl).searchParams.get('force_login')).toBe('true');
    await e2e.emulator.activity.revoke('alice');
    const approval = e2e.emulator.auth.approve(pending.authorizeUrl, { account: 'alice' });
    const user = await flow.handleCallback(approval.callbackUrl ?? '', pending);
    await e2e.client.subscriptions.add(e2e.webhookId, user);
    expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([e2e.emulator.account('alice').id]);
  });
});
