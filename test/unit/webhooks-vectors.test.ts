// One known-answer suite, run against both crypto paths: node:crypto and Web Crypto.
import { webcrypto } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CrcTokenError, InvalidArgumentError } from '../../src/errors.js';
import { createCrcResponseWith, isValidCrcToken } from '../../src/webhooks/crc.js';
import { type HmacProvider, createNodeHmacProvider, createWebHmacProvider, hmacProvider } from '../../src/crypto.js';
import { signPayloadWith, verifySignatureWith } from '../../src/webhooks/signature.js';
import { CRC_VECTORS, S3_PRIME, SIGNATURE_VECTORS, T1 } from '../fixtures/vectors.js';

const providers: [string, () => HmacProvider][] = [
  ['node:crypto', () => createNodeHmacProvider(nodeCrypto)],
  ['Web Crypto', () => createWebHmacProvider(webcrypto.subtle as SubtleCrypto)],
];

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

describe.each(providers)('known answers on %s', (_name, make) => {
  const provider = make();

  it.each(CRC_VECTORS)('CRC %s', async (_id, secret, token, expected) => {
    expect(await createCrcResponseWith(provider, token, secret)).toEqual({ response_token: expected });
  });

  it.each(SIGNATURE_VECTORS)('signature %s verifies and is reproduced', async (_id, secret, body, header) => {
    expect(await verifySignatureWith(provider, body, header, secret)).toBe(true);
    expect(await verifySignatureWith(provider, encode(body), header, secret)).toBe(true);
    expect(await signPayloadWith(provider, body, secret)).toBe(header);
  });

  it("S3': a trailing newline changes the signature", async () => {
    const [, , s3Body, s3Header] = SIGNATURE_VECTORS[2];
    expect(await verifySignatureWith(provider, S3_PRIME.body, s3Header, S3_PRIME.secret)).toBe(false);
    expect(await verifySignatureWith(provider, S3_PRIME.body, S3_PRIME.header, S3_PRIME.secret)).toBe(true);
    expect(await verifySignatureWith(provider, s3Body, S3_PRIME.header, S3_PRIME.secret)).toBe(false);
  });

  it('T1: the v1.1 CRC GET signature over the raw query string', async () => {
    expect(await verifySignatureWith(provider, T1.query, T1.header, T1.secret)).toBe(true);
    expect(await verifySignatureWith(provider, `${T1.query}&x=1`, T1.header, T1.secret)).toBe(false);
  });

  it('reads Uint8Array views with a non-zero byteOffset, Buffers and ArrayBuffers', async () => {
    const [, secret, body, header] = SIGNATURE_VECTORS[1];
    const bytes = encode(body);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 7);
    const view = padded.subarray(7, 7 + bytes.length);
    expect(view.byteOffset).toBe(7);
    expect(await verifySignatureWith(provider, view, header, secret)).toBe(true);
    // The whole underlying buffer is not the body: a view must not be read past its bounds.
    expect(await verifySignatureWith(provider, padded, header, secret)).toBe(false);
    const pooled = Buffer.from(`xx${body}yy`).subarray(2, 2 + bytes.length);
    expect(await verifySignatureWith(provider, pooled, header, secret)).toBe(true);
    expect(await verifySignatureWith(provider, bytes.slice().buffer, header, secret)).toBe(true);
    const dataView = new DataView(padded.buffer, 7, bytes.length);
    expect(await verifySignatureWith(provider, dataView as unknown as Uint8Array, header, secret)).toBe(true);
  });

  it('signs unicode and \\u escapes as their exact UTF-8 bytes', async () => {
    const secret = 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw';
    const literal = '{"text":"héllo 👋 — ✓"}';
    const escaped = '{"text":"h\\u00e9llo \\ud83d\\udc4b \\u2014 \\u2713"}';
    const expectedLiteral = `sha256=${nodeCrypto.createHmac('sha256', secret).update(literal, 'utf8').digest('base64')}`;
    const expectedEscaped = `sha256=${nodeCrypto.createHmac('sha256', secret).update(escaped, 'utf8').digest('base64')}`;
    expect(expectedLiteral).not.toBe(expectedEscaped);
    expect(await signPayloadWith(provider, literal, secret)).toBe(expectedLiteral);
    expect(await signPayloadWith(provider, escaped, secret)).toBe(expectedEscaped);
    expect(await verifySignatureWith(provider, encode(literal), expectedLiteral, secret)).toBe(true);
    // The same JSON value, escaped differently, is different bytes and must not verify.
    expect(await verifySignatureWith(provider, escaped, expectedLiteral, secret)).toBe(false);
  });

  it('accepts any secret of a rotation list, and no other', async () => {
    const [, secret, body, header] = SIGNATURE_VECTORS[1];
    expect(await verifySignatureWith(provider, body, header, ['new-secret', secret])).toBe(true);
    expect(await verifySignatureWith(provider, body, header, [secret, 'new-secret'])).toBe(true);
    expect(await verifySignatureWith(provider, body, header, ['new-secret', 'older'])).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['without prefix', 'YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI='],
    ['wrong prefix', 'sha1=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI='],
    ['upper-case prefix', 'SHA256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI='],
    ['not base64', 'sha256=YWHphPn/JFq43jkF0y4/w8R/Selm!jvpunhVFY8JhlI='],
    ['base64url alphabet', 'sha256=YWHphPn_JFq43jkF0y4_w8R_SelmLjvpunhVFY8JhlI='],
    ['too short', 'sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8Jhl='],
    ['too long', 'sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlIAAAA'],
    ['hex digest', `sha256=${'61'.repeat(32)}`],
    ['non-canonical last character', 'sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlJ='],
    ['trailing space', 'sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI= '],
    [
      'two headers joined',
      'sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=, sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=',
    ],
  ])('returns false, never throws, for a %s header', async (_case, header) => {
    const [, secret, body] = SIGNATURE_VECTORS[1];
    await expect(verifySignatureWith(provider, body, header, secret)).resolves.toBe(false);
  });

  it('throws an InvalidArgumentError that names the fix for a parsed body', () => {
    const call = (): unknown =>
      verifySignatureWith(provider, { test_number: 1 } as unknown as string, 'sha256=x', 'test');
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(/raw body.*express\.raw\(\{ type: 'application\/json' \}\)/s);
    expect(() => verifySignatureWith(provider, null as unknown as string, 'sha256=x', 'test')).toThrow(
      InvalidArgumentError,
    );
  });

  it('throws an InvalidArgumentError for an empty or missing secret, without echoing it', () => {
    expect(() => verifySignatureWith(provider, 'body', 'sha256=x', '')).toThrow(InvalidArgumentError);
    expect(() => verifySignatureWith(provider, 'body', 'sha256=x', [])).toThrow(InvalidArgumentError);
    expect(() => verifySignatureWith(provider, 'body', 'sha256=x', ['ok', ''])).toThrow(InvalidArgumentError);
    expect(() => verifySignatureWith(provider, 'body', 'sha256=x', undefined as unknown as string)).toThrow(
      /consumer secret/,
    );
    expect(() => createCrcResponseWith(provider, 'foo', '')).toThrow(InvalidArgumentError);
  });

  it('refuses tokens that are not of the opaque shape, so nothing attacker-chosen is signed', async () => {
    const forged = '{"for_user_id":"1","favorite_events":[]}';
    for (const token of [forged, '', 'a b', 'a&nonce=b', 'x'.repeat(257), 'abc===', '=abc', 'ab=c', 'é']) {
      await expect(createCrcResponseWith(provider, token, 'test')).rejects.toBeInstanceOf(CrcTokenError);
    }
    // The refusal message never contains the secret.
    await expect(createCrcResponseWith(provider, forged, 'super-secret')).rejects.not.toThrow(/super-secret/);
  });
});

