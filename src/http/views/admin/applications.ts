import { countryName, countryOptions } from '../../../domain/countries.ts';
import { answerLabel } from '../answer-text.ts';
import { contentFor, type Event, localized, type Question } from '../../../domain/event.ts';
import type { Locale } from '../../../domain/locales.ts';
import { type Application, FLAG_KINDS, isFlagKind, type ReviewFlag } from '../../../db/repositories/applications.ts';
import { endonym, formatDate, formatDateTime, formatNumber, type Translator } from '../../../i18n/index.ts';
import { MAX_NOTE, REVIEW_DECISIONS } from '../../../services/review.ts';
import { html, paragraphs, type SafeHtml } from '../html.ts';
import { historyList, type HistoryEntry } from './history.ts';
import { csrfField } from '../form.ts';

export interface ListQuery {
  status?: string;
  country?: string;
  party?: string;
  verified?: string;
  flag?: string;
  q?: string;
  sort?: string;
  after?: string;
}

/** What the list may show of an application: under blind review the reviewer role sees neither name, address nor country. */
export interface ListView {
  /** Name, address and country hidden (blind review, reviewer role). */
  blind: boolean;
  /** The bulk review form: CSRF token, and the current list's query to come back to. */
  bulk?: { csrfToken: string; back: string };
  /** The current list's query, carried to the detail page for previous/next. */
  listQuery: string;
}

/** "Application 7f3a…": how blind review names an application (the end of its id, not personal). */
export const blindLabel = (t: Translator, a: Pick<Application, 'id'>) => t('review.blind_label', { ref: a.id.slice(-6) });

/** Average score × 100 → "4.5 (2)", in the reader's language; "—" before anyone scored. */
export function scoreText(locale: Locale, a: Pick<Application, 'reviewScore' | 'reviewCount'>): string {
  if (!a.reviewCount) return '—';
  return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(a.reviewScore / 100)} (${formatNumber(a.reviewCount, locale)})`;
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
  /** Review flags of the rows shown (application id → flags). */
  flags?: ReadonlyMap<string, ReviewFlag[]>;
  nextUrl: string | null;
  firstUrl: string | null;
  /** Set when the page stopped at the scan bound: how far back it looked (the next page goes on from there). */
  searchedTo?: { createdAt: string } | null;
  byStatus: StatusCount[];
  byCountry: { country: string; n: number; people: number }[];
  byDay?: DayCount[];
  view?: ListView;
  /** The blind review switch (owner/admin): current state and CSRF token. */
  blindSwitch?: { blind: boolean; csrfToken: string };
  /** A done-message after a bulk review. */
  done?: { n: number; skipped: number } | null;
}): SafeHtml {
  const { t, locale, event, query: q } = o;
  const view: ListView = o.view ?? { blind: false, listQuery: '' };
  const blind = view.blind;
  const detailUrl = (a: Application) => `/admin/applications/${a.id}${view.listQuery ? `?list=${encodeURIComponent(view.listQuery)}` : ''}`;
  const sorts = (blind ? ['date', 'party', 'score'] : ['date', 'name', 'country', 'party', 'score']).map((k) => ({ value: k, label: t(`review.sort_${k}`) }));
  const preferred = new Set(event.preferredCountries);
  const statuses = [...new Set(['submitted', 'withdrawn', ...o.byStatus.map((c) => c.status)])];
  const sel = (name: string, value: string | undefined, options: { value: string; label: string }[]) => html`<div class="field">
<label for="flt-${name}">${t(`admin.apps.filter_${name}`)}</label><select id="flt-${name}" name="${name}"><option value="">${t('admin.apps.any')}</option>
${options.map((op) => html`<option value="${op.value}"${op.value === value ? html` selected` : ''}>${op.label}</option>`)}</select></div>`;
  return html`<p class="eyebrow"><a href="/admin">${t('admin.events.title')}</a> · <a href="/admin/events/${event.id}">${contentFor(event, locale).title}</a></p><h1>${t('admin.apps.title')}</h1>
