import { createHash } from 'node:crypto';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Canonical JSON: the one byte string every implementation produces for a value, so that hashes
 * of published data can be recomputed anywhere. It is the subset of RFC 8785 (JCS) we need:
 *  - no whitespace;
 *  - object members sorted by key, comparing UTF-16 code units (JS `<` on strings);
 *  - strings escaped as JSON.stringify does (", \, \b \f \n \r \t, other controls as \u00xx,
 *    lone surrogates as \udxxx; everything else literal), encoded as UTF-8;
 *  - numbers must be safe integers (|n| ≤ 2^53 − 1), written in plain decimal — floats are
 *    refused because their text form differs between languages;
 *  - undefined, functions, non-plain objects (Date, Buffer, …) are refused, not dropped.
 */
export function writeCanonicalJson(value: unknown, write: (chunk: string) => void, path = '$'): void {
  if (value === null) return write('null');
  switch (typeof value) {
    case 'boolean':
      return write(value ? 'true' : 'false');
    case 'string':
      return write(JSON.stringify(value));
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`${path}: canonical JSON allows only safe integers, got ${value}`);
      return write(String(value));
    case 'object': {
      if (Array.isArray(value)) {
        write('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) write(',');
          writeCanonicalJson(value[i], write, `${path}[${i}]`);
        }
        return write(']');
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`${path}: only plain objects are allowed`);
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      write('{');
      keys.forEach((k, i) => {
        write(i > 0 ? `,${JSON.stringify(k)}:` : `${JSON.stringify(k)}:`);
        writeCanonicalJson(obj[k], write, `${path}.${k}`);
      });
      return write('}');
    }
    default:
      throw new TypeError(`${path}: ${typeof value} is not allowed in canonical JSON`);
  }
}

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  writeCanonicalJson(value, (s) => parts.push(s));
  return parts.join('');
}

/** SHA-256 of the UTF-8 canonical JSON, streamed: bundles with millions of entries never become one string. */
export function sha256CanonicalJson(value: unknown): Buffer {
  const hash = createHash('sha256');
  let parts: string[] = [];
  let size = 0;
  writeCanonicalJson(value, (s) => {
    parts.push(s);
    size += s.length;
    if (size >= 1 << 16) {
      hash.update(parts.join(''), 'utf8');
      parts = [];
      size = 0;
    }
  });
  hash.update(parts.join(''), 'utf8');
  return hash.digest();
}
