import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import { contentFor } from '../../../domain/event.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { findApplicationByToken } from '../../../services/applications.ts';
import { confirmOffer, declineOffer } from '../../../services/confirmations.ts';
import type { Deps } from '../../../services/deps.ts';
import { pageContext, sendPage } from '../../page.ts';
import { declineConfirmPage } from '../../views/public/after-draw.ts';
import { useApplicantLocale } from './applicant-locale.ts';
import { sendStatusPage } from './status-page.ts';
import { formErrors } from '../../views/form.ts';

/** Guest seats the form kept ticked: guest_0=yes, guest_3=yes → [0, 3]. Unticked boxes are not sent. */
export function keptGuests(body: unknown): number[] {
  if (!body || typeof body !== 'object') return [];
  return Object.entries(body as Record<string, unknown>)
    .map(([k, v]) => (v === 'yes' ? /^guest_(\d{1,3})$/.exec(k)?.[1] : undefined))
    .filter((x): x is string => x !== undefined)
    .map(Number);
}

/** Guests' own addresses from the form: guest_email_2=x@y → { 2: 'x@y' }; blank fields are left out by the service. */
export function guestEmails(body: unknown): Record<number, string> {
  if (!body || typeof body !== 'object') return {};
  const out: Record<number, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const m = /^guest_email_(\d{1,3})$/.exec(k);
    if (m && typeof v === 'string') out[Number(m[1])] = v;
  }
  return out;
}

/** The languages chosen for guests' mails: guest_locale_2=de → { 2: 'de' } (checked by the service). */
export function guestLocales(body: unknown): Record<number, string> {
  if (!body || typeof body !== 'object') return {};
  const out: Record<number, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const m = /^guest_locale_(\d{1,3})$/.exec(k);
    if (m && typeof v === 'string') out[Number(m[1])] = v;
  }
  return out;
}

/** The posted confirm form as strings, to show it again as typed after a refusal. */
function postedValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (/^guest_(email_|locale_)?\d{1,3}$/.test(k) && typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Confirm or give back a place from the status page (the mailed link). */
export default async function publicOfferRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  app.post<{ Params: { token: string } }>('/a/:token/confirm', { preHandler: app.csrfProtection }, async (req, reply) => {
    // The language first, so that a refusal (deadline passed, …) speaks it too.
    const application = await findApplicationByToken(deps, req.params.token);
    const link = useApplicantLocale(req, reply, req.params.token, application);
    try {
      await confirmOffer(deps, req.params.token, { keepGuests: keptGuests(req.body), guestEmails: guestEmails(req.body), guestLocales: guestLocales(req.body) });
    } catch (err) {
      // A wrong guest address: the same page again, the error at its field, everything typed kept.
      if (!(err instanceof AppError && err.code === 'validation.failed')) throw err;
      const event = await findEventById(deps.database.db, application.eventId);
      if (!event) throw new AppError('event.not_found');
      const confirmForm = { values: postedValues(req.body), errors: formErrors(req.t, err.fields) };
      return sendStatusPage(deps, req, reply, { application, event, link, confirmForm, status: 422 });
    }
    return reply.redirect(link('/tickets', { confirmed: '1' }), 303);
  });

  app.get<{ Params: { token: string } }>('/a/:token/decline', async (req, reply) => {
    const application = await findApplicationByToken(deps, req.params.token);
    const link = useApplicantLocale(req, reply, req.params.token, application);
    if (application.status !== 'offered' && application.status !== 'confirmed') return reply.redirect(link(), 303);
    const event = await findEventById(deps.database.db, application.eventId);
    if (!event) throw new AppError('event.not_found');
    const ctx = pageContext(req, reply);
    reply.header('Referrer-Policy', 'no-referrer');
    return sendPage(
      reply,
      ctx,
      req.t('offer.decline_title'),
      declineConfirmPage(ctx, { eventTitle: contentFor(event, req.locale).title, link, confirmed: application.status === 'confirmed' }),
    );
  });

  app.post<{ Params: { token: string } }>('/a/:token/decline', { preHandler: app.csrfProtection }, async (req, reply) => {
    // Say what happened to the seats: they went to a waiting party only when one fitted (promoted > 0).
    const link = useApplicantLocale(req, reply, req.params.token, await findApplicationByToken(deps, req.params.token));
    const { declined, promoted } = await declineOffer(deps, req.params.token);
    return reply.redirect(declined ? link('', { declined: promoted > 0 ? 'passed' : 'freed' }) : link(), 303);
  });
}
