import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DEFAULT_LOCALE, type Locale, isLocale, negotiateLocale } from '../../domain/locales.ts';
import { translator, type Translator } from '../../i18n/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
    t: Translator;
  }
}

export const LOCALE_COOKIE = 'admit_lang';

/** Language: ?lang= (remembered in a cookie), then the cookie, then Accept-Language, then English. */
export function resolveLocale(req: FastifyRequest): { locale: Locale; fromQuery: boolean } {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(q)) return { locale: q, fromQuery: true };
  const c = req.cookies?.[LOCALE_COOKIE];
  if (isLocale(c)) return { locale: c, fromQuery: false };
  return { locale: negotiateLocale(req.headers['accept-language']) ?? DEFAULT_LOCALE, fromQuery: false };
}

export default fp(async function localePlugin(app: FastifyInstance) {
  app.decorateRequest('locale', DEFAULT_LOCALE);
  app.decorateRequest('t', null as unknown as Translator);
  app.addHook('onRequest', (req, reply, done) => {
    const { locale, fromQuery } = resolveLocale(req);
    req.locale = locale;
    req.t = translator(locale);
    if (fromQuery) reply.setCookie(LOCALE_COOKIE, locale, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 31_536_000 });
    reply.header('Content-Language', locale);
    reply.header('Vary', 'Accept-Language, Cookie');
    done();
  });
});
