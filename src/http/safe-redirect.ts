/**
 * A redirect target taken from the request (`?next=`, a form field) is only followed when it is a path on our own
 * origin. It is parsed as a URL against a fixed base and compared by origin — never judged by a regular expression
 * alone: browsers read `/\evil.example`, `/\t/evil.example` or `https:evil.example` as other hosts, and the WHATWG
 * parser is what they use. Anything with a backslash or a control character is refused outright (browsers drop
 * tabs and newlines from URLs and turn `\` into `/`, so what we check would not be what they follow).
 */
const BASE = 'http://admit.invalid';

export function sameOriginPath(target: unknown): string | null {
  if (typeof target !== 'string' || target === '' || target.length > 2048) return null;
  // Must start with exactly one slash: a relative path ("admin") or scheme-relative URL ("//evil") is not ours.
  if (target[0] !== '/' || target[1] === '/') return null;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(target)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return null;
  }
  // An encoded slash or backslash at the start (`/%2F/evil`, `/%5Cevil`) is decoded by some proxies and browsers.
  // eslint-disable-next-line no-control-regex
  if (decoded[1] === '/' || /[\\\u0000-\u001f\u007f]/.test(decoded)) return null;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  const path = url.pathname + url.search + url.hash;
  // What we hand back is the parser's normalised form, which must itself still be one-slash-rooted.
  return path.startsWith('/') && !path.startsWith('//') ? path : null;
}
