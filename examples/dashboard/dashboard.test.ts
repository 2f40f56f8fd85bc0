/**
 * The dashboard end to end, in a real headless Chromium: the page connects to the event stream, the
 * emulated accounts act (through the page's buttons and the JSON API), every event appears in order
 * with its label, subscriptions change through the page, a replay started from the form completes,
 * and an X Activity API subscription made in the XAA panel brings XAA events (via the webhook and the
 * activity stream) next to the AAA and Filtered-Stream ones, until it is deleted there.
 * Screenshots land in artifacts/dashboard.png and artifacts/dashboard-xaa.png (git-ignored).
 */
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XAA_TYPES } from 'x-account-activity';
import { startEmulator } from 'x-account-activity/testing';
import { launchChromium } from '../../test/helpers/browser.js';
import { startDashboard, type RunningDashboard } from './server.js';

const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));
const WAIT = { timeout: 10_000 };

/** The tour's deliveries, one group per action (a group's copies may arrive in any order). */
const TOUR_GROUPS: readonly (readonly string[])[] = [
  ['Post'],
  ['Post', 'Mention'],
  ['Reply', 'Reply'],
  ['Retweet', 'Retweet'],
  ['Quote post', 'Quote post'],
  ['Retweet of a quote', 'Retweet of a quote', 'Retweet of a quote'],
  ['Like', 'Like'],
  ['Follow', 'Follow'],
  ['Unfollow'],
  ['Mute'],
  ['Unmute'],
  ['Block'],
  ['Unblock'],
  ['DM sent', 'DM received'],
  ['Typing'],
  ['Read receipt'],
  ['Post deleted'],
];

async function postJson(url: string, body: unknown): Promise<{ status: number; data: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, data: (await response.json()) as Record<string, unknown> };
}

/** Feed rows, oldest first. */
async function feed(page: Page): Promise<{ label: string; delivery: string; text: string }[]> {
  const rows = await page.$$eval('#feed .event', (items) =>
    items.map((item) => ({
      label: (item as HTMLElement).dataset['label'] ?? '',
      delivery: (item as HTMLElement).dataset['delivery'] ?? '',
      text: item.querySelector('.text')?.textContent ?? '',
    })),
  );
  return rows.reverse();
}

/** Feed rows with their family and how they came, oldest first. */
async function familyFeed(page: Page): Promise<{ family: string; via: string; label: string; text: string }[]> {
  const rows = await page.$$eval('#feed .event', (items) =>
    items.map((item) => ({
      family: (item as HTMLElement).dataset['family'] ?? '',
      via: (item as HTMLElement).dataset['via'] ?? '',
      label: (item as HTMLElement).dataset['label'] ?? '',
      text: item.querySelector('.text')?.textContent ?? '',
    })),
  );
  return rows.reverse();
}

/** A free loopback port (the webhook URL must be known before the dashboard starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Reads a server-sent event stream until `done(text)` holds or it ends; returns the text. */
async function readStream(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  await reader.cancel();
  return text;
}

async function waitForCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('#feed .event').length >= n, count, WAIT);
}

