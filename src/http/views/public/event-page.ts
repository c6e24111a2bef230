import { countryName } from '../../../domain/countries.ts';
import { contentFor, contentLocale, type Event, eventLanguages, type IntakeState } from '../../../domain/event.ts';
import { endonym, formatDateTime, languageName } from '../../../i18n/index.ts';
import { html, paragraphs, type SafeHtml } from '../html.ts';
import type { PageContext } from '../layout.ts';

/** When and where: the exact time and venue stay hidden until they are revealed to confirmed guests. */
export function whenAndWhere(ctx: PageContext, event: Event): SafeHtml {
  const { t, locale } = ctx;
  return html`<dl class="facts">
<div><dt>${t('event.when')}</dt><dd>${t('event.tba_when')}</dd></div>
<div><dt>${t('event.where')}</dt><dd>${t('event.tba_where')}</dd></div>
${event.applicationsCloseAt ? html`<div><dt>${t('event.apply_by')}</dt><dd>${formatDateTime(event.applicationsCloseAt, locale, event.timezone)}</dd></div>` : ''}
<div><dt>${t('event.party')}</dt><dd>${event.maxPartySize > 1 ? t('event.party_up_to', { n: event.maxPartySize - 1 }) : t('event.party_alone')}</dd></div>
</dl>`;
}

/**
 * Shown when the event is not offered in the visitor's language: its texts appear in the event's default language;
 * the notice (in the visitor's language) links to the languages it is offered in.
 */
export function languageNotice(ctx: PageContext, event: Event): SafeHtml {
  const shown = contentLocale(event, ctx.locale);
  if (shown === ctx.locale) return html``;
  const base = ctx.url.split('?')[0];
  return html`<p class="notice lang-notice">${ctx.t('brand.lang_notice', { language: languageName(shown, ctx.locale) })}
${eventLanguages(event).map((l, i) => html`${i ? ' · ' : ' '}<a href="${base}?lang=${l}" lang="${l}" hreflang="${l}">${endonym(l)}</a>`)}</p>`;
}

export function eventPage(ctx: PageContext, event: Event, state: IntakeState, form: SafeHtml, brand: SafeHtml = html``): SafeHtml {
  const { t, locale } = ctx;
  const c = contentFor(event, locale);
  const lang = contentLocale(event, locale);
  const preferred = event.preferredCountries.map((code) => countryName(code, locale));
  const list = new Intl.ListFormat(locale, { type: 'conjunction' }).format(preferred);
  return html`<article class="event">
${languageNotice(ctx, event)}
${brand}
<h1 lang="${lang}">${c.title}</h1>
${whenAndWhere(ctx, event)}
<section class="description" aria-labelledby="about-title" lang="${lang}"><h2 id="about-title" class="visually-hidden" lang="${locale}">${t('event.about')}</h2>${paragraphs(c.description)}</section>
<section class="how" aria-labelledby="how-title">
<h2 id="how-title">${t('event.how_title')}</h2>
<ol>
<li>${t('event.how_apply')}</li>
<li>${t('event.how_verify')}</li>
<li>${preferred.length ? t(event.othersMayApply ? 'event.how_select_preferred' : 'event.how_select_only', { countries: list }) : t('event.how_select')}</li>
<li>${t('event.how_confirm')}</li>
</ol>
<p><a href="/e/${event.slug}/draw">${t('event.draw_link')}</a></p>
</section>
<section class="apply" aria-labelledby="apply-title">
<h2 id="apply-title">${t('event.apply_title')}</h2>
${state === 'open' ? form : html`<p class="notice">${t(state === 'closed' ? 'event.closed' : 'event.not_open')}</p>`}
</section>
</article>`;
}

export function messagePage(title: string, body: SafeHtml): SafeHtml {
  return html`<article class="message"><h1>${title}</h1>${body}</article>`;
}
