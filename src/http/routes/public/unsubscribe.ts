import type { FastifyInstance } from 'fastify';
import { contentFor } from '../../../domain/event.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { findUnsubscribe, unsubscribe } from '../../../services/unsubscribe.ts';
import { pageContext, sendPage } from '../../page.ts';
import { html } from '../../views/html.ts';

/**
 * /u/<token>: one-click unsubscribe from an event's optional mails (RFC 8058). The POST is what mail clients send
 * (List-Unsubscribe-Post: List-Unsubscribe=One-Click) and what the page's button sends: the token is the
 * authority, so there is no CSRF token and no login. A GET never unsubscribes (link scanners open links).
 */
export default async function unsubscribeRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const title = async (eventId: string, locale: string) => {
    const event = await findEventById(deps.database.db, eventId);
    return event ? contentFor(event, locale).title : '';
  };

  app.get<{ Params: { token: string } }>('/u/:token', async (req, reply) => {
    const found = await findUnsubscribe(deps, req.params.token);
    const ctx = pageContext(req, reply);
    reply.header('Referrer-Policy', 'no-referrer');
    const event = await title(found.eventId, req.locale);
    const body = found.done
      ? html`<h1>${req.t('messages.unsub_title')}</h1><p role="status">${req.t('messages.unsub_done', { event })}</p>`
      : html`<h1>${req.t('messages.unsub_title')}</h1><p>${req.t('messages.unsub_intro', { event })}</p>
<form method="post" action="/u/${req.params.token}"><div class="actions"><button type="submit" class="primary">${req.t('messages.unsub_submit')}</button></div></form>`;
    return sendPage(reply, ctx, req.t('messages.unsub_title'), body);
  });

  app.post<{ Params: { token: string } }>('/u/:token', async (req, reply) => {
    const r = await unsubscribe(deps, req.params.token);
    const ctx = pageContext(req, reply);
    reply.header('Referrer-Policy', 'no-referrer');
    const body = html`<h1>${req.t('messages.unsub_title')}</h1><p role="status">${req.t('messages.unsub_done', { event: await title(r.eventId, req.locale) })}</p>`;
    return sendPage(reply, ctx, req.t('messages.unsub_title'), body);
  });
}
