/**
 * Server-supplied text that goes into an error (X's messages, a proxy's error page): credentials
 * hidden and length bounded before it reaches `error.message`, the error's fields or a log line.
 *
 * A proxy or gateway that echoes the request (`Authorization: OAuth oauth_consumer_key="...",
 * oauth_token="..."`), a debugging server that returns the headers it got, or an error body of
 * several megabytes must neither leak a credential nor make every log line megabytes long.
 *
 * Internal module.
 */

/** Most characters of server text in `error.message`. */
export const MAX_MESSAGE_TEXT = 500;
/** Most characters kept of each server-supplied field (`errors[].message`, `detail`, `title`, `type`). */
export const MAX_FIELD_TEXT = 2_000;
/** Most entries kept of an error body's `errors` array. */
export const MAX_ERROR_ENTRIES = 50;
/** Most characters of the answer's body kept on `error.body`. */
export const MAX_BODY_TEXT = 64 * 1024;

/**
 * Credential-shaped text: header values after an auth scheme (the whole OAuth parameter list, quoted
 * pairs included), `Authorization:` and `Proxy-Authorization:` header echoes, OAuth parameters in
 * query or form shape, and JSON or form fields that carry tokens and secrets.
 */
const PATTERNS: readonly [RegExp, string][] = [
  // Scheme values first, so that the header pattern below meets no quoted OAuth pair it would stop at.
  // An OAuth 1.0a parameter list (`OAuth oauth_consumer_key="..."`, not prose such as "OAuth 2.0").
  [/\b(OAuth)\s+(?=[A-Za-z_]+\s*=\s*\\?")(?:[^"\r\n]|"[^"\r\n]*")*/g, '$1 [redacted]'],
  [/\b(Bearer|bearer|BEARER|Basic|BASIC)\s+[A-Za-z0-9\-._~+/%]+=*/g, '$1 [redacted]'],
  [/\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)[^\r\n"',}]*/gi, '$1$2[redacted]'],
  [
    /\b(oauth_(?:token|signature|consumer_key|nonce|verifier|callback)(?:_secret)?)(\s*=\s*\\?"?)[^"\\&,\s]*/gi,
    '$1$2[redacted]',
  ],
  [
    /\b((?:access|refresh|bearer|id)_?token|(?:consumer|client|token)_?secret|password|api_?key)(\\?"?\s*[:=]\s*\\?"?)[^"\\&,\s}]*/gi,
    '$1$2[redacted]',
  ],
];

/**
 * `text` with every known credential (`sensitive`, values of 4 characters or more, also in their
 * percent-encoded form) and every credential-shaped value replaced by `[redacted]`.
 */
export function redactSecrets(text: string, sensitive: readonly string[] = []): string {
  let out = text;
  for (const value of sensitive) {
    if (typeof value !== 'string' || value.length < 4) continue;
    out = out.split(value).join('[redacted]');
    const encoded = encodeURIComponent(value);
    if (encoded !== value) out = out.split(encoded).join('[redacted]');
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Server text made safe to keep: redacted, then cut to `limit` characters with a note of how many
 * were left out. Only a bounded prefix is examined, so a body of megabytes costs no more than a
 * small one; the prefix is longer than what is kept, so a credential that straddles the cut is
 * redacted whole before the cut.
 */
export function safeText(text: string, limit: number, sensitive: readonly string[] = []): string {
  const head = redactSecrets(text.length > limit + 4_096 ? text.slice(0, limit + 4_096) : text, sensitive);
  if (text.length <= limit && head.length <= limit) return head;
  return `${head.slice(0, limit)}… [cut: ${text.length} characters in all]`;
}
