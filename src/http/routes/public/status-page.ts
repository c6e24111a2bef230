import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Event, intakeState } from '../../../domain/event.ts';
import type { Application } from '../../../db/repositories/applications.ts';
import { formatEventDetails } from '../../../mail/after-draw-mails.ts';
import { missedTheDraw, waitlistPosition } from '../../../services/applicant-status.ts';
import type { Deps } from '../../../services/deps.ts';
import { pageContext, sendPage } from '../../page.ts';
import { applicationStatusPage, type StatusNotice } from '../../views/public/application-status.ts';
import type { ConfirmFormState } from '../../views/public/after-draw.ts';
import type { ApplicantLink } from '../../views/public/applicant-links.ts';

/**
 * The status page behind the mailed link, shown by GET /a/:token and again by a refused confirmation
 * (the confirm form with its errors and everything typed kept, status 422).
 */
export async function sendStatusPage(
  deps: Deps,
  req: FastifyRequest,
  reply: FastifyReply,
  p: { application: Application; event: Event; link: ApplicantLink; notice?: StatusNotice | null; confirmForm?: ConfirmFormState; status?: number },
) {
  const { application, event, link } = p;
  const ctx = pageContext(req, reply);
  reply.header('Referrer-Policy', 'no-referrer');
  const canEdit = application.status === 'submitted' && intakeState(event, deps.clock.now()) === 'open';
  return sendPage(
    reply,
    ctx,
    req.t('status.title'),
    applicationStatusPage(ctx, {
      event,
      app: application,
      link,
      canEdit,
      notice: p.notice ?? null,
      waitlistPosition: await waitlistPosition(deps.database.db, application),
      missedDraw: await missedTheDraw(deps.database.db, application),
      calendar: application.status === 'confirmed' && !!formatEventDetails(event, req.locale),
      confirmForm: p.confirmForm,
    }),
    { status: p.status },
  );
}
