// The DM bot against the emulator, for real: a conversation of several turns, a delivery X retries
// (answered once), and DMs the bot account sent itself (never answered).
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountActivityClient } from 'x-account-activity';
import { type Emulator, startEmulator } from 'x-account-activity/testing';
import { answer, MENU, type RunningBot, startBot } from './bot.js';

let emulator: Emulator | undefined;
let bot: RunningBot | undefined;
afterEach(async () => {
  await bot?.close();
  await emulator?.close();
  bot = undefined;
  emulator = undefined;
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function setup(
  options: { deliveryTimeoutMs?: number; wrapListener?: Parameters<typeof startBot>[0]['wrapListener'] } = {},
) {
  emulator = await startEmulator({
    retryScale: 0.001,
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 3000,
    accounts: [{ screenName: 'helpbot' }, { screenName: 'alice' }],
  });
  const client = new AccountActivityClient(emulator.clientOptions());
  const helpbot = emulator.account('helpbot');
  const alice = emulator.account('alice');
  bot = await startBot({
    client,
    consumerSecret: emulator.consumerSecret,
    account: helpbot,
    logger: quiet,
    ...(options.wrapListener ? { wrapListener: options.wrapListener } : {}),
  });
  return { emulator, bot, helpbot, alice };
}

describe('answer()', () => {
  it('knows help, echo, time and the numbered menu', () => {
    const now = () => new Date('2026-11-30T12:00:00Z');
    expect(answer('help')).toMatch(/help, echo <text>, time, menu/);
    expect(answer('  ECHO  hello   world ')).toBe('hello world');
    expect(answer('time', now)).toBe('It is 2026-11-30T12:00:00.000Z (UTC).');
    expect(answer('menu')).toContain('1. What time is it?');
    expect(answer('1', now)).toBe(answer('time', now));
    expect(answer(MENU[1].choice)).toBe('hello');
    expect(answer('dance')).toMatch(/^Sorry, I do not know "dance"/);
  });
});

describe('the bot on the emulator', () => {
  it('holds a conversation of several turns, answering each received DM once', async () => {
    const { emulator: x, bot: running, helpbot, alice } = await setup();
    const turns = ['help', 'echo hi there', 'menu', '2', 'time'];
    for (const text of turns) {
      await x.activity.sendDirectMessage(alice, helpbot, text);
      await x.settled();
    }
    expect(running.replies.map((r) => r.text)).toEqual([
      answer('help'),
      'hi there',
      answer('menu'),
      'hello',
      expect.stringMatching(/^It is \d{4}-\d\d-\d\dT/),
    ]);
    expect(running.replies.every((r) => r.to === alice.id)).toBe(true);
    // Each reply went through the DM endpoint and came back as a DM *sent* by the bot: not answered.
    const dms = x.deliveries({ eventType: 'direct_message_events', forUserId: helpbot.id });
    expect(dms.length).toBe(turns.length * 2);
    expect(dms.every((d) => d.state === 'delivered')).toBe(true);
  });

  it('answers a delivery that X retries only once', async () => {
    let delayed = 0;
    const {
      emulator: x,
      bot: running,
      helpbot,
      alice,
    } = await setup({
      deliveryTimeoutMs: 200,
      // The first delivery is handled, but its answer comes too late: X times out and retries it.
      wrapListener: (listener) => (req, res, next) => {
        if (req.method === 'POST' && delayed === 0) {
          delayed++;
          const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
          res.end = ((...args: unknown[]) => {
            setTimeout(() => end(...args), 400).unref();
            return res;
          }) as ServerResponse['end'];
        }
        return listener(req, res, next);
      },
    });
    await x.activity.sendDirectMessage(alice, helpbot, 'echo once');
    await x.settled();
    const [delivery] = x.deliveries({ eventType: 'direct_message_events', forUserId: helpbot.id });
    expect(delivery?.attempts.length).toBeGreaterThanOrEqual(2);
    expect(delivery?.attempts[0]).toMatchObject({ error: 'timeout' });
    expect(running.replies.map((r) => r.text)).toEqual(['once']);
  });

  it('never answers a DM the bot account sent', async () => {
    const { emulator: x, bot: running, helpbot, alice } = await setup();
    await x.activity.sendDirectMessage(helpbot, alice, 'help');
    await x.settled();
    expect(x.deliveries({ eventType: 'direct_message_events', forUserId: helpbot.id })).toHaveLength(1);
    expect(running.replies).toEqual([]);
  });
});
