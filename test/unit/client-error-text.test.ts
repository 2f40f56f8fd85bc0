import { describe, expect, it } from 'vitest';
import { redactSecrets, safeText } from '../../src/client/error-text.js';

describe('redactSecrets', () => {
  it.each([
    [
      'authorization: OAuth oauth_consumer_key="ck1", oauth_token="111-TOK", oauth_signature="c2ln%3D"',
      /ck1|111-TOK|c2ln/,
    ],
    ['{"headers":{"authorization":"OAuth oauth_consumer_key=\\"ck1\\", oauth_token=\\"111-TOK\\""}}', /ck1|111-TOK/],
    ['{"Authorization":"Bearer AAAA%2Fbearer=="}', /AAAA/],
    ['Proxy-Authorization: Basic dXNlcjpwYXNz', /dXNlcjpwYXNz/],
    ['GET /x?oauth_token=111-TOK&oauth_signature=abc%3D', /111-TOK|abc/],
    ['{"access_token":"tok-1","consumer_secret":"cs-1","password":"pw-1"}', /tok-1|cs-1|pw-1/],
  ])('hides credential-shaped text: %s', (text, secret) => {
    const out = redactSecrets(text);
    expect(out).not.toMatch(secret);
    expect(out).toContain('[redacted]');
  });

  it('hides the values it is told about, and leaves X prose alone', () => {
    expect(redactSecrets('consumer ck-KEY-1 and token 1-TOK', ['ck-KEY-1', '1-TOK'])).toBe(
      'consumer [redacted] and token [redacted]',
    );
    const prose =
      'Unsupported Authentication: Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint. Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].';
    expect(redactSecrets(prose)).toBe(prose);
    expect(redactSecrets('Could not authenticate you.')).toBe('Could not authenticate you.');
  });
});

describe('safeText', () => {
  it('cuts long text with a note, after redacting a secret that straddles the cut', () => {
    const text = `${'a'.repeat(495)}SECRET-VALUE${'b'.repeat(10_000)}`;
    const out = safeText(text, 500, ['SECRET-VALUE']);
    expect(out).not.toContain('SECRET');
    expect(out.startsWith('a'.repeat(495))).toBe(true);
    expect(out).toMatch(/… \[cut: 10507 characters in all\]$/);
    expect(safeText('short', 500)).toBe('short');
  });
});
