/** Small HTTP helpers shared by the handler core and the adapters. Internal module. */

/**
 * Request headers as any server gives them: a web `Headers`, or a plain object whose keys may use
 * any letter case (Node's `req.headers`, Fastify, AWS Lambda events).
 */
export type HeadersInput = Headers | { readonly [name: string]: string | readonly string[] | number | undefined };

/** Reads one header by its lower-case name, whatever the letter case of the object's keys. */
export function getHeader(headers: HeadersInput, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const plain = headers as Exclude<HeadersInput, Headers>;
  let value = plain[name];
  if (value === undefined) {
    for (const key of Object.keys(plain)) {
      if (key.toLowerCase() === name) {
        value = plain[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'object' ? value.join(', ') : String(value);
}

/** The raw query string of a path or URL (without `?` and fragment), or `''`. */
export function rawQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return '';
  const end = url.indexOf('#', start);
  return end === -1 ? url.slice(start + 1) : url.slice(start + 1, end);
}

const encoder = /* @__PURE__ */ new TextEncoder();

/** UTF-8 length of a string, computed only when it could exceed `limit`. */
export function exceedsBytes(body: string | Uint8Array, limit: number): boolean {
  if (typeof body !== 'string') return body.byteLength > limit;
  if (body.length * 3 <= limit) return false;
  if (body.length > limit) return true;
  return encoder.encode(body).byteLength > limit;
}

/** Joins byte chunks into one array. */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Parses a `content-length` header; undefined when absent or not a plain number. */
export function contentLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}
