import type { FastifyInstance } from 'fastify';
import { LOCALES } from '../../../domain/locales.ts';
import { t } from '../../../i18n/index.ts';

/**
 * /embed.js, the snippet organizers paste into their own site: <script src="…/embed.js" data-event="slug" async>.
 * It inserts the iframe after itself and resizes it on the frame's messages — only messages from our origin and from
 * that very frame. The frame's title comes from our catalogues (the host page's language, else English).
 */
export default async function embedScriptRoutes(app: FastifyInstance) {
  const titles = Object.fromEntries(LOCALES.map((l) => [l, t(l, 'brand.embed_frame_title')]));
  const body = `(() => {
  const titles = ${JSON.stringify(titles).replace(/</g, '\\u003c')};
  const mine = document.currentScript ? [document.currentScript] : document.querySelectorAll('script[data-event]');
  for (const script of mine) {
    if (script.dataset.admitDone) continue;
    script.dataset.admitDone = '1';
    const origin = new URL(script.src, location.href).origin;
    const slug = script.dataset.event || '';
    if (!/^[a-z0-9-]{1,64}$/.test(slug)) continue;
    const lang = (script.dataset.lang || document.documentElement.lang || 'en').toLowerCase().split('-')[0];
    const url = new URL('/e/' + slug + '/embed', origin);
    url.searchParams.set('lang', lang);
    url.searchParams.set('parent', location.origin);
    const frame = document.createElement('iframe');
    frame.src = url.href;
    frame.title = titles[lang] || titles.en;
    frame.setAttribute('width', '100%');
    frame.setAttribute('height', '900');
    frame.style.border = '0';
    frame.style.width = '100%';
    frame.style.display = 'block';
    script.after(frame);
    addEventListener('message', (e) => {
      if (e.origin !== origin || e.source !== frame.contentWindow || !e.data) return;
      if (e.data.type === 'admit:height' && Number.isFinite(e.data.height)) frame.style.height = Math.min(Math.max(e.data.height, 150), 30000) + 'px';
      if (e.data.type === 'admit:scroll') frame.scrollIntoView({ block: 'start' });
    });
  }
})();
`;
  app.get('/embed.js', async (_req, reply) =>
    reply
      .header('Cache-Control', 'public, max-age=3600')
      // Loaded by other sites' pages: our default same-origin resource policy would block it.
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .type('text/javascript; charset=utf-8')
      .send(body),
  );
}
