import { describe, expect, it } from 'vitest';
import { redactSecrets as redact } from '../../src/client/error-text.js';

describe('redact', () => {
  it('hides a whole OAuth 1.0a header value quoted in a runtime error', () => {
    const message =
      'Headers.set: "OAuth oauth_consumer_key="ckey123", oauth_nonce="n", oauth_signature="c2ln%3D", oauth_token="123-ACCESSTOKENXYZ", oauth_version="1.0"" is an invalid header value.';
    const out = redact(message);
    expect(out).not.toMatch(/ckey123|ACCESSTOKENXYZ|c2ln/);
    expect(out).toContain('is an invalid header value');
  });

  it('hides a bearer token, and leaves other text alone', () => {
    expect(redact('Headers.set: "Bearer AAAAsecret" is an invalid header value.')).toBe(
      'Headers.set: "Bearer [redacted]" is an invalid header value.',
    );
    expect(redact('connect ECONNREFUSED 127.0.0.1:9')).toBe('connect ECONNREFUSED 127.0.0.1:9');
  });
});
