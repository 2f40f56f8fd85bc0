/**
 * Failure paths, end to end through the emulator, the client and an SDK webhook app: CRC failures
 * at registration, an invalid webhook, a revoked user, a replay conflict, a listener failure
 * followed by X's retries, rate limits, and injected 503s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  ListenerError,
  RateLimitError,
  ServerError,
  TimeoutError,
  XApiError,
} from '../../src/errors.js';
import { createDeduplicator } from '../../src/events/dedup.js';
import { X_RETRY_DELAYS_MS, type EndpointId } from '../../src/testing/index.js';
import { createE2eScope, oauth1, type CrcMode } from '../helpers/e2e.js';

const scope = createE2eScope();
afterEach(() => scope.closeAll());

const HOUR = 3_600_000;
type Generation = '2' | '1.1';

/** The rejection of a promise (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value: unknown) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Checks the documented CRC failure: reason CrcValidationFailed on v2, code 214 on v1.1. */
function expectCrcFailure(error: unknown, apiVersion: Generation, message: string): void {
  expect(error).toBeInstanceOf(InvalidRequestError);
  const apiError = error as InvalidRequestError;
  expect(apiError.status).toBe(400);
  if (apiVersion === '2') {
    expect(apiError.reason).toBe('CrcValidationFailed');
  } else {
    expect(apiError.code).toBe(214);
  }
  expect(apiError.errors[0]?.message).toContain(message);
}