describe('dashboard in a headless browser', () => {
  let dashboard: RunningDashboard | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    dashboard = await startDashboard({ port: 0, env: {}, emulator: { retryScale: 0.001 } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, reducedMotion: 'reduce' });
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  it('opens the page, connects the event stream and lists the webhook with the seeded subscriptions', async () => {
    const d = dashboard as RunningDashboard;
    await page.goto(d.url);
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor(WAIT);
    await expect(page.getByTestId('mode').textContent()).resolves.toContain('emulator');
    const hook = page.locator('#webhooks .webhook').first();
    await hook.locator('.subs li', { hasText: '@carol' }).waitFor(WAIT);
    const users = await hook.locator('.subs .user').allTextContents();
    expect(users).toEqual(['@app_owner', '@alice', '@bob', '@carol']);
    await expect(hook.locator('.pill').first().textContent()).resolves.toBe('valid');
    await expect(page.locator('#legend li').count()).resolves.toBe(19);
  });

  it('shows every kind of the tour in order, with its label, after a click on the tour button', async () => {
    await page.getByTestId('tour').click();
    const total = TOUR_GROUPS.flat().length;
    await waitForCount(page, total);
    await page.getByTestId('act-status').filter({ hasText: 'Tour done' }).waitFor(WAIT);
    const rows = await feed(page);
    expect(rows).toHaveLength(total);
    expect(rows.every((row) => row.delivery === 'new')).toBe(true);
    let at = 0;
    for (const group of TOUR_GROUPS) {
      const got = rows.slice(at, at + group.length).map((row) => row.label);
      expect([...got].sort()).toEqual([...group].sort());
      at += group.length;
    }
    expect(rows[0]?.text).toBe('Hello from the emulator 👋');
    await expect(page.locator('#legend [data-kind="retweet_of_quote"] .n').textContent()).resolves.toBe('3');
  });

  it('shows an action made through the JSON API and one made with the page controls', async () => {
    const d = dashboard as RunningDashboard;
    const before = (await feed(page)).length;
    const result = await postJson(`${d.url}/api/act`, {
      action: 'post',
      actor: 'carol',
      text: 'Posted through the JSON API',
    });
    expect(result).toEqual({ status: 200, data: { deliveries: 1 } });
    await waitForCount(page, before + 1);
    await page.selectOption('#actor', 'bob');
    await page.selectOption('#target', 'carol');
    await page.fill('#text', 'Hello Carol');
    await page.locator('#actions button[data-action="dm"]').click();
    await waitForCount(page, before + 3);
    const rows = (await feed(page)).slice(before);
    expect(rows[0]).toMatchObject({ label: 'Post', text: 'Posted through the JSON API' });
    expect(
      rows
        .slice(1)
        .map((row) => row.label)
        .sort(),
    ).toEqual(['DM received', 'DM sent']);
    expect(rows[1]?.text).toBe('Hello Carol');

    const refused = await postJson(`${d.url}/api/act`, { action: 'like', actor: 'app_owner', target: 'app_owner' });
    expect(refused.status).toBe(400);
    expect(refused.data['error']).toMatch(/themselves/);
  });

  it('removes and re-adds a subscription with the page buttons, and shows a revoke', async () => {
    const d = dashboard as RunningDashboard;
    const hook = page.locator('#webhooks .webhook').first();
    await hook.locator('.subs li', { hasText: '@carol' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByTestId('hooks-status').filter({ hasText: 'Removed @carol' }).waitFor(WAIT);
    await expect(hook.locator('.subs .user').allTextContents()).resolves.toEqual(['@app_owner', '@alice', '@bob']);

    await hook.locator('form.subscribe select').selectOption('carol');
    await hook.locator('form.subscribe button').click();
    await page.getByTestId('hooks-status').filter({ hasText: 'Subscribed @carol' }).waitFor(WAIT);
    await expect(hook.locator('.subs .user').allTextContents()).resolves.toContain('@carol');

    await hook.getByRole('button', { name: 'Re-validate (CRC)' }).click();
    await page.getByTestId('hooks-status').filter({ hasText: 'CRC passed' }).waitFor(WAIT);

    // The 19th kind: a fresh account subscribes, then revokes the app.
    const emulator = d.emulator!;
    emulator.createAccount({ screenName: 'dave' });
    const webhookId = (await hook.getAttribute('data-webhook-id')) as string;
    expect((await postJson(`${d.url}/api/webhooks/${webhookId}/subscriptions`, { account: 'dave' })).status).toBe(200);
    const before = (await feed(page)).length;
    expect((await postJson(`${d.url}/api/act`, { action: 'revoke', actor: 'dave' })).data).toEqual({ deliveries: 1 });
    await waitForCount(page, before + 1);
    expect((await feed(page)).at(-1)?.label).toBe('Subscription revoked');
    await expect(page.locator('#legend .n').allTextContents()).resolves.not.toContain('0');
  });

  it('replays a backdated hour from the form and shows the job complete', async () => {
    const d = dashboard as RunningDashboard;
    await page.getByTestId('history').click();
    await page.getByTestId('act-status').filter({ hasText: 'Seeded 4 actions' }).waitFor(WAIT);
    const seeded = d
      .emulator!.deliveries({ kind: 'activity' })
      .filter((r) => Date.now() - r.eventAt.getTime() > 40 * 60_000).length;
    expect(seeded).toBe(7);
    const before = (await feed(page)).length;

    await page.getByTestId('replay-start').click();
    await page.getByTestId('replay-state').filter({ hasText: 'Complete' }).waitFor(WAIT);
    await waitForCount(page, before + seeded + 1);
    const rows = (await feed(page)).slice(before);
    expect(rows.slice(0, seeded).every((row) => row.delivery === 'duplicate')).toBe(true);
    expect(
      rows
        .slice(0, seeded)
        .map((row) => row.label)
        .sort(),
    ).toEqual(['DM received', 'DM sent', 'Follow', 'Follow', 'Like', 'Like', 'Post'].sort());
    expect(rows.at(-1)).toMatchObject({ label: 'Replay job status', delivery: 'new' });
    expect(rows.at(-1)?.text).toMatch(/^Complete/);
    await expect(page.getByTestId('replay-received').textContent()).resolves.toBe(String(seeded));

    // A second look with duplicates hidden, for the screenshot.
    await page.locator('#show-duplicates').uncheck();
    await expect(page.locator('#feed .event.duplicate').first().isVisible()).resolves.toBe(false);
    await page.locator('#show-duplicates').check();
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });
  });

  it('creates XAA subscriptions in the panel, shows XAA events by family and way in, and deletes them', async () => {
    const d = dashboard as RunningDashboard;
    const emulator = d.emulator!;
    const bob = emulator.account('bob');
    const webhookId = (await page.locator('#webhooks .webhook').first().getAttribute('data-webhook-id')) as string;
    await page.getByTestId('stream-state').filter({ hasText: 'activity stream: connected' }).waitFor(WAIT);
    await expect(page.getByTestId('xaa-subs').textContent()).resolves.toContain('No XAA subscriptions');
    await expect(page.getByTestId('xaa-stream-info').textContent()).resolves.toBe(
      'Filtered Stream: rules #dashboard (dashboard-hashtag); linked to this webhook.',
    );
    // The select offers the library's XAA types (but oauth.revoke, which X sends unasked).
    const types = await page
      .locator('#xaa-type option')
      .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(types).toEqual(XAA_TYPES.filter((type) => type !== 'oauth.revoke'));

    // A public type, with the app's token; then a private one, in the account's own context.
    await page.selectOption('#xaa-type', 'post.create');
    await page.selectOption('#xaa-user', 'bob');
    await page.fill('#xaa-tag', 'from-the-page');
    await page.getByTestId('xaa-create').click();
    await page
      .getByTestId('xaa-status')
      .filter({ hasText: "post.create for @bob (with the app's token)" })
      .waitFor(WAIT);
    await page.selectOption('#xaa-type', 'like.create');
    await page.selectOption('#xaa-user', 'alice');
    await page.selectOption('#xaa-direction', 'inbound');
    await page.fill('#xaa-tag', '');
    await page.getByTestId('xaa-create').click();
    await page
      .getByTestId('xaa-status')
      .filter({ hasText: "like.create for @alice (in the user's context)" })
      .waitFor(WAIT);
    const listed = page.locator('#xaa-subs li');
    await expect(listed.allTextContents()).resolves.toEqual([
      expect.stringContaining('post.create for @bob · tag from-the-page'),
      expect.stringMatching(/like\.create for @alice \(inbound\)private/),
    ]);
    expect(emulator.xaa.subscriptions()).toMatchObject([
      { event_type: 'post.create', filter: { user_id: bob.id }, tag: 'from-the-page', webhook_id: webhookId },
      { event_type: 'like.create', filter: { user_id: emulator.account('alice').id, direction: 'inbound' } },
    ]);

    // Bob posts with the page controls: AAA, XAA via the webhook, XAA via the stream, Filtered Stream.
    let before = (await feed(page)).length;
    await page.selectOption('#actor', 'bob');
    await page.fill('#text', 'Trying the X Activity API #dashboard');
    await page.locator('#actions button[data-action="post"]').click();
    await waitForCount(page, before + 4);
    let rows = (await familyFeed(page)).slice(before);
    expect(rows.map((row) => `${row.family} ${row.via} ${row.label}`).sort()).toEqual([
      'aaa webhook Post',
      'filtered_stream webhook filtered_stream.post',
      'xaa stream post.create',
      'xaa webhook post.create',
    ]);
    expect(rows.every((row) => row.text === 'Trying the X Activity API #dashboard')).toBe(true);
    await expect(page.locator('#feed .event[data-family="xaa"] .fam-badge').first().textContent()).resolves.toBe('XAA');
    await expect(page.locator('#feed .event[data-via="stream"] .via-badge').first().textContent()).resolves.toBe(
      'via activity stream',
    );
    // The family filter shows XAA rows only.
    await page.selectOption('#family-filter', 'xaa');
    await expect(page.locator('#feed .event[data-family="aaa"]').first().isVisible()).resolves.toBe(false);
    await expect(page.locator('#feed .event[data-family="xaa"]').first().isVisible()).resolves.toBe(true);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard-xaa.png`, fullPage: true });
    await page.selectOption('#family-filter', '');

    // Delete both in the panel: gone from the page and from the emulator.
    for (const type of ['post.create', 'like.create']) {
      await listed.filter({ hasText: type }).getByRole('button', { name: 'Delete' }).click();
      await page
        .getByTestId('xaa-status')
        .filter({ hasText: `(${type})` })
        .waitFor(WAIT);
      await listed.filter({ hasText: type }).waitFor({ state: 'detached', ...WAIT });
    }
    await expect(page.getByTestId('xaa-subs').textContent()).resolves.toContain('No XAA subscriptions');
    expect(emulator.xaa.subscriptions()).toEqual([]);

    // Bob posts again: AAA only, no XAA anywhere.
    const streamed = emulator.stream.events().length;
    before = (await feed(page)).length;
    expect(
      (await postJson(`${d.url}/api/act`, { action: 'post', actor: 'bob', text: 'After the delete' })).data,
    ).toEqual({
      deliveries: 1,
    });
    await waitForCount(page, before + 1);
    rows = (await familyFeed(page)).slice(before);
    expect(rows).toEqual([{ family: 'aaa', via: 'webhook', label: 'Post', text: 'After the delete' }]);
    expect(emulator.stream.events()).toHaveLength(streamed);
  });
});

describe('dashboard server without a browser', () => {
  it('refuses a badly signed delivery, refuses non-JSON API calls, and ends event streams with a goodbye on close', async () => {
    const dashboard = await startDashboard({ port: 0, env: {}, heartbeatMs: 20 });
    let closed = false;
    try {
      const bad = await fetch(`${dashboard.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': 'sha256=AAAA' },
        body: '{"for_user_id":"1","favorite_events":[]}',
      });
      expect(bad.status).toBe(401);
      const form = await fetch(`${dashboard.url}/api/act`, { method: 'POST', body: 'action=post&actor=alice' });
      expect(form.status).toBe(415);

      const response = await fetch(`${dashboard.url}/events`);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      let text = await readStream(response, (t) => t.includes(': heartbeat'));
      expect(text).toContain(': heartbeat');
      const second = await fetch(`${dashboard.url}/events`);
      await dashboard.close();
      closed = true;
      text = await readStream(second, () => false);
      expect(text).toContain('event: bye');
    } finally {
      if (!closed) await dashboard.close();
    }
  });
});

