import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { LOCALES } from '../../domain/locales.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// altcha exports no package.json; its main entry sits at dist/main/, two levels below the package root.
const altchaDir = join(dirname(require.resolve('altcha')), '../..');

/** Static assets, read once at start and served with a long cache (names change with versions). */
export default async function assetRoutes(app: FastifyInstance) {
  // A Map, not an object literal: a name from the URL must never reach Object.prototype (`constructor`, `__proto__`).
  const assets = new Map<string, { type: string; body: Buffer }>(Object.entries({
    'app.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(here, '../assets/app.css')) },
    // The "external" build keeps its CSS in a separate file and bundles no workers (the default build
    // starts them from blob: URLs and injects a <style>), so it runs under our strict CSP.
    'altcha-widget.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(altchaDir, 'dist/external/altcha.js')) },
    'altcha-sha-worker.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(altchaDir, 'dist/workers/sha.js')) },
    'altcha.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(altchaDir, 'dist/external/altcha.css')) },
    // The door scanner's QR decoder where the browser has no BarcodeDetector (loaded on demand by checkin.js).
    'jsqr.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(require.resolve('jsqr')) },
  }));
  // The widget's own translations for our languages (English is built in).
  const altchaLocales = LOCALES.filter((l) => l !== 'en' && existsSync(join(altchaDir, `dist/i18n/${l}.js`)));
  for (const l of altchaLocales) {
    assets.set(`altcha-i18n-${l}.js`, { type: 'text/javascript; charset=utf-8', body: readFileSync(join(altchaDir, `dist/i18n/${l}.js`)) });
  }
  // The page loads this one module: widget, translations, and the proof-of-work workers registered from
  // our origin (the external build requires every algorithm to be registered; captcha.ts issues SHA-256).
  assets.set('altcha.js', {
    type: 'text/javascript; charset=utf-8',
    body: Buffer.from(
      [
        `import './altcha-widget.js';`,
        `import './altcha-keep.js';`,
        ...altchaLocales.map((l) => `import './altcha-i18n-${l}.js';`),
        `for (const alg of ['SHA-256', 'SHA-384', 'SHA-512']) globalThis.$altcha.algorithms.set(alg, () => new Worker('/assets/altcha-sha-worker.js'));`,
        '',
      ].join('\n'),
    ),
  });
  // An icon of our own, so browsers do not ask for /favicon.ico (a 404 in every console).
  assets.set('icon.svg', {
    type: 'image/svg+xml',
    body: Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3b2dbf"/>' +
        '<path d="M9 23 16 8l7 15M11.8 18h8.4" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>',
    ),
  });
  for (const extra of ['checkin.js', 'altcha-keep.js', 'event-editor.js', 'door-board.js']) {
    try {
      assets.set(extra, { type: 'text/javascript; charset=utf-8', body: readFileSync(join(here, '../assets', extra)) });
    } catch {
      /* optional asset not built into this tree */
    }
  }
  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const a = assets.get(req.params.name);
    if (!a) return reply.callNotFound();
    return reply.header('Cache-Control', 'public, max-age=3600').type(a.type).send(a.body);
  });
}
