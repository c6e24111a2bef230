/**
 * The JSON reader for audit bundles (docs/mechanisms/draw.md 2.11.1). JSON.parse is too lenient for
 * a document whose every byte is evidence: it keeps the last of two equal keys (so a verifier and a
 * person reading the file may see different values) and turns 11.0000000000000001 into 11. This
 * reader accepts RFC 8259 JSON with three extra rules, each reported with the field it concerns:
 * - no object has the same key twice;
 * - a number is an integer written as one: -?(0|[1-9][0-9]*), no fraction, no exponent, |n| ≤ 2^53 − 1.
 * It never throws anything but StrictJsonError.
 */
export class StrictJsonError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const MAX_DEPTH = 64;

export function parseStrictJson(text: string): unknown {
  let i = 0;
  const fail = (path: string, msg: string): never => {
    throw new StrictJsonError(path || '(top level)', `${msg} (at character ${i + 1})`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const child = (path: string, key: string | number) =>
    typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

  function str(path: string): string {
    // text[i] === '"'
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail(path, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail(path, 'control character in a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail(path, 'invalid escape in a string');
      } else {
        out += text[i];
        i++;
      }
    }
    i++;
    return out;
  }

  function value(path: string, depth: number): unknown {
    ws();
    if (depth > MAX_DEPTH) fail(path, 'nested too deeply');
    const c = text[i];
    if (c === '{') {
      i++;
      // Own data properties only, so a key such as "__proto__" stays an ordinary field.
      const obj: Record<string, unknown> = {};
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(path, 'expected a key in double quotes');
        const key = str(path);
        const p = child(path, key);
        if (seen.has(key)) fail(p, 'appears twice in the same object');
        seen.add(key);
        ws();
        if (text[i] !== ':') fail(p, 'expected ":"');
        i++;
        const v = value(p, depth + 1);
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          break;
        }
        fail(path, 'expected "," or "}"');
      }
      return obj;
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(child(path, arr.length), depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          break;
        }
        fail(path, 'expected "," or "]"');
      }
      return arr;
    }
    if (c === '"') return str(path);
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (m && m[0] !== '-') {
      if (m[1] !== undefined || m[2] !== undefined) fail(path, `must be an integer written without fraction or exponent, found ${m[0].slice(0, 40)}`);
      const n = Number(m[0]);
      if (!Number.isSafeInteger(n)) fail(path, `integer out of range (|n| ≤ 2^53 − 1), found ${m[0].slice(0, 40)}`);
      i += m[0].length;
      return n;
    }
    return fail(path, i >= text.length ? 'unexpected end of the document' : 'not a JSON value');
  }

  if (text.charCodeAt(0) === 0xfeff) i = 1; // a byte order mark is tolerated, as RFC 8259 allows parsers to
  const v = value('', 0);
  ws();
  if (i < text.length) fail('', 'unexpected text after the JSON value');
  return v;
}