describe('dashboard in real X mode', () => {
  it('reads X_* credentials, registers X_WEBHOOK_URL, subscribes the owner and streams what arrives', async () => {
    // The emulator stands in for api.x.com through X_API_BASE_URL; the dashboard does not know.
    const x = await startEmulator({ retryScale: 0.001 });
    try {
      const port = await freePort();
      const webhookUrl = `http://127.0.0.1:${port}/webhook`;
      const dashboard = await startDashboard({
        port,
        env: {
          X_CONSUMER_KEY: x.consumerKey,
          X_CONSUMER_SECRET: x.consumerSecret,
          X_ACCESS_TOKEN: x.owner.accessToken,
          X_ACCESS_TOKEN_SECRET: x.owner.accessTokenSecret,
          X_WEBHOOK_URL: webhookUrl,
          X_API_BASE_URL: x.url,
        },
      });
      try {
        expect(dashboard.emulator).toBeUndefined();
        expect(dashboard.webhookUrl).toBe(webhookUrl);
        expect(x.webhooks()).toMatchObject([{ url: webhookUrl, valid: true, subscriptions: [x.owner.id] }]);
        const state = (await (await fetch(`${dashboard.url}/api/state`)).json()) as Record<string, unknown>;
        expect(state).toMatchObject({ mode: 'x', accounts: [], actions: {} });
        expect(JSON.stringify(state)).not.toContain(x.consumerSecret);
        expect((await postJson(`${dashboard.url}/api/act`, { action: 'post', actor: 'alice' })).status).toBe(404);

        const events = await fetch(`${dashboard.url}/events`);
        await x.activity.post(x.owner, 'Sent through the real-X code path');
        const text = await readStream(events, (t) => t.includes('event: activity'));
        expect(text).toContain('"label":"Post"');
        expect(text).toContain('Sent through the real-X code path');
      } finally {
        await dashboard.close();
      }
    } finally {
      await x.close();
    }
  });

  it('refuses to start with half of the credentials, naming what is missing', async () => {
    await expect(startDashboard({ env: { X_CONSUMER_KEY: 'k', X_CONSUMER_SECRET: 's' } })).rejects.toThrow(
      /X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET/,
    );
  });
});