${countsSection(t, locale, event, o.byStatus, o.byCountry, o.byDay ?? [])}
<form method="get" class="filters" role="search" aria-label="${t('admin.apps.filters')}">
${sel('status', q.status, statuses.map((s) => ({ value: s, label: stateLabel(t, s, true) })))}
${sel('verified', q.verified, [{ value: 'yes', label: t('form.yes') }, { value: 'no', label: t('form.no') }])}
${blind ? '' : sel('country', q.country, countryOptions(locale).map((c) => ({ value: c.code, label: c.name })))}
${sel('flag', q.flag, [{ value: 'any', label: t('flags.any') }, ...FLAG_KINDS.map((k) => ({ value: k, label: t(`flags.kind.${k}`) }))])}
${sel('party', q.party, Array.from({ length: event.maxPartySize }, (_, i) => ({ value: String(i + 1), label: String(i + 1) })))}
${blind ? '' : html`<div class="field"><label for="flt-q">${t('admin.apps.search')}</label><input id="flt-q" name="q" type="search" value="${q.q ?? ''}" aria-describedby="h-flt-q"></div>`}
<div class="field"><label for="flt-sort">${t('review.sort')}</label><select id="flt-sort" name="sort">${sorts.map(
    (op) => html`<option value="${op.value}"${op.value === (q.sort || 'date') ? html` selected` : ''}>${op.label}</option>`,
  )}</select></div>
<div class="actions"><button type="submit">${t('admin.apps.apply_filters')}</button>${
    (['status', 'verified', 'flag', 'country', 'party', 'q', 'sort'] as const).some((k) => q[k]) ? html` <a href="?">${t('admin.apps.reset_filters')}</a>` : ''
  }</div>
${blind ? '' : html`<p class="hint filters-hint" id="h-flt-q">${t('review.search_hint')}</p>`}
</form>
${o.done ? html`<p class="notice success" role="status">${t('review.bulk_done', { n: o.done.n })}${o.done.skipped ? html` ${t('review.bulk_skipped', { n: o.done.skipped })}` : ''}</p>` : ''}
${o.blindSwitch ? blindSwitch(t, event, o.blindSwitch) : ''}
${view.bulk ? html`<form method="post" action="/admin/events/${event.id}/applications/bulk" class="bulk">${csrfField(view.bulk.csrfToken)}<input type="hidden" name="back" value="${view.bulk.back}">` : ''}
<table class="data"><caption class="visually-hidden">${t('admin.apps.title')}</caption>
<thead><tr>${view.bulk ? html`<th scope="col"><span class="visually-hidden">${t('review.select')}</span></th>` : ''}<th scope="col">${t('form.name')}</th>${
    blind ? '' : html`<th scope="col">${t('form.email')}</th><th scope="col">${t('form.country')}</th>`
  }<th scope="col">${t('admin.apps.party')}</th><th scope="col">${t('admin.apps.status')}</th><th scope="col">${t('review.score')}</th><th scope="col">${t('admin.apps.applied')}</th></tr></thead>
<tbody>${o.rows.length
    ? o.rows.map((a) => {
        const label = blind ? blindLabel(t, a) : a.name;
        return html`<tr>${view.bulk ? html`<td><input type="checkbox" name="ids" value="${a.id}" id="sel-${a.id}" aria-label="${t('review.select_one', { name: label })}"></td>` : ''}<th scope="row"><a href="${detailUrl(a)}"><bdi>${label}</bdi></a></th>${
          blind
            ? ''
            : html`<td><bdi>${a.email}</bdi></td>
<td>${countryName(a.country, locale)}${preferred.has(a.country) ? html` <span class="badge">${t('admin.apps.preferred')}</span>` : ''}</td>`
        }
<td>${a.partySize}</td><td>${stateLabel(t, a.status, a.verified)}${flagBadges(t, o.flags?.get(a.id))}</td><td>${scoreText(locale, a)}</td><td>${formatDateTime(a.createdAt, locale, event.timezone)}</td></tr>`;
      })
    : html`<tr><td colspan="${8 - (blind ? 2 : 0) - (view.bulk ? 0 : 1)}">${t('admin.apps.none')}</td></tr>`}</tbody></table>
${view.bulk && o.rows.length ? bulkFields(t) : ''}
${view.bulk ? html`</form>` : ''}
${o.searchedTo
  ? html`<p class="muted" role="status">${
      q.sort && q.sort !== 'date'
        ? t('review.searched_some')
        : t('admin.apps.searched_to', { date: formatDateTime(o.searchedTo.createdAt, locale, event.timezone) })
    }</p>`
  : ''}
