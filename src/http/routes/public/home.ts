import type { FastifyInstance } from 'fastify';
import { contentFor, intakeState } from '../../../domain/event.ts';
import { listEvents } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { pageContext, sendPage } from '../../page.ts';
import { html } from '../../views/html.ts';

export default async function homeRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  app.get('/', async (req, reply) => {
    const events = (await listEvents(opts.deps.database.db)).filter((e) => e.status !== 'draft');
    const ctx = pageContext(req, reply);
    const now = opts.deps.clock.now();
    const body = html`<h1>${req.t('home.title')}</h1>
<p>${req.t('home.intro')}</p>
${events.length
  ? html`<ul class="cards">${events.map((e) => html`<li class="card"><h2><a href="/e/${e.slug}">${contentFor(e, req.locale).title}</a></h2>
<p class="badge intake-${intakeState(e, now)}">${req.t(`home.intake_${intakeState(e, now)}`)}</p></li>`)}</ul>`
  : html`<p>${req.t('home.none')}</p>`}
<p class="muted"><a href="/login">${req.t('home.organizer_login')}</a></p>`;
    return sendPage(reply, ctx, req.t('home.title'), body);
  });
}
