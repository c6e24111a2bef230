import { countryName } from '../../../domain/countries.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import type { Locale } from '../../../domain/locales.ts';
import { formatDateTime, formatNumber, type Translator } from '../../../i18n/index.ts';
import { GUEST_SORTS, type GuestList, type GuestRow, type GuestSort, GUEST_LISTS } from '../../../services/guest-lists.ts';
import { html, type SafeHtml } from '../html.ts';
import { stateLabel } from './applications.ts';
import { eventTabs } from './event-tabs.ts';

export interface GuestsPage {
  t: Translator;
  locale: Locale;
  role?: string;
  event: Event;
  list: GuestList;
  sort: GuestSort;
  q: string;
  counts: Record<GuestList, number>;
  rows: GuestRow[];
  offset: number;
  pageSize: number;
  /** The 1-based waitlist position can be shown: the waitlist, in draw order, unfiltered. */
  ranked: boolean;
}

const qs = (p: Record<string, string | number | undefined>) =>
  `?${new URLSearchParams(Object.entries(p).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '').map(([k, v]) => [k, String(v)]))}`;

/** Which columns a list shows beyond name, email, party and status. */
export const LIST_COLUMNS: Record<GuestList, ('position' | 'deadline' | 'confirmed' | 'checked_in' | 'source' | 'category')[]> = {
  selected: ['position', 'source'],
  waitlist: ['position'],
  offers: ['deadline', 'source'],
  confirmed: ['confirmed', 'checked_in', 'source'],
  declined: ['source'],
  expired: ['deadline', 'source'],
  invited: ['category'],
  checked_in: ['checked_in'],
};

export function sourceLabel(t: Translator, source: string | null): string {
  return source ? t(`guests.source_${source}`) : '';
}

export function guestsBody(p: GuestsPage): SafeHtml {
  const { t, locale, event, list } = p;
  const when = (iso: string | null) => (iso ? formatDateTime(iso, locale, event.timezone) : '');
  const cols = LIST_COLUMNS[list];
  const base = { list, sort: p.sort, q: p.q || undefined };
  const switcher = html`<nav class="list-switch" aria-label="${t('guests.lists')}"><ul>${GUEST_LISTS.map(
    (l) =>
      html`<li><a href="${qs({ list: l })}"${l === list ? html` aria-current="page"` : ''}>${t(`guests.list_${l}`)} <span class="badge">${formatNumber(p.counts[l], locale)}</span></a></li>`,
  )}</ul></nav>`;
  const cell = (c: (typeof cols)[number], r: GuestRow, i: number) => {
    if (c === 'position')
      return p.ranked ? formatNumber(p.offset + i + 1, locale) : r.drawPosition === null ? '' : formatNumber(r.drawPosition + 1, locale);
    if (c === 'deadline') return when(r.offerExpiresAt);
    if (c === 'confirmed') return when(r.confirmedAt);
    if (c === 'checked_in') return formatNumber(r.checkedIn, locale);
    if (c === 'source') return sourceLabel(t, r.offerSource);
    return r.category ? t(`selection.category_${r.category}`) : '';
  };
  const colHead = (c: (typeof cols)[number]) => (c === 'position' && p.ranked ? t('guests.col_waitlist_position') : t(`guests.col_${c}`));
  const sorts = list === 'waitlist' ? (['position'] as const) : GUEST_SORTS.filter((s) => s !== 'position' || list === 'selected' || list === 'declined' || list === 'expired');
  const csv = `/admin/events/${event.id}/guests.csv${qs({ list, sort: p.sort, q: p.q || undefined })}`;
  const total = p.counts[list];
  return html`${eventTabs(t, event, 'guests', p.role)}
<p class="eyebrow"><a href="/admin">${t('admin.events.title')}</a> · <a href="/admin/events/${event.id}">${contentFor(event, locale).title}</a></p>
<h1>${t('guests.title')}</h1>
${switcher}
<h2 id="list-h">${t(`guests.list_${list}`)}</h2>
<p class="hint">${t(`guests.explain_${list}`)}</p>
<form method="get" class="filters" role="search" aria-label="${t('guests.filter')}">
<input type="hidden" name="list" value="${list}">
<div class="field"><label for="g-q">${t('admin.apps.search')}</label><input id="g-q" name="q" type="search" value="${p.q}"></div>
<div class="field"><label for="g-sort">${t('guests.sort')}</label><select id="g-sort" name="sort">${sorts.map(
    (s) => html`<option value="${s}"${s === p.sort ? html` selected` : ''}>${t(`guests.sort_${s}`)}</option>`,
  )}</select></div>
<div class="actions"><button type="submit">${t('admin.apps.apply_filters')}</button>${p.q ? html` <a href="${qs({ list })}">${t('admin.apps.reset_filters')}</a>` : ''}</div>
</form>
<p class="actions"><a class="button" href="${csv}" download>${t('export.download')}</a></p>
<table class="data" aria-labelledby="list-h" tabindex="0">
<thead><tr><th scope="col">${t('form.name')}</th><th scope="col">${t('form.email')}</th><th scope="col">${t('form.country')}</th><th scope="col">${t('export.seats')}</th><th scope="col">${t('admin.apps.status')}</th>${cols.map((c) => html`<th scope="col">${colHead(c)}</th>`)}</tr></thead>
<tbody>${p.rows.length
    ? p.rows.map(
        (r, i) => html`<tr><th scope="row"><a href="/admin/applications/${r.id}"><bdi>${r.name}</bdi></a></th><td><bdi>${r.email}</bdi></td><td>${countryName(r.country, locale)}</td>
<td>${formatNumber(r.seats ?? r.partySize, locale)}</td><td>${stateLabel(t, r.status, true)}</td>${cols.map((c) => html`<td>${cell(c, r, i)}</td>`)}</tr>`,
      )
    : html`<tr><td colspan="${5 + cols.length}">${t('guests.none')}</td></tr>`}</tbody></table>
<nav class="actions" aria-label="${t('admin.apps.pages')}">${p.offset > 0 ? html`<a href="${qs({ ...base, offset: Math.max(0, p.offset - p.pageSize) || undefined })}">${t('guests.previous')}</a>` : ''}
${p.rows.length === p.pageSize && (p.q || p.offset + p.pageSize < total) ? html`<a href="${qs({ ...base, offset: p.offset + p.pageSize })}" rel="next">${t('admin.apps.next')}</a>` : ''}</nav>`;
}
