import { contentFor, type Event, type IntakeState } from '../../../domain/event.ts';
import { LOCALES } from '../../../domain/locales.ts';
import type { Application } from '../../../db/repositories/applications.ts';
import { endonym, formatDateTime, formatNumber } from '../../../i18n/index.ts';
import type { PublicDrawState } from '../../../services/draw.ts';
import { INVITE_CATEGORIES } from '../../../services/invites.ts';
import type { FormValues } from '../../form-input.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, errorSummary, type FormErrors, radioGroup, selectField, textArea, textField } from '../form.ts';
import { utcToWallTime } from '../../../domain/wall-time.ts';
import { DEFAULT_DRAW_DELAY_MS } from '../../../services/draw.ts';
import type { PageContext } from '../layout.ts';
import { groupLabel } from '../public/draw-page.ts';
import type { SeatOverview } from '../../../services/event-overview.ts';
import { seatSummary } from './seats.ts';

export type { SeatOverview } from '../../../services/event-overview.ts';

export interface SelectionPageData {
  event: Event;
  intake: IntakeState;
  seats: SeatOverview;
  draw: PublicDrawState;
  invites: Application[];
  values: FormValues;
  errors: FormErrors;
  /** Applications on hold now: they are not entries; the freeze and the draw ask about them. */
  held?: number;
  /** Which form the errors belong to. */
  errorForm?: 'invite' | 'csv' | 'freeze' | 'commit' | 'draw';
  /** A done-message key, or an error code to explain. */
  notice?: { kind: 'done'; key: string; params?: Record<string, string | number> } | { kind: 'problem'; code: string };
}

const pctValue = (bp: number | null | undefined) => (bp === null || bp === undefined ? '' : String(bp / 100));

const seatTable = (ctx: PageContext, s: SeatOverview): SafeHtml => seatSummary(ctx.t, ctx.locale, s);

