// A dependency loaded on first use (oauth-1.0a for the first signature, the XAA parser for the first
// activity stream) whose load fails once must load on the next try: a rejected load is not cached.
// The failed load is simulated by a module factory that throws once: a real import cannot be made
// to fail on demand.
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('oauth-1.0a');
  vi.doUnmock('../../src/events/xaa.js');
  vi.resetModules();
});

describe('lazy loads are retried after a failure', () => {
  it('loadOAuth: a failed import of oauth-1.0a is forgotten', async () => {
    vi.resetModules();
    vi.doMock('oauth-1.0a', () => {
      throw new Error('oauth-1.0a failed to load');
    });
    const { loadOAuth } = await import('../../src/client/oauth1.js');
    await expect(loadOAuth()).rejects.toThrow();
    vi.doUnmock('oauth-1.0a');
    const OAuth = await loadOAuth();
    expect(typeof OAuth).toBe('function');
  });

  it('the activity stream: a failed load of the XAA parser ends that stream; the next stream loads it', async () => {
    vi.resetModules();
    vi.doMock('../../src/events/xaa.js', () => {
      throw new Error('xaa parser failed to load');
    });
    const { ActivityStream } = await import('../../src/client/activity-stream.js');
    const line = JSON.stringify({
      data: { event_uuid: '1', event_type: 'profile.update.bio', filter: { user_id: '1' }, payload: {} },
    });
    const open = async () => ({
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`${line}\n`));
        },
      }),
      sensitive: [],
    });
    const first = new ActivityStream(open);
    const failure = await (async () => {
      for await (const _ of first) {
        // nothing
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    vi.doUnmock('../../src/events/xaa.js');
    const second = new ActivityStream(open);
    const types: string[] = [];
    for await (const event of second) {
      types.push(event.type);
      second.close();
    }
    expect(types).toEqual(['profile.update.bio']);
  });
});
