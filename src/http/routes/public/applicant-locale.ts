import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLocale, type Locale } from '../../../domain/locales.ts';
import { translator } from '../../../i18n/index.ts';
import { applicantLinks, type ApplicantLink } from '../../views/public/applicant-links.ts';

/**
 * The pages behind a status link speak the language the applicant chose in the form (stored with the
 * application), not the browser's: a mailed link opens in the language of the mail. Only the language
 * switcher (?lang=) overrides it, for this visit. Returns the links between these pages, which carry it on.
 */
export function useApplicantLocale(req: FastifyRequest, reply: FastifyReply, token: string, app: { locale: Locale }): ApplicantLink {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(q)) return applicantLinks(token, q);
  req.locale = app.locale;
  req.t = translator(app.locale);
  reply.header('Content-Language', app.locale);
  return applicantLinks(token, null);
}