<nav class="actions" aria-label="${t('admin.apps.pages')}">${o.firstUrl ? html`<a href="${o.firstUrl}">${t('admin.apps.first')}</a>` : ''}
${o.nextUrl ? html`<a href="${o.nextUrl}" rel="next">${t(o.searchedTo ? 'admin.apps.search_older' : 'admin.apps.next')}</a>` : ''}</nav>`;
}

/** The bulk decision under the list: which decision, a reason, whether rejected applicants get a mail. Confirmed on the next page. */
function bulkFields(t: Translator): SafeHtml {
  return html`<fieldset class="bulk-actions"><legend>${t('review.bulk_legend')}</legend>
<p class="hint" id="h-bulk">${t('review.bulk_hint')}</p>
<div class="field"><label for="f-bulk-decision">${t('review.decision')}</label><select id="f-bulk-decision" name="decision" aria-describedby="h-bulk">
${REVIEW_DECISIONS.map((d) => html`<option value="${d}">${t(`selection.${d}`)}</option>`)}</select></div>
<div class="field"><label for="f-bulk-note">${t('review.reason')}</label><textarea id="f-bulk-note" name="note" rows="2" maxlength="${MAX_NOTE}"></textarea></div>
<div class="field checkbox"><input type="checkbox" id="f-bulk-mail" name="send_mail" value="yes" checked><label for="f-bulk-mail">${t('review.send_mail')}</label></div>
<div class="actions"><button type="submit">${t('review.bulk_submit')}</button></div></fieldset>`;
}

function blindSwitch(t: Translator, event: Event, s: { blind: boolean; csrfToken: string }): SafeHtml {
  return html`<form method="post" action="/admin/events/${event.id}/review-settings" class="blind-switch">${csrfField(s.csrfToken)}
<input type="hidden" name="blind" value="${s.blind ? 'no' : 'yes'}">
<p>${t(s.blind ? 'review.blind_is_on' : 'review.blind_is_off')} <button type="submit">${t(s.blind ? 'review.blind_turn_off' : 'review.blind_turn_on')}</button></p></form>`;
}

/** An answer as the reviewer should read it: option labels and yes/no in their language, long text as paragraphs. */
function answerText(t: Translator, locale: Locale, event: Event, q: Question, value: string | undefined): SafeHtml | string {
  if (value === undefined || value === '') return '—';
  if (q.type === 'long_text') return paragraphs(value);
  return answerLabel(t, locale, event, q, value);
}

export interface DetailNav {
  /** The list this application was opened from (with its filters and order). */
  list: string;
  prev: string | null;
  next: string | null;
}

export function applicationDetailBody(o: {
  t: Translator;
  locale: Locale;
  event: Event;
  a: Application;
  audit: HistoryEntry[];
  staff?: ReadonlyMap<string, string>;
  /** Blind review (reviewer role): no name, address, country or guest names. */
  blind?: boolean;
  nav?: DetailNav;
  /** Its review flags, and the names of the applications they point to (id → name). */
  flags?: ReviewFlag[];
  related?: ReadonlyMap<string, string>;
}): SafeHtml {
  const { t, locale, event, a } = o;
  const blind = !!o.blind;
  const known = new Set(event.questions.map((q) => q.id));
  // Answers to questions the organizer removed later are still shown, under their id.
  const orphans = Object.entries(a.answers).filter(([id, v]) => !known.has(id) && v);
  const preferred = event.preferredCountries.includes(a.country);
  const nav = o.nav;
  return html`<p><a href="/admin/events/${event.id}/applications${nav?.list ? `?${nav.list}` : ''}">${t('review.back_to_list')}</a></p>
${nav ? html`<nav class="actions pager" aria-label="${t('review.pager')}">${nav.prev ? html`<a href="${nav.prev}" rel="prev">${t('review.prev')}</a>` : ''}${
    nav.next ? html` <a href="${nav.next}" rel="next">${t('review.next')}</a>` : ''
  }</nav>` : ''}