describe.each(['2', '1.1'] as const)('API v%s', (apiVersion) => {
  const ids = (v2: EndpointId, v11: EndpointId): EndpointId => (apiVersion === '2' ? v2 : v11);

  describe('CRC failure at registration', () => {
    it.each([
      ['wrong-token', 'Invalid CRC token or json response format'],
      ['status-500', 'Non-200 response code during CRC GET request'],
      ['hang', 'High latency on CRC GET request'],
    ] as const)('%s gives the documented error and saves nothing', async (mode: CrcMode, message) => {
      const e2e = await scope.start({ apiVersion, emulator: { crcTimeoutMs: 100 } });
      e2e.crcMode = mode;
      const error = await rejection(e2e.register());
      expectCrcFailure(error, apiVersion, message);
      expect(e2e.crcRequests).toBe(1);
      expect(e2e.emulator.webhooks()).toEqual([]);
      expect(await e2e.client.webhooks.list()).toEqual([]);

      // Fixed, the same URL registers.
      e2e.crcMode = 'sdk';
      expect((await e2e.register()).valid).toBe(true);
    });

    if (apiVersion === '1.1') {
      it('with the documented 403 variant of code 214 it is a ForbiddenError with code 214', async () => {
        const e2e = await scope.start({ apiVersion, emulator: { variants: { crcErrorStatus: 403 } } });
        e2e.crcMode = 'wrong-token';
        const error = await rejection(e2e.register());
        expect(error).toBeInstanceOf(ForbiddenError);
        expect((error as ForbiddenError).code).toBe(214);
        expect(e2e.emulator.webhooks()).toEqual([]);
      });
    }
  });

  describe('documented management errors through the client', () => {
    /** v2: reason `reason`; v1.1: code `code` (or no error at all when `code` is undefined). */
    function expectApiError(error: unknown, reason: string, code: number): void {
      expect(error).toBeInstanceOf(XApiError);
      if (apiVersion === '2') expect((error as XApiError).reason).toBe(reason);
      else expect((error as XApiError).code).toBe(code);
    }

    it('a duplicate URL and the webhook limit are refused without a CRC', async () => {
      const e2e = await scope.start({ apiVersion, emulator: { maxWebhooks: 1 } });
      await e2e.register();
      const crcs = e2e.crcRequests;
      expectApiError(await rejection(e2e.register()), 'DuplicateUrlFailed', 214);
      expectApiError(
        await rejection(e2e.client.webhooks.register(`${e2e.webhookUrl}/other`)),
        'WebhookLimitExceeded',
        214,
      );
      expect(e2e.crcRequests).toBe(crcs);
      expect(e2e.emulator.webhooks()).toHaveLength(1);
    });

    it('the subscription limit is refused; a duplicate subscription is an error on v2 and a no-op on v1.1', async () => {
      const e2e = await scope.start({ apiVersion, emulator: { maxSubscriptions: 1 } });
      const webhook = await e2e.register();
      const [alice] = await e2e.subscribe('alice');
      const again = e2e.client.subscriptions.add(webhook.id, oauth1(alice!));
      if (apiVersion === '2') expectApiError(await rejection(again), 'DuplicateSubscriptionFailed', 0);
      else await expect(again).resolves.toBeUndefined();
      expectApiError(
        await rejection(e2e.client.subscriptions.add(webhook.id, oauth1(e2e.emulator.account('bob')))),
        'SubscriptionLimitExceeded',
        214,
      );
      expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([alice!.id]);
      expect(await e2e.client.subscriptions.count()).toMatchObject({ subscriptionsCountAll: 1, provisionedCount: 1 });
    });

    it('an unknown webhook id is refused by every webhook-scoped operation', async () => {
      const e2e = await scope.start({ apiVersion });
      const unknown = '1234567890123456789';
      const alice = oauth1(e2e.emulator.account('alice'));
      const now = Date.now();
      for (const call of [
        () => e2e.client.webhooks.validate(unknown),
        () => e2e.client.subscriptions.add(unknown, alice),
        () => e2e.client.subscriptions.list(unknown),
        () => e2e.client.subscriptions.remove(unknown, e2e.emulator.account('alice').id),
        () => e2e.client.replay.start(unknown, { from: new Date(now - 3 * HOUR), to: new Date(now - HOUR) }),
      ]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(XApiError);
        if (apiVersion === '2') expect((error as XApiError).reason).toBe('WebhookIdInvalid');
        else expect((error as XApiError).status).toBe(404);
      }
    });
  });

  if (apiVersion === '1.1') {
    it('a webhook app that requires the CRC signature registers: the v1.1 CRC GET is signed over crc_token&nonce', async () => {
      const e2e = await scope.start({ apiVersion, handler: { crcSignature: 'require' } });
      expect((await e2e.register()).valid).toBe(true);
      expect(e2e.handler.stats()).toMatchObject({ crcAnswered: 1, rejected: 0 });
    });
  }

  describe('an invalid webhook', () => {
    it('receives nothing after a failed periodic CRC until webhooks.validate passes again', async () => {
      const e2e = await scope.start({ apiVersion });
      const webhook = await e2e.register();
      const [alice] = await e2e.subscribe('alice');

      e2e.crcMode = 'wrong-token';
      expect(await e2e.emulator.revalidate()).toEqual([{ webhookId: webhook.id, valid: false }]);
      expect((await e2e.client.webhooks.list())[0]?.valid).toBe(false);

      const whileInvalid = await e2e.emulator.activity.post(alice!, 'nobody hears this');
      expect(whileInvalid.deliveries).toEqual([]);
      await e2e.emulator.settled();
      expect(e2e.emulator.deliveries()).toEqual([]);
      expect(e2e.events).toEqual([]);

      // validate while the CRC still fails: the documented CRC error, still invalid.
      expectCrcFailure(await rejection(e2e.client.webhooks.validate(webhook.id)), apiVersion, 'Invalid CRC token');
      expect(e2e.emulator.webhooks()[0]?.valid).toBe(false);

      e2e.crcMode = 'sdk';
      expect(await e2e.client.webhooks.validate(webhook.id)).toEqual({ attempted: true, valid: true });
      expect(e2e.emulator.webhooks()[0]?.valid).toBe(true);
      expect((await e2e.client.webhooks.list())[0]?.valid).toBe(true);

      await e2e.emulator.activity.post(alice!, 'back online');
      expect(e2e.events.map((e) => e.type === 'tweet_create' && e.text)).toEqual(['back online']);
      // Nothing of the invalid period is delivered late.
      expect(e2e.emulator.deliveries()).toHaveLength(1);
    });

    it('stays valid on a transient periodic CRC failure within the grace period', async () => {
      const e2e = await scope.start({ apiVersion });
      const webhook = await e2e.register();
      await e2e.subscribe('alice');
      e2e.crcMode = 'status-500';
      expect(await e2e.emulator.revalidate()).toEqual([{ webhookId: webhook.id, valid: true }]);
      e2e.crcMode = 'sdk';
      await e2e.emulator.activity.post('alice', 'still delivered');
      expect(e2e.events).toHaveLength(1);
    });
  });

  describe('a revoked user', () => {
    it('loses the subscription, gets no more events, and their tokens are refused', async () => {
      const e2e = await scope.start({ apiVersion });
      const webhook = await e2e.register();
      const [alice, bob] = await e2e.subscribe('alice', 'bob');

      await e2e.emulator.activity.revoke(bob!);
      expect(e2e.takeEvents()).toMatchObject([{ type: 'user_revoke', userId: bob!.id, forUserId: undefined }]);

      expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([alice!.id]);
      expect((await e2e.client.subscriptions.list(webhook.id)).subscriptions).toEqual([{ userId: alice!.id }]);
      expect((await e2e.client.subscriptions.count()).subscriptionsCountAll).toBe(1);

      // A mention of bob by alice now reaches alice only; bob's own post reaches nobody.
      e2e.emulator.clearDeliveries();
      await e2e.emulator.activity.mention(alice!, bob!, 'are you there?');
      await e2e.emulator.activity.post(bob!, 'posting after the revoke');
      await e2e.emulator.settled();
      expect(e2e.emulator.deliveries().map((d) => d.forUserId)).toEqual([alice!.id]);
      expect(e2e.takeEvents().map((e) => e.forUserId)).toEqual([alice!.id]);

      // Their OAuth 1.0a tokens are refused (v1.1 code 89), on check and on a new subscription.
      for (const call of [
        () => e2e.client.subscriptions.check(webhook.id, oauth1(bob!)),
        () => e2e.client.subscriptions.add(webhook.id, oauth1(bob!)),
      ]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(AuthenticationError);
        expect((error as AuthenticationError).status).toBe(401);
        if (apiVersion === '1.1') expect((error as AuthenticationError).code).toBe(89);
      }
      if (apiVersion === '2') {
        const error = await rejection(
          e2e.client.subscriptions.add(webhook.id, { oauth2AccessToken: bob!.oauth2AccessToken }),
        );
        expect(error).toBeInstanceOf(AuthenticationError);
      }
      expect(e2e.emulator.webhooks()[0]?.subscriptions).toEqual([alice!.id]);
    });
  });

  describe('a replay conflict', () => {
    it('refuses a second job while one runs', async () => {
      // The first job waits before delivering (closing the emulator ends it).
      const e2e = await scope.start({ apiVersion, emulator: { replayStartDelayMs: 60_000 } });
      const webhook = await e2e.register();
      const now = Date.now();
      const window = { from: new Date(now - 3 * HOUR), to: new Date(now - HOUR) };

      const job = await e2e.client.replay.start(webhook.id, window);
      expect(e2e.emulator.webhooks()[0]?.replayJobId).toBe(job.jobId);

      const error = await rejection(e2e.client.replay.start(webhook.id, window));
      if (apiVersion === '2') {
        expect(error).toBeInstanceOf(InvalidRequestError);
        expect((error as InvalidRequestError).reason).toBe('ReplayConflictError');
      } else {
        expect(error).toBeInstanceOf(ConflictError);
        expect((error as ConflictError).status).toBe(409);
        expect((error as ConflictError).code).toBe(355);
      }
      // The running job is untouched.
      expect(e2e.emulator.webhooks()[0]?.replayJobId).toBe(job.jobId);
    });
  });

  describe('rate limits', () => {
    it('a 429 becomes a RateLimitError whose rateLimit.reset says when to come back', async () => {
      const listId = ids('V2', 'E2');
      const e2e = await scope.start({ apiVersion, emulator: { rateLimits: { [listId]: 2 } } });
      await e2e.client.webhooks.list();
      await e2e.client.webhooks.list();
      expect(e2e.client.rateLimit('webhooks.list')).toMatchObject({ limit: 2, remaining: 0, reset: expect.any(Date) });

      const before = Date.now();
      const error = await rejection(e2e.client.webhooks.list());
      expect(error).toBeInstanceOf(RateLimitError);
      const limited = error as RateLimitError;
      expect(limited.status).toBe(429);
      if (apiVersion === '1.1') expect(limited.code).toBe(88);
      expect(limited.rateLimit?.limit).toBe(2);
      expect(limited.rateLimit?.remaining).toBe(0);
      expect(limited.rateLimit?.reset).toBeInstanceOf(Date);
      expect(limited.rateLimit!.reset.getTime()).toBeGreaterThan(before);

      // Other endpoints have their own budget.
      await expect(e2e.client.subscriptions.count()).resolves.toMatchObject({ subscriptionsCountAll: 0 });
    });
  });

  describe('an injected 503', () => {
    /** A fetch that records each request's method and path, then calls the real fetch. */
    function countingFetch(log: string[]): typeof globalThis.fetch {
      return (input, init) => {
        const request = input instanceof Request ? input : undefined;
        const method = init?.method ?? request?.method ?? 'GET';
        const url = new URL(request ? request.url : String(input));
        log.push(`${method} ${url.pathname}`);
        return globalThis.fetch(input, init);
      };
    }

    it('is retried for an idempotent call (webhooks.list), which then succeeds', async () => {
      const log: string[] = [];
      const e2e = await scope.start({ apiVersion, client: { fetch: countingFetch(log) } });
      const webhook = await e2e.register();
      e2e.emulator.faults.inject({ type: 'status', status: 503, match: { operation: 'webhooks.list' } });
      log.length = 0;

      const listed = await e2e.client.webhooks.list();
      expect(listed.map((w) => w.id)).toEqual([webhook.id]);
      const path = apiVersion === '2' ? '/2/webhooks' : '/1.1/account_activity/webhooks.json';
      expect(log.filter((line) => line !== 'POST /oauth2/token')).toEqual([`GET ${path}`, `GET ${path}`]);
    });

    it('a dropped connection on an idempotent call is retried too', async () => {
      const log: string[] = [];
      const e2e = await scope.start({ apiVersion, client: { fetch: countingFetch(log) } });
      await e2e.register();
      e2e.emulator.faults.inject({ type: 'drop', match: { operation: 'webhooks.list' } });
      log.length = 0;
      expect(await e2e.client.webhooks.list()).toHaveLength(1);
      expect(log.filter((line) => line.startsWith('GET '))).toHaveLength(2);
    });

    it('an answer slower than the call’s timeout is a TimeoutError and is not retried', async () => {
      const e2e = await scope.start({ apiVersion });
      await e2e.client.webhooks.list(); // any token request is done
      e2e.emulator.faults.inject({ type: 'latency', ms: 60_000, match: { operation: 'webhooks.list' } });
      const error = await rejection(e2e.client.webhooks.list({ timeout: 50 }));
      expect(error).toBeInstanceOf(TimeoutError);
      // The fault applied once: a retry would have succeeded.
      expect(await e2e.client.webhooks.list()).toEqual([]);
    });

    it('is not retried for a POST (webhooks.register): ServerError after one attempt, nothing saved', async () => {
      const log: string[] = [];
      const e2e = await scope.start({ apiVersion, client: { fetch: countingFetch(log) } });
      if (apiVersion === '2') await e2e.client.webhooks.list(); // obtain the app-only token first
      e2e.emulator.faults.inject({ type: 'status', status: 503, match: { operation: 'webhooks.register' } });
      log.length = 0;

      const error = await rejection(e2e.register());
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).status).toBe(503);
      if (apiVersion === '1.1') expect((error as ServerError).code).toBe(67);
      expect(log).toEqual([apiVersion === '2' ? 'POST /2/webhooks' : 'POST /1.1/account_activity/webhooks.json']);
      expect(e2e.crcRequests).toBe(0);
      expect(e2e.emulator.webhooks()).toEqual([]);

      // The fault was used up by that single attempt: the next registration goes through.
      expect((await e2e.register()).valid).toBe(true);
      expect(e2e.emulator.webhooks()).toHaveLength(1);
    });
  });
});

