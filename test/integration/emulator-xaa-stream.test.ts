/**
 * The emulator's GET /2/activity/stream, read with plain fetch on 127.0.0.1: NDJSON events of every
 * XAA subscription, keep-alives (at a scaled interval), backfill on the emulator clock, the connection
 * limit, and each stream fault, including 20 consecutive forced disconnects of each kind.
 */
import { describe, expect, it } from 'vitest';
import { parseActivity } from '../../src/events/index.js';
import {
  type Emulator,
  OPERATIONAL_DISCONNECT,
  type StreamCloseReason,
  type StreamFault,
  TOO_MANY_CONNECTIONS,
} from '../../src/testing/index.js';
import { call, emulator, openStream, receiver, registerWebhook, subscribe } from './emulator-xaa-harness.js';

const MINUTE = 60_000;

async function withPostSubscription(emu: Emulator): Promise<void> {
  for (const name of ['alice', 'bob']) {
    await subscribe(emu, 'app', { event_type: 'post.create', filter: { user_id: emu.account(name).id }, tag: name });
  }
}

describe('GET /2/activity/stream', () => {
  it('streams one XAA envelope per line for every subscription of the app, with or without a webhook', async () => {
    const emu = await emulator({ keepAliveMs: 1_000 });
    const hook = await registerWebhook(emu, (await receiver()).url);
    await withPostSubscription(emu);
    const alice = emu.account('alice');
    await subscribe(emu, alice, { event_type: 'dm.received', filter: { user_id: alice.id }, webhook_id: hook });
    const stream = await openStream(emu);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^application\/json/);
    expect(stream.headers.get('x-rate-limit-limit')).toBe('450');
    await emu.activity.post('alice', 'first');
    await emu.activity.post('bob', 'second');
    await emu.activity.post('carol', 'not subscribed');
    await emu.activity.sendDirectMessage('bob', 'alice', 'psst');
    await stream.until(() => stream.events.length === 3);
    const events = stream.lines.flatMap((line) => parseActivity(line));
    expect(events.map((e) => e.type)).toEqual(['post.create', 'post.create', 'dm.received']);
    for (const event of events) expect(event.family).toBe('xaa');
    expect(events.map((e) => (e.family === 'xaa' ? e.tag : undefined))).toEqual(['alice', 'bob', undefined]);
    // The webhook got the DM too, and the very same bytes as the line.
    await emu.settled();
    expect(emu.deliveries({ family: 'xaa' }).map((r) => r.body)).toEqual([stream.lines[2]]);
    expect(emu.stream.connections()[0]).toMatchObject({ state: 'open', eventsSent: 3, backfilled: 0 });
  });

  it('sends blank \\r\\n keep-alives every keepAliveMs', async () => {
    const emu = await emulator({ keepAliveMs: 10 });
    const stream = await openStream(emu);
    await stream.until(() => stream.keepAlives >= 3, 2_000);
    expect(stream.events).toEqual([]);
    expect(emu.stream.stats().keepAlivesSent).toBeGreaterThanOrEqual(3);
  });

  it('backfills from the retained log on the emulator clock: backfill_minutes 0-5, start_time, end_time', async () => {
    let now = Date.parse('2026-12-01T12:00:00Z');
    const emu = await emulator({ clock: () => now, keepAliveMs: 20 });
    await withPostSubscription(emu);
    await emu.activity.post('alice', 'ten minutes ago', { at: new Date(now - 10 * MINUTE) });
    await emu.activity.post('alice', 'four minutes ago', { at: new Date(now - 4 * MINUTE) });
    await emu.activity.post('bob', 'one minute ago', { at: new Date(now - MINUTE) });
    const text = (s: { events: Record<string, unknown>[] }) =>
      s.events.map((e) => (e as { data: { payload: { text: string } } }).data.payload.text);

    const none = await openStream(emu, '?backfill_minutes=0');
    const five = await openStream(emu, '?backfill_minutes=5');
    await five.until(() => five.events.length === 2);
    expect(text(five)).toEqual(['four minutes ago', 'one minute ago']);
    expect(emu.stream.connections()[1]).toMatchObject({ backfilled: 2 });
    await emu.activity.post('bob', 'live');
    await five.until(() => five.events.length === 3);
    await none.until(() => none.events.length === 1);
    expect(text(none)).toEqual(['live']);
    none.close();
    five.close();
    await Promise.all([none.done, five.done]);

    // start_time reaches further than 5 minutes; an end_time in the past ends the response after the backfill.
    const window = await openStream(
      emu,
      `?start_time=${new Date(now - 11 * MINUTE).toISOString()}&end_time=${new Date(now - 2 * MINUTE).toISOString()}`,
    );
    expect(await window.done).toBe('end');
    expect(text(window)).toEqual(['ten minutes ago', 'four minutes ago']);

    // An end_time in the future: live events until the clock passes it, then the response ends.
    const until = await openStream(emu, `?end_time=${new Date(now + MINUTE).toISOString()}`);
    await emu.activity.post('alice', 'before the end');
    await until.until(() => until.events.length === 1);
    now += 2 * MINUTE;
    expect(await until.done).toBe('end');
    expect(emu.stream.connections().at(-1)).toMatchObject({ closeReason: 'end_time' });
  });

  it('refuses bad parameters and any auth but the app bearer', async () => {
    const emu = await emulator();
    for (const query of [
      '?backfill_minutes=6',
      '?backfill_minutes=-1',
      '?backfill_minutes=x',
      '?start_time=yesterday',
      '?end_time=2026-13-01T00:00:00Z',
      '?start_time=2026-12-02T00:00:00Z&end_time=2026-12-01T00:00:00Z',
      '?foo=bar',
    ]) {
      const res = await call(emu, 'GET', `/2/activity/stream${query}`, 'app');
      expect(res.status, query).toBe(400);
      expect(res.json.title).toBe('Invalid Request');
    }
    const alice = emu.account('alice');
    expect((await call(emu, 'GET', '/2/activity/stream', alice)).status).toBe(403);
    expect((await call(emu, 'GET', '/2/activity/stream', { oauth2: alice })).status).toBe(403);
    expect((await call(emu, 'GET', '/2/activity/stream', 'none')).status).toBe(401);
    expect(emu.stream.stats().opened).toBe(0);
  });

  it('allows 2 connections; a third gets 429 TooManyConnections until one closes', async () => {
    const emu = await emulator({ keepAliveMs: 50 });
    const first = await openStream(emu);
    const second = await openStream(emu);
    const third = await call(emu, 'GET', '/2/activity/stream', 'app');
    expect(third.status).toBe(429);
    expect(third.json).toEqual(TOO_MANY_CONNECTIONS);
    expect(emu.stream.stats()).toMatchObject({ active: 2, refused: 1 });
    first.close();
    await first.done;
    await expect.poll(() => emu.stream.stats().active, { timeout: 2_000 }).toBe(1);
    const again = await openStream(emu);
    expect(again.status).toBe(200);
    expect(second.status).toBe(200);
    expect(emu.stream.stats().closed.client).toBe(1);
  });

  it('counts 450 connection requests per 15 minutes (rate limit A6)', async () => {
    const emu = await emulator({ rateLimits: { A6: 1 } });
    const first = await openStream(emu);
    first.close();
    await first.done;
    const limited = await call(emu, 'GET', '/2/activity/stream', 'app');
    expect(limited.status).toBe(429);
    expect(limited.json.title).toBe('Too Many Requests');
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
  });
});

