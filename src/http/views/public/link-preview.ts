import { contentFor, contentLocale, type Event, eventLanguages, localized } from '../../../domain/event.ts';
import type { Brand } from '../../../services/brand.ts';
import { previewImage } from '../brand.ts';
import { html, raw, type SafeHtml } from '../html.ts';

/**
 * What a shared link shows (Open Graph, Twitter cards) and what search engines read (schema.org Event as JSON-LD),
 * in the page's language with the other languages as alternates.
 *
 * The staged reveal holds here too: the public page never names the time or the venue (they are mailed to confirmed
 * guests only), so neither does its metadata — no startDate, no location, not even after the reveal. A test renders
 * an event with both set and searches the whole page for them.
 */
const ogLocale = (l: string): string => {
  const m = new Intl.Locale(l).maximize();
  return `${m.language}_${m.region ?? m.language.toUpperCase()}`;
};

/** JSON inside <script>: "<" escaped so no value can close the element ("</script>") or open a comment. */
export const jsonForScript = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function summary(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

export function linkPreview(event: Event, brand: Brand | null, locale: string, publicUrl: string): SafeHtml {
  const lang = contentLocale(event, locale);
  const c = contentFor(event, lang);
  const url = (l: string) => new URL(`/e/${event.slug}?lang=${l}`, publicUrl).href;
  const description = summary(c.description);
  const image = previewImage(brand, publicUrl);
  const alt = localized(brand?.altText.cover ?? {}, lang, event.defaultLocale);
  const others = eventLanguages(event).filter((l) => l !== lang);
  const organizer = event.mailSenderName ?? new URL(publicUrl).hostname;
  const ld = {
    '@context': 'https://schema.org',
    '@type': 'Event',
    name: c.title,
    description,
    url: url(lang),
    inLanguage: lang,
    eventStatus: 'https://schema.org/EventScheduled',
    eventAttendanceMode: 'https://schema.org/OfflineEventAttendanceMode',
    organizer: { '@type': 'Organization', name: organizer, url: new URL('/', publicUrl).href },
    ...(image ? { image: [image.url] } : {}),
  };
  return html`<meta name="description" content="${description}">
<link rel="canonical" href="${url(lang)}">
${eventLanguages(event).map((l) => html`<link rel="alternate" hreflang="${l}" href="${url(l)}">`)}
<meta property="og:type" content="website">
<meta property="og:title" content="${c.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${url(lang)}">
<meta property="og:locale" content="${ogLocale(lang)}">
${others.map((l) => html`<meta property="og:locale:alternate" content="${ogLocale(l)}">`)}
${image
  ? html`<meta property="og:image" content="${image.url}">
<meta property="og:image:type" content="${image.type}">
<meta property="og:image:width" content="${image.width}">
<meta property="og:image:height" content="${image.height}">
${alt ? html`<meta property="og:image:alt" content="${alt}">` : ''}`
  : ''}
<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${c.title}">
<meta name="twitter:description" content="${description}">
${image ? html`<meta name="twitter:image" content="${image.url}">${alt ? html`<meta name="twitter:image:alt" content="${alt}">` : ''}` : ''}
<script type="application/ld+json">${raw(jsonForScript(ld))}</script>`;
}