function drawPanel(ctx: PageContext, d: SelectionPageData): SafeHtml {
  const { t, locale } = ctx;
  const { event, draw } = d;
  const csrf = csrfField(ctx.csrfToken ?? '');
  const base = `/admin/events/${event.id}/selection`;
  const when = (iso: string) => formatDateTime(iso, locale, event.timezone);
  const facts = html`${draw.commitment ? html`<dl class="details">
<div><dt>${t('draw.commitment')}</dt><dd><code>${draw.commitment}</code> · ${when(draw.committedAt!)}</dd></div>
<div><dt>${t('draw.randomness')}</dt><dd>${draw.publicRandomnessLabel ?? t('draw.randomness_none')}</dd></div>
${draw.frozen ? html`<div><dt>${t('draw.freeze_hash')}</dt><dd><code>${draw.frozen.freezeHash}</code> · ${when(draw.frozen.at)}</dd></div>
<div><dt>${t('draw.entries')}</dt><dd>${formatNumber(draw.frozen.entries, locale)} · ${t('draw.seats')}: ${formatNumber(draw.frozen.seats, locale)}</dd></div>
${draw.frozen.heldExcluded ? html`<div><dt>${t('review.held_list')}</dt><dd>${t('review.held_excluded', { n: draw.frozen.heldExcluded })}</dd></div>` : ''}` : ''}
${draw.drawn ? html`<div><dt>${t('draw.result_hash')}</dt><dd><code>${draw.drawn.resultHash}</code> · ${when(draw.drawn.at)}</dd></div>
<div><dt>${t('draw.selected')}</dt><dd>${`${t('outcome.selected_parties', { n: draw.drawn.selected })} ${t('outcome.waitlist_parties', { n: draw.drawn.waitlist })}`}</dd></div>` : ''}
</dl>` : ''}`;

  let form: SafeHtml = html``;
  const v = d.values;
  if (draw.status === 'none') {
    // Everything the result depends on is fixed here, with the commitment (ADR 0011).
    const errors = d.errorForm === 'commit' ? d.errors : new Map();
    const group = (key: 'preferred' | 'other', weight: number) => html`<fieldset><legend>${groupLabel(ctx, key)}</legend>
${textField(t, { name: `weight_${key}`, type: 'number', label: t('selection.weight'), value: v[`weight_${key}`] ?? String(weight), errors, required: true })}
${textField(t, { name: `min_${key}`, type: 'text', label: t('selection.min_pct'), value: v[`min_${key}`] ?? pctValue(null), errors })}
${textField(t, { name: `max_${key}`, type: 'text', label: t('selection.max_pct'), value: v[`max_${key}`] ?? pctValue(null), errors })}
</fieldset>`;
    const close = event.applicationsCloseAt ? Date.parse(event.applicationsCloseAt) : Date.now();
    const defaultAt = utcToWallTime(new Date(close + DEFAULT_DRAW_DELAY_MS).toISOString(), event.timezone);
    form = html`<p>${t('selection.commit_intro')}</p>
<p>${t('drawbeacon.commit_fixes', { seats: formatNumber(d.seats.free, locale) })}</p>
${errorSummary(t, errors)}
<form method="post" action="${base}/commit" novalidate>${csrf}
${radioGroup(t, {
  name: 'randomness',
  label: t('drawbeacon.source'),
  value: v.randomness ?? 'drand',
  errors,
  options: [
    { value: 'drand', label: t('drawbeacon.source_drand') },
    { value: 'unverified', label: t('drawbeacon.source_unverified') },
  ],
})}
${textField(t, { name: 'draw_at', type: 'datetime-local', label: t('drawbeacon.draw_at'), hint: t('drawbeacon.draw_at_hint', { zone: event.timezone.replaceAll('_', ' ') }), value: v.draw_at ?? defaultAt, errors })}
${textField(t, { name: 'publicRandomnessLabel', label: t('drawbeacon.unverified_label'), hint: t('drawbeacon.unverified_label_hint'), value: v.publicRandomnessLabel, errors, maxlength: 500 })}
${group('preferred', 3)}${group('other', 1)}
<div class="actions"><button type="submit" class="primary">${t('selection.commit')}</button></div></form>`;
  } else if (draw.status === 'committed') {
    const errors = d.errorForm === 'freeze' ? d.errors : new Map();
    form =
      d.intake === 'closed'
        ? html`<p>${t('drawbeacon.freeze_intro', { seats: formatNumber(draw.committedSeats ?? d.seats.free, locale) })}</p>
${errorSummary(t, errors)}
<form method="post" action="${base}/freeze" novalidate>${csrf}
<div class="actions"><button type="submit" class="primary">${t('selection.freeze')}</button></div></form>`
        : html`<p class="notice">${t('selection.freeze_wait')}</p>`;
  } else if (draw.status === 'frozen') {
    const errors = d.errorForm === 'draw' ? d.errors : new Map();
    const r = draw.randomness;
    form =
      r?.kind === 'drand'
        ? html`<p>${t('drawbeacon.runs_itself', { round: formatNumber(r.round, locale), at: when(r.at) })}</p>
${errorSummary(t, errors)}
<form method="post" action="${base}/draw" novalidate>${csrf}
${textArea(t, { name: 'beacon', label: t('drawbeacon.paste'), hint: t('drawbeacon.paste_hint', { url: `https://api.drand.sh/${r.chain}/public/${r.round}` }), value: v.beacon, errors, required: true })}
<div class="actions"><button type="submit" class="primary">${t('drawbeacon.run_with_round')}</button></div></form>`
        : html`<p>${t('selection.draw_intro')}</p>
${errorSummary(t, errors)}
<form method="post" action="${base}/draw">${csrf}
${draw.publicRandomnessLabel
  ? textField(t, { name: 'publicRandomnessValue', label: t('selection.randomness_value', { label: draw.publicRandomnessLabel }), errors, required: true })
  : ''}
<div class="actions"><button type="submit" class="primary">${t('selection.run')}</button></div></form>`;
  }
  const held =
    d.held && draw.status !== 'drawn'
      ? html`<div class="notice" id="held-notice"><p><strong>${t('review.held_count', { n: d.held })}</strong> <a href="/admin/events/${event.id}/applications?status=held">${t(
          'review.held_list',
        )}</a></p><p>${t('review.held_rule')}</p></div>`
      : '';
  return html`<section aria-labelledby="draw-h"><h2 id="draw-h">${t('selection.draw')}</h2>
<p><strong>${t(`selection.draw_state_${draw.status}`)}</strong> <a href="/e/${event.slug}/draw">${t('selection.public_page')}</a></p>
${held}
${facts}${form}</section>`;
}

function invitePanel(ctx: PageContext, d: SelectionPageData): SafeHtml {
  const { t } = ctx;
  const csrf = csrfField(ctx.csrfToken ?? '');
  const base = `/admin/events/${d.event.id}/selection`;
  const errors = d.errorForm === 'invite' ? d.errors : new Map();
  const csvErrors = d.errorForm === 'csv' ? d.errors : new Map();
  const v = d.errorForm === 'invite' ? d.values : {};
  const categories = INVITE_CATEGORIES.map((c) => ({ value: c, label: t(`selection.category_${c}`) }));
  return html`<section aria-labelledby="inv-h"><h2 id="inv-h">${t('selection.invites')}</h2>
<p class="hint">${t('selection.invite_intro')}</p>
${errorSummary(t, errors)}
<form method="post" action="${base}/invite" novalidate>${csrf}
${textField(t, { name: 'name', label: t('selection.name'), value: v.name, errors, required: true, maxlength: 120 })}
${textField(t, { name: 'email', type: 'email', label: t('selection.email'), value: v.email, errors, required: true, autocomplete: 'off' })}
${textField(t, { name: 'party_size', type: 'number', label: t('selection.party_size'), value: v.party_size ?? '1', errors, required: true })}
${selectField(t, { name: 'category', label: t('selection.category'), value: v.category, errors, required: true, options: categories })}
${selectField(t, { name: 'locale', label: t('selection.language'), value: v.locale ?? d.event.defaultLocale, errors, options: LOCALES.map((l) => ({ value: l, label: endonym(l) })) })}
${textField(t, { name: 'confirm_by', type: 'datetime-local', label: t('deadlines.invite_confirm_by'), hint: t('deadlines.invite_confirm_by_hint', { zone: d.event.timezone.replaceAll('_', ' ') }), value: v.confirm_by, errors })}
<div class="actions"><button type="submit" class="primary">${t('selection.invite')}</button></div></form>
<h3>${t('selection.bulk')}</h3>
${errorSummary(t, csvErrors)}
<form method="post" action="${base}/invites-csv" novalidate>${csrf}
${textArea(t, { name: 'csv', label: t('selection.csv'), hint: t('selection.bulk_hint'), value: d.errorForm === 'csv' ? d.values.csv : '', errors: csvErrors, required: true })}
<div class="actions"><button type="submit">${t('selection.bulk_submit')}</button></div></form>
${d.invites.length
  ? html`<table class="data"><caption class="visually-hidden">${t('selection.invites')}</caption>
<thead><tr><th scope="col">${t('selection.name')}</th><th scope="col">${t('selection.email')}</th><th scope="col">${t('selection.category')}</th><th scope="col">${t('selection.party_size')}</th><th scope="col">${t('selection.status')}</th></tr></thead>
<tbody>${d.invites.map((a) => html`<tr><th scope="row"><a href="/admin/applications/${a.id}">${a.name}</a></th><td>${a.email}</td><td>${a.category ? t(`selection.category_${a.category}`) : ''}</td>
<td>${a.seats ?? a.partySize}</td><td>${t(`status.state_${a.status}`)}</td></tr>`)}</tbody></table>`
  : html`<p class="muted">${t('selection.no_invites')}</p>`}
</section>`;
}

export function selectionPage(ctx: PageContext, d: SelectionPageData): SafeHtml {
  const { t } = ctx;
  const n = d.notice;
  return html`<p class="eyebrow"><a href="/admin">${t('admin.events.title')}</a> · <a href="/admin/events/${d.event.id}">${contentFor(d.event, ctx.locale).title}</a></p>
<h1>${t('selection.title')}</h1>
${n?.kind === 'done' ? html`<p class="notice success" role="status">${t(n.key, n.params)}</p>` : ''}
${n?.kind === 'problem' ? html`<div class="notice" role="alert"><p><strong>${t(`errors.code.${n.code}`)}</strong></p><p>${t(`errors.explain.${n.code}`)}</p></div>` : ''}
<section aria-labelledby="seats-h"><h2 id="seats-h">${t('selection.seats')}</h2>${seatTable(ctx, d.seats)}</section>
${drawPanel(ctx, d)}
${invitePanel(ctx, d)}`;
}
