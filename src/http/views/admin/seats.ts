import { formatNumber, type Translator } from '../../../i18n/index.ts';
import type { Locale } from '../../../domain/locales.ts';
import type { SeatOverview } from '../../../services/event-overview.ts';
import { html, type SafeHtml } from '../html.ts';

/**
 * Capacity split so the parts add up: held by invites + held by approvals + held by the draw and waitlist + free
 * = capacity. Confirmed attendance and open offers are a second split of the same held seats, shown nested under
 * "held" — never as a sibling box that would count seats twice.
 */
export function seatSummary(t: Translator, locale: Locale, s: SeatOverview): SafeHtml {
  const n = (v: number) => formatNumber(v, locale);
  const held = s.invite + s.review + s.draw;
  return html`<dl class="details" id="seats">
<div><dt>${t('seats.capacity')}</dt><dd>${n(s.capacity)}</dd></div>
<div><dt>${t('seats.held_invite')}</dt><dd>${n(s.invite)}</dd></div>
<div><dt>${t('seats.held_review')}</dt><dd>${n(s.review)}</dd></div>
<div><dt>${t('seats.held_draw')}</dt><dd>${n(s.draw)}</dd></div>
<div><dt>${t('seats.free')}</dt><dd>${n(s.free)}</dd></div>
<div><dt>${t('seats.held_split', { held })}</dt><dd>${t('seats.held_split_value', { confirmed: s.confirmed, offered: s.offered })}</dd></div>
</dl><p class="hint">${t('seats.hint')}</p>`;
}
