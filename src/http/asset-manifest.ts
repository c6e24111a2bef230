import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { LOCALES } from '../domain/locales.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// altcha exports no package.json; its main entry sits at dist/main/, two levels below the package root.
const altchaDir = join(dirname(require.resolve('altcha')), '../..');

export interface Asset {
  type: string;
  body: Buffer;
  /** First 12 hex digits of the body's SHA-256: part of the fingerprinted name and the ETag. */
  hash: string;
  /** Compressed once, on first request (tests build many apps and ask for few assets). */
  encoded: { br?: Buffer; gzip?: Buffer };
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

function asset(type: string, body: Buffer): Asset {
  return { type, body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12), encoded: {} };
}

/** `app.css` → `app.3f2a9c0d1e4b.css`. */
function fingerprinted(name: string, hash: string): string {
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
}

/**
 * Static assets, read once per process. Each is served under its plain name (short cache; old pages and
 * tests) and under a fingerprinted name that changes with its content (`Cache-Control: immutable`): pages link
 * the fingerprinted one through assetUrl() (issue 12).
 */
function buildAssets(): { byName: Map<string, Asset>; urls: Map<string, string> } {
  // A Map, not an object literal: a name from the URL must never reach Object.prototype (`constructor`, `__proto__`).
  const plain = new Map<string, Asset>(Object.entries({
    'app.css': asset(CSS, readFileSync(join(here, 'assets/app.css'))),
    // The "external" build keeps its CSS in a separate file and bundles no workers (the default build
    // starts them from blob: URLs and injects a <style>), so it runs under our strict CSP.
    'altcha-widget.js': asset(JS, readFileSync(join(altchaDir, 'dist/external/altcha.js'))),
    'altcha-sha-worker.js': asset(JS, readFileSync(join(altchaDir, 'dist/workers/sha.js'))),
    'altcha.css': asset(CSS, readFileSync(join(altchaDir, 'dist/external/altcha.css'))),
    // The door scanner's QR decoder where the browser has no BarcodeDetector (loaded on demand by checkin.js).
    'jsqr.js': asset(JS, readFileSync(require.resolve('jsqr'))),
  }));
  for (const extra of ['checkin.js', 'altcha-keep.js', 'event-editor.js', 'embed-frame.js', 'door-board.js']) {
    if (existsSync(join(here, 'assets', extra))) plain.set(extra, asset(JS, readFileSync(join(here, 'assets', extra))));
  }
  // The widget's own translations for our languages (English is built in).
  const altchaLocales = LOCALES.filter((l) => l !== 'en' && existsSync(join(altchaDir, `dist/i18n/${l}.js`)));
  for (const l of altchaLocales) plain.set(`altcha-i18n-${l}.js`, asset(JS, readFileSync(join(altchaDir, `dist/i18n/${l}.js`))));
  const fp = (name: string) => fingerprinted(name, plain.get(name)!.hash);
  // The page loads this one module: widget, translations, and the proof-of-work workers registered from
  // our origin (the external build requires every algorithm to be registered; captcha.ts issues SHA-256).
  // It imports the fingerprinted names, so a new widget version is a new URL all the way down.
  plain.set(
    'altcha.js',
    asset(
      JS,
      Buffer.from(
        [
          `import './${fp('altcha-widget.js')}';`,
          `import './${fp('altcha-keep.js')}';`,
          ...altchaLocales.map((l) => `import './${fp(`altcha-i18n-${l}.js`)}';`),
          `for (const alg of ['SHA-256', 'SHA-384', 'SHA-512']) globalThis.$altcha.algorithms.set(alg, () => new Worker('/assets/${fp('altcha-sha-worker.js')}'));`,
          '',
        ].join('\n'),
      ),
    ),
  );
  // An icon of our own, so browsers do not ask for /favicon.ico (a 404 in every console).
  plain.set(
    'icon.svg',
    asset(
      'image/svg+xml',
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3b2dbf"/>' +
          '<path d="M9 23 16 8l7 15M11.8 18h8.4" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>',
      ),
    ),
  );
  const byName = new Map<string, Asset>();
  const urls = new Map<string, string>();
  for (const [name, a] of plain) {
    byName.set(name, a);
    byName.set(fingerprinted(name, a.hash), a);
    urls.set(`/assets/${name}`, `/assets/${fingerprinted(name, a.hash)}`);
  }
  return { byName, urls };
}

let built: ReturnType<typeof buildAssets> | null = null;
function assets() {
  built ??= buildAssets();
  return built;
}

export function findAsset(name: string): { asset: Asset; immutable: boolean } | null {
  const a = assets().byName.get(name);
  return a ? { asset: a, immutable: !assets().urls.has(`/assets/${name}`) } : null;
}

/** The fingerprinted URL of one of our assets (`/assets/app.css` → `/assets/app.<hash>.css`); other paths unchanged. */
export function assetUrl(path: string): string {
  return assets().urls.get(path) ?? path;
}

/** The asset's body in the given encoding, compressed at most once per process. */
export function encodedAsset(a: Asset, encoding: 'br' | 'gzip'): Buffer {
  if (encoding === 'br') {
    a.encoded.br ??= brotliCompressSync(a.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: a.body.length } });
    return a.encoded.br;
  }
  a.encoded.gzip ??= gzipSync(a.body, { level: 9 });
  return a.encoded.gzip;
}
