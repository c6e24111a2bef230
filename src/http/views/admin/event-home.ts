import { countryName } from '../../../domain/countries.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import type { Locale } from '../../../domain/locales.ts';
import { formatDate, formatDateTime, formatNumber, type Translator } from '../../../i18n/index.ts';
import type { EventOverview, Tally } from '../../../services/event-overview.ts';
import { barChart, dailyChart, type ChartText } from '../charts.ts';
import { html, type SafeHtml } from '../html.ts';
import { eventTabs } from './event-tabs.ts';
import { seatSummary } from './seats.ts';

/** Countries shown by name in the chart; the rest are one bar. */
export const TOP_COUNTRIES = 8;

const pct = (part: number, whole: number, locale: Locale) =>
  new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(whole ? part / whole : 0);

function funnel(t: Translator, locale: Locale, o: EventOverview): SafeHtml {
  const f = o.funnel;
  const steps: [string, Tally][] = [
    ['applied', f.applied],
    ['verified', f.verified],
    ['in_selection', f.inSelection],
    ['offered', f.offered],
    ['confirmed', f.confirmed],
    ['checked_in', f.checkedIn],
  ];
  const text = (k: string): ChartText => ({
    id: `chart-${k}`,
    title: t(`event_home.${k}_title`),
    summary: '',
    tableToggle: t('event_home.show_table'),
    headers: [],
    locale,
  });
  return barChart({
    ...text('funnel'),
    summary: t('event_home.funnel_summary', {
      applied: f.applied.parties,
      verified: f.verified.parties,
      selection: f.inSelection.parties,
      offered: f.offered.parties,
      confirmed: f.confirmed.parties,
      checked_in: f.checkedIn.parties,
    }),
    headers: [t('event_home.step'), t('event_home.parties_col'), t('event_home.people_col')],
    data: steps.map(([k, v]) => ({ label: t(`event_home.funnel_${k}`), value: v.parties, extra: [v.people] })),
  });
}

