import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { isLocale, LOCALES } from '../../../domain/locales.ts';
import type { Deps } from '../../../services/deps.ts';
import { inviteUser, listStaff, setUserDisabled } from '../../../services/staff.ts';
import { ROLES } from '../../../services/users.ts';
import { listEventsFor, listTeamMemberships, setUserEvents, TEAM_ROLES } from '../../../services/teams.ts';
import { resetTwoFactor, setTwoFactorPolicy, twoFactorRequiredForAdmins, twoFactorUsers } from '../../../services/two-factor.ts';
import { contentFor } from '../../../domain/event.ts';
import { endonym, formatDateTime } from '../../../i18n/index.ts';
import { formValues, type FormValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requirePermission } from '../../plugins/auth.ts';
import { html } from '../../views/html.ts';
import { csrfField, errorSummary, formErrors, type FormErrors, selectField, textField } from '../../views/form.ts';

/** Staff accounts (owner only): list, invite by email with a role, disable and enable again. */
export default async function userAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  async function usersPage(req: FastifyRequest, reply: FastifyReply, o: { values?: FormValues; errors?: FormErrors; invited?: { email: string; url: string }; teamSaved?: string; status?: number } = {}) {
    const [users, events, teams, withTwoFactor] = await Promise.all([listStaff(deps), listEventsFor(deps, req.user!), listTeamMemberships(deps), twoFactorUsers(deps)]);
    const teamUsers = users.filter((u) => (TEAM_ROLES as readonly string[]).includes(u.role) && !u.disabled);
    const ctx = pageContext(req, reply);
    const t = req.t;
    const v = o.values ?? { role: 'reviewer', locale: req.locale };
    const errors = o.errors ?? new Map();
    const state = (u: (typeof users)[number]) => (u.disabled ? 'disabled' : u.password_hash ? 'active' : 'invited');
    const body = html`<p class="eyebrow"><a href="/admin">${t('admin.events.title')}</a></p>
<h1>${t('admin.users.title')}</h1>
${o.invited
  ? html`<div class="notice success" role="status"><p>${t('admin.users.invited', { email: o.invited.email })}</p>
<p>${t('admin.users.link_once')}</p><p><code class="setup-link">${o.invited.url}</code></p></div>`
  : ''}
<h2>${t('admin.users.accounts')}</h2>
<table class="data"><caption class="visually-hidden">${t('admin.users.accounts')}</caption>
<thead><tr><th scope="col">${t('form.email')}</th><th scope="col">${t('admin.users.role')}</th><th scope="col">${t('admin.users.state')}</th><th scope="col">${t('admin.users.since')}</th><th scope="col">${t('admin.events.actions')}</th></tr></thead>
<tbody>${users.map((u) => html`<tr><th scope="row"><bdi>${u.email}</bdi>${u.id === req.user!.id ? html` <span class="muted">(${t('admin.users.you')})</span>` : ''}</th>
<td>${t(`admin.users.role_${u.role}`)}</td><td>${t(`admin.users.state_${state(u)}`)}${withTwoFactor.has(u.id) ? html`<br><span class="muted">${t('staff.policy.has_2fa')}</span>` : ''}</td><td>${formatDateTime(u.created_at, req.locale, 'UTC')}</td>
<td>${u.id === req.user!.id
  ? ''
  : html`<form method="post" action="/admin/users/${u.id}/${u.disabled ? 'enable' : 'disable'}" class="inline">${csrfField(ctx.csrfToken ?? '')}
<button type="submit"${u.disabled ? '' : html` class="danger"`}>${t(u.disabled ? 'admin.users.enable' : 'admin.users.disable')}</button></form>
${withTwoFactor.has(u.id) ? html`<form method="post" action="/admin/users/${u.id}/reset-two-factor" class="inline">${csrfField(ctx.csrfToken ?? '')}<button type="submit">${t('staff.policy.reset_2fa')}</button></form>` : ''}`}</td></tr>`)}</tbody></table>

<section class="policy" aria-labelledby="policy-h"><h2 id="policy-h">${t('staff.policy.title')}</h2>
<form method="post" action="/admin/users/two-factor-policy">${csrfField(ctx.csrfToken ?? '')}
<div class="field checkbox"><input type="checkbox" id="f-require_2fa" name="require_2fa" value="yes"${(await twoFactorRequiredForAdmins(deps)) ? html` checked` : ''} aria-describedby="h-require_2fa">
<label for="f-require_2fa">${t('staff.policy.require_2fa')}</label><p class="hint" id="h-require_2fa">${t('staff.policy.require_2fa_hint')}</p></div>
<div class="actions"><button type="submit">${t('staff.policy.save')}</button></div></form></section>

<section class="teams" aria-labelledby="teams-h"><h2 id="teams-h">${t('staff.teams.title')}</h2>
<p class="hint">${t('staff.teams.intro')}</p>
${o.teamSaved ? html`<p class="notice success" role="status">${t('staff.teams.saved', { email: o.teamSaved })}</p>` : ''}
${!teamUsers.length
  ? html`<p>${t('staff.teams.no_members')}</p>`
  : !events.length
    ? html`<p>${t('staff.teams.no_events')}</p>`
    : teamUsers.map((u) => html`<form method="post" action="/admin/users/${u.id}/events" class="team">${csrfField(ctx.csrfToken ?? '')}
<fieldset><legend><bdi>${u.email}</bdi> · ${t(`admin.users.role_${u.role}`)}</legend>
<ul class="checks">${events.map((e) => html`<li class="field checkbox"><input type="checkbox" id="team-${u.id}-${e.id}" name="events" value="${e.id}"${teams.get(u.id)?.has(e.id) ? html` checked` : ''}>
<label for="team-${u.id}-${e.id}">${contentFor(e, req.locale).title} <span class="muted">/e/${e.slug}</span></label></li>`)}</ul>
<div class="actions"><button type="submit">${t('staff.teams.save')}</button></div></fieldset></form>`)}
</section>

<section class="invite" aria-labelledby="invite-h"><h2 id="invite-h">${t('admin.users.invite')}</h2>
<p class="hint">${t('admin.users.invite_hint')}</p>
${errorSummary(t, errors)}
<form method="post" action="/admin/users" novalidate>${csrfField(ctx.csrfToken ?? '')}
${textField(t, { name: 'email', type: 'email', label: t('form.email'), value: v.email, errors, required: true, autocomplete: 'off' })}
${selectField(t, { name: 'role', label: t('admin.users.role'), hint: t('admin.users.role_hint'), value: v.role, errors, required: true, options: ROLES.map((r) => ({ value: r, label: t(`admin.users.role_${r}`) })) })}
${selectField(t, { name: 'locale', label: t('admin.users.mail_language'), value: v.locale, errors, options: LOCALES.map((l) => ({ value: l, label: endonym(l) })) })}
<div class="actions"><button type="submit" class="primary">${t('admin.users.send_invite')}</button></div>
</form></section>`;
    return sendPage(reply, ctx, t('admin.users.title'), body, { status: o.status, wide: true });
  }

  app.get('/admin/users', { preHandler: requirePermission('manageUsers') }, async (req, reply) => usersPage(req, reply));

  app.post('/admin/users', { preHandler: [requirePermission('manageUsers'), app.csrfProtection] }, async (req, reply) => {
    const v = formValues(req.body);
    try {
      const { user, setupUrl } = await inviteUser(deps, req.user!.id, { email: v.email ?? '', role: v.role ?? '', locale: isLocale(v.locale) ? v.locale : req.locale });
      // Shown once, in the response to this POST only: never put in a URL; the database keeps only its hash, and the
      // mail carrying it loses it once sent (ADR 0007). The inviting owner may pass it on by hand.
      return usersPage(req, reply, { invited: { email: user.email, url: setupUrl } });
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation.failed') return usersPage(req, reply, { values: v, errors: formErrors(req.t, err.fields), status: 422 });
      throw err;
    }
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/reset-two-factor', { preHandler: [requirePermission('manageUsers'), app.csrfProtection] }, async (req, reply) => {
    await resetTwoFactor(deps, req.user!.id, req.params.id);
    return reply.redirect('/admin/users', 303);
  });

  app.post('/admin/users/two-factor-policy', { preHandler: [requirePermission('manageUsers'), app.csrfProtection] }, async (req, reply) => {
    await setTwoFactorPolicy(deps, req.user!.id, formValues(req.body).require_2fa === 'yes');
    return reply.redirect('/admin/users', 303);
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/events', { preHandler: [requirePermission('manageUsers'), app.csrfProtection] }, async (req, reply) => {
    // A repeated key (one per ticked event) arrives as an array; none ticked sends no key at all.
    const raw = (req.body as Record<string, unknown> | undefined)?.events;
    const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((x): x is string => typeof x === 'string');
    await setUserEvents(deps, req.user!.id, req.params.id, ids);
    const user = (await listStaff(deps)).find((u) => u.id === req.params.id);
    return usersPage(req, reply, { teamSaved: user?.email });
  });

  for (const action of ['disable', 'enable'] as const) {
    app.post<{ Params: { id: string } }>(`/admin/users/:id/${action}`, { preHandler: [requirePermission('manageUsers'), app.csrfProtection] }, async (req, reply) => {
      await setUserDisabled(deps, req.user!.id, req.params.id, action === 'disable');
      return reply.redirect('/admin/users', 303);
    });
  }
}