<h1><bdi>${blind ? blindLabel(t, a) : a.name}</bdi></h1>
<dl class="details">
<div><dt>${t('admin.apps.status')}</dt><dd>${stateLabel(t, a.status, a.verified)}</dd></div>
${blind ? html`<div><dt>${t('review.blind')}</dt><dd>${t('review.blind_hint')}</dd></div>` : html`<div><dt>${t('form.email')}</dt><dd><a href="mailto:${a.email}">${a.email}</a></dd></div>
<div><dt>${t('form.country')}</dt><dd>${countryName(a.country, locale)}${preferred ? html` <span class="badge">${t('admin.apps.preferred')}</span>` : ''}</dd></div>`}
<div><dt>${t('form.language')}</dt><dd>${endonym(a.locale)}</dd></div>
<div><dt>${t('admin.apps.applied')}</dt><dd>${formatDateTime(a.createdAt, locale, event.timezone)}</dd></div>
${a.verifiedAt ? html`<div><dt>${t('admin.apps.verified_at')}</dt><dd>${formatDateTime(a.verifiedAt, locale, event.timezone)}</dd></div>` : ''}
${a.withdrawnAt ? html`<div><dt>${t('admin.apps.withdrawn_at')}</dt><dd>${formatDateTime(a.withdrawnAt, locale, event.timezone)}</dd></div>` : ''}
</dl>
${flagsSection(t, o.flags ?? [], (id) => (blind ? blindLabel(t, { id }) : (o.related?.get(id) ?? blindLabel(t, { id }))), nav?.list ?? '')}
<h2>${t('admin.apps.party_of', { n: a.partySize, max: event.maxPartySize })}</h2>
<ul class="party"><li>${blind ? t('admin.apps.applicant') : html`<bdi>${a.name}</bdi> <span class="muted">(${t('admin.apps.applicant')})</span>`}</li>${a.guests.map(
    (g, i) => html`<li>${blind ? t('selection.guest_placeholder', { n: i + 1 }) : html`<bdi>${g.name}</bdi>`} <span class="muted">(${t(`relation.${g.relation}`)})</span></li>`,
  )}</ul>
<h2>${t('admin.apps.answers')}</h2>
${event.questions.length || orphans.length
  ? html`<dl class="details">${event.questions.map(
      (q) => html`<div><dt>${localized(q.label, locale, event.defaultLocale)}</dt><dd>${answerText(t, locale, event, q, a.answers[q.id])}</dd></div>`,
    )}${orphans.map(([id, v]) => html`<div><dt><code>${id}</code> <span class="muted">(${t('admin.apps.removed_question')})</span></dt><dd>${v}</dd></div>`)}</dl>`
  : html`<p class="muted">${t('admin.apps.no_questions')}</p>`}
<h2>${t('admin.apps.history')}</h2>
${historyList(t, locale, event.timezone, o.audit, o.staff ?? new Map())}`;
}

/** A flag's kind in the reader's language (a kind this version does not know is shown as stored). */
const flagKind = (t: Translator, kind: string) => (isFlagKind(kind) ? t(`flags.kind.${kind}`) : kind);
const FLAG_REASONS = new Set(['email', 'name', 'applicant_is_guest', 'guest_applied', 'shared_guest', 'mixed_script']);
/** Why, in the reader's language: "same name and country as {name}". */
export const flagReason = (t: Translator, reason: string) => (FLAG_REASONS.has(reason) ? t(`flags.reason_short.${reason}`) : reason);

/** Small marks in the list's status cell: one per flag kind, the reasons in words for screen readers too. */
function flagBadges(t: Translator, flags: ReviewFlag[] | undefined): SafeHtml | string {
  if (!flags?.length) return '';
  return html`${flags.map((f) => html` <span class="badge warn">${flagKind(t, f.kind)}<span class="visually-hidden">: ${flagReason(t, f.reason)}</span></span>`)}`;
}

/**
 * The detail page's review flags: what matched and a link to the earlier application it resembles. Flags are
 * for review — nothing was dropped — so the section says so and lets the reviewer compare the two.
 */
function flagsSection(t: Translator, flags: ReviewFlag[], label: (id: string) => string, list: string): SafeHtml | string {
  if (!flags.length) return '';
  const link = (id: string) => `/admin/applications/${id}${list ? `?list=${encodeURIComponent(list)}` : ''}`;
  return html`<section class="flags notice" aria-labelledby="flags-h"><h2 id="flags-h">${t('admin.apps.flags')}</h2>
<ul>${flags.map(
    (f) =>
      html`<li><strong>${flagKind(t, f.kind)}</strong> — ${flagReason(t, f.reason)}${
        f.relatedId ? html`: <a href="${link(f.relatedId)}"><bdi>${label(f.relatedId)}</bdi></a>` : ''
      }</li>`,
  )}</ul>
<p class="hint">${t('admin.apps.flags_hint')}</p></section>`;
}
