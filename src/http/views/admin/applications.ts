import { countryName, countryOptions } from '../../../domain/countries.ts';
import { contentFor, type Event, localized, type Question } from '../../../domain/event.ts';
import type { Locale } from '../../../domain/locales.ts';
import type { Application } from '../../../db/repositories/applications.ts';
import { formatDate, formatDateTime, formatNumber, type Translator } from '../../../i18n/index.ts';
import { html, paragraphs, type SafeHtml } from '../html.ts';

export interface ListQuery {
  status?: string;
  country?: string;
  party?: string;
  verified?: string;
  q?: string;
  after?: string;
}

export interface StatusCount {
  status: string;
  verified: number;
  n: number | string;
  people: number | string | null;
}

/** "submitted" splits into confirmed and not yet confirmed email, as applicants see it. */
const stateKey = (status: string, verified: boolean | number) => (status === 'submitted' && !verified ? 'unverified' : status);

/** Status label; statuses added by later features fall back to their code until they get a message. */
export function stateLabel(t: Translator, status: string, verified: boolean | number): string {
  const key = `status.state_${stateKey(status, verified)}`;
  const label = t(key);
  return label === key ? status : label;
}

const qs = (params: Record<string, string | undefined>) =>
  `?${new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]))}`;

export interface DayCount {
  /** YYYY-MM-DD in the event's time zone */
  day: string;
  received: number;
}

/** A calendar day (already in the event's zone) in the reader's language. */
const dayLabel = (day: string, locale: Locale) => formatDate(`${day}T12:00:00Z`, locale, 'UTC');

function countsSection(
  t: Translator,
  locale: Locale,
  event: Event,
  byStatus: StatusCount[],
  byCountry: { country: string; n: number; people: number }[],
  byDay: DayCount[],
): SafeHtml {
  const total = byStatus.reduce((s, c) => s + Number(c.n), 0);
  const people = byStatus.reduce((s, c) => s + Number(c.people ?? 0), 0);
  const states = byStatus
    .map((c) => ({ key: stateKey(c.status, c.verified), status: c.status, verified: c.verified, n: Number(c.n), people: Number(c.people ?? 0) }))
    // Withdrawn applications are one group whether or not the email was confirmed.
    .reduce<{ key: string; status: string; verified: number; n: number; people: number }[]>((acc, c) => {
      const same = acc.find((a) => a.key === c.key);
      if (same) {
        same.n += c.n;
        same.people += c.people;
      } else acc.push({ ...c });
      return acc;
    }, [])
    .sort((a, b) => b.n - a.n);
  const filterFor = (s: { key: string; status: string }) =>
    qs({ status: s.status, verified: s.status === 'submitted' ? (s.key === 'unverified' ? 'no' : 'yes') : undefined });
  const preferred = new Set(event.preferredCountries);
  return html`<section class="counts" aria-labelledby="counts-h"><h2 id="counts-h" class="visually-hidden">${t('admin.apps.overview')}</h2>
<p>${t('admin.apps.total', { n: total, people: t('admin.apps.people', { n: people }), capacity: t('admin.apps.seats', { n: event.capacity }) })}</p>
<div class="count-groups">
<div><h3>${t('admin.apps.by_status')}</h3><ul class="counts-list">${states.map(
    (s) => html`<li><a href="${filterFor(s)}">${stateLabel(t, s.status, s.verified)}</a> <strong>${formatNumber(s.n, locale)}</strong> <span class="muted">(${t('admin.apps.people', { n: s.people })})</span></li>`,
  )}</ul></div>
<div><h3>${t('admin.apps.by_country')}</h3><ul class="counts-list">${byCountry.map(
    (c) => html`<li><a href="${qs({ country: c.country })}">${countryName(c.country, locale)}</a>${preferred.has(c.country) ? html` <span class="badge">${t('admin.apps.preferred')}</span>` : ''} <strong>${formatNumber(c.n, locale)}</strong></li>`,
  )}</ul></div>
${byDay.length
  ? html`<div><h3>${t('admin.apps.by_day')}</h3><p class="muted">${t('admin.apps.by_day_note')}</p><ul class="counts-list">${byDay.map(
      (d) => html`<li>${dayLabel(d.day, locale)} <strong>${formatNumber(d.received, locale)}</strong></li>`,
    )}</ul></div>`
  : ''}
</div></section>`;
}

