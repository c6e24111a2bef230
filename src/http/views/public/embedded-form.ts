import { contentFor, contentLocale, type Event, type IntakeState } from '../../../domain/event.ts';
import { html, type SafeHtml } from '../html.ts';
import type { PageContext } from '../layout.ts';
import { languageNotice } from './event-page.ts';

/**
 * The form alone, for another site's frame: title, the brand's banner, the form (or why it is not open) and a link
 * to the full event page in a new tab. data-parent: the embedding page's origin, checked against the organizer's
 * list, to which /assets/embed-frame.js posts the frame's height (and to no one else).
 */
export function embeddedForm(ctx: PageContext, event: Event, state: IntakeState, form: SafeHtml, banner: SafeHtml, parent: string | null): SafeHtml {
  const c = contentFor(event, ctx.locale);
  const lang = contentLocale(event, ctx.locale);
  return html`<article class="event embed"${parent ? html` data-parent="${parent}"` : ''}>
${banner}
<h1 lang="${lang}">${c.title}</h1>
${languageNotice(ctx, event)}
${state === 'open' ? form : html`<p class="notice">${ctx.t(state === 'closed' ? 'event.closed' : 'event.not_open')}</p>`}
<p><a href="/e/${event.slug}?lang=${ctx.locale}" target="_blank" rel="noopener">${ctx.t('brand.embed_open')}</a></p>
</article>`;
}