describe('a listener failure followed by X’s retries', () => {
  it('the listener throws once -> 500 -> the emulator retries -> 200, and the event is handled once', async () => {
    const e2e = await scope.start({ deduplicator: createDeduplicator({ ttlMs: HOUR }) });
    const webhook = await e2e.register();
    const [alice] = await e2e.subscribe('alice');
    let calls = 0;
    const handled: string[] = [];
    e2e.handler.on('favorite', (event) => {
      calls += 1;
      if (calls === 1) throw new Error('database unavailable');
      handled.push(event.id);
    });

    const now = Date.now();
    const { tweet } = await e2e.emulator.activity.post(alice!, 'like me', { at: new Date(now - 2 * HOUR) });
    await e2e.emulator.activity.like('carol', tweet, { at: new Date(now - 2 * HOUR + 60_000) });
    await e2e.emulator.settled();

    const [delivery] = e2e.emulator.deliveries({ eventType: 'favorite_events' });
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(delivery?.state).toBe('delivered');
    expect(calls).toBe(2);
    expect(handled).toHaveLength(1);
    expect(e2e.errors.map((e) => e.constructor)).toEqual([ListenerError]);
    expect(e2e.handler.stats()).toMatchObject({ failed: 1, duplicates: 0 });

    // A replay of the window re-delivers the like: the deduplicator drops it.
    await e2e.client.replay.start(webhook.id, { from: new Date(now - 3 * HOUR), to: new Date(now - HOUR) });
    await e2e.emulator.settled();
    expect(e2e.emulator.deliveries({ kind: 'replay', eventType: 'favorite_events' }).map((d) => d.state)).toEqual([
      'delivered',
    ]);
    expect(calls).toBe(2);
    expect(handled).toHaveLength(1);
    expect(e2e.handler.stats().duplicates).toBe(2); // the replayed post and the replayed like
  });

  it('a replay whose re-deliveries fail ends Incomplete, and replayed deliveries are not retried', async () => {
    const e2e = await scope.start();
    const webhook = await e2e.register();
    await e2e.subscribe('alice');
    const now = Date.now();
    await e2e.emulator.activity.post('alice', 'handled live', { at: new Date(now - 2 * HOUR) });
    e2e.handler.on('tweet_create', () => {
      throw new Error('down during the replay');
    });
    const job = await e2e.client.replay.start(webhook.id, { from: new Date(now - 3 * HOUR), to: new Date(now - HOUR) });
    await e2e.emulator.settled();

    const replayed = e2e.emulator.deliveries({ kind: 'replay' });
    expect(replayed.map((d) => d.attempts.map((a) => a.status))).toEqual([[500]]);
    const status = e2e.events.filter((e) => e.type === 'replay_job_status');
    expect(status).toMatchObject([{ jobId: job.jobId, jobState: 'Incomplete', complete: false }]);
  });

  it('a listener that keeps failing: one attempt and X’s three retries, then the delivery fails', async () => {
    const e2e = await scope.start();
    await e2e.register();
    await e2e.subscribe('alice');
    e2e.handler.on('tweet_create', () => {
      throw new Error('always down');
    });
    await e2e.emulator.activity.post('alice', 'never handled');
    await e2e.emulator.settled();

    const [delivery] = e2e.emulator.deliveries();
    expect(delivery?.attempts.map((a) => a.status)).toEqual(
      Array.from({ length: 1 + X_RETRY_DELAYS_MS.length }, () => 500),
    );
    expect(delivery?.state).toBe('failed');
    expect(e2e.errors).toHaveLength(1 + X_RETRY_DELAYS_MS.length);
    for (const error of e2e.errors) expect(error).toBeInstanceOf(ListenerError);
  });
});