describe('isValidCrcToken', () => {
  it('states the exact rule: 1-256 base64/base64url characters, at most two trailing "="', () => {
    expect(isValidCrcToken('OWY4ODQ2ZjgtNDljMC00NDY2LWJhMGQtYTE4NzQ0MTM2OGFi')).toBe(true);
    expect(isValidCrcToken('a+b/c-d_e==')).toBe(true);
    expect(isValidCrcToken('x'.repeat(256))).toBe(true);
    expect(isValidCrcToken('x'.repeat(257))).toBe(false);
    expect(isValidCrcToken('a.b')).toBe(false);
    expect(isValidCrcToken(42)).toBe(false);
  });
});

describe('runtime detection', () => {
  it('picks node:crypto on Node: results are computed synchronously, not promised', () => {
    const result = hmacProvider().verify(['secret'], 'body', new Uint8Array(32));
    expect(result).toBe(false);
    expect(typeof hmacProvider().sign('secret', 'body')).toBe('string');
  });

  it('imports each secret once on the Web Crypto path', async () => {
    const subtle = webcrypto.subtle as SubtleCrypto;
    let imports = 0;
    const counting = new Proxy(subtle, {
      get(target, prop, receiver) {
        if (prop === 'importKey') {
          return (...args: Parameters<SubtleCrypto['importKey']>) => {
            imports++;
            return target.importKey(...args);
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as SubtleCrypto;
    const provider = createWebHmacProvider(counting);
    const [, secret, body, header] = SIGNATURE_VECTORS[1];
    for (let i = 0; i < 5; i++) expect(await verifySignatureWith(provider, body, header, secret)).toBe(true);
    await signPayloadWith(provider, body, secret);
    expect(imports).toBe(1);
    await signPayloadWith(provider, body, 'another');
    expect(imports).toBe(2);
  });
});