export function applicationListBody(o: {
  t: Translator;
  locale: Locale;
  event: Event;
  query: ListQuery;
  rows: Application[];
  nextUrl: string | null;
  firstUrl: string | null;
  /** Set when the page stopped at the scan bound: how far back it looked (the next page goes on from there). */
  searchedTo?: { createdAt: string } | null;
  byStatus: StatusCount[];
  byCountry: { country: string; n: number; people: number }[];
  byDay?: DayCount[];
}): SafeHtml {
  const { t, locale, event, query: q } = o;
  const preferred = new Set(event.preferredCountries);
  const statuses = [...new Set(['submitted', 'withdrawn', ...o.byStatus.map((c) => c.status)])];
  const sel = (name: string, value: string | undefined, options: { value: string; label: string }[]) => html`<div class="field">
<label for="flt-${name}">${t(`admin.apps.filter_${name}`)}</label><select id="flt-${name}" name="${name}"><option value="">${t('admin.apps.any')}</option>
${options.map((op) => html`<option value="${op.value}"${op.value === value ? html` selected` : ''}>${op.label}</option>`)}</select></div>`;
  return html`<p class="eyebrow"><a href="/admin">${t('admin.events.title')}</a> · ${contentFor(event, locale).title}</p><h1>${t('admin.apps.title')}</h1>
${countsSection(t, locale, event, o.byStatus, o.byCountry, o.byDay ?? [])}
<form method="get" class="filters" role="search" aria-label="${t('admin.apps.filters')}">
${sel('status', q.status, statuses.map((s) => ({ value: s, label: stateLabel(t, s, true) })))}
${sel('verified', q.verified, [{ value: 'yes', label: t('form.yes') }, { value: 'no', label: t('form.no') }])}
${sel('country', q.country, countryOptions(locale).map((c) => ({ value: c.code, label: c.name })))}
${sel('party', q.party, Array.from({ length: event.maxPartySize }, (_, i) => ({ value: String(i + 1), label: String(i + 1) })))}
<div class="field"><label for="flt-q">${t('admin.apps.search')}</label><input id="flt-q" name="q" type="search" value="${q.q ?? ''}"></div>
<div class="actions"><button type="submit">${t('admin.apps.apply_filters')}</button>${
    Object.entries(q).some(([k, v]) => k !== 'lang' && v) ? html` <a href="?">${t('admin.apps.reset_filters')}</a>` : ''
  }</div>
</form>
<table class="data"><caption class="visually-hidden">${t('admin.apps.title')}</caption>
<thead><tr><th scope="col">${t('form.name')}</th><th scope="col">${t('form.email')}</th><th scope="col">${t('form.country')}</th><th scope="col">${t('admin.apps.party')}</th><th scope="col">${t('admin.apps.status')}</th><th scope="col">${t('admin.apps.applied')}</th></tr></thead>
<tbody>${o.rows.length
    ? o.rows.map(
        (a) => html`<tr><th scope="row"><a href="/admin/applications/${a.id}"><bdi>${a.name}</bdi></a></th><td><bdi>${a.email}</bdi></td>
<td>${countryName(a.country, locale)}${preferred.has(a.country) ? html` <span class="badge">${t('admin.apps.preferred')}</span>` : ''}</td>
<td>${a.partySize}</td><td>${stateLabel(t, a.status, a.verified)}</td><td>${formatDateTime(a.createdAt, locale, event.timezone)}</td></tr>`,
      )
    : html`<tr><td colspan="6">${t('admin.apps.none')}</td></tr>`}</tbody></table>
${o.searchedTo
  ? html`<p class="muted" role="status">${t('admin.apps.searched_to', { date: formatDateTime(o.searchedTo.createdAt, locale, event.timezone) })}</p>`
  : ''}
<nav class="actions" aria-label="${t('admin.apps.pages')}">${o.firstUrl ? html`<a href="${o.firstUrl}">${t('admin.apps.first')}</a>` : ''}
${o.nextUrl ? html`<a href="${o.nextUrl}" rel="next">${t(o.searchedTo ? 'admin.apps.search_older' : 'admin.apps.next')}</a>` : ''}</nav>`;
}

