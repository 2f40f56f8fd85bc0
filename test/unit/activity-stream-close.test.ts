// close() must end an activity stream even when the connection's body does not follow the abort
// signal. On Node 20, ky hands fetch an AbortSignal.any() of the caller's signal, and that composite
// signal can be garbage-collected while the answer is being read: the abort then never reaches the
// body, keep-alives keep arriving, and a `for await` over the stream never ended after close()
// (found by `npm run demo`). Here a fetch whose body ignores the signal stands in for that case.
import { describe, expect, it, vi } from 'vitest';
import { AccountActivityClient } from '../../src/client/index.js';

/** A fetch that answers 200 with a keep-alive every 5 ms, whatever happens to the request's signal. */
function deafFetch(): { fetch: typeof globalThis.fetch; cancelled: () => boolean } {
  let cancelled = false;
  const fetch: typeof globalThis.fetch = async () => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => controller.enqueue(new TextEncoder().encode('\r\n')), 5);
      },
      cancel() {
        cancelled = true;
        clearInterval(timer);
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, cancelled: () => cancelled };
}

describe('activity stream close()', () => {
  it('ends the iteration and cancels the body even when the body ignores the abort signal', async () => {
    const deaf = deafFetch();
    const client = new AccountActivityClient({
      bearerToken: 'app-bearer',
      baseUrl: 'https://api.x.test',
      fetch: deaf.fetch,
    });
    const states: string[] = [];
    let connected: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const stream = client.activity.stream({
      onState: (change) => {
        states.push(change.state);
        if (change.state === 'connected') connected();
      },
    });
    let events = 0;
    const reading = (async () => {
      for await (const _ of stream) events++;
      return 'ended' as const;
    })();
    await ready;
    await vi.waitFor(
      () => {
        if (stream.stats().keepAlives < 2) throw new Error('waiting for two keep-alives');
      },
      { timeout: 5_000, interval: 5 },
    );
    stream.close();
    const outcome = await Promise.race([
      reading,
      new Promise<'still reading'>((resolve) => setTimeout(() => resolve('still reading'), 5_000).unref()),
    ]);
    expect(outcome).toBe('ended');
    expect(events).toBe(0);
    expect(deaf.cancelled()).toBe(true);
    expect(states.at(-1)).toBe('closed');
    expect(stream.stats().attempts).toBe(1);
  });
});
