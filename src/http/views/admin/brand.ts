import { type AccentCheck, AA_TEXT } from '../../../domain/colour.ts';
import { type Event, eventLanguages } from '../../../domain/event.ts';
import type { Locale } from '../../../domain/locales.ts';
import { formatNumber, languageName, type Translator } from '../../../i18n/index.ts';
import type { Brand } from '../../../services/brand.ts';
import { brandBanner } from '../brand.ts';
import { checkbox, csrfField, errorSummary, type FormErrors, textArea, textField } from '../form.ts';
import { html, type SafeHtml } from '../html.ts';

export interface BrandPage {
  t: Translator;
  locale: Locale;
  csrfToken: string;
  event: Event;
  brand: Brand;
  values: Record<string, string>;
  errors: FormErrors;
  saved: boolean;
  /** The colour check of the last save (shown with its reason when the colour was darkened). */
  accent: AccentCheck | null;
  publicUrl: string;
}

const ratio = (n: number, locale: Locale) => `${formatNumber(Math.floor(n * 10) / 10, locale)}:1`;

/** A swatch as SVG: a fill attribute is not a style, so the strict CSP (style-src 'self') allows it. */
const swatch = (hex: string) =>
  html`<svg class="swatch" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><rect width="24" height="24" rx="4" fill="${hex}"/></svg>`;

/** "From → to": an arrow that turns around in right-to-left pages (.mirror-rtl). */
const arrow = html`<svg class="mirror-rtl" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path d="M4 12h14m-5-5 5 5-5 5" fill="none" stroke="currentColor" stroke-width="2"/></svg>`;

function accentNotice(o: BrandPage): SafeHtml {
  const a = o.accent;
  if (!a) return html``;
  if (!a.adjusted) return html`<p class="notice success" role="status">${swatch(a.colour)} ${o.t('brand.accent_ok', { colour: a.colour, ratio: ratio(a.ratio, o.locale) })}</p>`;
  return html`<p class="notice" role="status">${swatch(a.requested)} ${arrow} ${swatch(a.colour)} ${o.t('brand.accent_adjusted', {
    requested: a.requested,
    colour: a.colour,
    before: ratio(a.requestedRatio, o.locale),
    after: ratio(a.ratio, o.locale),
    needed: ratio(AA_TEXT, o.locale),
  })}</p>`;
}

function imageFields(o: BrandPage, kind: 'cover' | 'logo'): SafeHtml {
  const { t, values: v, errors } = o;
  const err = errors.get(kind);
  const current = o.brand[kind];
  return html`<fieldset><legend>${t(`brand.${kind}`)}</legend>
<div class="field${err ? ' has-error' : ''}"><label for="f-${kind}">${t(`brand.${kind}_file`)}</label>
<p class="hint" id="h-${kind}">${t('brand.file_hint', { mb: 8 })}</p>
${err ? html`<p class="field-error" id="e-${kind}"><span class="visually-hidden">${t('form.error_prefix')} </span>${err}</p>` : ''}
<input type="file" id="f-${kind}" name="${kind}" accept="image/jpeg,image/png,image/webp,image/gif,image/avif" aria-describedby="h-${kind}${err ? ` e-${kind}` : ''}"${err ? html` aria-invalid="true"` : ''}></div>
${current ? checkbox(t, { name: `remove_${kind}`, label: t(`brand.remove_${kind}`), checked: v[`remove_${kind}`] === 'yes', errors }) : ''}
${eventLanguages(o.event).map((l) =>
  textField(t, { name: `alt_${kind}_${l}`, label: t('brand.alt_in', { language: languageName(l, o.locale) }), hint: t('brand.alt_hint'), value: v[`alt_${kind}_${l}`], errors, maxlength: 300, extra: { lang: l } }),
)}
</fieldset>`;
}

export function embedSnippets(event: Event, publicUrl: string): { script: string; iframe: string } {
  const base = publicUrl.replace(/\/$/, '');
  return {
    script: `<script src="${base}/embed.js" data-event="${event.slug}" async></script>`,
    iframe: `<iframe src="${base}/e/${event.slug}/embed" title="${event.slug}" width="100%" height="1400" loading="lazy"></iframe>`,
  };
}

export function brandPageBody(o: BrandPage): SafeHtml {
  const { t, values: v, errors } = o;
  const snippets = embedSnippets(o.event, o.publicUrl);
  return html`<h1>${t('brand.title')}</h1>
${o.saved ? html`<p class="notice success" role="status">${t('brand.saved')}</p>` : ''}
${accentNotice(o)}
${errorSummary(t, errors)}
${o.brand.cover || o.brand.logo ? html`<section aria-labelledby="brand-now"><h2 id="brand-now">${t('brand.current')}</h2>${brandBanner(o.brand, o.event, o.locale)}</section>` : ''}
<form method="post" action="/admin/events/${o.event.id}/brand" enctype="multipart/form-data" novalidate class="brand-form">${csrfField(o.csrfToken)}
<fieldset><legend>${t('brand.accent')}</legend>
${o.brand.accentColour ? html`<p>${swatch(o.brand.accentColour)} ${t('brand.accent_now', { colour: o.brand.accentColour })}</p>` : ''}
${textField(t, { name: 'accentColour', label: t('brand.accent_field'), hint: t('brand.accent_hint'), value: v.accentColour, errors, maxlength: 7, autocomplete: 'off', extra: { dir: 'ltr', spellcheck: 'false' } })}
</fieldset>
${imageFields(o, 'cover')}
${imageFields(o, 'logo')}
<fieldset><legend>${t('brand.embed')}</legend>
${textArea(t, { name: 'embedOrigins', label: t('brand.embed_origins'), hint: t('brand.embed_origins_hint'), value: v.embedOrigins, errors })}
<p>${t('brand.embed_script')}</p>
<pre class="snippet" dir="ltr"><code>${snippets.script}</code></pre>
<p>${t('brand.embed_iframe')}</p>
<pre class="snippet" dir="ltr"><code>${snippets.iframe}</code></pre>
</fieldset>
<div class="actions"><button type="submit" class="primary">${t('brand.save')}</button></div>
</form>`;
}

export function brandFormValues(brand: Brand, event: Event): Record<string, string> {
  const v: Record<string, string> = { accentColour: brand.accentColour ?? '', embedOrigins: brand.embedOrigins.join('\n') };
  for (const kind of ['cover', 'logo'] as const) for (const l of eventLanguages(event)) v[`alt_${kind}_${l}`] = brand.altText[kind]?.[l] ?? '';
  return v;
}