/** An answer as the reviewer should read it: option labels and yes/no in their language, long text as paragraphs. */
function answerText(t: Translator, locale: Locale, event: Event, q: Question, value: string | undefined): SafeHtml | string {
  if (value === undefined || value === '') return '—';
  if (q.type === 'yes_no') return value === 'yes' ? t('form.yes') : value === 'no' ? t('form.no') : value;
  if (q.type === 'single_choice') {
    const op = q.options?.find((x) => x.id === value);
    return op ? localized(op.label, locale, event.defaultLocale) : value;
  }
  if (q.type === 'long_text') return paragraphs(value);
  return value;
}

export function applicationDetailBody(o: { t: Translator; locale: Locale; event: Event; a: Application; audit: { action: string; at: string }[] }): SafeHtml {
  const { t, locale, event, a } = o;
  const known = new Set(event.questions.map((q) => q.id));
  // Answers to questions the organizer removed later are still shown, under their id.
  const orphans = Object.entries(a.answers).filter(([id, v]) => !known.has(id) && v);
  const preferred = event.preferredCountries.includes(a.country);
  return html`<p class="eyebrow"><a href="/admin/events/${event.id}/applications">${contentFor(event, locale).title}</a></p>
<h1><bdi>${a.name}</bdi></h1>
<dl class="details">
<div><dt>${t('admin.apps.status')}</dt><dd>${stateLabel(t, a.status, a.verified)}</dd></div>
<div><dt>${t('form.email')}</dt><dd><a href="mailto:${a.email}">${a.email}</a></dd></div>
<div><dt>${t('form.country')}</dt><dd>${countryName(a.country, locale)}${preferred ? html` <span class="badge">${t('admin.apps.preferred')}</span>` : ''}</dd></div>
<div><dt>${t('form.language')}</dt><dd>${t(`language.${a.locale}`)}</dd></div>
<div><dt>${t('admin.apps.applied')}</dt><dd>${formatDateTime(a.createdAt, locale, event.timezone)}</dd></div>
${a.verifiedAt ? html`<div><dt>${t('admin.apps.verified_at')}</dt><dd>${formatDateTime(a.verifiedAt, locale, event.timezone)}</dd></div>` : ''}
${a.withdrawnAt ? html`<div><dt>${t('admin.apps.withdrawn_at')}</dt><dd>${formatDateTime(a.withdrawnAt, locale, event.timezone)}</dd></div>` : ''}
</dl>
<h2>${t('admin.apps.party_of', { n: a.partySize, max: event.maxPartySize })}</h2>
<ul class="party"><li><bdi>${a.name}</bdi> <span class="muted">(${t('admin.apps.applicant')})</span></li>${a.guests.map(
    (g) => html`<li><bdi>${g.name}</bdi> <span class="muted">(${t(`relation.${g.relation}`)})</span></li>`,
  )}</ul>
<h2>${t('admin.apps.answers')}</h2>
${event.questions.length || orphans.length
  ? html`<dl class="details">${event.questions.map(
      (q) => html`<div><dt>${localized(q.label, locale, event.defaultLocale)}</dt><dd>${answerText(t, locale, event, q, a.answers[q.id])}</dd></div>`,
    )}${orphans.map(([id, v]) => html`<div><dt><code>${id}</code> <span class="muted">(${t('admin.apps.removed_question')})</span></dt><dd>${v}</dd></div>`)}</dl>`
  : html`<p class="muted">${t('admin.apps.no_questions')}</p>`}
<h2>${t('admin.apps.history')}</h2>
<ul class="history">${o.audit.map((e) => html`<li><code>${e.action}</code> · ${formatDateTime(e.at, locale, event.timezone)}</li>`)}</ul>`;
}
