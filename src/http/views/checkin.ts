import type { CheckInCounts, TicketSearchHit } from '../../services/checkin.ts';
import { html, type SafeHtml } from './html.ts';
import { csrfField } from './form.ts';
import type { PageContext } from './layout.ts';
import { can } from '../../services/users.ts';

/** A check-in answer as the door sees it: green or red, a headline, the holder's name. */
export interface CheckInMessage {
  ok: boolean;
  title: string;
  detail: string;
}

export function checkinEventsPage(ctx: PageContext, events: { id: string; title: string; counts: CheckInCounts }[]): SafeHtml {
  const { t } = ctx;
  return html`<article class="checkin">
<h1>${t('checkin.title')}</h1>
${events.length
  ? html`<h2>${t('checkin.choose_event')}</h2><ul class="cards">${events.map(
      (e) => html`<li class="card"><a href="/checkin/${e.id}"><strong>${e.title}</strong></a><br><span class="muted">${t('checkin.counts', { arrived: e.counts.arrived, expected: e.counts.expected })}</span></li>`,
    )}</ul>`
  : html`<p>${t('checkin.no_events')}</p>`}
</article>`;
}

export function resultBox(m: CheckInMessage | null): SafeHtml {
  if (!m) return html`<div id="checkin-result" class="checkin-result" role="status" aria-live="assertive" hidden></div>`;
  return html`<div id="checkin-result" class="checkin-result ${m.ok ? 'result-ok' : 'result-bad'}" role="status" aria-live="assertive">
<p class="result-title">${m.title}</p>${m.detail ? html`<p class="result-detail">${m.detail}</p>` : ''}</div>`;
}

/** Who else is in the hit's party and how many of them are in already ("Party of 3, 1 checked in: Ada ✓, Mary, Tom"). */
function partyLine(ctx: PageContext, h: TicketSearchHit): SafeHtml {
  const { t } = ctx;
  if (h.party.length < 2) return html``;
  const arrived = h.party.filter((m) => m.checkedInAt).length;
  return html`<p class="hit-party muted">${t('doorcode.party', { size: h.party.length, arrived })}
${h.party.map((m, i) => html`${i ? ', ' : ''}<span${m.id === h.id ? html` class="hit-self"` : ''}>${m.holderName}${m.checkedInAt ? html` <span aria-label="${t('doorcode.member_in')}">✓</span>` : ''}</span>`)}</p>`;
}

/**
 * The door page. Without JavaScript: type a code or search a name, each a normal form post. With
 * JavaScript (/assets/checkin.js): the phone camera scans QR codes and posts them to /scan.
 */
export function checkinPage(
  ctx: PageContext,
  o: {
    eventId: string;
    eventTitle: string;
    /** Breadcrumb and the event's tab bar (staff pages); the title alone without it. */
    header?: SafeHtml;
    counts: CheckInCounts;
    result: CheckInMessage | null;
    query: string;
    hits: (TicketSearchHit & { arrivedLabel: string | null })[] | null;
    /** A fresh scan id per rendering: a re-sent form (lost answer) is recognised as the same scan. */
    scanId: string;
  },
): SafeHtml {
  const { t } = ctx;
  const base = `/checkin/${o.eventId}`;
  return html`<article class="checkin" id="checkin" data-scan-url="${base}/scan" data-counts-url="${base}/counts" data-csrf="${ctx.csrfToken ?? ''}"
 data-msg-start="${t('checkin.start_camera')}" data-msg-stop="${t('checkin.stop_camera')}" data-msg-unavailable="${t('checkin.camera_unavailable')}"
 data-msg-error="${t('checkin.network_error')}" data-msg-hint="${t('checkin.camera_hint')}">
${o.header ?? html`<p class="eyebrow">${o.eventTitle}</p>`}
<div class="checkin-head"><h1>${t('checkin.title')}</h1>
<p class="checkin-counts" aria-live="polite"><span id="count-arrived">${o.counts.arrived}</span> / <span id="count-expected">${o.counts.expected}</span> <span class="muted">${t('checkin.arrived')}</span></p></div>
${resultBox(o.result)}
<section class="scanner" id="scanner" hidden aria-label="${t('checkin.scan')}">
<div class="viewfinder"><video id="scanner-video" playsinline muted></video></div>
<div class="actions"><button type="button" class="primary" id="scanner-toggle">${t('checkin.start_camera')}</button></div>
<p class="hint" id="scanner-msg">${t('checkin.camera_hint')}</p>
</section>
<form method="post" action="${base}" class="checkin-form" id="code-form"><input type="hidden" name="scan" value="${o.scanId}">
${csrfField(ctx.csrfToken ?? '')}
<div class="field"><label for="f-code">${t('checkin.code_label')}</label>
<p class="hint" id="h-code">${t('doorcode.hint')}</p>
<div class="inline-field"><input type="text" id="f-code" name="code" autocomplete="off" autocapitalize="off" spellcheck="false" inputmode="text" aria-describedby="h-code">
<button type="submit" class="primary">${t('checkin.check_in')}</button></div></div>
</form>
<form method="get" action="${base}" class="checkin-form" role="search">
<div class="field"><label for="f-q">${t('checkin.search_label')}</label>
<div class="inline-field"><input type="search" id="f-q" name="q" value="${o.query}" autocomplete="off">
<button type="submit">${t('checkin.search')}</button></div></div>
</form>
${o.hits === null
  ? ''
  : o.hits.length
    ? html`<ul class="hits">${o.hits.map(
        (h) => html`<li><span class="hit-name">${h.holderName}</span>
${h.arrivedLabel
  ? html`<span class="muted">${h.arrivedLabel}</span>`
  : html`<form method="post" action="${base}" class="inline">${csrfField(ctx.csrfToken ?? '')}<input type="hidden" name="ticket" value="${h.id}"><input type="hidden" name="scan" value="${o.scanId}"><input type="hidden" name="q" value="${o.query}"><button type="submit" aria-label="${t('doorcode.check_in_name', { name: h.holderName })}">${t('checkin.check_in')}</button></form>`}
${partyLine(ctx, h)}</li>`,
      )}</ul>`
    : html`<p>${t('checkin.no_hits')}</p>`}
<p class="door-links"><a href="${base}/device">${t('door.device_link')}</a> · <a href="${base}/door-list.pdf">${t('door.pdf_link')}</a>${
    ctx.user && can(ctx.user.role, 'manageEvents') ? html` · <a href="/admin/events/${o.eventId}/door">${t('door.board_link')}</a>` : ''
  }</p>
</article>`;
}
