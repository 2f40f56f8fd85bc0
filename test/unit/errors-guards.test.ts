// The guards recognise this package's errors from any copy of it, and nothing else.
import { describe, expect, it } from 'vitest';
import {
  ConnectionError,
  isConnectionError,
  isRateLimitError,
  isTimeoutError,
  isXAccountActivityError,
  isXApiError,
  TimeoutError,
} from '../../src/errors.js';

/** A second copy of the error module, as another bundle of the package would have. */
async function anotherCopy(): Promise<typeof import('../../src/errors.js')> {
  // @ts-expect-error the query makes vite load a second copy of the module; TypeScript has no path for it
  return (await import('../../src/errors.js?copy')) as typeof import('../../src/errors.js');
}

describe('error guards', () => {
  it('recognise errors of another copy of the package, which instanceof does not', async () => {
    const other = await anotherCopy();
    expect(other.TimeoutError).not.toBe(TimeoutError);
    const foreign = new other.TimeoutError('slow');
    expect(foreign instanceof TimeoutError).toBe(false);
    expect(isTimeoutError(foreign)).toBe(true);
    expect(isXAccountActivityError(foreign)).toBe(true);
    expect(isConnectionError(foreign)).toBe(false);
    const limited = new other.RateLimitError('later', {
      status: 429,
      request: { method: 'GET', url: 'https://api.x.com/2/webhooks' },
    });
    expect(isRateLimitError(limited)).toBe(true);
    expect(isXApiError(limited)).toBe(true);
  });

  it('refuse foreign errors that only share a name, the DOMException of AbortSignal.timeout() included', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const reason: unknown = signal.reason;
    expect((reason as Error).name).toBe('TimeoutError');
    expect(isTimeoutError(reason)).toBe(false);
    expect(isXAccountActivityError(reason)).toBe(false);
    expect(isTimeoutError(new DOMException('timed out', 'TimeoutError'))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('reset'), { name: 'ConnectionError' }))).toBe(false);
    expect(isXApiError({ name: 'XApiError', message: 'a plain object' })).toBe(false);
    expect(isConnectionError(new ConnectionError('reset'))).toBe(true);
  });

  it('keep the mark out of JSON and enumeration', () => {
    const error = new TimeoutError('slow');
    expect(Object.keys(error)).not.toContain('__xAccountActivityError');
    expect(JSON.stringify(error)).not.toContain('xAccountActivity');
  });
});