describe('stream faults', () => {
  it('stream-drop: the connection is cut after N event lines (a network error for the client)', async () => {
    const emu = await emulator({ keepAliveMs: 1_000 });
    await withPostSubscription(emu);
    emu.faults.inject({ type: 'stream-drop', afterEvents: 2, match: { operation: 'activity.stream' } });
    const stream = await openStream(emu);
    for (const n of [1, 2, 3]) await emu.activity.post('alice', `post ${n}`);
    expect(await stream.done).toBe('error');
    expect(stream.events).toHaveLength(2);
    expect(emu.stream.connections()[0]).toMatchObject({ fault: 'stream-drop', closeReason: 'drop', eventsSent: 2 });
    // The fault was for one connection only.
    const next = await openStream(emu, '?backfill_minutes=1');
    await next.until(() => next.events.length === 3);
  });

  it('stream-stall: nothing at all (not even keep-alives) once stalled, until the client gives up', async () => {
    const emu = await emulator({ keepAliveMs: 10 });
    await withPostSubscription(emu);
    emu.faults.inject({ type: 'stream-stall', afterEvents: 1 });
    const stream = await openStream(emu);
    await emu.activity.post('alice', 'one');
    await emu.activity.post('alice', 'two');
    await stream.until(() => stream.events.length === 1);
    const keepAlives = stream.keepAlives;
    // A second connection, opened after the stall (the fault was for one connection), counts the
    // keep-alive intervals that pass: 10 of them, and the stalled connection got none.
    const witness = await openStream(emu);
    await witness.until(() => witness.keepAlives >= 10);
    expect(stream.keepAlives).toBe(keepAlives);
    expect(stream.events).toHaveLength(1);
    expect(emu.stream.connections()[0]).toMatchObject({ state: 'stalled', fault: 'stream-stall' });
    expect(emu.stream.connections()[1]).toMatchObject({ state: 'open', fault: undefined });
    witness.close();
    stream.close();
    await Promise.all([witness.done, stream.done]);
    await expect.poll(() => emu.stream.stats().active, { timeout: 2_000 }).toBe(0);
    // With stallMs, the emulator cuts the stalled connection itself.
    emu.faults.inject({ type: 'stream-stall', stallMs: 30 });
    const cut = await openStream(emu);
    expect(await cut.done).toBe('error');
    expect(emu.stream.connections().at(-1)).toMatchObject({ closeReason: 'stall' });
  });

  it('operational-disconnect: X’s in-stream error line, then the response ends', async () => {
    const emu = await emulator({ keepAliveMs: 1_000 });
    await withPostSubscription(emu);
    emu.faults.inject({ type: 'operational-disconnect', afterEvents: 1 });
    const stream = await openStream(emu);
    await emu.activity.post('bob', 'before');
    expect(await stream.done).toBe('end');
    expect(stream.events).toEqual([expect.objectContaining({ data: expect.any(Object) }), OPERATIONAL_DISCONNECT]);
    expect(stream.events[1]).toEqual({
      errors: [
        {
          title: 'operational-disconnect',
          disconnect_type: 'OperationalDisconnect',
          detail: 'This stream has been disconnected for operational reasons.',
          type: 'https://api.twitter.com/2/problems/operational-disconnect',
        },
      ],
    });
  });

  it('answers 429, 503 and 401 on demand (status faults on the activity.stream operation)', async () => {
    const emu = await emulator();
    for (const [status, title] of [
      [429, 'Too Many Requests'],
      [503, 'Service Unavailable'],
      [401, 'Unauthorized'],
    ] as const) {
      emu.faults.inject({ type: 'status', status, match: { operation: 'activity.stream' } });
      const res = await call(emu, 'GET', '/2/activity/stream', 'app');
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({ title, status });
    }
    expect(emu.stream.stats().opened).toBe(0);
    const ok = await openStream(emu);
    expect(ok.status).toBe(200);
  });

  it('applies to the next K connections: 20 forced disconnects of each kind, then a clean stream', async () => {
    const emu = await emulator({ keepAliveMs: 1_000 });
    await withPostSubscription(emu);
    await emu.activity.post('alice', 'backfilled every time');
    const kinds: { fault: StreamFault; outcome: 'end' | 'error'; reason: StreamCloseReason }[] = [
      { fault: { type: 'stream-drop', afterEvents: 1 }, outcome: 'error', reason: 'drop' },
      { fault: { type: 'operational-disconnect', afterEvents: 1 }, outcome: 'end', reason: 'operational-disconnect' },
      { fault: { type: 'stream-stall', afterEvents: 1, stallMs: 1 }, outcome: 'error', reason: 'stall' },
    ];
    for (const { fault, outcome, reason } of kinds) {
      emu.faults.inject({ ...fault, times: 20 });
      for (let i = 0; i < 20; i += 1) {
        const stream = await openStream(emu, '?backfill_minutes=5');
        expect(await stream.done).toBe(outcome);
        expect(stream.lines[0]).toContain('backfilled every time');
      }
      expect(emu.stream.stats().closed[reason]).toBe(20);
    }
    for (const status of [429, 503]) {
      emu.faults.inject({ type: 'status', status, times: 20, match: { operation: 'activity.stream' } });
      for (let i = 0; i < 20; i += 1) expect((await call(emu, 'GET', '/2/activity/stream', 'app')).status).toBe(status);
    }
    const clean = await openStream(emu, '?backfill_minutes=5');
    await clean.until(() => clean.events.length === 1);
    expect(emu.stream.stats()).toMatchObject({ opened: 61, active: 1 });
  });

  it('disconnectAll ends every open connection cleanly', async () => {
    const emu = await emulator({ keepAliveMs: 1_000 });
    const a = await openStream(emu);
    const b = await openStream(emu);
    emu.stream.disconnectAll();
    expect(await a.done).toBe('end');
    expect(await b.done).toBe('end');
    expect(emu.stream.stats().closed.emulator).toBe(2);
  });
});
