import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import type { Deps } from '../../../services/deps.ts';
import { formatDateTime } from '../../../i18n/index.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requirePermission } from '../../plugins/auth.ts';
import { html } from '../../views/html.ts';
import { renderOutboxMail, type StoredMailColumns } from '../../../mail/templates.ts';
import type { RenderedMail } from '../../../mail/render.ts';
import { redactCapabilityText, redactedMailColumns } from '../../../mail/capability-links.ts';
import { mailTextResolver } from '../../../services/mail-texts.ts';
import type { OutboxRow } from '../../../db/schema.ts';

/**
 * A stored mail as it was (or will be) sent: template rows are rendered in the recipient's language — without
 * capability links (ADR 0007): whoever reads mail here must not be able to act for the recipient, so links are
 * rendered from redacted params and the text is scrubbed once more, pending mails included.
 */
async function shown(
  resolve: ReturnType<typeof mailTextResolver>,
  row: StoredMailColumns & Pick<OutboxRow, 'event_id' | 'kind'>,
): Promise<{ mail: RenderedMail; error: null } | { mail: null; error: string }> {
  try {
    // The event's own wording where it has one (as the sender renders it: services/mail-texts.ts), else the built-in.
    const m = renderOutboxMail(await resolve({ ...row, ...redactedMailColumns(row) } as OutboxRow));
    return { mail: { subject: redactCapabilityText(m.subject), text: redactCapabilityText(m.text), html: redactCapabilityText(m.html) }, error: null };
  } catch (err) {
    return { mail: null, error: String((err as Error)?.message ?? err) };
  }
}

/** With SMTP_URL unset, mail lands in the data dir; organizers read it here (so does a new user trying Admit). */
export default async function mailAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const resolve = mailTextResolver(deps.database.db);
  app.get<{ Querystring: { before?: string } }>('/admin/mail', { preHandler: requirePermission('readMail') }, async (req, reply) => {
    let q = deps.database.db.selectFrom('outbox').select(['id', 'kind', 'event_id', 'to_address', 'subject', 'template', 'locale', 'params', 'status', 'created_at', 'sent_at', 'attempts']).orderBy('id', 'desc').limit(51);
    if (req.query.before) q = q.where('id', '<', req.query.before);
    const rows = await q.execute();
    const page = rows.slice(0, 50);
    const subjects = await Promise.all(page.map(async (m) => (await shown(resolve, { ...m, text_body: '', html_body: '' })).mail?.subject ?? m.kind));
    const t = req.t;
    const ctx = pageContext(req, reply);
    const tz = 'UTC';
    const body = html`<h1>${t('admin.mail.title')}</h1><p>${t('admin.mail.intro')}</p>
<table class="data"><caption class="visually-hidden">${t('admin.mail.title')}</caption>
<thead><tr><th scope="col">${t('admin.mail.subject')}</th><th scope="col">${t('admin.mail.to')}</th><th scope="col">${t('admin.mail.status')}</th><th scope="col">${t('admin.mail.created')}</th></tr></thead>
<tbody>${page.map((m, i) => html`<tr><th scope="row"><a href="/admin/mail/${m.id}">${subjects[i]}</a></th><td>${m.to_address}</td><td>${t(`admin.mail.status_${m.status}`)}</td><td>${formatDateTime(m.created_at, req.locale, tz)}</td></tr>`)}</tbody></table>
${rows.length > 50 ? html`<p><a rel="next" href="?before=${page[page.length - 1].id}">${t('admin.apps.next')}</a></p>` : ''}`;
    return sendPage(reply, ctx, t('admin.mail.title'), body, { wide: true });
  });

  app.get<{ Params: { id: string } }>('/admin/mail/:id', { preHandler: requirePermission('readMail') }, async (req, reply) => {
    const m = await deps.database.db.selectFrom('outbox').selectAll().where('id', '=', req.params.id).executeTakeFirst();
    if (!m) throw new AppError('not_found');
    const t = req.t;
    const ctx = pageContext(req, reply);
    const { mail, error } = await shown(resolve, m);
    const subject = mail?.subject ?? m.kind;
    const body = html`<p class="eyebrow"><a href="/admin/mail">${t('admin.mail.title')}</a></p><h1>${subject}</h1>
<dl class="details"><div><dt>${t('admin.mail.to')}</dt><dd>${m.to_address}</dd></div><div><dt>${t('admin.mail.status')}</dt><dd>${t(`admin.mail.status_${m.status}`)}</dd></div></dl>
${mail ? html`<h2>${t('admin.mail.text')}</h2><p class="hint">${t('mail_privacy.links_hidden')}</p><pre class="mail-text">${mail.text}</pre>` : html`<p class="notice" role="alert">${t('admin.mail.render_failed', { error: error ?? '' })}</p>`}`;
    return sendPage(reply, ctx, subject, body);
  });
}