export function eventHomeBody(o: { t: Translator; locale: Locale; role?: string; event: Event; overview: EventOverview }): SafeHtml {
  const { t, locale, event, overview: v } = o;
  const chart = (k: string, headers: string[]): ChartText => ({ id: `chart-${k}`, title: t(`event_home.${k}_title`), summary: '', tableToggle: t('event_home.show_table'), headers, locale });

  const day = (d: string) => formatDate(`${d}T12:00:00Z`, locale, 'UTC');
  const shortDay = (d: string) => new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${d}T12:00:00Z`));
  const totalReceived = v.byDay.reduce((s, d) => s + d.received, 0);
  const peak = v.byDay.reduce<{ day: string; received: number } | null>((p, d) => (!p || d.received > p.received ? d : p), null);

  const top = v.byCountry.slice(0, TOP_COUNTRIES);
  const rest = v.byCountry.slice(TOP_COUNTRIES);
  const restN = rest.reduce((s, c) => s + c.n, 0);
  const preferred = new Set(event.preferredCountries);
  const countryData = [
    ...top.map((c) => ({ label: countryName(c.country, locale), value: c.n, alt: preferred.has(c.country), note: preferred.has(c.country) ? t('admin.apps.preferred') : undefined })),
    ...(rest.length ? [{ label: t('event_home.countries_rest', { n: rest.length }), value: restN }] : []),
  ];

  const offers = v.confirmation.confirmed + v.confirmation.declined + v.confirmation.expired + v.confirmation.open;
  const decided = v.confirmation.confirmed + v.confirmation.declined + v.confirmation.expired;
  const sizes = v.partySizes;
  const biggest = sizes.reduce<{ size: number; n: number } | null>((p, s) => (!p || s.n > p.n ? s : p), null);

  return html`${eventTabs(t, event, 'overview', o.role)}
<p class="eyebrow"><a href="/admin">${t('admin.events.title')}</a></p>
<h1>${contentFor(event, locale).title}</h1>
<h2 class="visually-hidden">${t('event_home.tab_overview')}</h2>
<div class="figures">
<div class="figure"><h3>${t('event_home.confirmation_title')}</h3>
${offers
  ? html`<p class="big">${pct(v.confirmation.confirmed, offers, locale)}</p><p>${t('event_home.confirmation_text', { confirmed: v.confirmation.confirmed, offers })}</p>
<p class="muted">${t('event_home.confirmation_detail', { declined: v.confirmation.declined, expired: v.confirmation.expired, open: v.confirmation.open })}</p>${decided ? html`<p class="muted">${t('event_home.confirmation_decided', { rate: pct(v.confirmation.confirmed, decided, locale) })}</p>` : ''}`
  : html`<p>${t('event_home.confirmation_none')}</p>`}</div>
<div class="figure"><h3>${t('seats.title')}</h3>
<p class="big">${formatNumber(v.seats.free, locale)}</p><p>${t('event_home.seats_free', { capacity: v.seats.capacity })}</p></div>
<div class="figure"><h3>${t('event_home.expiring_title')}</h3>
<p class="big">${formatNumber(v.expiringSoon.length, locale)}</p>
${v.expiringSoon.length
  ? html`<ul>${v.expiringSoon.map((x) => html`<li><a href="/admin/applications/${x.id}"><bdi>${x.name}</bdi></a> · ${t('admin.apps.seats', { n: x.seats })} · ${formatDateTime(x.deadline, locale, event.timezone)}</li>`)}</ul>`
  : html`<p>${t('event_home.expiring_none')}</p>`}</div>
</div>
<div class="charts">
${funnel(t, locale, v)}
${v.byDay.length
  ? dailyChart({
      ...chart('per_day', [t('event_home.day'), t('event_home.daily'), t('event_home.cumulative')]),
      summary: t('event_home.per_day_summary', { days: v.byDay.length, total: totalReceived, peak: peak ? day(peak.day) : '', max: peak?.received ?? 0 }),
      days: v.byDay.map((d) => ({ label: day(d.day), short: shortDay(d.day), value: d.received })),
      // The chart counts arrivals; the funnel counts rows that still exist. Say so when they differ.
      legend:
        totalReceived > v.funnel.applied.parties
          ? `${t('event_home.per_day_legend', { max: peak?.received ?? 0, total: totalReceived })} ${t('journey.per_day_differs', { applied: v.funnel.applied.parties, gone: totalReceived - v.funnel.applied.parties })}`
          : t('event_home.per_day_legend', { max: peak?.received ?? 0, total: totalReceived }),
    })
  : ''}
${countryData.length
  ? barChart({
      ...chart('countries', [t('form.country'), t('event_home.parties_col')]),
      summary: t('event_home.countries_summary', { first: countryData[0].label, n: countryData[0].value, countries: v.byCountry.length }),
      data: countryData,
    })
  : ''}
${sizes.length
  ? barChart({
      ...chart('party_sizes', [t('event_home.party_size'), t('event_home.parties_col')]),
      summary: t('event_home.party_sizes_summary', { size: biggest!.size, n: biggest!.n }),
      data: sizes.map((s) => ({ label: t('admin.apps.people', { n: s.size }), value: s.n })),
    })
  : ''}
${v.groups.preferred + v.groups.other
  ? barChart({
      ...chart('groups', [t('draw.group'), t('event_home.parties_col')]),
      summary: t('event_home.groups_summary', { preferred: v.groups.preferred, other: v.groups.other }),
      data: [
        { label: t('draw.group_preferred'), value: v.groups.preferred, alt: true },
        { label: t('draw.group_other'), value: v.groups.other },
      ],
    })
  : ''}
</div>
<section aria-labelledby="seats-h"><h2 id="seats-h">${t('seats.title')}</h2>${seatSummary(t, locale, v.seats)}</section>`;
}
