import { formatDateTime } from '../../../i18n/index.ts';
import type { EventDetails } from '../../../mail/after-draw-mails.ts';
import { html, type SafeHtml } from '../html.ts';
import type { PageContext } from '../layout.ts';
import { calendarLink, eventDetailsList } from './after-draw.ts';
import type { ApplicantLink } from './applicant-links.ts';

export interface TicketCard {
  holderName: string;
  token: string;
  /** The short code printed under the QR code, "ABCDE-FGHJK" (null for a ticket without one). */
  doorCode: string | null;
  qr: string;
  checkedInAt: string | null;
}

/** Groups of four for typing the code at the door when a camera is not at hand. */
export const groupedCode = (token: string): string => token.match(/.{1,4}/g)?.join(' ') ?? token;

/** One ticket per person, each on its own printed page. */
export function ticketsPage(
  ctx: PageContext,
  o: { eventTitle: string; timezone: string; link: ApplicantLink; tickets: TicketCard[]; details: EventDetails | null; justConfirmed: boolean },
): SafeHtml {
  const { t, locale } = ctx;
  const n = o.tickets.length;
  return html`<article class="tickets">
<p class="eyebrow">${o.eventTitle}</p>
<h1>${t('tickets.title')}</h1>
${o.justConfirmed ? html`<p class="notice success no-print" role="status">${t('tickets.just_confirmed')}</p>` : ''}
<p class="no-print">${t('tickets.intro')}</p>
<p class="hint no-print">${t('tickets.print_hint')}</p>
${o.details ? html`${eventDetailsList(ctx, o.details)}<p class="no-print">${calendarLink(ctx, o.link)}</p>` : html`<p class="no-print">${t('offer.details_tba')}</p>`}
<p class="no-print"><a class="button" href="${o.link('/tickets.pdf')}" type="application/pdf">${t('ticketpdf.download')}</a></p>
<ol class="ticket-list">
${o.tickets.map(
  (tk, i) => html`<li class="ticket">
<p class="ticket-event">${o.eventTitle}</p>
<h2>${tk.holderName}</h2>
<p class="muted">${t('tickets.ticket_n', { n: i + 1, total: n })}</p>
<img class="qr" src="${tk.qr}" width="240" height="240" alt="${t('tickets.qr_alt', { name: tk.holderName })}">
${tk.doorCode ? html`<p class="door-code"><span class="muted">${t('doorcode.ticket_label')}</span><br><strong class="door-code-value" dir="ltr">${tk.doorCode}</strong></p>` : html`<p class="ticket-code"><span class="muted">${t('tickets.code')}</span><br><code dir="ltr">${groupedCode(tk.token)}</code></p>`}
${tk.checkedInAt ? html`<p class="badge">${t('tickets.checked_in', { time: formatDateTime(tk.checkedInAt, locale, o.timezone) })}</p>` : ''}
</li>`,
)}
</ol>
<p class="no-print"><a href="${o.link()}">${t('tickets.back')}</a></p>
</article>`;
}

/** A guest's own ticket (their own link, ADR 0014): one card and the PDF. */
export function guestTicketPage(
  ctx: PageContext,
  o: { eventTitle: string; timezone: string; applicantName: string; pdfUrl: string; details: EventDetails | null; ticket: TicketCard },
): SafeHtml {
  const { t, locale } = ctx;
  const tk = o.ticket;
  return html`<article class="tickets">
<p class="eyebrow">${o.eventTitle}</p>
<h1>${t('guestticket.page.title')}</h1>
<p class="no-print">${t('guestticket.page.intro', { applicant: o.applicantName })}</p>
${o.details ? eventDetailsList(ctx, o.details) : html`<p class="no-print">${t('offer.details_tba')}</p>`}
<p class="no-print"><a class="button" href="${o.pdfUrl}" type="application/pdf">${t('ticketpdf.download_one')}</a></p>
<ol class="ticket-list">
<li class="ticket">
<p class="ticket-event">${o.eventTitle}</p>
<h2>${tk.holderName}</h2>
<img class="qr" src="${tk.qr}" width="240" height="240" alt="${t('tickets.qr_alt', { name: tk.holderName })}">
${tk.doorCode ? html`<p class="door-code"><span class="muted">${t('doorcode.ticket_label')}</span><br><strong class="door-code-value" dir="ltr">${tk.doorCode}</strong></p>` : html`<p class="ticket-code"><span class="muted">${t('tickets.code')}</span><br><code dir="ltr">${groupedCode(tk.token)}</code></p>`}
${tk.checkedInAt ? html`<p class="badge">${t('tickets.checked_in', { time: formatDateTime(tk.checkedInAt, locale, o.timezone) })}</p>` : ''}
</li>
</ol>
</article>`;
}
